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
    The blob URLs of one backup (all its stripes).

    .PARAMETER Quiet
    Return $true/$false instead of an object and no error record.

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
    process {
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $r = Invoke-SqlUrlNative -Function 'sqlurl_backup_verify' -Request ([ordered]@{ connection = $connection; urls = [string[]]$Url }) -ServerInstance $server -TargetObject ($Url -join ', ')
            if ($Quiet) {
                if (-not $r.Succeeded -and $r.ErrorRecord.Exception.Kind -eq 'InvalidArgument') { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord }
                $r.Succeeded -and [bool]$r.Output.valid
                continue
            }
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            [pscustomobject]@{
                PSTypeName     = 'SqlUrlBackup.VerifyResult'
                ServerInstance = $server
                Url            = $Url
                Valid          = [bool]$r.Output.valid
                Message        = [string]$r.Output.message
            }
        }
    }
}
