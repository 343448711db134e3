function Get-SqlUrlBackupHeader {
    <#
    .SYNOPSIS
    Reads the backup header(s) of a backup in Azure Blob Storage (RESTORE HEADERONLY FROM URL).

    .DESCRIPTION
    Returns one object per backup set: database, type, LSNs (decimal strings), dates, sizes,
    compression, copy-only, recovery model. Give every stripe of one backup in -Url. The output of
    Backup-SqlUrlDatabase pipes in.

    .PARAMETER Url
    The blob URLs of one backup (all its stripes). Strings piped in one by one are read as the
    stripes of ONE backup (one media set); a backup result piped in brings all its stripes.

    .INPUTS
    System.String. Blob URLs; strings piped one by one are the stripes of ONE backup.

    SqlUrlBackup.BackupResult (or any object with a Url property). Its Url brings all its stripes.

    .OUTPUTS
    SqlUrlBackup.BackupHeader. One per backup set in the media set.

    .EXAMPLE
    Get-SqlUrlBackupHeader -ServerInstance SQLVM01 -Url https://acct.blob.core.windows.net/backups/Sales_full.bak

    .EXAMPLE
    Backup-SqlUrlDatabase -ServerInstance SQLVM01 -Database Sales -ContainerUrl $container | Get-SqlUrlBackupHeader

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding()]
    [OutputType('SqlUrlBackup.BackupHeader')]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Urls', 'BackupUrl')]
        [ValidateCount(1, 64)]
        [string[]]$Url
    )
    begin {
        # Strings piped one by one are the stripes of ONE backup (one media set): collected here
        # and read once in end. An object (a backup result) carries all its stripes in .Url.
        $mediaSet = New-SqlUrlMediaSet
        $read = {
            param([string[]]$Urls, [System.Collections.IDictionary]$Bound)
            foreach ($x in @(Get-SqlUrlInspectionItem -Cmdlet $PSCmdlet -Function 'sqlurl_backup_header' -Property headers -ServerInstance $ServerInstance -Url $Urls -BoundParameters $Bound)) {
                ConvertTo-SqlUrlBackupHeader -ServerInstance $x.Server -Url $Urls -Header $x.Item
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
