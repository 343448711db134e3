function Get-SqlUrlCredential {
    <#
    .SYNOPSIS
    Lists the server credentials that BACKUP TO URL can use.

    .DESCRIPTION
    Lists credentials from sys.credentials with their kind: managed_identity, sas, s3 or other.
    Secrets are never read. With -Url, only the credential matching that container URL is listed.
    The output pipes into Remove-SqlUrlCredential.

    .PARAMETER ContainerUrl
    Only the credential for this container URL.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a ContainerUrl (or Url) and ServerInstance property.

    .OUTPUTS
    SqlUrlBackup.Credential. One per server credential (Kind: managed_identity, sas, s3, other).

    .EXAMPLE
    Get-SqlUrlCredential -ServerInstance SQLVM01

    .EXAMPLE
    Get-SqlUrlCredential -ServerInstance SQLVM01, SQLVM02 -UseManagedIdentity -ContainerUrl https://acct.blob.core.windows.net/backups

    .EXAMPLE
    Get-SqlUrlCredential -ServerInstance SQLVM01 | Where-Object Kind -eq 'sas' | Remove-SqlUrlCredential -WhatIf

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding()]
    [OutputType('SqlUrlBackup.Credential')]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Url')]
        [string]$ContainerUrl
    )
    process {
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $request = [ordered]@{ connection = $connection; url = $null }
            if ($ContainerUrl) { $request.url = $ContainerUrl }
            $r = Invoke-SqlUrlNative -Function 'sqlurl_credential_list' -Request $request -ServerInstance $server
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            foreach ($c in @($r.Output.credentials | Where-Object { $null -ne $_ })) {
                ConvertTo-SqlUrlCredentialInfo -ServerInstance $server -Credential $c
            }
        }
    }
}
