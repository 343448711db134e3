#region SqlUrlResourceBase
# The DSC class resources of SqlUrlBackup, in ONE file: the Reasons class, SqlUrlResourceBase (the
# base class of every resource) and the four resources, each under its own #region below. One file
# because a derived class parses only where its base class is in the same text
# (PowerShell/PowerShell #8828): apart, a resource file does not parse on its own.
#
# build.ps1 puts this file and the loader into the built SqlUrlBackup.psm1 (the RootModule: the DSC
# engine finds [DscResource()] classes only by statically parsing the RootModule, never in
# dot-sourced files); the cmdlets (Public/) and the private functions (Private/, where the
# resources' helpers ConvertTo-SqlUrlDscConnectionParameter and New-SqlUrlDscError live) are files
# of their own, loaded as build.ps1 (step 4) describes.
#
# Rules kept by every resource (reference: ../shared/reference/dsc-automation-facts.md, section A):
# - Get()/Test()/Set() call the module's own cmdlets; nothing is re-implemented.
# - Inside class methods non-terminating errors are lost: every cmdlet runs with -ErrorAction Stop
#   and failures are re-thrown (NewError) with the server message AND the recommended action.
# - Test() is read-only; Set() checks the state itself first (the DSC v3 adapters call Set()
#   without Test(), implementsPretest) and sends nothing when the state is already right.
# - Property types are primitives, [PSCredential] (the short name: the DSC v3 PowerShell adapter
#   before 3.1 matches that name), arrays and the classes of this module only: no generic
#   collections, no interop types.
# - Secrets (Credential, SasToken) are never returned by Get() nor written to any stream; URL query
#   strings (a SAS) are masked in Reasons and error messages (Hide-SqlUrlSecret).
# - Valid Windows PowerShell 5.1 syntax (tests/powershell/Syntax51.Tests.ps1).

# Ensure and Identity are strings with a ValidateSet, not enums: the first enum a module defines
# costs ~100 ms of CPU at import (PowerShell compiles its values), and the DSC schema is the same
# (a ValueMap). Values: Ensure Present | Absent; Identity ManagedIdentity (IDENTITY = 'Managed
# Identity'), SharedAccessSignature (IDENTITY = 'SHARED ACCESS SIGNATURE', SECRET = the SasToken
# password) or Other (reported by Get() only: a credential of another kind; Set() never creates it).

# One entry of the Reasons property (Azure Machine Configuration): exactly Code and Phrase.
# Code is '<Resource>:<Resource>:<Identifier>' (no whitespace); Phrase is for people.
class SqlUrlBackupReason {
    [DscProperty()]
    [System.String] $Code

    [DscProperty()]
    [System.String] $Phrase
}

# (Hide-SqlUrlSecret, the module's one masking rule, is in Private/Hide-SqlUrlSecret.ps1.)


<#
What every SqlUrlBackup resource repeats: the server key, the connection properties (as the
cmdlets' connection parameters), Reasons, and the helpers that connect, build Reasons and errors.

Connection: Credential (a SQL login) or UseManagedIdentity [+ ManagedIdentityClientId]; without
either, Windows authentication as the account the resource runs as (the LCM's LocalSystem, or
PsDscRunAsCredential in Windows PowerShell 5.1; DSC 2.0 and later ignore RunAsCredential).
Under PsDscRunAsCredential, Windows PowerShell DSC is reported to return class-typed properties
(here Reasons) empty from Get() (SqlServerDsc documents this for its SqlDatabasePermission):
prefer Credential or UseManagedIdentity where Reasons matter.
Encryption is on and the server certificate validated by default (Encrypt, TrustServerCertificate,
HostNameInCertificate, CertificateAuthorityFile, ConnectTimeout as in the cmdlets' parameters).
Not a resource itself: it has no [DscResource()] attribute.
#>
class SqlUrlResourceBase {
    [DscProperty(Key)]
    [System.String] $ServerInstance

    # The SQL login (SQL authentication), like the cmdlets' -Credential. Never returned by Get().
    [DscProperty()]
    [PSCredential] $Credential

    [DscProperty()]
    [System.Boolean] $UseManagedIdentity

    [DscProperty()]
    [System.String] $ManagedIdentityClientId

    [DscProperty()]
    [ValidateSet('Mandatory', 'Optional', 'Strict')]
    [System.String] $Encrypt

    [DscProperty()]
    [System.Boolean] $TrustServerCertificate

    [DscProperty()]
    [System.String] $HostNameInCertificate

    [DscProperty()]
    [System.String] $CertificateAuthorityFile

    [DscProperty()]
    [Nullable[System.Int32]] $ConnectTimeout

    # Why the resource is not in the desired state (empty when it is): Code + Phrase.
    [DscProperty(NotConfigurable)]
    [SqlUrlBackupReason[]] $Reasons

    # The module's private functions load with the first cmdlet call or resource (the loader's
    # Import-SqlUrlPrivate): the methods below and the resources' use them.
    SqlUrlResourceBase() {
        Import-SqlUrlPrivate
    }

    # The cmdlets' connection parameters (a splat). Holds the Credential: never write it anywhere.
    hidden [hashtable] ConnectionParameter() {
        return (ConvertTo-SqlUrlDscConnectionParameter -Resource $this)
    }

    # Copies the key and the non-secret connection properties into a Get() result.
    hidden [void] CopyConnectionTo([SqlUrlResourceBase] $state) {
        $state.ServerInstance = $this.ServerInstance
        $state.UseManagedIdentity = $this.UseManagedIdentity
        $state.ManagedIdentityClientId = $this.ManagedIdentityClientId
        if (-not [string]::IsNullOrEmpty($this.Encrypt)) { $state.Encrypt = $this.Encrypt }
        $state.TrustServerCertificate = $this.TrustServerCertificate
        $state.HostNameInCertificate = $this.HostNameInCertificate
        $state.CertificateAuthorityFile = $this.CertificateAuthorityFile
        $state.ConnectTimeout = $this.ConnectTimeout
    }

    # A Reason with Code '<Resource>:<Resource>:<Id>' and a masked Phrase.
    hidden [SqlUrlBackupReason] NewReason([string] $id, [string] $phrase) {
        $r = [SqlUrlBackupReason]::new()
        $r.Code = '{0}:{0}:{1}' -f $this.GetType().Name, ($id -replace '\s', '')
        $r.Phrase = Hide-SqlUrlSecret -Text $phrase
        return $r
    }

    # A terminating error naming the resource and the step, the cause and the recommended action.
    hidden [System.Management.Automation.ErrorRecord] NewError([string] $activity, [object] $cause) {
        return (New-SqlUrlDscError -Activity ('{0}: {1}' -f $this.GetType().Name, $activity) -ErrorRecord $cause)
    }

    # Test(): true when Get() found no Reasons; each Reason is written as verbose text.
    hidden [System.Boolean] NoReasons([SqlUrlResourceBase] $state) {
        $list = @($state.Reasons | Where-Object { $null -ne $_ })
        foreach ($r in $list) { Write-Verbose ('{0}: {1}' -f $this.ServerInstance, $r.Phrase) }
        return ($list.Count -eq 0)
    }
}
#endregion SqlUrlResourceBase

#region SqlUrlCredential
<#
The SQL Server credential that BACKUP TO URL uses for one container (sys.credentials row named
after the container URL).

Keys: ServerInstance and ContainerUrl. Ensure Present creates it (Identity ManagedIdentity by
default; SharedAccessSignature takes the SAS as the password of the SasToken PSCredential, the user
name is ignored), Ensure Absent drops it.

Test() compares existence and the identity kind only: SQL Server never returns a credential's
secret, so a rotated SAS cannot be detected. Set Force = $true to make Test() report "not in the
desired state" whenever Ensure is Present, so that every consistency run re-creates the credential
with the current SasToken.

Connection properties (Credential = the SQL login, UseManagedIdentity, Encrypt, ...) and Reasons
come from SqlUrlResourceBase. RunAsCredential is optional: in Windows PowerShell 5.1 without
Credential or UseManagedIdentity, PsDscRunAsCredential is the Windows login that connects (it needs
sysadmin to create or drop a credential).
#>
[DscResource(RunAsCredential = 'Optional')]
class SqlUrlCredential : SqlUrlResourceBase {
    [DscProperty(Key)]
    [System.String] $ContainerUrl

    [DscProperty()]
    [ValidateSet('Present', 'Absent')]
    [System.String] $Ensure = 'Present'

    [DscProperty()]
    [ValidateSet('ManagedIdentity', 'SharedAccessSignature', 'Other')]
    [System.String] $Identity = 'ManagedIdentity'

    # The SAS (password; user name ignored) for Identity SharedAccessSignature. Never returned.
    [DscProperty()]
    [PSCredential] $SasToken

    # Always re-create the credential when Ensure is Present (the only way to roll a rotated SAS).
    [DscProperty()]
    [System.Boolean] $Force

    # --- read-only, filled in by Get() ---
    # The credential's IDENTITY as sys.credentials shows it (e.g. 'Managed Identity').
    [DscProperty(NotConfigurable)]
    [System.String] $CredentialIdentity

    [SqlUrlCredential] Get() {
        $this.AssertProperties()
        $found = $this.GetCurrentCredential()
        $state = [SqlUrlCredential]::new()
        $this.CopyConnectionTo($state)
        $state.ContainerUrl = Hide-SqlUrlSecret -Text $this.ContainerUrl
        $state.Force = $this.Force
        # SasToken and Credential stay $null: secrets are never returned.
        if ($null -eq $found) {
            $state.Ensure = 'Absent'
            $state.Identity = $this.Identity
        }
        else {
            $state.Ensure = 'Present'
            $state.Identity = [SqlUrlCredential]::IdentityFromKind([string]$found.Kind)
            $state.CredentialIdentity = [string]$found.Identity
        }
        $state.Reasons = $this.CompareState($state)
        return $state
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        $this.AssertProperties()
        $found = $this.GetCurrentCredential()
        $conn = $this.ConnectionParameter()
        if ($this.Ensure -eq 'Absent') {
            if ($null -eq $found) { Write-Verbose "$($this.ServerInstance): credential $($this.ContainerUrl) is already absent."; return }
            try {
                Remove-SqlUrlCredential @conn -Name $this.ContainerUrl -Force -Confirm:$false -ErrorAction Stop
            }
            catch {
                throw $this.NewError("dropping credential '$($this.ContainerUrl)' on '$($this.ServerInstance)'", $_)
            }
            return
        }

        # Set() checks the state itself (DSC v3 adapters call it without Test()): nothing is sent
        # when the credential exists with the wanted identity and Force is off.
        if ($null -ne $found -and -not $this.Force -and [SqlUrlCredential]::IdentityFromKind([string]$found.Kind) -eq $this.Identity) {
            Write-Verbose "$($this.ServerInstance): credential $($this.ContainerUrl) is already present ($($this.Identity))."
            return
        }
        $newParams = @{ Url = $this.ContainerUrl; Confirm = $false; ErrorAction = 'Stop' }
        if ($this.Identity -eq 'SharedAccessSignature') { $newParams.SasToken = $this.SasToken.Password }
        # An existing credential (wrong kind, or Force) is replaced in place.
        if ($null -ne $found) { $newParams.Force = $true }
        try {
            $created = New-SqlUrlCredential @conn @newParams
        }
        catch {
            throw $this.NewError("creating credential '$($this.ContainerUrl)' ($($this.Identity)) on '$($this.ServerInstance)'", $_)
        }
        if ($null -eq $created) {
            throw $this.NewError("creating credential '$($this.ContainerUrl)' on '$($this.ServerInstance)'", 'New-SqlUrlCredential returned no credential.')
        }
        Write-Verbose ('{0}: credential {1} {2}' -f $this.ServerInstance, $this.ContainerUrl, $created.Action)
    }

    # Bad or contradictory properties: a clear error before anything reaches the server.
    hidden [void] AssertProperties() {
        if ([string]::IsNullOrWhiteSpace($this.ContainerUrl)) {
            throw [System.ArgumentException]::new('SqlUrlCredential: ContainerUrl is empty; give the container URL, e.g. https://account.blob.core.windows.net/backups.')
        }
        if ($this.Ensure -eq 'Absent') { return }
        if ($this.Identity -eq 'Other') {
            throw [System.ArgumentException]::new('SqlUrlCredential: Identity Other is reported by Get() only; set Identity to ManagedIdentity or SharedAccessSignature.')
        }
        $hasSas = $null -ne $this.SasToken -and $this.SasToken -ne [PSCredential]::Empty -and $this.SasToken.Password.Length -gt 0
        if ($this.Identity -eq 'SharedAccessSignature' -and -not $hasSas) {
            throw [System.ArgumentException]::new('SqlUrlCredential: Identity SharedAccessSignature needs SasToken (a PSCredential whose password is the SAS token; the user name is ignored).')
        }
        if ($this.Identity -eq 'ManagedIdentity' -and $hasSas) {
            throw [System.ArgumentException]::new('SqlUrlCredential: SasToken is used only with Identity SharedAccessSignature; remove it or set Identity = SharedAccessSignature.')
        }
    }

    # The credential for ContainerUrl (Get-SqlUrlCredential output) or $null.
    hidden [object] GetCurrentCredential() {
        $conn = $this.ConnectionParameter()
        $list = $null
        try {
            $list = @(Get-SqlUrlCredential @conn -Url $this.ContainerUrl -ErrorAction Stop)
        }
        catch {
            throw $this.NewError("reading credential '$($this.ContainerUrl)' on '$($this.ServerInstance)'", $_)
        }
        # Get-SqlUrlCredential -Url also takes a blob URL or a trailing '/' and lists the credential of
        # its container; as a key, ContainerUrl must be the credential name itself.
        $list = @($list | Where-Object { $null -ne $_ })
        # The module names a credential with scheme and host in lower case (both case-insensitive;
        # container names are lower case by Azure's rule), so compare without case.
        foreach ($c in $list) {
            if ([string]::Equals([string]$c.Name, $this.ContainerUrl, [System.StringComparison]::OrdinalIgnoreCase)) { return $c }
        }
        if ($list.Count -gt 0) {
            throw [System.ArgumentException]::new(("SqlUrlCredential: ContainerUrl '{0}' is not a container URL; the credential for its container is named '{1}': use that as ContainerUrl (no trailing '/', no blob path)." -f (Hide-SqlUrlSecret -Text $this.ContainerUrl), $list[0].Name))
        }
        return $null
    }

    # What differs between this (desired) and $state (current), as Reasons (empty = in desired state).
    hidden [SqlUrlBackupReason[]] CompareState([SqlUrlCredential] $state) {
        $why = @()
        if ($this.Ensure -ne $state.Ensure) {
            $why += $this.NewReason('Ensure', ("The credential '{0}' should be {1} but is {2}." -f $this.ContainerUrl, $this.Ensure, $state.Ensure))
        }
        elseif ($this.Ensure -eq 'Present') {
            if ($this.Identity -ne $state.Identity) {
                $why += $this.NewReason('Identity', ("The credential '{0}' should use {1} but uses {2} (IDENTITY = '{3}')." -f $this.ContainerUrl, $this.Identity, $state.Identity, $state.CredentialIdentity))
            }
            elseif ($this.Force) {
                $why += $this.NewReason('Force', ("Force is set: the credential '{0}' is re-created on every run (its secret cannot be read back)." -f $this.ContainerUrl))
            }
        }
        return [SqlUrlBackupReason[]]$why
    }

    # Get-SqlUrlCredential's Kind (managed_identity, sas, s3, other) as the Identity enum.
    hidden static [System.String] IdentityFromKind([string] $kind) {
        if ($kind -eq 'managed_identity') { return 'ManagedIdentity' }
        if ($kind -eq 'sas') { return 'SharedAccessSignature' }
        return 'Other'
    }
}
#endregion SqlUrlCredential

#region SqlUrlTraceFlag4675
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
#endregion SqlUrlTraceFlag4675

#region SqlUrlRestoredDatabase
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
#endregion SqlUrlRestoredDatabase

#region SqlUrlBackupReadiness
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
#endregion SqlUrlBackupReadiness
