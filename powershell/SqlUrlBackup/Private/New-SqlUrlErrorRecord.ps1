# Result codes of the C ABI (SqlurlResult), by value.
$script:SqlUrlResultNames = @{
    0 = 'Ok'; 1 = 'NullArgument'; 2 = 'InvalidArgument'; 3 = 'Server'; 4 = 'Connection'; 5 = 'Timeout'
    6 = 'Cancelled'; 7 = 'NotSupported'; 8 = 'Precondition'; 9 = 'Internal'; 10 = 'Pending'
}

# Error kinds that mean the caller's parameters are wrong: terminating, whatever the server.
$script:SqlUrlParameterErrorKinds = @('InvalidArgument', 'InvalidUrl')

function New-SqlUrlErrorRecord {
    <#
    .SYNOPSIS
    Builds an ErrorRecord from the contract's error object (docs/json-contract.md, "Every JSON output").

    .DESCRIPTION
    ErrorId is SqlUrlBackup.<kind>; the category is the contract's `category` (an ErrorCategory
    name; unknown names fall back by result code); the exception message is the server message;
    ErrorDetails.RecommendedAction is the native classification's `recommended_action`. The
    exception is a SqlUrlBackup.Interop.SqlUrlBackupException carrying kind, SQL error numbers,
    OS error, statement (secrets masked by the library) and database.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        # The `error` object of a failure output, or the whole output (then .error is used).
        [Parameter(Mandatory = $true)][AllowNull()][object]$ErrorObject,
        # The SqlurlResult code the call returned.
        [int]$ResultCode = 9,
        [string]$ServerInstance,
        # What the error is about (database, URL, credential name); default: database or server.
        [object]$TargetObject,
        # The kind of the credential in use ('sas', 'managed_identity'), when known: storage
        # remedies then fit it.
        [string]$CredentialKind
    )
    Initialize-SqlUrlInterop
    $e = $ErrorObject
    if ($null -ne $e -and $null -ne $e.PSObject.Properties['error'] -and $null -ne $e.error) { $e = $e.error }

    $kind = $null; $categoryName = $null; $message = $null; $action = $null
    if ($null -ne $e) {
        $kind = [string]$e.kind
        $categoryName = [string]$e.category
        $message = [string]$e.message
        $action = [string]$e.recommended_action
    }
    if (-not $kind) {
        $kind = switch ($ResultCode) {
            1 { 'InvalidArgument' } 2 { 'InvalidArgument' } 5 { 'CommandTimeout' } 6 { 'Cancelled' }
            7 { 'NotSupported' } 8 { 'Precondition' } default { 'Internal' }
        }
    }
    if (-not $message) {
        $name = $script:SqlUrlResultNames[$ResultCode]
        if (-not $name) { $name = "code $ResultCode" }
        $message = "The native library failed with $name and returned no error details."
    }

    # In the cmdlets' words: parameter names instead of JSON fields, own ErrorIds and remedies
    # for common server errors, remedies that fit the credential in use.
    $numbers = @()
    if ($null -ne $e) { $numbers = @(@($e.sql) | Where-Object { $null -ne $_ -and $null -ne $_.number } | ForEach-Object { [int]$_.number }) }
    $remedy = Get-SqlUrlUserRemedy -Kind $kind -SqlErrorNumbers $numbers -CredentialKind $CredentialKind
    if ($null -ne $remedy) {
        if ($remedy.Kind) { $kind = $remedy.Kind; $categoryName = $remedy.Category }
        if ($remedy.Action) { $action = $remedy.Action }
    }
    if ($CredentialKind -eq 'sas' -and $kind -eq 'StorageAccessDenied') {
        $message = [regex]::Replace($message, '\s*This means either the managed identity[^.]*\.', '') + ' The container''s credential is a SAS credential: the storage account refused that SAS, or the network path to it is blocked.'
    }
    # Nothing that leaves the module carries a URL's query string (a SAS): message, remedy, target.
    $message = Hide-SqlUrlSecret -Text (ConvertTo-SqlUrlUserWords $message)
    $action = Hide-SqlUrlSecret -Text (ConvertTo-SqlUrlUserWords $action)

    $category = $null
    if ($categoryName) {
        # (Enum.TryParse(Type, ...) is not in .NET Framework: a cast works in 5.1 and 7.)
        try { $category = [System.Management.Automation.ErrorCategory]$categoryName } catch { $category = $null }
    }
    if ($null -eq $category) {
        $category = switch ($ResultCode) {
            2 { [System.Management.Automation.ErrorCategory]::InvalidArgument }
            4 { [System.Management.Automation.ErrorCategory]::ConnectionError }
            5 { [System.Management.Automation.ErrorCategory]::OperationTimeout }
            6 { [System.Management.Automation.ErrorCategory]::OperationStopped }
            7 { [System.Management.Automation.ErrorCategory]::NotImplemented }
            8 { [System.Management.Automation.ErrorCategory]::InvalidOperation }
            default { [System.Management.Automation.ErrorCategory]::NotSpecified }
        }
    }

    $exception = [SqlUrlBackup.Interop.SqlUrlBackupException]::new($message, $kind, [string]$category, $action, $ResultCode)
    $exception.ServerInstance = $ServerInstance
    if ($null -ne $e) {
        $exception.SqlErrorNumbers = [int[]]$numbers
        if ($null -ne $e.os_error) { $exception.OsError = [int]$e.os_error }
        if ($e.statement) { $exception.Statement = Hide-SqlUrlSecret -Text ([string]$e.statement) }
        if ($e.database) { $exception.Database = [string]$e.database }
    }
    else {
        $exception.SqlErrorNumbers = [int[]]@()
    }

    if ($null -eq $TargetObject) {
        $TargetObject = if ($exception.Database) { $exception.Database } else { $ServerInstance }
    }
    $TargetObject = Hide-SqlUrlSecret -Text $TargetObject
    $record = [System.Management.Automation.ErrorRecord]::new($exception, "SqlUrlBackup.$kind", $category, $TargetObject)
    $details = [System.Management.Automation.ErrorDetails]::new($message)
    if ($action) { $details.RecommendedAction = $action }
    $record.ErrorDetails = $details
    $record
}

function New-SqlUrlParameterErrorRecord {
    <#
    .SYNOPSIS
    An ErrorRecord for a bad parameter detected in PowerShell (always terminating).
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][string]$Message,
        [object]$TargetObject,
        [string]$RecommendedAction
    )
    Initialize-SqlUrlInterop
    $Message = Hide-SqlUrlSecret -Text $Message
    $RecommendedAction = Hide-SqlUrlSecret -Text $RecommendedAction
    $TargetObject = Hide-SqlUrlSecret -Text $TargetObject
    $exception = [SqlUrlBackup.Interop.SqlUrlBackupException]::new($Message, 'InvalidArgument', 'InvalidArgument', $RecommendedAction, 2)
    $exception.SqlErrorNumbers = [int[]]@()
    $record = [System.Management.Automation.ErrorRecord]::new($exception, 'SqlUrlBackup.InvalidArgument',
        [System.Management.Automation.ErrorCategory]::InvalidArgument, $TargetObject)
    $details = [System.Management.Automation.ErrorDetails]::new($Message)
    if ($RecommendedAction) { $details.RecommendedAction = $RecommendedAction }
    $record.ErrorDetails = $details
    $record
}

function Write-SqlUrlError {
    <#
    .SYNOPSIS
    Reports an ErrorRecord from a cmdlet: terminating for bad parameters, non-terminating otherwise.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory = $true)][System.Management.Automation.ErrorRecord]$ErrorRecord
    )
    $kind = $null
    if ($ErrorRecord.Exception -is [SqlUrlBackup.Interop.SqlUrlBackupException]) { $kind = $ErrorRecord.Exception.Kind }
    if ($script:SqlUrlParameterErrorKinds -contains $kind) {
        $Cmdlet.ThrowTerminatingError($ErrorRecord)
    }
    $Cmdlet.WriteError($ErrorRecord)
}

# SQL Server errors of RESTORE VERIFYONLY that mean "this backup is not valid" (the server read it
# and judged it), as opposed to "could not check" (login, network, certificate, access denied):
# 3241 media family incorrectly formed, 3242/3243 not a valid backup set / media family, 3183
# and 3189 damage found, 3203 read failure (truncated), 3132 a stripe of the media set missing,
# 3231 media loaded is formatted to support N families.
$script:SqlUrlInvalidBackupErrorNumbers = @(3241, 3242, 3243, 3183, 3189, 3203, 3132, 3231)

function Test-SqlUrlInvalidBackupError {
    <#
    .SYNOPSIS
    True when an ErrorRecord of a verify means the backup itself is invalid or absent.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory = $true)][AllowNull()][System.Management.Automation.ErrorRecord]$ErrorRecord)
    if ($null -eq $ErrorRecord -or $ErrorRecord.Exception -isnot [SqlUrlBackup.Interop.SqlUrlBackupException]) { return $false }
    $ex = $ErrorRecord.Exception
    if ($ex.Kind -eq 'BackupBlobNotFound') { return $true }
    @($ex.SqlErrorNumbers | Where-Object { $script:SqlUrlInvalidBackupErrorNumbers -contains $_ }).Count -gt 0
}
