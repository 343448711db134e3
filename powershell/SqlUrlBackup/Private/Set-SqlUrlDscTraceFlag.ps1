# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Set-SqlUrlDscTraceFlag {
    # SqlUrlTraceFlag4675.Set(): turns the flag on or off globally (nothing is sent when it already
    # is), and warns when the startup parameter disagrees (the flag flips at the next restart).
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    $change = 'enable'
    if ($Resource.Ensure -eq 'Absent') { $change = 'disable' }
    $checks = Invoke-SqlUrlDscTraceFlagCheck -Resource $Resource -Change $change
    $tf = $checks.TraceFlag
    if ($tf.Status -eq 'fail' -or ($change -eq 'enable' -and $tf.Status -ne 'pass')) {
        $text = Hide-SqlUrlSecret -Text ('SqlUrlTraceFlag4675: turning trace flag 4675 {0} for ''{1}'' failed: {2}' -f $(if ($change -eq 'enable') { 'on' } else { 'off' }), $Resource.ServerInstance, $tf.Evidence)
        if ($tf.RecommendedAction) { $text += ' Recommended action: ' + $tf.RecommendedAction }
        $id = 'SqlUrlBackup.TraceFlagNotEnabled'
        if ($change -eq 'disable') { $id = 'SqlUrlBackup.TraceFlagNotDisabled' }
        $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($text), $id,
            [System.Management.Automation.ErrorCategory]::InvalidOperation, $Resource.ServerInstance)
        $details = [System.Management.Automation.ErrorDetails]::new($text)
        if ($tf.RecommendedAction) { $details.RecommendedAction = [string]$tf.RecommendedAction }
        $record.ErrorDetails = $details
        throw $record
    }
    Write-Verbose ('{0}: {1}' -f $Resource.ServerInstance, $tf.Evidence)
    $startup = $checks.Startup
    if ($null -ne $startup -and $startup.Status -eq 'warn' -and $startup.RecommendedAction) {
        Write-Warning ('{0}: {1} {2}' -f $Resource.ServerInstance, $startup.Evidence, $startup.RecommendedAction)
    }
}
