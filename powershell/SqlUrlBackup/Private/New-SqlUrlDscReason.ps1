# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function New-SqlUrlDscReason {
    # One entry of a resource's Reasons: Code '<Resource>:<Resource>:<Id>' (no whitespace) and a
    # masked Phrase (Hide-SqlUrlSecret).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Resource,
        [Parameter(Mandatory = $true)][string]$Id,
        [AllowNull()][AllowEmptyString()][string]$Phrase
    )
    $r = [SqlUrlBackupReason]::new()
    $r.Code = '{0}:{0}:{1}' -f $Resource.GetType().Name, ($Id -replace '\s', '')
    $r.Phrase = Hide-SqlUrlSecret -Text $Phrase
    $r
}
