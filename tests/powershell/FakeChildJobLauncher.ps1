<#
The child-job launcher the runbook tests give Start-SqlUrlFleetFanOut.ps1 (-ChildJobLauncher) in
place of Start-AzAutomationRunbook -RunOn: every child job is a separate local pwsh process (a
"fake worker"), all started at once, each running the child runbook the way a job runs it
(tests/powershell/RunbookHelpers.ps1). Returns {Name, Status, Output, Error} per job, as the Azure
launcher does. The child runbook is examples/runbooks/Backup-SqlUrlFleet.ps1; the environment
(IDENTITY_ENDPOINT, IDENTITY_HEADER, PSModulePath) is inherited. With SQLURL_T_LAUNCH_LOG set, one
JSON line per job (name, process id, start, end, status) is appended to that file.
#>
param([Parameter(Mandatory = $true)][object[]]$Job)
. (Join-Path $PSScriptRoot 'TestHelpers.ps1')
. (Join-Path $PSScriptRoot 'RunbookHelpers.ps1')
$runbook = Join-Path $PSScriptRoot '../../examples/runbooks/Backup-SqlUrlFleet.ps1'
$running = foreach ($j in $Job) {
    $parameters = @{}
    foreach ($k in $j.Parameters.Keys) { $parameters[$k] = $j.Parameters[$k] }
    [pscustomobject]@{ Name = $j.Name; Handle = (Start-SqlUrlRunbookProcess -Path $runbook -Parameters $parameters) }
}
foreach ($r in $running) {
    $pid_ = $r.Handle.Process.Id
    $started = $r.Handle.Started
    $done = Wait-SqlUrlRunbookProcess -Job $r.Handle -TimeoutSeconds 600
    if ($env:SQLURL_T_LAUNCH_LOG) {
        $ended = $r.Handle.Process.ExitTime.ToUniversalTime()
        $line = [pscustomobject]@{ Name = $r.Name; ProcessId = $pid_; Start = $started.ToString('o'); End = $ended.ToString('o'); Status = $done.Status } | ConvertTo-Json -Compress
        Add-Content -LiteralPath $env:SQLURL_T_LAUNCH_LOG -Value $line
    }
    $message = ($done.Error -split "`r?`n" | Where-Object { $_ -like 'JOB FAILED:*' } | Select-Object -First 1)
    if (-not $message) { $message = $done.Error }
    [pscustomobject]@{ Name = $r.Name; Status = $done.Status; Output = $done.Output; Error = $message }
}
