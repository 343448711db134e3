function Test-SqlUrlBackupReadiness {
    <#
    .SYNOPSIS
    Checks whether a server can back up to a container URL with its managed identity.

    .DESCRIPTION
    Runs the readiness checks: Version (SQL Server 2022 CU17+), HostPlatform (Windows),
    FailoverCluster (not supported for managed identity), TraceFlag4675, TraceFlag4675Startup (is
    -T4675 a startup parameter, so the flag survives a restart), Credential (one exists for the
    URL), CredentialVerifiedByTraceFlag, BackupPermission, CreateDatabasePermission (RESTORE
    HEADERONLY / FILELISTONLY need it) and ProgressPermission (VIEW SERVER STATE, or VIEW SERVER
    PERFORMANCE STATE on SQL Server 2022, for progress of other sessions). Each check has a status (pass,
    fail, warn, unknown), the evidence it saw and, when not passing, a recommended action. Ready is
    true when no check failed. The result's Checks property holds every check; the default view
    lists the failing ones.

    .PARAMETER ContainerUrl
    The container URL the backups will go to. Objects from Get-SqlUrlCredential bind to it by their
    Name (the credential name is the container URL).

    .PARAMETER EnableTraceFlag
    Turn on trace flag 4675 globally (DBCC TRACEON (4675, -1)) before checking, so that the
    credential check can read what the server logged about the credential. Changes the server:
    supports -WhatIf and -Confirm.

    .PARAMETER DisableTraceFlag
    Turn trace flag 4675 off globally (DBCC TRACEOFF (4675, -1)) before checking. Changes the
    server: supports -WhatIf and -Confirm. Cannot be combined with -EnableTraceFlag.

    .PARAMETER Deep
    After the checks pass, prove the storage path: BACKUP DATABASE [model] WITH COPY_ONLY (never
    touches a backup chain) to <container>/sqlurl-probe/<guid>.bak, RESTORE VERIFYONLY, then delete
    the scratch blob with the storage access given by -StorageSasToken, -StorageAccessToken or
    -StorageUseManagedIdentity (without one the blob is left and named in a warning). Writes to
    the container and runs a backup on the server: supports -WhatIf (shows the plan, runs nothing).

    .PARAMETER StorageSasToken
    With -Deep: a SAS for the container (needs d) used to delete the scratch blob.

    .PARAMETER StorageAccessToken
    With -Deep: a Microsoft Entra access token for https://storage.azure.com/ used to delete the scratch blob.

    .PARAMETER StorageUseManagedIdentity
    With -Deep: delete the scratch blob with this machine's managed identity (-ManagedIdentityClientId selects a user-assigned one).

    .PARAMETER StorageEndpoint
    With -Deep: the blob endpoint to use instead of the account's (a private endpoint name or an emulator).

    .PARAMETER StorageCertificateAuthorityFile
    With -Deep: a PEM file with an extra certificate authority for the storage endpoint.

    .PARAMETER VmCheck
    With -Deep: also ask this machine's managed identity (IMDS) to list the container, as SQL Server's identity would.

    .PARAMETER VmClientId
    With -VmCheck: the client id of the user-assigned identity SQL Server uses (default: system-assigned).

    .PARAMETER Detailed
    Output every check as its own object instead of one summary object per server.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a ContainerUrl (or Url, Name) property, such as
    Get-SqlUrlCredential output.

    .OUTPUTS
    SqlUrlBackup.Readiness (with Probe for -Deep), or SqlUrlBackup.ReadinessCheck objects with
    -Detailed (and SqlUrlBackup.ProbeStep objects for -Deep).

    .EXAMPLE
    Test-SqlUrlBackupReadiness -ServerInstance SQLVM01 -ContainerUrl https://acct.blob.core.windows.net/backups

    .EXAMPLE
    Test-SqlUrlBackupReadiness -ServerInstance SQLVM01 -ContainerUrl https://acct.blob.core.windows.net/backups -Detailed | Where-Object Status -ne 'pass'

    Shows the checks that did not pass, with evidence and recommended action.

    .EXAMPLE
    Test-SqlUrlBackupReadiness -ServerInstance SQLVM01 -UseManagedIdentity -ContainerUrl https://acct.blob.core.windows.net/backups -Deep -StorageUseManagedIdentity

    Also backs up [model] COPY_ONLY to a scratch blob, verifies it and deletes it: proof that backups to the container work.

    .EXAMPLE
    Get-SqlUrlCredential -ServerInstance SQLVM01 | Test-SqlUrlBackupReadiness -ServerInstance SQLVM01

    Checks readiness for every container that has a credential on the server.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SqlUrlBackup.Readiness', 'SqlUrlBackup.ReadinessCheck')]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)]
        [Alias('Url', 'Name')]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,

        [switch]$EnableTraceFlag,

        [switch]$DisableTraceFlag,

        [switch]$Deep,
        [System.Security.SecureString]$StorageSasToken,
        [object]$StorageAccessToken,
        [switch]$StorageUseManagedIdentity,
        [string]$StorageEndpoint,
        [string]$StorageCertificateAuthorityFile,
        [switch]$VmCheck,
        [string]$VmClientId,

        [switch]$Detailed
    )
    begin {
        if ($EnableTraceFlag -and $DisableTraceFlag) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message 'Use either -EnableTraceFlag or -DisableTraceFlag, not both.'))
        }
        $storageGiven = @(@([bool]$StorageSasToken, ($null -ne $StorageAccessToken), [bool]$StorageUseManagedIdentity) | Where-Object { $_ }).Count
        if ($storageGiven -gt 1) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message 'Use only one of -StorageSasToken, -StorageAccessToken and -StorageUseManagedIdentity.'))
        }
        if (-not $Deep -and ($storageGiven -gt 0 -or $VmCheck -or $VmClientId -or $StorageEndpoint -or $StorageCertificateAuthorityFile)) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message 'The storage and -VmCheck parameters belong to -Deep; add -Deep.'))
        }
    }
    process {
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            if ($WhatIfPreference -and -not (Assert-SqlUrlRequestValid -Cmdlet $PSCmdlet -Function 'sqlurl_server_check' -Request ([ordered]@{ connection = $connection; url = $ContainerUrl }) -ServerInstance $server -TargetObject $ContainerUrl)) { continue }
            $enable = $false
            if ($EnableTraceFlag) {
                $enable = $PSCmdlet.ShouldProcess($server, 'DBCC TRACEON (4675, -1)')
                if (-not $enable -and $WhatIfPreference) { continue }
            }
            $disable = $false
            if ($DisableTraceFlag) {
                $disable = $PSCmdlet.ShouldProcess($server, 'DBCC TRACEOFF (4675, -1)')
                if (-not $disable -and $WhatIfPreference) { continue }
            }
            $request = [ordered]@{ connection = $connection; url = $ContainerUrl; enable_trace_flag = $enable; disable_trace_flag = $disable }
            if ($Deep) {
                $request.deep = $true
                # the probe writes a blob and runs a backup on the server: ShouldProcess, and -WhatIf shows the plan
                $request.what_if = -not $PSCmdlet.ShouldProcess($server, (Hide-SqlUrlSecret -Text "Deep check: BACKUP DATABASE [model] WITH COPY_ONLY to $ContainerUrl/sqlurl-probe/<guid>.bak, RESTORE VERIFYONLY, delete the blob"))
                if ($request.what_if -and -not $WhatIfPreference) { continue }
                $request.vm_check = [bool]$VmCheck
                if ($VmClientId) { $request.vm_client_id = $VmClientId }
                $storage = ConvertTo-SqlUrlStorageRequest -ContainerUrl $ContainerUrl -BoundParameters $PSBoundParameters
                if ($null -ne $storage) { $request.storage = $storage }
            }
            $r = Invoke-SqlUrlNative -Function 'sqlurl_server_check' -Request $request -ServerInstance $server -TargetObject $ContainerUrl
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            $readiness = ConvertTo-SqlUrlReadiness -ServerInstance $server -Url $ContainerUrl -Result $r.Output
            if ($null -ne $readiness.Probe) {
                if ($readiness.Probe.WhatIf) { foreach ($st in $readiness.Probe.Statements) { Write-Host (Hide-SqlUrlSecret -Text ('What if: {0}: {1}' -f $server, $st)) } }
                if ($readiness.Probe.LeftBehind) { Write-Warning ('{0}: the deep check left its scratch blob {1}: delete it (give -StorageSasToken, -StorageAccessToken or -StorageUseManagedIdentity to let the check delete it).' -f $server, $readiness.Probe.LeftBehind) }
            }
            if ($Detailed) { $readiness.Checks; if ($null -ne $readiness.Probe) { $readiness.Probe.Steps } } else { $readiness }
        }
    }
}
