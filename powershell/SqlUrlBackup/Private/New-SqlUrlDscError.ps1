# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function New-SqlUrlDscError {
    # A terminating ErrorRecord for a failed step of a DSC resource. The LCM shows only the
    # exception message, so the message carries what failed, the server's message and the
    # recommended action; the ErrorId (SqlUrlBackup.<kind>), category and ErrorDetails of the
    # module's own error are kept. URL query strings are masked (Hide-SqlUrlSecret).
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][string]$Activity,
        [Parameter(Mandatory = $true)][object]$ErrorRecord
    )
    $inner = $ErrorRecord
    if ($inner -isnot [System.Management.Automation.ErrorRecord] -and $null -ne $inner.PSObject.Properties['ErrorRecord']) { $inner = $inner.ErrorRecord }
    $message = $null; $action = $null; $errorId = 'SqlUrlBackup.DscResourceFailed'; $category = [System.Management.Automation.ErrorCategory]::InvalidOperation
    $exception = $null
    if ($inner -is [System.Management.Automation.ErrorRecord]) {
        $exception = $inner.Exception
        if ($null -ne $inner.ErrorDetails) {
            $message = $inner.ErrorDetails.Message
            $action = $inner.ErrorDetails.RecommendedAction
        }
        if (-not $message -and $null -ne $exception) { $message = $exception.Message }
        $id = [string]$inner.FullyQualifiedErrorId
        if ($id -like 'SqlUrlBackup.*') { $errorId = $id.Split(',')[0] }
        $category = $inner.CategoryInfo.Category
    }
    elseif ($inner -is [System.Exception]) {
        $exception = $inner
        $message = $inner.Message
    }
    if (-not $message) { $message = [string]$inner }
    $text = '{0} failed: {1}' -f $Activity, $message.TrimEnd()
    if ($action) { $text += ' Recommended action: ' + $action.TrimEnd() }
    $text = Hide-SqlUrlSecret -Text $text
    $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($text, $exception), $errorId, $category, $null)
    $details = [System.Management.Automation.ErrorDetails]::new($text)
    if ($action) { $details.RecommendedAction = Hide-SqlUrlSecret -Text $action }
    $record.ErrorDetails = $details
    $record
}
