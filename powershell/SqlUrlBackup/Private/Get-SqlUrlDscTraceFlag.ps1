# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Get-SqlUrlDscTraceFlag {
    # SqlUrlTraceFlag4675.Get(): whether trace flag 4675 is on globally, and whether -T4675 is a
    # startup parameter (TraceFlag4675Startup: pass = it is, warn = it is not; Unknown when the
    # login cannot read it, never guessed).
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    $checks = Invoke-SqlUrlDscTraceFlagCheck -Resource $Resource -Change 'read'
    $tf = $checks.TraceFlag
    $startup = $checks.Startup
    $state = [SqlUrlTraceFlag4675]::new()
    Copy-SqlUrlDscConnection -From $Resource -To $state
    $state.ContainerUrl = Hide-SqlUrlSecret -Text $Resource.ContainerUrl
    $state.Evidence = [string]$tf.Evidence
    # 'pass' = on globally; a flag on for one session only is not on.
    if ($tf.Status -eq 'pass') { $state.Ensure = 'Present' } else { $state.Ensure = 'Absent' }
    $state.StartupParameter = 'Unknown'
    if ($null -ne $startup -and $startup.Status -eq 'pass') { $state.StartupParameter = 'Present' }
    if ($null -ne $startup -and $startup.Status -eq 'warn') { $state.StartupParameter = 'Absent' }
    $why = @()
    if ($state.Ensure -ne $Resource.Ensure) {
        $want = 'on'
        if ($Resource.Ensure -eq 'Absent') { $want = 'off' }
        $why += $Resource.NewReason('Ensure', ('Trace flag 4675 should be {0} globally, but: {1}' -f $want, $tf.Evidence))
    }
    $state.Reasons = [SqlUrlBackupReason[]]$why
    $state
}
