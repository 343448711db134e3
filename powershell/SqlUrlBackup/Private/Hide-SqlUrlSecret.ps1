function Hide-SqlUrlSecret {
    <#
    .SYNOPSIS
    Masks what could carry a secret in a text that leaves the module: the query string of any URL
    (a SAS pasted into a blob or container URL) and a bare SAS signature (sig=...).

    .DESCRIPTION
    The one masking rule of the module. Used for ErrorRecord target objects, exception messages,
    ErrorDetails, ShouldProcess/Verbose/progress text and the DSC resources' Reasons and errors.
    An array is masked element by element; other objects are returned unchanged.
    #>
    [CmdletBinding()]
    param([AllowNull()][AllowEmptyString()][object]$Text)
    if ($null -eq $Text) { return $null }
    if ($Text -is [array]) { return , @(foreach ($t in $Text) { Hide-SqlUrlSecret -Text $t }) }
    if ($Text -isnot [string]) { return $Text }
    if ($Text.Length -eq 0) { return $Text }
    $masked = [regex]::Replace($Text, '(?i)\b(https?://[^\s''"?#<>]+)\?[^\s''"<>]+', '$1?***')
    [regex]::Replace($masked, '(?i)\bsig=[^&\s''"<>]+', 'sig=***')
}
