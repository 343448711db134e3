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

