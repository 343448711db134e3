# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function ConvertTo-SqlUrlDscConnectionParameter {
    # The resource's connection properties as a splat for the module's cmdlets (their common
    # connection parameters; defaults and validation stay in ConvertTo-SqlUrlConnection).
    # The result holds the Credential object: never write it to any stream.
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory = $true)][object]$Resource)
    if ([string]::IsNullOrWhiteSpace($Resource.ServerInstance)) {
        throw [System.ArgumentException]::new('ServerInstance is empty: give the SQL Server instance (host, host,port or host\instance).')
    }
    $p = @{ ServerInstance = [string]$Resource.ServerInstance }
    if ($null -ne $Resource.Credential -and $Resource.Credential -ne [System.Management.Automation.PSCredential]::Empty) {
        $p.Credential = $Resource.Credential
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
