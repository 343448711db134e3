function Remove-SqlUrlCredential {
    <#
    .SYNOPSIS
    Drops a server credential.

    .DESCRIPTION
    Runs DROP CREDENTIAL for the named credential. ConfirmImpact is High: PowerShell asks before
    dropping unless -Confirm:$false or -Force is given. -WhatIf prints the T-SQL. Takes the output
    of Get-SqlUrlCredential from the pipeline. A credential that does not exist is a
    SqlUrlBackup.CredentialNotFound error.

    .PARAMETER ContainerUrl
    The credential name (for BACKUP TO URL: the container URL).

    .PARAMETER Force
    Do not ask for confirmation.

    .INPUTS
    System.String. Credential names (container URLs).

    SqlUrlBackup.Credential. Output of Get-SqlUrlCredential (binds by Name and ServerInstance).

    .OUTPUTS
    None.

    .EXAMPLE
    Remove-SqlUrlCredential -ServerInstance SQLVM01 -ContainerUrl https://acct.blob.core.windows.net/backups

    .EXAMPLE
    Get-SqlUrlCredential -ServerInstance SQLVM01 -Credential $sa | Remove-SqlUrlCredential -Credential $sa -WhatIf

    Shows the DROP CREDENTIAL statements for every credential without running them.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType([void])]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name', 'Url')]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,

        [switch]$Force
    )
    process {
        if ($Force -and -not $WhatIfPreference) { $ConfirmPreference = 'None' }
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $request = [ordered]@{ connection = $connection; name = $ContainerUrl; dry_run = $false }

            $action = Hide-SqlUrlSecret -Text "Drop credential $ContainerUrl"
            if (Test-SqlUrlPreviewNeeded -Impact High) {
                $request.dry_run = $true
                $preview = Invoke-SqlUrlNative -Function 'sqlurl_credential_remove' -Request $request -ServerInstance $server -TargetObject $ContainerUrl
                $request.dry_run = $false
                if (-not $preview.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $preview.ErrorRecord; continue }
                $statements = @(Get-SqlUrlStatement -Output $preview.Output)
                if ($statements.Count -gt 0) { $action = $statements -join [Environment]::NewLine }
            }
            if (-not $PSCmdlet.ShouldProcess($server, $action)) { continue }

            $r = Invoke-SqlUrlNative -Function 'sqlurl_credential_remove' -Request $request -ServerInstance $server -TargetObject $ContainerUrl
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            Write-Verbose (Hide-SqlUrlSecret -Text ("{0}: credential {1} {2}" -f $server, $ContainerUrl, $r.Output.action))
        }
    }
}
