# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Invoke-SqlUrlDscTraceFlagCheck {
    # SqlUrlTraceFlag4675's two readiness checks (each Name, Status, Evidence, RecommendedAction):
    # {TraceFlag = TraceFlag4675, Startup = TraceFlag4675Startup or $null}. $Change: read, enable or
    # disable (the check reads the flag first and sends DBCC TRACEON/TRACEOFF only when it must).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Resource,
        [Parameter(Mandatory = $true)][ValidateSet('read', 'enable', 'disable')][string]$Change
    )
    if ([string]::IsNullOrWhiteSpace($Resource.ContainerUrl)) {
        throw [System.ArgumentException]::new('SqlUrlTraceFlag4675: ContainerUrl is empty; give the container URL the readiness check runs for, e.g. https://account.blob.core.windows.net/backups.')
    }
    $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $Resource
    $activity = "reading trace flag 4675 on '$($Resource.ServerInstance)'"
    $switch = @{}
    if ($Change -eq 'enable') { $activity = "turning trace flag 4675 on for '$($Resource.ServerInstance)'"; $switch.EnableTraceFlag = $true }
    if ($Change -eq 'disable') { $activity = "turning trace flag 4675 off for '$($Resource.ServerInstance)'"; $switch.DisableTraceFlag = $true }
    $checks = $null
    try {
        $checks = @(Test-SqlUrlBackupReadiness @conn @switch -ContainerUrl $Resource.ContainerUrl -Detailed -Confirm:$false -ErrorAction Stop | Where-Object { $null -ne $_ })
    }
    catch {
        throw $Resource.NewError($activity, $_)
    }
    $tf = $checks | Where-Object { $_.Name -eq 'TraceFlag4675' } | Select-Object -First 1
    if ($null -eq $tf) {
        throw $Resource.NewError($activity, 'the readiness check returned no TraceFlag4675 result.')
    }
    if ($tf.Status -eq 'unknown') {
        throw $Resource.NewError($activity, [string]$tf.Evidence)
    }
    [pscustomobject]@{
        TraceFlag = $tf
        Startup   = $checks | Where-Object { $_.Name -eq 'TraceFlag4675Startup' } | Select-Object -First 1
    }
}
