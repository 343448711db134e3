# The common connection parameters of every SqlUrlBackup cmdlet, defined ONCE.
#
# build.ps1 copies the text between the markers into the param block of each Public function, at
# its `#SqlUrlConnectionParameters` line (which must come before the function's own parameters).
# The comments above each parameter become its help. The one place that turns these parameters
# into the native request's `connection` object is Private/ConvertTo-SqlUrlConnection.ps1; it also
# holds the defaults (Encrypt Mandatory, ConnectTimeout 15), so none are repeated here.
# This file is never loaded by the module; the function below only keeps it valid PowerShell.
function SqlUrlConnectionParametersTemplate {
    [CmdletBinding()]
    param(
        #begin-connection-parameters
        # The SQL Server instance(s): host, 'host,port' (quote it: unquoted, PowerShell reads the comma as an array), or host\instance. Several servers are accepted (Backup-SqlUrlDatabase runs them in parallel).
        [Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('SqlInstance', 'ComputerName')]
        [ValidateNotNullOrEmpty()]
        [string[]]$ServerInstance,

        # The SQL Server login to connect with (SQL authentication), not a storage credential: the server reaches the storage with its own managed identity or SAS credential. Its password is sent only to the server. Alias SqlCredential (dbatools).
        [Alias('SqlCredential')]
        [System.Management.Automation.PSCredential]
        [System.Management.Automation.Credential()]
        $Credential = [System.Management.Automation.PSCredential]::Empty,

        # A Microsoft Entra access token for https://database.windows.net/ (string or SecureString).
        [ValidateNotNull()]
        [object]$AccessToken,

        # Sign in with the managed identity of the machine or Automation account this runs in.
        [switch]$UseManagedIdentity,

        # The client id of a user-assigned managed identity (with -UseManagedIdentity).
        [string]$ManagedIdentityClientId,

        # Connection encryption: Mandatory (default), Optional or Strict (TDS 8.0).
        [ValidateSet('Mandatory', 'Optional', 'Strict')]
        [string]$Encrypt,

        # Accept the server certificate without validating it. Off by default; use only for tests.
        [switch]$TrustServerCertificate,

        # The host name expected in the server certificate when it differs from the server name.
        [string]$HostNameInCertificate,

        # A PEM file with an extra certificate authority to trust besides the system roots.
        [string]$CertificateAuthorityFile,

        # Seconds to wait for the connection (default 15).
        [ValidateRange(1, 3600)]
        [int]$ConnectTimeout,
        #end-connection-parameters

        [string]$Placeholder
    )
}
