#region SqlUrlResourceBase
# The DSC class resources of SqlUrlBackup, in ONE file: the Reasons class, SqlUrlResourceBase (the
# base class of every resource) and the four resources, each under its own #region below. One file
# because a derived class parses only where its base class is in the same text
# (PowerShell/PowerShell #8828): apart, a resource file does not parse on its own.
#
# build.ps1 puts this file, the loader and the cmdlets' help and parameters into the built
# SqlUrlBackup.psm1 (the RootModule: the DSC engine finds [DscResource()] classes only by
# statically parsing the RootModule, never in dot-sourced files). The classes hold the DSC schema
# (properties) and one-line methods: each resource's code is in private functions named after it
# (Private/Get-SqlUrlDsc<Resource>.ps1, Set-SqlUrlDsc<Resource>.ps1 and their helpers, all
# Private/*SqlUrlDsc*.ps1), which load with the first cmdlet call or resource, as build.ps1
# (step 4) describes. Method bodies in a class are parsed and analysed at every import; function
# bodies only when first called.
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
    # Import-SqlUrlPrivate). The resources' code is there too: each method below is one call, so
    # the classes stay cheap to parse at import (bench/import-time.ps1).
    SqlUrlResourceBase() {
        Import-SqlUrlPrivate
    }

    # A Reason with Code '<Resource>:<Resource>:<Id>' and a masked Phrase.
    hidden [SqlUrlBackupReason] NewReason([string] $id, [string] $phrase) {
        return (New-SqlUrlDscReason -Resource $this -Id $id -Phrase $phrase)
    }

    # A terminating error naming the resource and the step, the cause and the recommended action.
    hidden [System.Management.Automation.ErrorRecord] NewError([string] $activity, [object] $cause) {
        return (New-SqlUrlDscError -Activity ('{0}: {1}' -f $this.GetType().Name, $activity) -ErrorRecord $cause)
    }

    # Test(): true when Get() found no Reasons; each Reason is written as verbose text.
    hidden [System.Boolean] NoReasons([SqlUrlResourceBase] $state) {
        return (Test-SqlUrlDscNoReason -Resource $this -State $state)
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
        return (Get-SqlUrlDscCredential -Resource $this)
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        Set-SqlUrlDscCredential -Resource $this
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
        return (Get-SqlUrlDscTraceFlag -Resource $this)
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        Set-SqlUrlDscTraceFlag -Resource $this
    }
}
#endregion SqlUrlTraceFlag4675

#region SqlUrlRestoredDatabase
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
        return (Get-SqlUrlDscRestoredDatabase -Resource $this)
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        Set-SqlUrlDscRestoredDatabase -Resource $this
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
        return (Get-SqlUrlDscBackupReadiness -Resource $this)
    }

    [System.Boolean] Test() {
        return $this.NoReasons($this.Get())
    }

    [void] Set() {
        Set-SqlUrlDscBackupReadiness -Resource $this
    }
}
#endregion SqlUrlBackupReadiness
