function Invoke-SqlUrlDscRestorePlan {
    # The restore planner's dry run (the same request Restore-SqlUrlDatabase sends, dry_run true,
    # never replace): reads the backup header(s), checks whether the target database exists, and
    # plans the file relocation. Sends no change. Returns {Exists, State, Statements} or throws
    # the module's ErrorRecord. Used instead of Restore-SqlUrlDatabase -WhatIf because -WhatIf
    # writes its message to the host, which would corrupt the DSC v3 adapter's JSON on stdout.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][hashtable]$Connection,
        [Parameter(Mandatory = $true)][string[]]$Url,
        [Parameter(Mandatory = $true)][string]$Database,
        [bool]$Sequence,
        [Nullable[datetime]]$StopAt
    )
    $server = [string]$Connection.ServerInstance
    $request = [ordered]@{
        connection = (ConvertTo-SqlUrlConnection -BoundParameters $Connection -ServerInstance $server)
        urls       = [string[]]$Url
        sequence   = $Sequence
        database   = $Database
        replace    = $false
        recovery   = $true
        stop_at    = $null
        checksum   = $false
        move       = $null
        relocate   = $true
        dry_run    = $true
    }
    if ($null -ne $StopAt) { $request.stop_at = ([datetime]$StopAt).ToString('yyyy-MM-ddTHH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture) }
    $outcome = Invoke-SqlUrlOperation -Function 'sqlurl_restore_start' -Request $request -ServerInstance $server -Activity 'Restore from URL (dry run)' -NoProgress -TargetObject $Database
    $split = Resolve-SqlUrlOperationResult -Outcome $outcome -ServerInstance $server -Database $Database
    foreach ($e in @($split.Errors)) {
        if ([string]$e.FullyQualifiedErrorId -like 'SqlUrlBackup.DatabaseExists*') {
            # "Database 'X' already exists (state ONLINE); nothing was restored. ..."
            $state = 'EXISTS'
            if ($e.Exception.Message -match '\(state ([A-Z_]+)\)') { $state = $Matches[1] }
            return [pscustomobject]@{ Exists = $true; State = $state; Statements = @() }
        }
    }
    if (@($split.Errors).Count -gt 0) { throw @($split.Errors)[0] }
    if (-not $outcome.Succeeded) { throw 'the restore planner answered without a result.' }
    [pscustomobject]@{ Exists = $false; State = $null; Statements = @(Get-SqlUrlStatement -Output $outcome.Output) }
}

<#
A database that must exist on a server. When it is absent, Set() restores it from the backup in
BackupUrl (every stripe of one backup, or with Sequence a chain of full, differential and log
backups in any order; StopAt restores to a point in time), relocating its files to the server's
default data and log paths (never onto another database's files). It NEVER replaces an existing
database: the restore runs without REPLACE, and the library checks again right before it.

Keys: ServerInstance and Database. Test() is read-only: it looks the database up
(Get-SqlUrlDatabase) and, only when it is absent, runs the restore planner's dry run (backup
headers, relocation plan); it sends no change. Reasons say what is missing:
Code ...:Database when the database is absent (with the RESTORE statements Set() would run),
...:State when it exists but is not ONLINE (e.g. left RESTORING: Set() does not touch it; finish
or drop it by hand).

Limits: restoring "the latest backup of database X in container Y, as of time T" needs a backup
catalog, which the module does not have yet: give BackupUrl explicitly. Once the database exists,
Get()/Test() no longer read the backups (they may have expired).

Connection properties and Reasons: SqlUrlResourceBase. Restoring needs CREATE DATABASE (dbcreator
or sysadmin) on the server and a credential for the container (SqlUrlCredential).
#>
[DscResource(RunAsCredential = 'Optional')]
class SqlUrlRestoredDatabase : SqlUrlResourceBase {
    [DscProperty(Key)]
    [System.String] $Database

    # The backup blob URLs (no SAS in them: the server's credential for the container is used).
    [DscProperty(Mandatory)]
    [System.String[]] $BackupUrl

    # BackupUrl lists several backups (full, differential, logs) to restore in LSN order.
    [DscProperty()]
    [System.Boolean] $Sequence

    # Point in time (ISO 8601, server time, e.g. 2026-12-06T03:15:00): stop the log restore there.
    # Needs Sequence and the log backups that cover the time.
    [DscProperty()]
    [System.String] $StopAt

    # Verify page checksums while restoring (WITH CHECKSUM).
    [DscProperty()]
    [System.Boolean] $Checksum

    # --- read-only, filled in by Get() ---
    # Present or Absent.
    [DscProperty(NotConfigurable)]
    [ValidateSet('Present', 'Absent')]
    [System.String] $Ensure

    # sys.databases state_desc when present (ONLINE, RESTORING, ...).
    [DscProperty(NotConfigurable)]
    [System.String] $DatabaseState

    # The RESTORE statements Set() would run (when absent).
    [DscProperty(NotConfigurable)]
    [System.String[]] $PlannedStatements

    [SqlUrlRestoredDatabase] Get() {
        $plan = $this.ReadPlan()
        $state = [SqlUrlRestoredDatabase]::new()
        $this.CopyConnectionTo($state)
        $state.Database = $this.Database
        $state.BackupUrl = [string[]](Hide-SqlUrlSecret -Text $this.BackupUrl)
        $state.Sequence = $this.Sequence
        $state.StopAt = $this.StopAt
        $state.Checksum = $this.Checksum
        $why = @()
        if ($plan.Exists) {
            $state.Ensure = 'Present'
            $state.DatabaseState = [string]$plan.State
            if ($plan.State -ne 'ONLINE') {
                $why += $this.NewReason('State', ("The database '{0}' on '{1}' exists but is {2}, not ONLINE; it is never replaced: finish its restore (RESTORE DATABASE [{0}] WITH RECOVERY) or drop it by hand." -f $this.Database, $this.ServerInstance, $plan.State))
            }
        }
        else {
            $state.Ensure = 'Absent'
            $state.PlannedStatements = [string[]]@($plan.Statements)
            $why += $this.NewReason('Database', ("The database '{0}' does not exist on '{1}'; Set() restores it from {2} backup URL(s): {3}" -f $this.Database, $this.ServerInstance, @($this.BackupUrl).Count, (@($plan.Statements) -join ' ')))
        }
        $state.Reasons = [SqlUrlBackupReason[]]$why
        return $state
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        # Set() checks the state itself (DSC v3 adapters call it without Test()).
        $plan = $this.ReadPlan()
        if ($plan.Exists) {
            if ($plan.State -ne 'ONLINE') {
                throw $this.NewError("restoring database '$($this.Database)' on '$($this.ServerInstance)'", ("the database exists but is {0}; it is never replaced. Recommended action: finish its restore (RESTORE DATABASE ... WITH RECOVERY) or drop it by hand, then run the configuration again." -f $plan.State))
            }
            Write-Verbose "$($this.ServerInstance): database $($this.Database) exists ($($plan.State)); nothing to restore."
            return
        }
        $restore = @{ Url = [string[]]$this.BackupUrl; Database = $this.Database; Confirm = $false; ErrorAction = 'Stop' }
        if ($this.Sequence) { $restore.Sequence = $true }
        if ($this.Checksum) { $restore.Checksum = $true }
        $stop = $this.StopAtValue()
        if ($null -ne $stop) { $restore.StopAt = $stop }
        $conn = $this.ConnectionParameter()
        $ProgressPreference = 'SilentlyContinue'
        $result = $null
        try {
            # Never -Replace: if the database appeared since the check, the library refuses (DatabaseExists).
            $result = Restore-SqlUrlDatabase @conn @restore
        }
        catch {
            throw $this.NewError("restoring database '$($this.Database)' on '$($this.ServerInstance)'", $_)
        }
        if ($null -eq $result) {
            throw $this.NewError("restoring database '$($this.Database)' on '$($this.ServerInstance)'", 'Restore-SqlUrlDatabase returned no result.')
        }
        Write-Verbose ('{0}: database {1} restored from {2} backup URL(s).' -f $this.ServerInstance, $this.Database, @($this.BackupUrl).Count)
    }

    # Whether the database exists (Get-SqlUrlDatabase, read-only) and, when it does not, the
    # restore planner's dry run for it. Bad properties are clear errors before anything is sent.
    hidden [object] ReadPlan() {
        if ([string]::IsNullOrWhiteSpace($this.Database)) {
            throw [System.ArgumentException]::new('SqlUrlRestoredDatabase: Database is empty; give the name the database must have on the server.')
        }
        $urls = @($this.BackupUrl | Where-Object { -not [string]::IsNullOrWhiteSpace($_) })
        if ($urls.Count -eq 0) {
            throw [System.ArgumentException]::new('SqlUrlRestoredDatabase: BackupUrl is empty; give the blob URL(s) of the backup to restore from (restoring by container and point in time needs a backup catalog, which the module does not have yet).')
        }
        foreach ($u in $urls) {
            if ($u.Contains('?')) {
                throw [System.ArgumentException]::new(('SqlUrlRestoredDatabase: BackupUrl ''{0}'' carries a query string; give the plain blob URL (the server uses its credential for the container, never a SAS in the URL).' -f (Hide-SqlUrlSecret -Text $u)))
            }
        }
        $stop = $this.StopAtValue()
        $conn = $this.ConnectionParameter()
        $found = $null
        try {
            # -Database takes wildcards (* and ?): keep only the exact name (case-insensitive, as SQL Server's default collation).
            $found = @(Get-SqlUrlDatabase @conn -Database $this.Database -ErrorAction Stop | Where-Object { $null -ne $_ -and [string]::Equals([string]$_.Name, $this.Database, [System.StringComparison]::OrdinalIgnoreCase) })
        }
        catch {
            throw $this.NewError("reading database '$($this.Database)' on '$($this.ServerInstance)'", $_)
        }
        if ($found.Count -gt 0) {
            return [pscustomobject]@{ Exists = $true; State = [string]$found[0].State; Statements = @() }
        }
        $plan = $null
        try {
            $plan = Invoke-SqlUrlDscRestorePlan -Connection $conn -Url ([string[]]$urls) -Database $this.Database -Sequence $this.Sequence -StopAt $stop
        }
        catch {
            throw $this.NewError("reading the backup of database '$($this.Database)' on '$($this.ServerInstance)'", $_)
        }
        return $plan
    }

    hidden [object] StopAtValue() {
        if ([string]::IsNullOrWhiteSpace($this.StopAt)) { return $null }
        $parsed = [datetime]::MinValue
        $styles = [System.Globalization.DateTimeStyles]::AllowWhiteSpaces
        if (-not [datetime]::TryParse($this.StopAt, [System.Globalization.CultureInfo]::InvariantCulture, $styles, [ref]$parsed)) {
            throw [System.ArgumentException]::new(('SqlUrlRestoredDatabase: StopAt ''{0}'' is not a date and time; use ISO 8601, e.g. 2026-12-06T03:15:00 (server time).' -f $this.StopAt))
        }
        return $parsed
    }
}
