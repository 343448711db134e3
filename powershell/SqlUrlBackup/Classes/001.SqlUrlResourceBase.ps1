# The DSC class resources of SqlUrlBackup share this file: the enums, the Reasons class, two helper
# functions and SqlUrlResourceBase, the base class of every resource (010.*, 020.*, ...).
#
# build.ps1 merges every Classes/*.ps1 in file-name order, as ONE text, before Private/ and Public/,
# into the ONE built SqlUrlBackup.psm1: the DSC engine finds [DscResource()] classes only by
# statically parsing the RootModule (never in dot-sourced files), and a derived class parses only
# where its base class is in the same text (PowerShell/PowerShell #8828). The numeric prefixes keep
# this file first.
#
# Rules kept by every resource (reference: ../shared/reference/dsc-automation-facts.md, section A):
# - Get()/Test()/Set() call the module's own cmdlets; nothing is re-implemented.
# - Inside class methods non-terminating errors are lost: every cmdlet runs with -ErrorAction Stop
#   and failures are re-thrown (NewError) with the server message AND the recommended action.
# - Test() is read-only; Set() checks the state itself first (the DSC v3 adapters call Set()
#   without Test(), implementsPretest) and sends nothing when the state is already right.
# - Property types are primitives, [PSCredential] (the short name: the DSC v3 PowerShell adapter
#   before 3.1 matches that name), arrays and the enums/classes of this module only: no generic
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

# (ConvertTo-SqlUrlDscConnectionParameter and New-SqlUrlDscError, the helpers of every resource,
# are in Private/: parsed apart from the classes they cost less at import.)

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
