<#
Trace flag 4675 on globally, so that CREATE CREDENTIAL ... IDENTITY = 'Managed Identity' fails
(37563) instead of silently succeeding on a server without a primary managed identity, and so that
the readiness check can read what the server logged about a credential.

Key: ServerInstance. ContainerUrl (mandatory) is the container the readiness check is run for.
Ensure offers Present only: the module's library has no operation that turns the flag off (DBCC
TRACEOFF), so Ensure = 'Absent' is rejected (compiling a configuration, or at once under the DSC v3
adapter; with Invoke-DscResource pass -ErrorAction Stop, since PSDesiredStateConfiguration 2.0 calls
the method even after a property fails validation). To turn the flag off: remove this resource, run
DBCC TRACEOFF(4675, -1) as sysadmin, and take -T4675 out of the startup parameters (SqlServerDsc's
SqlTraceFlag with TraceFlagsToExclude = 4675). Get() reports the flag's actual state in Enabled.

Startup parameter: DBCC TRACEON does not survive a restart. Get() reports StartupParameter: the
module cannot read SQL Server's startup parameters (sys.dm_server_registry) yet, so it is always
'Unknown' (never guessed). The LCM's consistency runs turn the flag on again after a restart, and
Set() warns to add -T4675 to the startup parameters: manage that with SqlServerDsc's SqlTraceFlag
resource (it sets startup trace flags through the SQL Server service), e.g.
    SqlTraceFlag T4675 { ServerName = 'SQLVM01'; InstanceName = 'MSSQLSERVER'; TraceFlagsToInclude = 4675 }
Turning the flag on needs sysadmin. Connection properties and Reasons: SqlUrlResourceBase.
#>
[DscResource(RunAsCredential = 'Optional')]
class SqlUrlTraceFlag4675 : SqlUrlResourceBase {
    [DscProperty(Mandatory)]
    [System.String] $ContainerUrl

    [DscProperty()]
    [ValidateSet('Present')]
    [System.String] $Ensure = 'Present'

    # Whether trace flag 4675 is on globally now.
    [DscProperty(NotConfigurable)]
    [System.Boolean] $Enabled

    # --- read-only, filled in by Get() ---
    # What the readiness check saw (e.g. 'trace flag 4675 is on globally').
    [DscProperty(NotConfigurable)]
    [System.String] $Evidence

    # Whether -T4675 is also a startup parameter: 'Unknown' (the module cannot read startup
    # parameters; see the help above and SqlServerDsc's SqlTraceFlag).
    [DscProperty(NotConfigurable)]
    [System.String] $StartupParameter

    [SqlUrlTraceFlag4675] Get() {
        $this.AssertProperties()
        $check = $this.RunCheck($false)
        $state = [SqlUrlTraceFlag4675]::new()
        $this.CopyConnectionTo($state)
        $state.ContainerUrl = $this.ContainerUrl
        $state.StartupParameter = 'Unknown'
        $state.Evidence = [string]$check.Evidence
        $state.Enabled = ($check.Status -eq 'pass')
        $why = @()
        if (-not $state.Enabled) {
            $why += $this.NewReason('Ensure', ('Trace flag 4675 should be on globally, but: {0}' -f $check.Evidence))
        }
        $state.Reasons = [SqlUrlBackupReason[]]$why
        return $state
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        $this.AssertProperties()
        $check = $this.RunCheck($true)
        if ($check.Status -ne 'pass') {
            $text = Hide-SqlUrlDscSecret -Text ('SqlUrlTraceFlag4675: turning trace flag 4675 on for ''{0}'' failed: {1}' -f $this.ServerInstance, $check.Evidence)
            if ($check.RecommendedAction) { $text += ' Recommended action: ' + $check.RecommendedAction }
            $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($text), 'SqlUrlBackup.TraceFlagNotEnabled',
                [System.Management.Automation.ErrorCategory]::InvalidOperation, $this.ServerInstance)
            $details = [System.Management.Automation.ErrorDetails]::new($text)
            if ($check.RecommendedAction) { $details.RecommendedAction = [string]$check.RecommendedAction }
            $record.ErrorDetails = $details
            throw $record
        }
        Write-Verbose ('{0}: {1}' -f $this.ServerInstance, $check.Evidence)
        if ($check.RecommendedAction) { Write-Warning ('{0}: {1}' -f $this.ServerInstance, $check.RecommendedAction) }
    }

    hidden [void] AssertProperties() {
        if ([string]::IsNullOrWhiteSpace($this.ContainerUrl)) {
            throw [System.ArgumentException]::new('SqlUrlTraceFlag4675: ContainerUrl is empty; give the container URL the readiness check runs for, e.g. https://account.blob.core.windows.net/backups.')
        }
    }

    # The readiness check's TraceFlag4675 entry (Status, Evidence, RecommendedAction).
    hidden [object] RunCheck([bool] $enable) {
        $conn = $this.ConnectionParameter()
        $activity = "reading trace flag 4675 on '$($this.ServerInstance)'"
        if ($enable) { $activity = "turning trace flag 4675 on for '$($this.ServerInstance)'" }
        $checks = $null
        try {
            $checks = @(Test-SqlUrlBackupReadiness @conn -Url $this.ContainerUrl -EnableTraceFlag:$enable -Detailed -Confirm:$false -ErrorAction Stop)
        }
        catch {
            throw $this.NewError($activity, $_)
        }
        $tf = @($checks | Where-Object { $null -ne $_ -and $_.Name -eq 'TraceFlag4675' })
        if ($tf.Count -eq 0) {
            throw $this.NewError($activity, 'the readiness check returned no TraceFlag4675 result.')
        }
        if ($tf[0].Status -eq 'unknown') {
            throw $this.NewError($activity, [string]$tf[0].Evidence)
        }
        return $tf[0]
    }
}
