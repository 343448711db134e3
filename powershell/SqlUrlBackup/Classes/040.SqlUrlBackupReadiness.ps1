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
        $conn = $this.ConnectionParameter()
        $result = $null
        $why = @()
        try {
            $result = Test-SqlUrlBackupReadiness @conn -Url $this.ContainerUrl -ErrorAction Stop
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
