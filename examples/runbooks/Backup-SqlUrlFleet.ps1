<#
.SYNOPSIS
Azure Automation runbook: backs up the databases of a list of SQL Servers to Azure Blob Storage
(nightly full backups, or log backups every N minutes).

.DESCRIPTION
Import this file as a PowerShell 7.4 runbook (runtime environment with the SqlUrlBackup module) and
run it on a Hybrid Runbook Worker group that can reach the SQL Servers (or in the cloud sandbox
when the servers are reachable from it; see the README, "DSC and Azure Automation").

No secrets anywhere:
- SQL Server sign-in: a Microsoft Entra token of the Automation account's managed identity. The
  module asks the endpoint Automation provides (IDENTITY_ENDPOINT / IDENTITY_HEADER):
  system-assigned by default, a user-assigned identity with -ManagedIdentityClientId. Each server
  needs a login for it: CREATE LOGIN [<automation account>] FROM EXTERNAL PROVIDER, member of
  db_backupoperator in each database (or sysadmin).
- Storage: each SQL Server writes with its own (the VM's) managed identity, through its credential
  named after the container URL (DSC resource SqlUrlCredential, or New-SqlUrlCredential).

Schedules (Automation schedules run at most once an hour):
- nightly full:      daily,  -Type Full
- log every N min:   hourly, -Type Log -IntervalMinutes 15 -DurationMinutes 60
  (one job runs 4 rounds, at :00, :15, :30, :45; cloud jobs stop after 3 hours, Hybrid Workers do not)

Output (the job's Output stream): one SqlUrlBackup.BackupResult per backed-up database, one object
with ErrorId per failed database (ServerInstance, Database, ErrorId, Message, RecommendedAction),
then one summary line. The job ends Failed (a terminating error) when any database failed; a plain
Write-Error would leave it Completed.

.PARAMETER ServerInstance
The SQL Servers: an array, or one string with the servers separated by ';' or new lines
(not ',': 'host,1433' is one server).

.PARAMETER ContainerUrl
The container to back up to, e.g. https://contosobackups.blob.core.windows.net/sql.

.PARAMETER Database
Only these databases (on every server). Without it, every online user database of each server
(needs a SqlUrlBackup version whose Backup-SqlUrlDatabase takes no -Database; older versions make
the job fail with a message saying so).

.PARAMETER ExcludeDatabase
Databases (names or wildcards) to leave out when -Database is not given.

.PARAMETER Type
Full (default), Differential or Log.

.PARAMETER ServerThrottle
How many servers run at once (default: the module's). -Throttle: backups at once per server.

.PARAMETER IntervalMinutes
With DurationMinutes: run a backup round every IntervalMinutes until DurationMinutes have passed.

.PARAMETER DurationMinutes
How long the rounds go on (default 0: one round).

.PARAMETER ManagedIdentityClientId
The client id of the Automation account's user-assigned identity (default: system-assigned).

.PARAMETER ModuleVersion
Import exactly this SqlUrlBackup version (a sandbox keeps whatever version an earlier job loaded).

.EXAMPLE
Start-AzAutomationRunbook -Name Backup-SqlUrlFleet -RunOn SqlWorkers -Parameters @{ ServerInstance = 'sqlvm01;sqlvm02'; ContainerUrl = 'https://contosobackups.blob.core.windows.net/sql'; Type = 'Full' } -AutomationAccountName aa-sql -ResourceGroupName rg-sql
#>
param(
    [Parameter(Mandatory = $true)]
    [string[]]$ServerInstance,

    [Parameter(Mandatory = $true)]
    [string]$ContainerUrl,

    [string[]]$Database,

    [string[]]$ExcludeDatabase,

    [ValidateSet('Full', 'Differential', 'Log')]
    [string]$Type = 'Full',

    [ValidateRange(0, 1440)]
    [double]$IntervalMinutes = 0,

    [ValidateRange(0, 1440)]
    [double]$DurationMinutes = 0,

    [string]$ManagedIdentityClientId,

    [ValidateRange(0, 64)]
    [int]$Throttle = 0,

    [ValidateRange(0, 64)]
    [int]$ServerThrottle = 0,

    [string]$ModuleVersion,

    [ValidateSet('', 'Mandatory', 'Optional', 'Strict')]
    [string]$Encrypt = '',

    [bool]$TrustServerCertificate = $false,

    [string]$HostNameInCertificate,

    [string]$CertificateAuthorityFile
)

$ErrorActionPreference = 'Stop'
# Progress records are not valid in a job and bloat its streams (1 MiB per stream).
$ProgressPreference = 'SilentlyContinue'

if ($ModuleVersion) { Import-Module SqlUrlBackup -RequiredVersion $ModuleVersion } else { Import-Module SqlUrlBackup }

$servers = @($ServerInstance | ForEach-Object { ([string]$_) -split '[;\r\n]+' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
if ($servers.Count -eq 0) { throw 'ServerInstance is empty: give at least one SQL Server.' }
$databases = @($Database | ForEach-Object { ([string]$_) -split '[;,\r\n]+' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
if ($databases.Count -eq 0) {
    $dbParameter = (Get-Command Backup-SqlUrlDatabase).Parameters['Database']
    if (@($dbParameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.Mandatory }).Count -gt 0) {
        throw ('This SqlUrlBackup version ({0}) backs up named databases only: pass -Database, or install a version that backs up every user database when -Database is left out.' -f (Get-Module SqlUrlBackup).Version)
    }
}

$connection = @{ UseManagedIdentity = $true }
if ($ManagedIdentityClientId) { $connection.ManagedIdentityClientId = $ManagedIdentityClientId }
if ($Encrypt) { $connection.Encrypt = $Encrypt }
if ($TrustServerCertificate) { $connection.TrustServerCertificate = $true }
if ($HostNameInCertificate) { $connection.HostNameInCertificate = $HostNameInCertificate }
if ($CertificateAuthorityFile) { $connection.CertificateAuthorityFile = $CertificateAuthorityFile }
$backup = @{ ContainerUrl = $ContainerUrl; Type = $Type }
if ($databases.Count -gt 0) { $backup.Database = $databases }
$excluded = @($ExcludeDatabase | ForEach-Object { ([string]$_) -split '[;,\r\n]+' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
if ($excluded.Count -gt 0) { $backup.ExcludeDatabase = $excluded }
if ($Throttle -gt 0) { $backup.Throttle = $Throttle }
if ($ServerThrottle -gt 0) { $backup.ServerThrottle = $ServerThrottle }

$started = [DateTime]::UtcNow
$ok = 0; $failed = 0; $bytes = [long]0; $round = 0
$failures = New-Object System.Collections.Generic.List[object]
while ($true) {
    $round++
    $errs = @()
    # Each failed database is a non-terminating error: collect them, report them all, fail at the end.
    Backup-SqlUrlDatabase -ServerInstance $servers @connection @backup -ErrorAction SilentlyContinue -ErrorVariable +errs | ForEach-Object {
        $ok++
        if ($null -ne $_.Bytes) { $bytes += [long]$_.Bytes }
        $_
    }
    foreach ($e in $errs) {
        $x = $e.Exception
        $server = $null; $db = $null
        if ($null -ne $x.PSObject.Properties['ServerInstance']) { $server = [string]$x.ServerInstance }
        if ($null -ne $x.PSObject.Properties['Database']) { $db = [string]$x.Database }
        if (-not $db -and $e.TargetObject -is [string]) { $db = [string]$e.TargetObject }
        $action = $null
        if ($null -ne $e.ErrorDetails) { $action = $e.ErrorDetails.RecommendedAction }
        $failure = [pscustomobject]@{
            PSTypeName        = 'SqlUrlBackup.RunbookFailure'
            ServerInstance    = $server
            Database          = $db
            Round             = $round
            ErrorId           = ([string]$e.FullyQualifiedErrorId).Split(',')[0]
            Message           = $x.Message
            RecommendedAction = $action
        }
        $failed++
        $failures.Add($failure)
        $failure
    }
    if ($DurationMinutes -le 0 -or $IntervalMinutes -le 0) { break }
    $next = $started.AddMinutes($round * $IntervalMinutes)
    if ($next -ge $started.AddMinutes($DurationMinutes)) { break }
    $wait = $next - [DateTime]::UtcNow
    if ($wait.TotalMilliseconds -gt 0) { Start-Sleep -Milliseconds ([int]$wait.TotalMilliseconds) }
}

$minutes = ([DateTime]::UtcNow - $started).TotalMinutes
$summary = 'SqlUrlBackup {0} backup: {1} server(s), {2} round(s), {3} database backup(s) succeeded, {4} failed, {5:N1} MB in {6:N1} min.' -f $Type.ToLowerInvariant(), $servers.Count, $round, $ok, $failed, ($bytes / 1MB), $minutes
Write-Output $summary
if ($failed -gt 0) {
    $names = ($failures | Select-Object -First 10 | ForEach-Object { '{0}/{1} ({2})' -f $_.ServerInstance, $_.Database, $_.ErrorId }) -join ', '
    throw ('{0} database backup(s) failed: {1}' -f $failed, $names)
}
