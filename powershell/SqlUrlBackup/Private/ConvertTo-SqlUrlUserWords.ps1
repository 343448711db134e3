# The native library speaks the JSON contract's words (container_url, connect_timeout_s, ...):
# right for C callers, wrong for someone typing cmdlets. These rules rewrite its messages and
# recommended actions in the words of the cmdlets' parameters. Order matters (longer first).
$script:SqlUrlUserWordRules = @(
    ,@('connection\.server\b', '-ServerInstance')
    ,@('connection\.database\b', 'the database')
    ,@('\bconnect_timeout_s\b', '-ConnectTimeout')
    ,@('\bcommand_timeout_s\b', 'the command timeout')
    ,@('\btrust_server_certificate\b', '-TrustServerCertificate')
    ,@('\bhost_name_in_certificate\b', '-HostNameInCertificate')
    ,@('\bca_file\b', '-CertificateAuthorityFile')
    ,@('\bclient_id( / object_id / resource_id|, object_id and resource_id)?\b', '-ManagedIdentityClientId')
    ,@('\bcontainer_url\b', '-ContainerUrl')
    ,@('\bfile_name_template\b', '-FileNameTemplate')
    ,@('\bserver_throttle\b', '-ServerThrottle')
    ,@('\bmax_transfer_size\b', '-MaxTransferSize')
    ,@('\bblock_size\b', '-BlockSize')
    ,@('\bcopy_only\b', '-CopyOnly')
    ,@('\bstop_at\b', '-StopAt')
    ,@('\bdry_run\b', '-WhatIf')
    ,@('\(with sequence: true\)', '(with -Sequence)')
    ,@('\bset sequence\b', 'use -Sequence')
    ,@('\bpass database\b', 'pass -Database')
    ,@('\bdatabases\[\d+\]', '-Database')
    ,@('\bdatabases is empty\b', '-Database is empty')
    ,@('\bidentity ''sas'' needs the SAS token in ''secret''', 'a SAS credential needs -SasToken')
    ,@('\bremove ''secret'' or use identity ''sas''', 'leave out -SasToken, or give -SasToken for a SAS credential')
    ,@('\(overwrite explicitly when you retry\)', '(retry with -Overwrite)')
    ,@('\boverwrite explicitly\b', 'use -Overwrite')
    ,@('\benable_trace_flag and disable_trace_flag\b', '-EnableTraceFlag and -DisableTraceFlag')
    ,@('\benable_trace_flag\b', '-EnableTraceFlag')
    ,@('\bdisable_trace_flag\b', '-DisableTraceFlag')
    ,@('\bstop_at_mark\b', '-StopAtMark')
    ,@('\bstop_before_mark\b', '-StopBeforeMark')
    ,@('\bstop_mark_after\b', '-StopMarkAfter')
    ,@('\burls\b', '-Url')
    ,@('\bstripes (is|must)\b', '-Stripes $1')
    ,@('\bthrottle must\b', '-Throttle must')
    ,@('^move:', '-RelocateFile:')
    # explanations of the driver are for developers, not for the person running the cmdlet
    ,@('\s*\((Measured by SqlUrlBackup|The size could not be read back)[^)]*\)', '')
    ,@('\s*\(the server''s first message, which names the cause, was not surfaced by the driver\)', '')
)

function ConvertTo-SqlUrlUserWords {
    <#
    .SYNOPSIS
    Rewrites a library message in the cmdlets' words (parameter names instead of JSON fields).
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowNull()][AllowEmptyString()][string]$Text)
    if (-not $Text) { return $Text }
    foreach ($rule in $script:SqlUrlUserWordRules) { $Text = [regex]::Replace($Text, $rule[0], $rule[1]) }
    $Text
}

function Get-SqlUrlUserRemedy {
    <#
    .SYNOPSIS
    ErrorId kind and RecommendedAction in the cmdlets' words for common SQL Server errors, or
    $null to keep the library's. -CredentialKind ('sas', 'managed_identity') fits storage
    remedies to the credential in use.
    #>
    [CmdletBinding()]
    param([string]$Kind, [int[]]$SqlErrorNumbers = @(), [string]$CredentialKind)
    $n = @($SqlErrorNumbers)
    if ($Kind -eq 'SqlError' -and $n -contains 911) {
        return @{ Kind = 'DatabaseNotFound'; Category = 'ObjectNotFound'
            Action = 'The database does not exist on this server (or is not accessible to this login): check the name with Get-SqlUrlDatabase.' }
    }
    $action = switch ($Kind) {
        'SimpleRecoveryModel' { 'Log backups need the FULL or BULK_LOGGED recovery model: ALTER DATABASE ... SET RECOVERY FULL, then take a full backup (Backup-SqlUrlDatabase -Type Full). Without -Database, log backups skip SIMPLE databases with a warning.' }
        'DatabaseInUse' { 'Other sessions use the database: close them (for example ALTER DATABASE ... SET SINGLE_USER WITH ROLLBACK IMMEDIATE), then run Restore-SqlUrlDatabase -Replace again.' }
        'DifferentDatabaseInBackup' { 'The backup holds another database than the one of that name on the server: restore under a new name with -Database <NewName>, or overwrite the existing database with -Replace.' }
        'TailLogNotBackedUp' { 'The tail of the log of the existing database has not been backed up: back it up first (Backup-SqlUrlDatabase -Type Log) if its recent changes matter, or restore with -Replace to discard them.' }
        'DatabaseExists' { 'A database of that name exists: restore under a new name with -Database <NewName>, or overwrite it with -Replace.' }
        'BlobExists' { 'A backup blob of that name exists: use another -FileNameTemplate, or -Overwrite to replace the existing backup.' }
        'CredentialExists' { 'A credential for this container exists: New-SqlUrlCredential -Force replaces it, or remove it first with Remove-SqlUrlCredential.' }
        'CredentialNotFound' { 'Create the credential first: New-SqlUrlCredential -ContainerUrl <container URL> (managed identity), or with -SasToken for a SAS.' }
        'BlockLimitReached' { 'The blob reached the 50,000-block limit: give more -Stripes, or -MaxTransferSize 4194304 (4 MB).' }
        'InvalidArgument' { 'Correct the parameters named in the message and try again.' }
        'StorageAccessDenied' {
            if ($CredentialKind -eq 'sas') {
                'The container''s credential is a SAS: check that the SAS grants rwdl (read, write, delete, list) on the container, has not expired (se=) and has started (st=), and that its allowed IP range (sip=) and the storage firewall admit the SQL Server. Then replace it: New-SqlUrlCredential -ContainerUrl <container URL> -SasToken <new SAS> -Force.'
            }
        }
        default { $null }
    }
    if ($action) { return @{ Action = $action } }
    $null
}

function Get-SqlUrlCredentialKind {
    <#
    .SYNOPSIS
    The kind ('managed_identity', 'sas', ...) of the server credential that matches a URL, or $null.
    Used only after a storage error, to fit the remedy to the credential in use.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Connection, [Parameter(Mandatory = $true)][string]$Url)
    $r = Invoke-SqlUrlNative -Function 'sqlurl_credential_list' -Request ([ordered]@{ connection = $Connection; url = $Url })
    if (-not $r.Succeeded) { return $null }
    $c = @($r.Output.credentials | Where-Object { $null -ne $_ }) | Select-Object -First 1
    if ($c) { [string]$c.kind }
}

function Update-SqlUrlErrorForCredential {
    <#
    .SYNOPSIS
    For a storage access error, looks up the credential of -Url on the server and returns the
    error record with the remedy that fits that credential (SAS or managed identity); any other
    record is returned unchanged.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.ErrorRecord]$ErrorRecord,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Connection,
        [string]$Url
    )
    $ex = $ErrorRecord.Exception
    if (-not $Url -or $ex -isnot [SqlUrlBackup.Interop.SqlUrlBackupException] -or @('StorageAccessDenied') -notcontains $ex.Kind) { return $ErrorRecord }
    $kind = Get-SqlUrlCredentialKind -Connection $Connection -Url $Url
    if ($kind -ne 'sas') { return $ErrorRecord }
    $errorObject = [pscustomobject]@{
        kind = $ex.Kind; category = $ex.Category; message = $ex.Message; recommended_action = $ex.RecommendedAction
        sql = @($ex.SqlErrorNumbers | ForEach-Object { [pscustomobject]@{ number = $_ } }); os_error = $ex.OsError
        statement = $ex.Statement; database = $ex.Database
    }
    New-SqlUrlErrorRecord -ErrorObject $errorObject -ResultCode $ex.ResultCode -ServerInstance $ex.ServerInstance -TargetObject $ErrorRecord.TargetObject -CredentialKind $kind
}
