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

    .PARAMETER Detailed
    Output every check as its own object instead of one summary object per server.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a ContainerUrl (or Url, Name) property, such as
    Get-SqlUrlCredential output.

    .OUTPUTS
    SqlUrlBackup.Readiness, or SqlUrlBackup.ReadinessCheck objects with -Detailed.

    .EXAMPLE
    Test-SqlUrlBackupReadiness -ServerInstance SQLVM01 -ContainerUrl https://acct.blob.core.windows.net/backups

    .EXAMPLE
    Test-SqlUrlBackupReadiness -ServerInstance SQLVM01 -ContainerUrl https://acct.blob.core.windows.net/backups -Detailed | Where-Object Status -ne 'pass'

    Shows the checks that did not pass, with evidence and recommended action.

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

        [switch]$Detailed
    )
    begin {
        if ($EnableTraceFlag -and $DisableTraceFlag) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message 'Use either -EnableTraceFlag or -DisableTraceFlag, not both.'))
        }
    }
    process {
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
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
            $r = Invoke-SqlUrlNative -Function 'sqlurl_server_check' -Request $request -ServerInstance $server -TargetObject $ContainerUrl
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            $readiness = ConvertTo-SqlUrlReadiness -ServerInstance $server -Url $ContainerUrl -Result $r.Output
            if ($Detailed) { $readiness.Checks } else { $readiness }
        }
    }
}
