function Get-SqlUrlBackupFileList {
    <#
    .SYNOPSIS
    Lists the database files inside a backup in Azure Blob Storage (RESTORE FILELISTONLY FROM URL).

    .DESCRIPTION
    Returns one object per file: logical name, physical name, type (D data, L log), filegroup,
    size and file id: what Restore-SqlUrlDatabase -RelocateFile needs.

    .PARAMETER Url
    The blob URLs of one backup (all its stripes).

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
    process {
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $r = Invoke-SqlUrlNative -Function 'sqlurl_backup_filelist' -Request ([ordered]@{ connection = $connection; urls = [string[]]$Url }) -ServerInstance $server -TargetObject ($Url -join ', ')
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            foreach ($f in @($r.Output.files | Where-Object { $null -ne $_ })) {
                ConvertTo-SqlUrlBackupFile -ServerInstance $server -Url $Url -File $f
            }
        }
    }
}
