function Assert-SqlUrlRequestValid {
    <#
    .SYNOPSIS
    Runs the library's own checks of a request (sqlurl_validate) without connecting, so that a
    dry run (-WhatIf, -Confirm) refuses exactly what the real run refuses, with the same error.

    .DESCRIPTION
    Returns $true when the request is valid. An invalid request is reported through -Cmdlet as
    the real call would report it (Write-SqlUrlError: terminating for bad parameters) and $false
    is returned. The request may hold secrets: it is never written to any stream.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet]$Cmdlet,
        # The sqlurl_* function whose request this is, e.g. sqlurl_backup_start.
        [Parameter(Mandatory = $true)][string]$Function,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Request,
        [string]$ServerInstance,
        [object]$TargetObject
    )
    $r = Invoke-SqlUrlNative -Function 'sqlurl_validate' -Request ([ordered]@{ function = $Function; request = $Request }) -ServerInstance $ServerInstance -TargetObject $TargetObject
    if ($r.Succeeded) { return $true }
    Write-SqlUrlError -Cmdlet $Cmdlet -ErrorRecord $r.ErrorRecord
    $false
}
