# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function ConvertTo-SqlUrlDscStopAt {
    # SqlUrlRestoredDatabase's StopAt (ISO 8601, server time) as a [datetime], or nothing when empty.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    if ([string]::IsNullOrWhiteSpace($Resource.StopAt)) { return }
    $parsed = [datetime]::MinValue
    $styles = [System.Globalization.DateTimeStyles]::AllowWhiteSpaces
    if (-not [datetime]::TryParse($Resource.StopAt, [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$parsed)) {
        throw [System.ArgumentException]::new(('SqlUrlRestoredDatabase: StopAt ''{0}'' is not a date and time; use ISO 8601, e.g. 2026-12-06T03:15:00 (server time).' -f $Resource.StopAt))
    }
    $parsed
}
