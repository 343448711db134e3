<#
Audit only: is this server ready to back up to ContainerUrl with its managed identity? Get() runs
the module's readiness check (Test-SqlUrlBackupReadiness: version, host platform, failover
cluster, trace flag 4675, the credential, BACKUP permission) and reports every failed check as a
Reason in the shape Azure Machine Configuration reads:
    Code   = 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:<CheckName>'
    Phrase = '<what the check saw>. Recommended action: <what to do>'
With IncludeWarning, checks that warn (or could not tell: 'unknown') are reported too. A server
that cannot be reached or refuses the login is one Reason with Code ...:Connection, so an audit of
hundreds of VMs lists it instead of stopping.

It changes nothing, ever (not even trace flag 4675: use SqlUrlTraceFlag4675 and SqlUrlCredential
for that). Assign it as an Audit configuration. Set() sends nothing: it succeeds when the server
is ready and otherwise throws the Reasons (so that an ApplyAndAutoCorrect or 'dsc config set' run
reports them rather than pretending to have fixed something).

Keys: ServerInstance and ContainerUrl. Connection properties: SqlUrlResourceBase. The login needs
VIEW SERVER STATE for the full picture (sysadmin sees everything).
#>
[DscResource(RunAsCredential = 'Optional')]
class SqlUrlBackupReadiness : SqlUrlResourceBase {
    [DscProperty(Key)]
    [System.String] $ContainerUrl

    # Report warn and unknown checks as Reasons too (default: failed checks only).
    [DscProperty()]
    [System.Boolean] $IncludeWarning

    # Also prove the storage path (Test-SqlUrlBackupReadiness -Deep): BACKUP DATABASE [model] WITH
    # COPY_ONLY (never touches a backup chain) to a scratch blob <container>/sqlurl-probe/<guid>.bak,
    # RESTORE VERIFYONLY, then delete the blob. A failed probe step is a Reason ('ProbeBackup', 'ProbeVerify', 'ProbeDelete', 'ProbeVmIdentity').
    [DscProperty()]
    [System.Boolean] $Deep

    # With Deep: delete the scratch blob with this machine's managed identity (ManagedIdentityClientId
    # selects a user-assigned one). Without any storage access the blob is left and named in a Reason.
    [DscProperty()]
    [System.Boolean] $StorageUseManagedIdentity

    # With Deep: a SAS for the container (the password of this credential; the user name is ignored)
    # used to delete the scratch blob.
    [DscProperty()]
    [PSCredential] $StorageSasCredential

    # With Deep: the blob endpoint to use instead of the account's (a private endpoint name or an emulator).
    [DscProperty()]
    [System.String] $StorageEndpoint

    # With Deep: a PEM file with an extra certificate authority for the storage endpoint.
    [DscProperty()]
    [System.String] $StorageCertificateAuthorityFile

    # With Deep: also ask this machine's managed identity (IMDS) to list the container, as SQL Server's
    # identity would (skipped, with the reason, where there is no IMDS).
    [DscProperty()]
    [System.Boolean] $VmCheck

    # --- read-only, filled in by Get() ---
    # True when no check failed (the readiness check's own verdict; warnings do not count).
    [DscProperty(NotConfigurable)]
    [System.Boolean] $Ready

    [DscProperty(NotConfigurable)]
    [System.String] $ProductVersion

    # Every check as '<Name>: <status>' (pass, fail, warn, unknown).
    [DscProperty(NotConfigurable)]
    [System.String[]] $Checks

    [SqlUrlBackupReadiness] Get() {
        if ([string]::IsNullOrWhiteSpace($this.ContainerUrl)) {
            throw [System.ArgumentException]::new('SqlUrlBackupReadiness: ContainerUrl is empty; give the container URL the server backs up to, e.g. https://account.blob.core.windows.net/backups.')
        }
        $state = [SqlUrlBackupReadiness]::new()
        $this.CopyConnectionTo($state)
        $state.ContainerUrl = Hide-SqlUrlSecret -Text $this.ContainerUrl
        $state.IncludeWarning = $this.IncludeWarning
        $state.Deep = $this.Deep
        $state.StorageUseManagedIdentity = $this.StorageUseManagedIdentity
        $state.StorageEndpoint = $this.StorageEndpoint
        $state.StorageCertificateAuthorityFile = $this.StorageCertificateAuthorityFile
        $state.VmCheck = $this.VmCheck
        $conn = $this.ConnectionParameter()
        if ($this.Deep) {
            $conn.Deep = $true
            $conn.Confirm = $false
            if ($this.StorageUseManagedIdentity) { $conn.StorageUseManagedIdentity = $true }
            if ($null -ne $this.StorageSasCredential) { $conn.StorageSasToken = $this.StorageSasCredential.Password }
            if (-not [string]::IsNullOrWhiteSpace($this.StorageEndpoint)) { $conn.StorageEndpoint = $this.StorageEndpoint }
            if (-not [string]::IsNullOrWhiteSpace($this.StorageCertificateAuthorityFile)) { $conn.StorageCertificateAuthorityFile = $this.StorageCertificateAuthorityFile }
            if ($this.VmCheck) { $conn.VmCheck = $true }
        }
        elseif ($this.StorageUseManagedIdentity -or $null -ne $this.StorageSasCredential -or $this.VmCheck) {
            throw [System.ArgumentException]::new('SqlUrlBackupReadiness: StorageUseManagedIdentity, StorageSasCredential and VmCheck belong to Deep; set Deep = $true.')
        }
        $result = $null
        $why = @()
        try {
            $result = Test-SqlUrlBackupReadiness @conn -Url $this.ContainerUrl -ErrorAction Stop -WarningAction SilentlyContinue
        }
        catch {
            $e = $_
            $id = [string]$e.FullyQualifiedErrorId
            # A bad property (contradictory authentication, bad URL) is the caller's error, not a finding.
            if ($e.Exception -is [System.ArgumentException] -or $id -like 'SqlUrlBackup.InvalidArgument*' -or $id -like 'SqlUrlBackup.InvalidUrl*' -or $id -like 'SqlUrlBackup.Parameter*') {
                throw $this.NewError("checking readiness of '$($this.ServerInstance)'", $e)
            }
            $err = New-SqlUrlDscError -Activity "Connecting to '$($this.ServerInstance)' for the readiness check" -ErrorRecord $e
            $why += $this.NewReason('Connection', $err.Exception.Message)
            $state.Ready = $false
            $state.Reasons = [SqlUrlBackupReason[]]$why
            return $state
        }
        if ($null -eq $result) {
            throw $this.NewError("checking readiness of '$($this.ServerInstance)'", 'Test-SqlUrlBackupReadiness returned no result.')
        }
        $state.Ready = [bool]$result.Ready
        $state.ProductVersion = [string]$result.ProductVersion
        $all = @($result.Checks | Where-Object { $null -ne $_ })
        $state.Checks = [string[]]@($all | ForEach-Object { '{0}: {1}' -f $_.Name, $_.Status })
        foreach ($c in $all) {
            $status = [string]$c.Status
            if ($status -eq 'fail' -or ($this.IncludeWarning -and ($status -eq 'warn' -or $status -eq 'unknown'))) {
                $phrase = '{0} ({1}): {2}.' -f $c.Name, $status, ([string]$c.Evidence).TrimEnd('.')
                if (-not [string]::IsNullOrWhiteSpace([string]$c.RecommendedAction)) { $phrase += ' Recommended action: ' + ([string]$c.RecommendedAction).Trim() }
                $why += $this.NewReason([string]$c.Name, $phrase)
            }
        }
        $probe = $result.Probe
        if ($null -ne $probe) {
            foreach ($step in @($probe.Steps | Where-Object { $null -ne $_ })) {
                $status = [string]$step.Status
                if ($status -eq 'fail' -or ($this.IncludeWarning -and ($status -eq 'warn' -or $status -eq 'unknown'))) {
                    $phrase = 'Deep check, step {0} ({1}): {2}.' -f $step.Step, $status, ([string]$step.Evidence).TrimEnd('.')
                    if (-not [string]::IsNullOrWhiteSpace([string]$step.RecommendedAction)) { $phrase += ' Recommended action: ' + ([string]$step.RecommendedAction).Trim() }
                    $stepName = [string]$step.Step
                    $why += $this.NewReason('Probe' + $stepName.Substring(0, 1).ToUpperInvariant() + $stepName.Substring(1).Replace('_', ''), (Hide-SqlUrlSecret -Text $phrase))
                }
            }
            if (-not [string]::IsNullOrWhiteSpace([string]$probe.LeftBehind)) {
                $why += $this.NewReason('ProbeLeftBehind', (Hide-SqlUrlSecret -Text ('The deep check could not delete its scratch blob {0}. Recommended action: delete it, and give StorageUseManagedIdentity or StorageSasCredential (with delete permission) so that the check removes it.' -f $probe.LeftBehind)))
            }
        }
        $state.Reasons = [SqlUrlBackupReason[]]$why
        return $state
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        # Audit only: sends nothing. Succeeds when ready, else reports why (it cannot fix it).
        $state = $this.Get()
        $list = @($state.Reasons | Where-Object { $null -ne $_ })
        if ($list.Count -eq 0) { return }
        $text = 'SqlUrlBackupReadiness is audit-only and changed nothing; ''{0}'' is not ready for {1}: {2}' -f $this.ServerInstance, $this.ContainerUrl, (($list | ForEach-Object { $_.Phrase }) -join ' ')
        $text = Hide-SqlUrlSecret -Text $text
        $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($text), 'SqlUrlBackup.NotReady',
            [System.Management.Automation.ErrorCategory]::NotEnabled, $this.ServerInstance)
        $record.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($text)
        throw $record
    }
}
