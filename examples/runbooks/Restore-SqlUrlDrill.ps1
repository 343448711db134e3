<#
.SYNOPSIS
Azure Automation runbook: a restore drill. Restores a database from its backups in Azure Blob
Storage to a point in time, under a new name, on another server, and reports how long it took.

.DESCRIPTION
Proves that the backups restore: the full backup, the differential and the log backups given in
BackupUrl (in any order; the module orders them by LSN and checks the chain) are restored on
ServerInstance as TargetDatabase (default '<database>_drill_<yyyyMMddHHmm>' in UTC), stopping at
StopAt. The files are relocated to the server's default data and log paths. An existing database is
never replaced: the job fails instead. The drill database is left in place for inspection (the
module has no cmdlet to drop a database: drop it with your usual tools when done).

BackupUrl lists the blobs explicitly (e.g. the Url values of the backup runbook's output): finding
"the backups of database X in this container up to time T" needs a backup catalog, which the module
does not have yet.

No secrets anywhere: SQL Server sign-in with the Automation account's managed identity (as in
Backup-SqlUrlFleet.ps1; the login needs dbcreator or sysadmin on the drill server), storage through
the drill server's own managed-identity credential for the container.

Output: the SqlUrlBackup.RestoreResult, then one summary line. The job ends Failed (a terminating
error) when the restore fails.

.PARAMETER ServerInstance
The drill server (not the production one).

.PARAMETER BackupUrl
The backup blobs: an array, or one string separated by ';' or new lines.

.PARAMETER StopAt
The point in time (ISO 8601, server time, e.g. 2026-12-06T03:15:00). Needs the log backups that cover it.

.PARAMETER TargetDatabase
The name to restore as (default '<database in the backup>_drill_<yyyyMMddHHmm>').

.PARAMETER VerifyFirst
Run RESTORE VERIFYONLY on every backup first (Test-SqlUrlBackup).

.EXAMPLE
Start-AzAutomationRunbook -Name Restore-SqlUrlDrill -RunOn SqlWorkers -Parameters @{ ServerInstance = 'sqldrill01'; BackupUrl = $urls -join ';'; StopAt = '2026-12-06T03:15:00' } -AutomationAccountName aa-sql -ResourceGroupName rg-sql
#>
param(
    [Parameter(Mandatory = $true)]
    [string]$ServerInstance,

    [Parameter(Mandatory = $true)]
    [string[]]$BackupUrl,

    [string]$StopAt,

    [string]$TargetDatabase,

    [bool]$VerifyFirst = $false,

    [string]$ManagedIdentityClientId,

    [string]$ModuleVersion,

    [ValidateSet('', 'Mandatory', 'Optional', 'Strict')]
    [string]$Encrypt = '',

    [bool]$TrustServerCertificate = $false,

    [string]$HostNameInCertificate,

    [string]$CertificateAuthorityFile
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

if ($ModuleVersion) { Import-Module SqlUrlBackup -RequiredVersion $ModuleVersion } else { Import-Module SqlUrlBackup }

$urls = @($BackupUrl | ForEach-Object { ([string]$_) -split '[;\r\n]+' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
if ($urls.Count -eq 0) { throw 'BackupUrl is empty: give the blob URLs of the full backup (and the differential and log backups).' }
$stop = $null
if ($StopAt) {
    $parsed = [datetime]::MinValue
    if (-not [datetime]::TryParse($StopAt, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::AllowWhiteSpaces, [ref]$parsed)) {
        throw "StopAt '$StopAt' is not a date and time: use ISO 8601, e.g. 2026-12-06T03:15:00 (server time)."
    }
    $stop = $parsed
}

$connection = @{ ServerInstance = $ServerInstance; UseManagedIdentity = $true }
if ($ManagedIdentityClientId) { $connection.ManagedIdentityClientId = $ManagedIdentityClientId }
if ($Encrypt) { $connection.Encrypt = $Encrypt }
if ($TrustServerCertificate) { $connection.TrustServerCertificate = $true }
if ($HostNameInCertificate) { $connection.HostNameInCertificate = $HostNameInCertificate }
if ($CertificateAuthorityFile) { $connection.CertificateAuthorityFile = $CertificateAuthorityFile }

$started = [DateTime]::UtcNow
if (-not $TargetDatabase) {
    $header = @(Get-SqlUrlBackupHeader @connection -Url $urls[0])
    if ($header.Count -eq 0 -or -not $header[0].DatabaseName) { throw "The backup header of $($urls[0]) names no database: pass -TargetDatabase." }
    $TargetDatabase = '{0}_drill_{1}' -f $header[0].DatabaseName, $started.ToString('yyyyMMddHHmm')
}
if ($VerifyFirst) {
    foreach ($u in $urls) {
        $v = Test-SqlUrlBackup @connection -Url $u
        if ($null -ne $v -and $null -ne $v.PSObject.Properties['Valid'] -and -not $v.Valid) { throw "RESTORE VERIFYONLY failed for $u`: $($v.Message)" }
    }
}

$restore = @{ Url = $urls; Database = $TargetDatabase; Confirm = $false }
# Several URLs: a chain (the module groups the stripes of one backup set and orders the sets by LSN).
if ($urls.Count -gt 1) { $restore.Sequence = $true }
if ($null -ne $stop) { $restore.StopAt = $stop }
# Never -Replace: an existing database of that name makes the job fail (DatabaseExists).
$result = Restore-SqlUrlDatabase @connection @restore
if ($null -eq $result) { throw "The restore of $TargetDatabase on $ServerInstance returned no result." }
$result
$pointInTime = if ($null -ne $stop) { $stop.ToString('yyyy-MM-ddTHH:mm:ss') } else { 'the end of the last backup' }
Write-Output ('SqlUrlBackup restore drill: {0} restored on {1} to {2} from {3} backup blob(s) in {4:N1} s ({5} file(s) relocated).' -f $TargetDatabase, $ServerInstance, $pointInTime, $urls.Count, ([DateTime]::UtcNow - $started).TotalSeconds, @($result.Files).Count)
