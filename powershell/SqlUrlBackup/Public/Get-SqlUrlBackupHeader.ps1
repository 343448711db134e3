function Get-SqlUrlBackupHeader {
    <#
    .SYNOPSIS
    Reads the backup header(s) of a backup in Azure Blob Storage (RESTORE HEADERONLY FROM URL).

    .DESCRIPTION
    Returns one object per backup set: database, type, LSNs (decimal strings), dates, sizes,
    compression, copy-only, recovery model. Give every stripe of one backup in -Url. The output of
    Backup-SqlUrlDatabase pipes in.

    .PARAMETER Url
    The blob URLs of one backup (all its stripes).

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
    process {
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $r = Invoke-SqlUrlNative -Function 'sqlurl_backup_header' -Request ([ordered]@{ connection = $connection; urls = [string[]]$Url }) -ServerInstance $server -TargetObject ($Url -join ', ')
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            foreach ($h in @($r.Output.headers | Where-Object { $null -ne $_ })) {
                ConvertTo-SqlUrlBackupHeader -ServerInstance $server -Url $Url -Header $h
            }
        }
    }
}
