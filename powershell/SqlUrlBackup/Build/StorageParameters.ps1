# The module's own storage access parameters (issue 15's catalog), defined ONCE.
#
# build.ps1 copies the text between the markers into the param block of each Public function, at
# its `#SqlUrlStorageParameters` line (which must come before the function's own parameters).
# The comments above each parameter become its help. Private/ConvertTo-SqlUrlStorageRequest.ps1
# turns them into the request's `storage` object. (Restore-SqlUrlDatabase declares them itself:
# there they belong to its -ContainerUrl parameter set.)
# This file is never loaded by the module; the function below only keeps it valid PowerShell.
function SqlUrlStorageParametersTemplate {
    [CmdletBinding()]
    param(
        #begin-storage-parameters
        # The module's own storage access for the catalog (not SQL Server's credential, which the server uses for the backup itself): the managed identity of the machine or Automation account this runs in.
        [switch]$StorageUseManagedIdentity,

        # With -StorageUseManagedIdentity: the client id of a user-assigned managed identity.
        [string]$StorageManagedIdentityClientId,

        # The module's own storage access for the catalog (not SQL Server's credential): a Microsoft Entra access token for https://storage.azure.com/ (string or SecureString).
        [ValidateNotNull()]
        [object]$StorageAccessToken,

        # The module's own storage access for the catalog (not SQL Server's credential): a SAS for the container (l and r to list, d to delete, w to write metadata).
        [System.Security.SecureString]$StorageSasToken,

        # With a -Storage* access: the blob endpoint to send requests to instead of the account's (a private endpoint name or an emulator).
        [string]$StorageEndpoint,

        # With a -Storage* access: a PEM file with an extra certificate authority for the storage endpoint.
        [string]$StorageCertificateAuthorityFile,
        #end-storage-parameters

        [string]$Placeholder
    )
}
