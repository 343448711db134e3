function Test-SqlUrlBackup {
    <#
    .SYNOPSIS
    Verifies a backup in Azure Blob Storage without restoring it (RESTORE VERIFYONLY FROM URL).

    .DESCRIPTION
    Asks the server to read the whole backup and check it. A valid backup returns an object with
    Valid = $true and the server's message; an invalid or unreadable one is a non-terminating
    error (for example SqlUrlBackup.BackupBlobNotFound or SqlUrlBackup.StorageAccessDenied). With
    -Quiet, returns only $true or $false.

    .PARAMETER Url
    The blob URLs of one backup (all its stripes). Strings piped in one by one are read as the
    stripes of ONE backup (one media set); a backup result piped in brings all its stripes.

    .PARAMETER Quiet
    Return $true for a valid backup and $false for an invalid one (damaged, incomplete media set,
    checksum mismatch, blob not found) instead of an object. A failure that says nothing about
    the backup (login, network, certificate, storage access denied) is still an error.

    .INPUTS
    System.String. Blob URLs; strings piped one by one are the stripes of ONE backup.

    SqlUrlBackup.BackupResult (or any object with a Url property). Its Url brings all its stripes.

    .OUTPUTS
    SqlUrlBackup.VerifyResult, or System.Boolean with -Quiet.

    .EXAMPLE
    Test-SqlUrlBackup -ServerInstance SQLVM01 -Url https://acct.blob.core.windows.net/backups/Sales_full.bak

    .EXAMPLE
    Backup-SqlUrlDatabase -ServerInstance SQLVM01 -Database Sales -ContainerUrl $container | Test-SqlUrlBackup -Quiet

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding()]
    [OutputType('SqlUrlBackup.VerifyResult', [bool])]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Urls', 'BackupUrl')]
        [ValidateCount(1, 64)]
        [string[]]$Url,

        [switch]$Quiet
    )
    begin {
        # Strings piped one by one are the stripes of ONE backup (one media set): collected here
        # and read once in end. An object (a backup result) carries all its stripes in .Url.
        $mediaSet = New-SqlUrlMediaSet
        $read = {
            param([string[]]$Urls, [System.Collections.IDictionary]$Bound)
            foreach ($x in @(Invoke-SqlUrlInspection -Cmdlet $PSCmdlet -Function 'sqlurl_backup_verify' -ServerInstance $ServerInstance -Url $Urls -BoundParameters $Bound)) {
                $server = $x.Server
                $r = $x.Result
                if ($Quiet) {
                    # $false only when the server read the backup (or found no blob) and judged it
                    # invalid; a login, network, certificate or storage-access failure says nothing
                    # about the backup and stays an error.
                    if ($r.Succeeded) { [bool]$r.Output.valid }
                    elseif (Test-SqlUrlInvalidBackupError -ErrorRecord $r.ErrorRecord) { $false }
                    else { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord }
                    continue
                }
                if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
                [pscustomobject]@{
                    PSTypeName     = 'SqlUrlBackup.VerifyResult'
                    ServerInstance = $server
                    Url            = $Urls
                    Valid          = [bool]$r.Output.valid
                    Message        = [string]$r.Output.message
                }
            }
        }
    }
    process {
        if ($MyInvocation.ExpectingInput -and (Add-SqlUrlPipedUrl -MediaSet $mediaSet -InputObject $_ -Url $Url -BoundParameters $PSBoundParameters)) { return }
        & $read $Url $PSBoundParameters
    }
    end {
        if ($mediaSet.Urls.Count -gt 0) { & $read $mediaSet.Urls.ToArray() $mediaSet.Bound }
    }
}
