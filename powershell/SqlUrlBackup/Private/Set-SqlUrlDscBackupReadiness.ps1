# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Set-SqlUrlDscBackupReadiness {
    # SqlUrlBackupReadiness.Set(): audit only, sends nothing. Succeeds when the server is ready,
    # else throws the Reasons (it cannot fix them).
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    $state = $Resource.Get()
    $list = @($state.Reasons | Where-Object { $null -ne $_ })
    if ($list.Count -eq 0) { return }
    $text = 'SqlUrlBackupReadiness is audit-only and changed nothing; ''{0}'' is not ready for {1}: {2}' -f $Resource.ServerInstance, $Resource.ContainerUrl, (($list | ForEach-Object { $_.Phrase }) -join ' ')
    $text = Hide-SqlUrlSecret -Text $text
    $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($text), 'SqlUrlBackup.NotReady',
        [System.Management.Automation.ErrorCategory]::NotEnabled, $Resource.ServerInstance)
    $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($text)
    throw $record
}
