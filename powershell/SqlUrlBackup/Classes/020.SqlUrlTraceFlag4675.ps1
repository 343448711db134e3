<#
Trace flag 4675 on (or off) globally. On, CREATE CREDENTIAL ... IDENTITY = 'Managed Identity' fails
(37563) instead of silently succeeding on a server without a primary managed identity, and the
readiness check can read what the server logged about a credential.

Key: ServerInstance. ContainerUrl (mandatory) is the container the readiness check runs for.
Ensure Present turns the flag on (DBCC TRACEON(4675, -1)), Absent turns it off
(DBCC TRACEOFF(4675, -1)); both need sysadmin, and Set() sends nothing when the flag is already as
wanted (Test-SqlUrlBackupReadiness -EnableTraceFlag / -DisableTraceFlag do the work).

Startup parameter: DBCC TRACEON/TRACEOFF do not survive a restart. Get() reports StartupParameter
from the readiness check TraceFlag4675Startup (sys.dm_server_registry): Present when -T4675 is a
startup parameter, Absent when it is not, Unknown when the login cannot read it (never guessed).
This resource does not change startup parameters: use SqlServerDsc's SqlTraceFlag resource (it
sets startup trace flags through the SQL Server service), e.g.
    SqlTraceFlag T4675 { ServerName = 'SQLVM01'; InstanceName = 'MSSQLSERVER'; TraceFlagsToInclude = 4675 }
(TraceFlagsToExclude = 4675 with Ensure Absent); Set() warns when the two disagree. Connection
properties and Reasons: SqlUrlResourceBase.
#>
[DscResource(RunAsCredential = 'Optional')]
class SqlUrlTraceFlag4675 : SqlUrlResourceBase {
    [DscProperty(Mandatory)]
    [System.String] $ContainerUrl

    # Present: on globally. Absent: off globally. Get() returns the actual state.
    [DscProperty()]
    [ValidateSet('Present', 'Absent')]
    [System.String] $Ensure = 'Present'

    # --- read-only, filled in by Get() ---
    # What the readiness check saw (e.g. 'trace flag 4675 is on globally').
    [DscProperty(NotConfigurable)]
    [System.String] $Evidence

    # Whether -T4675 is a startup parameter: Present, Absent or Unknown.
    [DscProperty(NotConfigurable)]
    [System.String] $StartupParameter

    [SqlUrlTraceFlag4675] Get() {
        $this.AssertProperties()
        $checks = $this.RunCheck('read')
        $tf = [SqlUrlTraceFlag4675]::Pick($checks, 'TraceFlag4675')
        $state = [SqlUrlTraceFlag4675]::new()
        $this.CopyConnectionTo($state)
        $state.ContainerUrl = Hide-SqlUrlSecret -Text $this.ContainerUrl
        $state.Evidence = [string]$tf.Evidence
        # 'pass' = on globally; a flag on for one session only is not on.
        if ($tf.Status -eq 'pass') { $state.Ensure = 'Present' } else { $state.Ensure = 'Absent' }
        $state.StartupParameter = [SqlUrlTraceFlag4675]::StartupState([SqlUrlTraceFlag4675]::Pick($checks, 'TraceFlag4675Startup'))
        $why = @()
        if ($state.Ensure -ne $this.Ensure) {
            $want = 'on'
            if ($this.Ensure -eq 'Absent') { $want = 'off' }
            $why += $this.NewReason('Ensure', ('Trace flag 4675 should be {0} globally, but: {1}' -f $want, $tf.Evidence))
        }
        $state.Reasons = [SqlUrlBackupReason[]]$why
        return $state
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        $this.AssertProperties()
        $change = 'enable'
        if ($this.Ensure -eq 'Absent') { $change = 'disable' }
        # The check reads the flag first and sends DBCC TRACEON/TRACEOFF only when it must.
        $checks = $this.RunCheck($change)
        $tf = [SqlUrlTraceFlag4675]::Pick($checks, 'TraceFlag4675')
        if ($tf.Status -eq 'fail' -or ($change -eq 'enable' -and $tf.Status -ne 'pass')) {
            $text = Hide-SqlUrlSecret -Text ('SqlUrlTraceFlag4675: turning trace flag 4675 {0} for ''{1}'' failed: {2}' -f $(if ($change -eq 'enable') { 'on' } else { 'off' }), $this.ServerInstance, $tf.Evidence)
            if ($tf.RecommendedAction) { $text += ' Recommended action: ' + $tf.RecommendedAction }
            $id = 'SqlUrlBackup.TraceFlagNotEnabled'
            if ($change -eq 'disable') { $id = 'SqlUrlBackup.TraceFlagNotDisabled' }
            $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($text), $id,
                [System.Management.Automation.ErrorCategory]::InvalidOperation, $this.ServerInstance)
            $details = [System.Management.Automation.ErrorDetails]::new($text)
            if ($tf.RecommendedAction) { $details.RecommendedAction = [string]$tf.RecommendedAction }
            $record.ErrorDetails = $details
            throw $record
        }
        Write-Verbose ('{0}: {1}' -f $this.ServerInstance, $tf.Evidence)
        # The startup parameter disagrees with the wanted state: the flag flips at the next restart.
        $startup = [SqlUrlTraceFlag4675]::Pick($checks, 'TraceFlag4675Startup')
        if ($null -ne $startup -and $startup.Status -eq 'warn' -and $startup.RecommendedAction) {
            Write-Warning ('{0}: {1} {2}' -f $this.ServerInstance, $startup.Evidence, $startup.RecommendedAction)
        }
    }

    hidden [void] AssertProperties() {
        if ([string]::IsNullOrWhiteSpace($this.ContainerUrl)) {
            throw [System.ArgumentException]::new('SqlUrlTraceFlag4675: ContainerUrl is empty; give the container URL the readiness check runs for, e.g. https://account.blob.core.windows.net/backups.')
        }
    }

    # The readiness checks (Name, Status, Evidence, RecommendedAction); $change: read, enable, disable.
    hidden [object[]] RunCheck([string] $change) {
        $conn = $this.ConnectionParameter()
        $activity = "reading trace flag 4675 on '$($this.ServerInstance)'"
        $switch = @{}
        if ($change -eq 'enable') { $activity = "turning trace flag 4675 on for '$($this.ServerInstance)'"; $switch.EnableTraceFlag = $true }
        if ($change -eq 'disable') { $activity = "turning trace flag 4675 off for '$($this.ServerInstance)'"; $switch.DisableTraceFlag = $true }
        $checks = $null
        try {
            $checks = @(Test-SqlUrlBackupReadiness @conn @switch -ContainerUrl $this.ContainerUrl -Detailed -Confirm:$false -ErrorAction Stop | Where-Object { $null -ne $_ })
        }
        catch {
            throw $this.NewError($activity, $_)
        }
        $tf = [SqlUrlTraceFlag4675]::Pick($checks, 'TraceFlag4675')
        if ($null -eq $tf) {
            throw $this.NewError($activity, 'the readiness check returned no TraceFlag4675 result.')
        }
        if ($tf.Status -eq 'unknown') {
            throw $this.NewError($activity, [string]$tf.Evidence)
        }
        return $checks
    }

    hidden static [object] Pick([object[]] $checks, [string] $name) {
        foreach ($c in $checks) { if ($c.Name -eq $name) { return $c } }
        return $null
    }

    # TraceFlag4675Startup read without a change: pass = -T4675 is a startup parameter, warn = it is not.
    hidden static [string] StartupState([object] $check) {
        if ($null -eq $check) { return 'Unknown' }
        if ($check.Status -eq 'pass') { return 'Present' }
        if ($check.Status -eq 'warn') { return 'Absent' }
        return 'Unknown'
    }
}
