# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Copy-SqlUrlDscConnection {
    # Copies a resource's key and its non-secret connection properties into its Get() result.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$From,
        [Parameter(Mandatory = $true)][object]$To
    )
    $To.ServerInstance = $From.ServerInstance
    $To.UseManagedIdentity = $From.UseManagedIdentity
    $To.ManagedIdentityClientId = $From.ManagedIdentityClientId
    if (-not [string]::IsNullOrEmpty($From.Encrypt)) { $To.Encrypt = $From.Encrypt }
    $To.TrustServerCertificate = $From.TrustServerCertificate
    $To.HostNameInCertificate = $From.HostNameInCertificate
    $To.CertificateAuthorityFile = $From.CertificateAuthorityFile
    $To.ConnectTimeout = $From.ConnectTimeout
}
