<#
.SYNOPSIS
Azure Automation runbook: backs up a large fleet by splitting its server list across child jobs on
a Hybrid Runbook Worker group, then gathers their results into one summary.

.DESCRIPTION
One job (one process) handles a limited number of servers in reasonable time. This parent splits
ServerInstance into chunks of ServersPerJob (or into JobCount chunks), starts the child runbook
Backup-SqlUrlFleet once per chunk with Start-AzAutomationRunbook -RunOn <HybridWorkerGroup> (one
worker of the group picks up each job; a worker runs up to 50 jobs at once), waits for all of them
(bounded by TimeoutMinutes), and gathers their output:
- every child's BackupResult and failure objects are passed on (Output stream);
- one summary line: servers, child jobs (completed / failed), databases backed up / failed;
- the parent ends Failed (a terminating error) when any child job did not complete or reported a
  failed database.

Azure: the parent signs in with the Automation account's managed identity (Connect-AzAccount
-Identity; Az.Accounts and Az.Automation in the runtime environment), which needs the "Automation
Job Operator" role on the account. Children run with the same parameters as Backup-SqlUrlFleet
(ContainerUrl, Type, Database, ManagedIdentityClientId, connection options); runbook parameters
must be simple types, so lists travel as ';'-separated strings.

The Azure calls sit in one function, Invoke-SqlUrlFleetChildJob. ChildJobLauncher replaces it with
a script taking -Job (objects with Name and Parameters) and returning one object per job (Name,
Status, Output, Error): the module's tests run children as local processes that way.

.PARAMETER ServersPerJob
Servers per child job (default 10). Ignored when JobCount is given.

.PARAMETER JobCount
Split the servers into this many child jobs.

.PARAMETER TimeoutMinutes
How long to wait for all children (default 170: cloud jobs stop at 3 hours; children on a Hybrid
Worker do not, but the parent may run in the cloud).

.EXAMPLE
Start-AzAutomationRunbook -Name Start-SqlUrlFleetFanOut -Parameters @{ ServerInstance = ($servers -join ';'); ContainerUrl = 'https://contosobackups.blob.core.windows.net/sql'; HybridWorkerGroup = 'SqlWorkers'; AutomationAccountName = 'aa-sql'; ResourceGroupName = 'rg-sql' } -AutomationAccountName aa-sql -ResourceGroupName rg-sql
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

    [ValidateRange(1, 1000)]
    [int]$ServersPerJob = 10,

    [ValidateRange(0, 1000)]
    [int]$JobCount = 0,

    [string]$ChildRunbookName = 'Backup-SqlUrlFleet',

    [string]$HybridWorkerGroup,

    [string]$AutomationAccountName,

    [string]$ResourceGroupName,

    [ValidateRange(1, 1440)]
    [int]$TimeoutMinutes = 170,

    [string]$ManagedIdentityClientId,

    [string]$ModuleVersion,

    [ValidateSet('', 'Mandatory', 'Optional', 'Strict')]
    [string]$Encrypt = '',

    [bool]$TrustServerCertificate = $false,

    [string]$HostNameInCertificate,

    [string]$CertificateAuthorityFile,

    [string]$ChildJobLauncher
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

function Invoke-SqlUrlFleetChildJob {
    # Starts one child job per entry of $Job on the Hybrid Worker group, waits for all, and returns
    # {Name, Status, Output, Error} per job. The only place that talks to Azure.
    param([Parameter(Mandatory = $true)][object[]]$Job)
    if ($ChildJobLauncher) { return (& $ChildJobLauncher -Job $Job) }
    if (-not $AutomationAccountName -or -not $ResourceGroupName) { throw 'AutomationAccountName and ResourceGroupName are needed to start child jobs.' }
    $null = Disable-AzContextAutosave -Scope Process
    if ($ManagedIdentityClientId) { $null = Connect-AzAccount -Identity -AccountId $ManagedIdentityClientId } else { $null = Connect-AzAccount -Identity }
    $aa = @{ AutomationAccountName = $AutomationAccountName; ResourceGroupName = $ResourceGroupName }
    $started = foreach ($j in $Job) {
        $start = @{ Name = $ChildRunbookName; Parameters = $j.Parameters }
        if ($HybridWorkerGroup) { $start.RunOn = $HybridWorkerGroup }
        [pscustomobject]@{ Name = $j.Name; Id = (Start-AzAutomationRunbook @aa @start).JobId }
    }
    $deadline = [DateTime]::UtcNow.AddMinutes($TimeoutMinutes)
    $final = @{}
    while ($final.Count -lt @($started).Count -and [DateTime]::UtcNow -lt $deadline) {
        Start-Sleep -Seconds 30
        foreach ($s in $started) {
            if ($final.ContainsKey($s.Name)) { continue }
            $job = Get-AzAutomationJob @aa -Id $s.Id
            if (@('Completed', 'Failed', 'Stopped', 'Suspended') -contains [string]$job.Status) { $final[$s.Name] = $job }
        }
    }
    foreach ($s in $started) {
        $job = $final[$s.Name]
        $output = @(Get-AzAutomationJobOutput @aa -Id $s.Id -Stream Output | ForEach-Object { (Get-AzAutomationJobOutputRecord @aa -JobId $s.Id -Id $_.StreamRecordId).Value })
        if ($null -eq $job) {
            $null = Stop-AzAutomationJob @aa -Id $s.Id -ErrorAction SilentlyContinue
            [pscustomobject]@{ Name = $s.Name; Status = 'TimedOut'; Output = $output; Error = "no result within $TimeoutMinutes minutes (stopped)" }
        }
        else {
            [pscustomobject]@{ Name = $s.Name; Status = [string]$job.Status; Output = $output; Error = [string]$job.Exception }
        }
    }
}

$servers = @($ServerInstance | ForEach-Object { ([string]$_) -split '[;\r\n]+' } | ForEach-Object { $_.Trim() } | Where-Object { $_ })
if ($servers.Count -eq 0) { throw 'ServerInstance is empty: give at least one SQL Server.' }
$size = $ServersPerJob
if ($JobCount -gt 0) { $size = [int][Math]::Ceiling($servers.Count / [double]$JobCount) }

# The children's parameters: simple types only (lists as ';'-separated strings).
$common = @{ ContainerUrl = $ContainerUrl; Type = $Type }
if ($Database) { $common.Database = (@($Database) -join ';') }
if ($ExcludeDatabase) { $common.ExcludeDatabase = (@($ExcludeDatabase) -join ';') }
foreach ($name in 'ManagedIdentityClientId', 'ModuleVersion', 'Encrypt', 'HostNameInCertificate', 'CertificateAuthorityFile') {
    $value = Get-Variable -Name $name -ValueOnly
    if ($value) { $common[$name] = $value }
}
if ($TrustServerCertificate) { $common.TrustServerCertificate = $true }
$jobs = for ($i = 0; $i -lt $servers.Count; $i += $size) {
    $chunk = $servers[$i..([Math]::Min($i + $size, $servers.Count) - 1)]
    $p = $common.Clone()
    $p.ServerInstance = ($chunk -join ';')
    [pscustomobject]@{ Name = ('{0}-{1}' -f $ChildRunbookName, ($i / $size + 1)); Parameters = $p; Servers = $chunk }
}

$results = @(Invoke-SqlUrlFleetChildJob -Job @($jobs | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Parameters = $_.Parameters } }))

$succeeded = 0; $failedDatabases = @(); $failedJobs = @()
foreach ($r in $results) {
    foreach ($o in @($r.Output)) {
        if ($null -eq $o -or $o -is [string]) { continue }   # the child's summary line
        if ($null -ne $o.ErrorId) { $failedDatabases += $o } elseif ($null -ne $o.Database) { $succeeded++ }
        $o
    }
    if ($r.Status -ne 'Completed') { $failedJobs += $r }
}
$missing = @($jobs | Where-Object { @($results.Name) -notcontains $_.Name })
foreach ($m in $missing) { $failedJobs += [pscustomobject]@{ Name = $m.Name; Status = 'Missing'; Error = 'the launcher returned no result for this job' } }

Write-Output ('SqlUrlBackup fan-out: {0} server(s) in {1} child job(s) ({2} completed, {3} not), {4} database backup(s) succeeded, {5} failed.' -f $servers.Count, @($jobs).Count, (@($jobs).Count - $failedJobs.Count), $failedJobs.Count, $succeeded, $failedDatabases.Count)
if ($failedJobs.Count -gt 0 -or $failedDatabases.Count -gt 0) {
    $why = @($failedDatabases | Select-Object -First 10 | ForEach-Object { '{0}/{1} ({2})' -f $_.ServerInstance, $_.Database, $_.ErrorId })
    $why += @($failedJobs | ForEach-Object { 'job {0} {1}: {2}' -f $_.Name, $_.Status, (([string]$_.Error) -split "`n")[0] })
    throw ('{0} child job(s) did not complete and {1} database backup(s) failed: {2}' -f $failedJobs.Count, $failedDatabases.Count, ($why -join '; '))
}
