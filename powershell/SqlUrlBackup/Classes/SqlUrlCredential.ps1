# The DSC class resources of SqlUrlBackup: SqlUrlCredential and SqlUrlTraceFlag4675.
# build.ps1 merges this file, before Private/ and Public/, into the ONE built SqlUrlBackup.psm1:
# the DSC engine finds [DscResource()] classes only by statically parsing the RootModule, never in
# dot-sourced files. Both classes are in this one file because the build parses each source file
# on its own, so the shared enums must sit in the same file as the classes that use them.
#
# Rules kept here (reference: dsc-automation-facts.md, section A):
# - Get()/Test()/Set() call the module's own cmdlets (Get-/New-/Remove-SqlUrlCredential,
#   Test-SqlUrlBackupReadiness); nothing is re-implemented.
# - Inside class methods non-terminating errors are lost: every cmdlet runs with
#   -ErrorAction Stop and failures are re-thrown with the server message AND the recommended action.
# - Property types are primitives, PSCredential and the enums/classes of this file only: no
#   interop types (the interop assembly loads after this part of the module is parsed).
# - Secrets (SqlCredential password, SasToken) are never returned by Get() nor written anywhere.
# - Valid Windows PowerShell 5.1 syntax (tests/powershell/Syntax51.Tests.ps1).

enum SqlUrlEnsure {
    Present = 1
    Absent = 2
}

enum SqlUrlCredentialIdentity {
    # IDENTITY = 'Managed Identity' (SQL Server 2022 CU17+ on an Azure VM with a primary managed identity).
    ManagedIdentity = 1
    # IDENTITY = 'SHARED ACCESS SIGNATURE', SECRET = the SasToken password.
    SharedAccessSignature = 2
    # Reported by Get() only: a credential of another kind (S3, other). Set() never creates it.
    Other = 3
}

# One entry of the Reasons property (Azure Machine Configuration): exactly Code and Phrase.
class SqlUrlBackupReason {
    [DscProperty()]
    [System.String] $Code

    [DscProperty()]
    [System.String] $Phrase
}

function ConvertTo-SqlUrlDscConnectionParameter {
    # The resource's connection properties as a splat for the module's cmdlets (their common
    # connection parameters; defaults and validation stay in ConvertTo-SqlUrlConnection).
    # The result holds the SqlCredential object: never write it to any stream.
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory = $true)][object]$Resource)
    if ([string]::IsNullOrWhiteSpace($Resource.ServerInstance)) {
        throw [System.ArgumentException]::new('ServerInstance is empty: give the SQL Server instance (host, host,port or host\instance).')
    }
    $p = @{ ServerInstance = [string]$Resource.ServerInstance }
    if ($null -ne $Resource.SqlCredential -and $Resource.SqlCredential -ne [System.Management.Automation.PSCredential]::Empty) {
        $p.Credential = $Resource.SqlCredential
    }
    if ($Resource.UseManagedIdentity) { $p.UseManagedIdentity = $true }
    if (-not [string]::IsNullOrWhiteSpace($Resource.ManagedIdentityClientId)) { $p.ManagedIdentityClientId = [string]$Resource.ManagedIdentityClientId }
    if (-not [string]::IsNullOrWhiteSpace($Resource.Encrypt)) { $p.Encrypt = [string]$Resource.Encrypt }
    if ($Resource.TrustServerCertificate) { $p.TrustServerCertificate = $true }
    if (-not [string]::IsNullOrWhiteSpace($Resource.HostNameInCertificate)) { $p.HostNameInCertificate = [string]$Resource.HostNameInCertificate }
    if (-not [string]::IsNullOrWhiteSpace($Resource.CertificateAuthorityFile)) { $p.CertificateAuthorityFile = [string]$Resource.CertificateAuthorityFile }
    if ($null -ne $Resource.ConnectTimeout) { $p.ConnectTimeout = [int]$Resource.ConnectTimeout }
    $p
}

function New-SqlUrlDscError {
    # A terminating ErrorRecord for a failed step of a DSC resource. The LCM shows only the
    # exception message, so the message carries what failed, the server's message and the
    # recommended action; the ErrorId (SqlUrlBackup.<kind>), category and ErrorDetails of the
    # module's own error are kept. The original message never holds secrets (the module masks them).
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory = $true)][string]$Activity,
        [Parameter(Mandatory = $true)][object]$ErrorRecord
    )
    $inner = $ErrorRecord
    if ($inner -isnot [System.Management.Automation.ErrorRecord] -and $null -ne $inner.PSObject.Properties['ErrorRecord']) { $inner = $inner.ErrorRecord }
    $message = $null; $action = $null; $errorId = 'SqlUrlBackup.DscResourceFailed'; $category = [System.Management.Automation.ErrorCategory]::InvalidOperation
    $exception = $null
    if ($inner -is [System.Management.Automation.ErrorRecord]) {
        $exception = $inner.Exception
        if ($null -ne $inner.ErrorDetails) {
            $message = $inner.ErrorDetails.Message
            $action = $inner.ErrorDetails.RecommendedAction
        }
        if (-not $message -and $null -ne $exception) { $message = $exception.Message }
        $id = [string]$inner.FullyQualifiedErrorId
        if ($id -like 'SqlUrlBackup.*') { $errorId = $id.Split(',')[0] }
        $category = $inner.CategoryInfo.Category
    }
    elseif ($inner -is [System.Exception]) {
        $exception = $inner
        $message = $inner.Message
    }
    if (-not $message) { $message = [string]$inner }
    $text = '{0} failed: {1}' -f $Activity, $message.TrimEnd()
    if ($action) { $text += ' Recommended action: ' + $action.TrimEnd() }
    $record = [System.Management.Automation.ErrorRecord]::new([System.InvalidOperationException]::new($text, $exception), $errorId, $category, $null)
    $details = [System.Management.Automation.ErrorDetails]::new($text)
    if ($action) { $details.RecommendedAction = $action }
    $record.ErrorDetails = $details
    $record
}

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

Connection: SqlCredential (SQL login) or UseManagedIdentity [+ ManagedIdentityClientId]; without
either, Windows authentication as the account the LCM runs as (Windows only). Encryption is on and
the server certificate validated by default (Encrypt, TrustServerCertificate, HostNameInCertificate,
CertificateAuthorityFile, ConnectTimeout as in the cmdlets' parameters).
#>
[DscResource()]
class SqlUrlCredential {
    [DscProperty(Key)]
    [System.String] $ServerInstance

    [DscProperty(Key)]
    [System.String] $ContainerUrl

    [DscProperty()]
    [SqlUrlEnsure] $Ensure = [SqlUrlEnsure]::Present

    [DscProperty()]
    [SqlUrlCredentialIdentity] $Identity = [SqlUrlCredentialIdentity]::ManagedIdentity

    # The SAS (password; user name ignored) for Identity SharedAccessSignature. Never returned.
    [DscProperty()]
    [System.Management.Automation.PSCredential] $SasToken

    # Always re-create the credential when Ensure is Present (the only way to roll a rotated SAS).
    [DscProperty()]
    [System.Boolean] $Force

    # --- connection ---
    [DscProperty()]
    [System.Management.Automation.PSCredential] $SqlCredential

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

    # --- read-only, filled in by Get() ---
    # The credential's IDENTITY as sys.credentials shows it (e.g. 'Managed Identity').
    [DscProperty(NotConfigurable)]
    [System.String] $CredentialIdentity

    [DscProperty(NotConfigurable)]
    [SqlUrlBackupReason[]] $Reasons

    [SqlUrlCredential] Get() {
        $this.AssertProperties()
        $found = $this.GetCurrentCredential()
        $state = [SqlUrlCredential]::new()
        $state.ServerInstance = $this.ServerInstance
        $state.ContainerUrl = $this.ContainerUrl
        $state.Force = $this.Force
        $state.UseManagedIdentity = $this.UseManagedIdentity
        $state.ManagedIdentityClientId = $this.ManagedIdentityClientId
        if (-not [string]::IsNullOrEmpty($this.Encrypt)) { $state.Encrypt = $this.Encrypt }
        $state.TrustServerCertificate = $this.TrustServerCertificate
        $state.HostNameInCertificate = $this.HostNameInCertificate
        $state.CertificateAuthorityFile = $this.CertificateAuthorityFile
        $state.ConnectTimeout = $this.ConnectTimeout
        # SasToken and SqlCredential stay $null: secrets are never returned.
        if ($null -eq $found) {
            $state.Ensure = [SqlUrlEnsure]::Absent
            $state.Identity = $this.Identity
        }
        else {
            $state.Ensure = [SqlUrlEnsure]::Present
            $state.Identity = [SqlUrlCredential]::IdentityFromKind([string]$found.Kind)
            $state.CredentialIdentity = [string]$found.Identity
        }
        $state.Reasons = $this.CompareState($state)
        return $state
    }

    [System.Boolean] Test() {
        $state = $this.Get()
        foreach ($r in $state.Reasons) { Write-Verbose ('{0}: {1}' -f $this.ServerInstance, $r.Phrase) }
        return ($state.Reasons.Count -eq 0)
    }

    [void] Set() {
        $this.AssertProperties()
        $found = $this.GetCurrentCredential()
        $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $this
        if ($this.Ensure -eq [SqlUrlEnsure]::Absent) {
            if ($null -eq $found) { Write-Verbose "$($this.ServerInstance): credential $($this.ContainerUrl) is already absent."; return }
            try {
                Remove-SqlUrlCredential @conn -Name $this.ContainerUrl -Force -Confirm:$false -ErrorAction Stop
            }
            catch {
                throw (New-SqlUrlDscError -Activity "SqlUrlCredential: dropping credential '$($this.ContainerUrl)' on '$($this.ServerInstance)'" -ErrorRecord $_)
            }
            return
        }

        $newParams = @{ Url = $this.ContainerUrl; Confirm = $false; ErrorAction = 'Stop' }
        if ($this.Identity -eq [SqlUrlCredentialIdentity]::SharedAccessSignature) { $newParams.SasToken = $this.SasToken.Password }
        # An existing credential (wrong kind, or Force) is replaced in place.
        if ($null -ne $found) { $newParams.Force = $true }
        try {
            $created = New-SqlUrlCredential @conn @newParams
        }
        catch {
            throw (New-SqlUrlDscError -Activity "SqlUrlCredential: creating credential '$($this.ContainerUrl)' ($($this.Identity)) on '$($this.ServerInstance)'" -ErrorRecord $_)
        }
        if ($null -eq $created) {
            throw (New-SqlUrlDscError -Activity "SqlUrlCredential: creating credential '$($this.ContainerUrl)' on '$($this.ServerInstance)'" -ErrorRecord 'New-SqlUrlCredential returned no credential.')
        }
        Write-Verbose ('{0}: credential {1} {2}' -f $this.ServerInstance, $this.ContainerUrl, $created.Action)
    }

    # Bad or contradictory properties: a clear error before anything reaches the server.
    hidden [void] AssertProperties() {
        if ([string]::IsNullOrWhiteSpace($this.ContainerUrl)) {
            throw [System.ArgumentException]::new('SqlUrlCredential: ContainerUrl is empty; give the container URL, e.g. https://account.blob.core.windows.net/backups.')
        }
        if ($this.Ensure -eq [SqlUrlEnsure]::Absent) { return }
        if ($this.Identity -eq [SqlUrlCredentialIdentity]::Other) {
            throw [System.ArgumentException]::new('SqlUrlCredential: Identity Other is reported by Get() only; set Identity to ManagedIdentity or SharedAccessSignature.')
        }
        $hasSas = $null -ne $this.SasToken -and $this.SasToken -ne [System.Management.Automation.PSCredential]::Empty -and $this.SasToken.Password.Length -gt 0
        if ($this.Identity -eq [SqlUrlCredentialIdentity]::SharedAccessSignature -and -not $hasSas) {
            throw [System.ArgumentException]::new('SqlUrlCredential: Identity SharedAccessSignature needs SasToken (a PSCredential whose password is the SAS token; the user name is ignored).')
        }
        if ($this.Identity -eq [SqlUrlCredentialIdentity]::ManagedIdentity -and $hasSas) {
            throw [System.ArgumentException]::new('SqlUrlCredential: SasToken is used only with Identity SharedAccessSignature; remove it or set Identity = SharedAccessSignature.')
        }
    }

    # The credential for ContainerUrl (Get-SqlUrlCredential output) or $null.
    hidden [object] GetCurrentCredential() {
        $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $this
        $list = $null
        try {
            $list = @(Get-SqlUrlCredential @conn -Url $this.ContainerUrl -ErrorAction Stop)
        }
        catch {
            throw (New-SqlUrlDscError -Activity "SqlUrlCredential: reading credential '$($this.ContainerUrl)' on '$($this.ServerInstance)'" -ErrorRecord $_)
        }
        # Get-SqlUrlCredential -Url also takes a blob URL or a trailing '/' and lists the credential of
        # its container; as a key, ContainerUrl must be the credential name itself.
        $list = @($list | Where-Object { $null -ne $_ })
        foreach ($c in $list) {
            if ([string]::Equals([string]$c.Name, $this.ContainerUrl, [System.StringComparison]::Ordinal)) { return $c }
        }
        if ($list.Count -gt 0) {
            throw [System.ArgumentException]::new(("SqlUrlCredential: ContainerUrl '{0}' is not a container URL; the credential for its container is named '{1}': use that as ContainerUrl (no trailing '/', no blob path)." -f $this.ContainerUrl, $list[0].Name))
        }
        return $null
    }

    # What differs between this (desired) and $state (current), as Reasons (empty = in desired state).
    hidden [SqlUrlBackupReason[]] CompareState([SqlUrlCredential] $state) {
        $why = @()
        if ($this.Ensure -ne $state.Ensure) {
            $why += [SqlUrlCredential]::NewReason('Ensure', ("The credential '{0}' should be {1} but is {2}." -f $this.ContainerUrl, $this.Ensure, $state.Ensure))
        }
        elseif ($this.Ensure -eq [SqlUrlEnsure]::Present) {
            if ($this.Identity -ne $state.Identity) {
                $why += [SqlUrlCredential]::NewReason('Identity', ("The credential '{0}' should use {1} but uses {2} (IDENTITY = '{3}')." -f $this.ContainerUrl, $this.Identity, $state.Identity, $state.CredentialIdentity))
            }
            elseif ($this.Force) {
                $why += [SqlUrlCredential]::NewReason('Force', ("Force is set: the credential '{0}' is re-created on every run (its secret cannot be read back)." -f $this.ContainerUrl))
            }
        }
        return [SqlUrlBackupReason[]]$why
    }

    hidden static [SqlUrlBackupReason] NewReason([string] $property, [string] $phrase) {
        $r = [SqlUrlBackupReason]::new()
        $r.Code = 'SqlUrlCredential:SqlUrlCredential:' + $property
        $r.Phrase = $phrase
        return $r
    }

    # Get-SqlUrlCredential's Kind (managed_identity, sas, s3, other) as the Identity enum.
    hidden static [SqlUrlCredentialIdentity] IdentityFromKind([string] $kind) {
        if ($kind -eq 'managed_identity') { return [SqlUrlCredentialIdentity]::ManagedIdentity }
        if ($kind -eq 'sas') { return [SqlUrlCredentialIdentity]::SharedAccessSignature }
        return [SqlUrlCredentialIdentity]::Other
    }
}


<#
Trace flag 4675 on globally, so that CREATE CREDENTIAL ... IDENTITY = 'Managed Identity' fails
(37563) instead of silently succeeding on a server without a primary managed identity, and so that
the readiness check can read what the server logged about a credential.

Key: ServerInstance. ContainerUrl (mandatory) is the container the readiness check is run for.
Only Ensure Present is supported: the module has no operation that turns the flag off, and Ensure
Absent is a "not supported" error. DBCC TRACEON does not survive a restart; the LCM's consistency
runs turn it on again, and Set() warns to add -T4675 to the startup parameters. Turning it on needs
sysadmin. Connection properties as in SqlUrlCredential.
#>
[DscResource()]
class SqlUrlTraceFlag4675 {
    [DscProperty(Key)]
    [System.String] $ServerInstance

    [DscProperty(Mandatory)]
    [System.String] $ContainerUrl

    [DscProperty()]
    [SqlUrlEnsure] $Ensure = [SqlUrlEnsure]::Present

    # --- connection ---
    [DscProperty()]
    [System.Management.Automation.PSCredential] $SqlCredential

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

    # --- read-only, filled in by Get() ---
    # What the readiness check saw (e.g. 'trace flag 4675 is on globally').
    [DscProperty(NotConfigurable)]
    [System.String] $Evidence

    [DscProperty(NotConfigurable)]
    [SqlUrlBackupReason[]] $Reasons

    [SqlUrlTraceFlag4675] Get() {
        $this.AssertProperties()
        $check = $this.RunCheck($false)
        $state = [SqlUrlTraceFlag4675]::new()
        $state.ServerInstance = $this.ServerInstance
        $state.ContainerUrl = $this.ContainerUrl
        $state.UseManagedIdentity = $this.UseManagedIdentity
        $state.ManagedIdentityClientId = $this.ManagedIdentityClientId
        if (-not [string]::IsNullOrEmpty($this.Encrypt)) { $state.Encrypt = $this.Encrypt }
        $state.TrustServerCertificate = $this.TrustServerCertificate
        $state.HostNameInCertificate = $this.HostNameInCertificate
        $state.CertificateAuthorityFile = $this.CertificateAuthorityFile
        $state.ConnectTimeout = $this.ConnectTimeout
        $state.Evidence = [string]$check.Evidence
        if ($check.Status -eq 'pass') { $state.Ensure = [SqlUrlEnsure]::Present } else { $state.Ensure = [SqlUrlEnsure]::Absent }
        $why = @()
        if ($state.Ensure -ne $this.Ensure) {
            $r = [SqlUrlBackupReason]::new()
            $r.Code = 'SqlUrlTraceFlag4675:SqlUrlTraceFlag4675:Ensure'
            $r.Phrase = 'Trace flag 4675 should be on globally, but: {0}' -f $check.Evidence
            $why += $r
        }
        $state.Reasons = [SqlUrlBackupReason[]]$why
        return $state
    }

    [System.Boolean] Test() {
        $state = $this.Get()
        foreach ($r in $state.Reasons) { Write-Verbose ('{0}: {1}' -f $this.ServerInstance, $r.Phrase) }
        return ($state.Reasons.Count -eq 0)
    }

    [void] Set() {
        $this.AssertProperties()
        $check = $this.RunCheck($true)
        if ($check.Status -ne 'pass') {
            $text = 'SqlUrlTraceFlag4675: turning trace flag 4675 on for ''{0}'' failed: {1}' -f $this.ServerInstance, $check.Evidence
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
        if ($this.Ensure -eq [SqlUrlEnsure]::Absent) {
            throw [System.NotSupportedException]::new('SqlUrlTraceFlag4675: Ensure Absent is not supported; the module only turns trace flag 4675 on (remove the resource, and DBCC TRACEOFF(4675, -1) by hand if needed).')
        }
    }

    # The readiness check's TraceFlag4675 entry (Status, Evidence, RecommendedAction).
    hidden [object] RunCheck([bool] $enable) {
        $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $this
        $activity = "SqlUrlTraceFlag4675: reading trace flag 4675 on '$($this.ServerInstance)'"
        if ($enable) { $activity = "SqlUrlTraceFlag4675: turning trace flag 4675 on for '$($this.ServerInstance)'" }
        $checks = $null
        try {
            $checks = @(Test-SqlUrlBackupReadiness @conn -Url $this.ContainerUrl -EnableTraceFlag:$enable -Detailed -Confirm:$false -ErrorAction Stop)
        }
        catch {
            throw (New-SqlUrlDscError -Activity $activity -ErrorRecord $_)
        }
        $tf = @($checks | Where-Object { $null -ne $_ -and $_.Name -eq 'TraceFlag4675' })
        if ($tf.Count -eq 0) {
            throw (New-SqlUrlDscError -Activity $activity -ErrorRecord 'the readiness check returned no TraceFlag4675 result.')
        }
        if ($tf[0].Status -eq 'unknown') {
            throw (New-SqlUrlDscError -Activity $activity -ErrorRecord ([string]$tf[0].Evidence))
        }
        return $tf[0]
    }
}
