function Get-SqlUrlInspectionItem {
    <#
    .SYNOPSIS
    The rows of one inspection (RESTORE HEADERONLY or FILELISTONLY) of ONE backup on every server,
    as {Server, Item}; a server that fails is a non-terminating error of -Cmdlet, the others go on.
    Shared by Get-SqlUrlBackupHeader (-Property headers) and Get-SqlUrlBackupFileList (files).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory = $true)][ValidateSet('sqlurl_backup_header', 'sqlurl_backup_filelist')][string]$Function,
        [Parameter(Mandatory = $true)][ValidateSet('headers', 'files')][string]$Property,
        [Parameter(Mandatory = $true)][string[]]$ServerInstance,
        [Parameter(Mandatory = $true)][string[]]$Url,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$BoundParameters
    )
    foreach ($x in @(Invoke-SqlUrlInspection -Cmdlet $Cmdlet -Function $Function -ServerInstance $ServerInstance -Url $Url -BoundParameters $BoundParameters)) {
        $r = $x.Result
        if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $Cmdlet -ErrorRecord $r.ErrorRecord; continue }
        foreach ($item in @($r.Output.$Property | Where-Object { $null -ne $_ })) { [pscustomobject]@{ Server = $x.Server; Item = $item } }
    }
}
