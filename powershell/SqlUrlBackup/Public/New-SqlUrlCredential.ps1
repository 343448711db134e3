function New-SqlUrlCredential {
    <#
    .SYNOPSIS
    Creates the SQL Server credential that BACKUP TO URL uses for a storage container.

    .DESCRIPTION
    Creates a server credential named after the container URL. By default it uses the server's
    managed identity (IDENTITY = 'Managed Identity', SQL Server 2022 CU17 and later on an Azure VM
    with a primary managed identity selected); with -SasToken it stores a shared access signature
    instead. The SAS token is sent only to the server and never appears in any output or stream.
    -WhatIf prints the T-SQL that would run, with the secret masked.

    .PARAMETER ContainerUrl
    The container URL, for example https://account.blob.core.windows.net/backups.

    .PARAMETER SasToken
    A SAS token (without or with the leading '?') as a SecureString. Without it, the credential
    uses the server's managed identity.

    .PARAMETER Force
    Replace a credential of the same name if it exists.

    .INPUTS
    System.String. Container URLs.

    System.Management.Automation.PSObject. Objects with a ContainerUrl (or Url, Name) property.

    .OUTPUTS
    SqlUrlBackup.Credential. The credential as the server lists it after the change (Action: created or replaced).

    .EXAMPLE
    New-SqlUrlCredential -ServerInstance SQLVM01 -ContainerUrl https://acct.blob.core.windows.net/backups

    Creates a managed-identity credential for the container on SQLVM01 (Windows authentication).

    .EXAMPLE
    New-SqlUrlCredential -ServerInstance SQLVM01, SQLVM02 -Credential $sa -ContainerUrl https://acct.blob.core.windows.net/backups -WhatIf

    Shows the CREATE CREDENTIAL statement for each server without running it.

    .EXAMPLE
    $sas = Read-Host -AsSecureString 'SAS'
    New-SqlUrlCredential -ServerInstance SQLVM01 -ContainerUrl https://acct.blob.core.windows.net/backups -SasToken $sas -Force

    Creates or replaces a SAS credential.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SqlUrlBackup.Credential')]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Url', 'Name')]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,

        [System.Security.SecureString]$SasToken,

        [switch]$Force
    )
    process {
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $request = [ordered]@{
                connection = $connection
                url        = $ContainerUrl
                identity   = 'managed_identity'
                secret     = $null
                replace    = [bool]$Force
                dry_run    = $false
            }
            if ($PSBoundParameters.ContainsKey('SasToken') -and $null -ne $SasToken) {
                $request.identity = 'sas'
                $request.secret = [System.Net.NetworkCredential]::new('', $SasToken).Password
            }

            $action = 'Create credential'
            if (Test-SqlUrlPreviewNeeded -Impact Medium) {
                $request.dry_run = $true
                $preview = Invoke-SqlUrlNative -Function 'sqlurl_credential_create' -Request $request -ServerInstance $server -TargetObject $ContainerUrl
                $request.dry_run = $false
                if (-not $preview.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $preview.ErrorRecord; continue }
                $statements = @(Get-SqlUrlStatement -Output $preview.Output)
                if ($statements.Count -gt 0) { $action = $statements -join [Environment]::NewLine }
            }
            if (-not $PSCmdlet.ShouldProcess($server, (Hide-SqlUrlSecret -Text $action))) { continue }

            $r = Invoke-SqlUrlNative -Function 'sqlurl_credential_create' -Request $request -ServerInstance $server -TargetObject $ContainerUrl
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            foreach ($w in @($r.Output.warnings | Where-Object { $_ })) { Write-Warning ("{0}: {1}" -f $server, $w) }
            ConvertTo-SqlUrlCredentialInfo -ServerInstance $server -Credential $r.Output.credential -Action ([string]$r.Output.action)
        }
    }
}
