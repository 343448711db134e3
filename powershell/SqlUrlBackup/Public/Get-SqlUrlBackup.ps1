function Get-SqlUrlBackup {
    <#
    .SYNOPSIS
    Lists the backups in a Blob Storage container as backup sets (the catalog).

    .DESCRIPTION
    Reads the container page by page with the module's own storage access (-StorageUseManagedIdentity,
    -StorageAccessToken or -StorageSasToken; not SQL Server's credential, and no server is
    needed) and returns one object per backup set from the blob metadata Backup-SqlUrlDatabase
    writes when given -Storage* access: database, server, type, start/finish (server-local time),
    LSNs, size, stripes and URLs. The stripes of a set are grouped; a set with a missing stripe has
    Complete = $false and names the missing stripes. Blobs without the metadata (written by other
    tools) are counted in a warning, or output as SqlUrlBackup.UnknownBlob objects with
    -IncludeUnknown (read them with Get-SqlUrlBackupHeader). Listing needs the Storage Blob Data
    Reader role (or a SAS with l and r).

    With -ServerInstance (and its connection parameters), the blobs without metadata are read with
    RESTORE HEADERONLY FROM URL on that server, one at a time (it needs a credential for the
    container; RESTORE LABELONLY tells which stripe of how many a blob is), and listed and grouped
    like the others, with Source = HeaderOnly; a blob the server cannot read (not a backup) stays
    unknown and its Reason gives the server's message.

    .PARAMETER ContainerUrl
    The container URL, e.g. https://acct.blob.core.windows.net/backups.

    .PARAMETER Database
    Only sets of this database (case-insensitive).

    .PARAMETER ServerName
    Only sets written by this server (its @@SERVERNAME, as stored in the metadata; case-insensitive).

    .PARAMETER Type
    Only sets of this type: Full, Differential or Log.

    .PARAMETER Since
    Only sets that finished at or after this time, in the server's local time (as backup headers
    give it), without a time zone, e.g. '2026-11-26 00:00'.

    .PARAMETER Prefix
    Only blobs under this prefix of the container (e.g. SQLVM01/Sales/).

    .PARAMETER ServerInstance
    A SQL Server that reads the blobs of other tools with RESTORE HEADERONLY (one server). Without
    it they are listed as unknown.

    .PARAMETER IncludeUnknown
    Also output the blobs without catalog metadata, as SqlUrlBackup.UnknownBlob objects.

    .INPUTS
    None.

    .OUTPUTS
    SqlUrlBackup.BackupSet (and SqlUrlBackup.UnknownBlob with -IncludeUnknown).

    .EXAMPLE
    Get-SqlUrlBackup -ContainerUrl https://acct.blob.core.windows.net/backups -StorageUseManagedIdentity -Database Sales

    .EXAMPLE
    Get-SqlUrlBackup -ContainerUrl https://acct.blob.core.windows.net/backups -StorageUseManagedIdentity | Where-Object { -not $_.Complete }

    Shows the backup sets with a missing stripe.

    .EXAMPLE
    Get-SqlUrlBackup -ContainerUrl $container -StorageUseManagedIdentity | Export-SqlUrlBackupReport -Path .\backups.html

    .EXAMPLE
    Get-SqlUrlBackup -ContainerUrl $container -StorageUseManagedIdentity -ServerInstance SQLVM01 -UseManagedIdentity | Where-Object Source -eq 'HeaderOnly'

    Lists the backups other tools wrote into the container, read by SQLVM01 with RESTORE HEADERONLY.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding()]
    [OutputType('SqlUrlBackup.BackupSet', 'SqlUrlBackup.UnknownBlob')]
    param(
        #SqlUrlOptionalConnectionParameters
        #SqlUrlStorageParameters
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Url')]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,

        [Alias('Name')]
        [string]$Database,
        [string]$ServerName,
        [ValidateSet('Full', 'Differential', 'Log')]
        [string]$Type,
        [datetime]$Since,
        [string]$Prefix,
        [switch]$IncludeUnknown
    )
    process {
        try { $storage = ConvertTo-SqlUrlStorageRequest -ContainerUrl $ContainerUrl -BoundParameters $PSBoundParameters -Required }
        catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $ContainerUrl)) }
        $request = [ordered]@{ storage = $storage }
        if ($Database) { $request.database = $Database }
        if ($ServerName) { $request.server = $ServerName }
        if ($Type) { $request.type = $Type.ToLowerInvariant() }
        if ($Prefix) { $request.prefix = $Prefix }
        $server = $null
        if ($PSBoundParameters.ContainsKey('ServerInstance')) {
            if (@($ServerInstance).Count -ne 1) { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -TargetObject $ServerInstance -Message '-ServerInstance: give one server to read the blobs of other tools with RESTORE HEADERONLY.')) }
            $server = [string]@($ServerInstance)[0]
            try { $request.connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
        }
        if ($PSBoundParameters.ContainsKey('Since')) {
            if ($Since.Kind -ne [System.DateTimeKind]::Unspecified) {
                $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -TargetObject $Since -Message "-Since is the server's local time, as the backups' dates are: give it without a time zone, e.g. '2026-11-26 00:00'."))
            }
            $request.since = ConvertTo-SqlUrlPointInTime $Since
        }
        $r = if ($server) { Invoke-SqlUrlNative -Function 'sqlurl_backup_list' -Request $request -ServerInstance $server -TargetObject $ContainerUrl }
        else { Invoke-SqlUrlNative -Function 'sqlurl_backup_list' -Request $request -TargetObject $ContainerUrl }
        if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; return }
        Write-Verbose ('{0}: {1} blobs listed' -f $ContainerUrl, $r.Output.blobs_listed)
        foreach ($s in @($r.Output.sets | Where-Object { $null -ne $_ })) { ConvertTo-SqlUrlBackupSet -ContainerUrl $ContainerUrl -Set $s }
        $unknown = @($r.Output.unknown | Where-Object { $null -ne $_ })
        if ($IncludeUnknown) {
            foreach ($u in $unknown) {
                [pscustomobject]@{
                    PSTypeName = 'SqlUrlBackup.UnknownBlob'; ContainerUrl = $ContainerUrl; Url = [string]$u.url; Size = [long]$u.size
                    LastModifiedUtc = ConvertTo-SqlUrlUtcTime $u.last_modified; Leased = [bool]$u.leased; Reason = [string]$u.reason
                }
            }
        }
        elseif ($unknown.Count -gt 0 -and $server) {
            Write-Warning ('{0}: {1} blob(s) carry no catalog metadata and {2} could not read them with RESTORE HEADERONLY; see them and the reason with -IncludeUnknown.' -f $ContainerUrl, $unknown.Count, $server)
        }
        elseif ($unknown.Count -gt 0) {
            Write-Warning ('{0}: {1} blob(s) carry no catalog metadata (written by another tool, or by a backup without -Storage* access); list them with -IncludeUnknown and read them with Get-SqlUrlBackupHeader.' -f $ContainerUrl, $unknown.Count)
        }
    }
}
