function Get-SqlUrlBackupFileList {
    <#
    .SYNOPSIS
    Lists the database files inside a backup in Azure Blob Storage (RESTORE FILELISTONLY FROM URL).

    .DESCRIPTION
    Returns one object per file: logical name, physical name, type (D data, L log), filegroup,
    size and file id: what Restore-SqlUrlDatabase -RelocateFile needs.

    .PARAMETER Url
    The blob URLs of one backup (all its stripes). Strings piped in one by one are read as the
    stripes of ONE backup (one media set); a backup result piped in brings all its stripes.

    .INPUTS
    System.String. Blob URLs; strings piped one by one are the stripes of ONE backup.

    SqlUrlBackup.BackupResult (or any object with a Url property). Its Url brings all its stripes.

    .OUTPUTS
    SqlUrlBackup.BackupFile. One per database file in the backup.

    .EXAMPLE
    Get-SqlUrlBackupFileList -ServerInstance SQLVM01 -Url https://acct.blob.core.windows.net/backups/Sales_full.bak

    .EXAMPLE
    $files = Get-SqlUrlBackupFileList -ServerInstance SQLVM01 -Url $url
    $move = @{}; foreach ($f in $files) { $move[$f.LogicalName] = "H:\restore\$($f.LogicalName).$(if ($f.Type -eq 'L') { 'ldf' } else { 'mdf' })" }
    Restore-SqlUrlDatabase -ServerInstance SQLVM01 -Url $url -Database Sales_copy -RelocateFile $move

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding()]
    [OutputType('SqlUrlBackup.BackupFile')]
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
            foreach ($x in @(Get-SqlUrlInspectionItem -Cmdlet $PSCmdlet -Function 'sqlurl_backup_filelist' -Property files -ServerInstance $ServerInstance -Url $Urls -BoundParameters $Bound)) {
                ConvertTo-SqlUrlBackupFile -ServerInstance $x.Server -Url $Urls -File $x.Item
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
