# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Test-SqlUrlDscNoReason {
    # Test() of every resource: true when Get() found no Reasons; each Reason is written as verbose text.
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)][object]$Resource,
        [Parameter(Mandatory = $true)][object]$State
    )
    $list = @($State.Reasons | Where-Object { $null -ne $_ })
    foreach ($r in $list) { Write-Verbose ('{0}: {1}' -f $Resource.ServerInstance, $r.Phrase) }
    $list.Count -eq 0
}
