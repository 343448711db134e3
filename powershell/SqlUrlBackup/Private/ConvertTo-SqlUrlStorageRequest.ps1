function ConvertTo-SqlUrlStorageRequest {
    <#
    .SYNOPSIS
    The request's `storage` object (the module's own access to Blob Storage, not SQL Server's
    credential) from a cmdlet's -Storage* parameters; $null when none was given.

    .DESCRIPTION
    -StorageSasToken, -StorageAccessToken and -StorageUseManagedIdentity are alternatives; giving
    more than one throws. The result holds a secret: it goes only into a native request.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$ContainerUrl,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$BoundParameters,
        [switch]$Required
    )
    $b = $BoundParameters
    $given = @(@($b.ContainsKey('StorageSasToken'), $b.ContainsKey('StorageAccessToken'), [bool]$b['StorageUseManagedIdentity']) | Where-Object { $_ }).Count
    if ($given -gt 1) { throw 'Use only one of -StorageSasToken, -StorageAccessToken and -StorageUseManagedIdentity.' }
    if ($given -eq 0) {
        if ($Required) { throw 'Give the storage access to use: -StorageUseManagedIdentity, -StorageAccessToken (an Entra token for https://storage.azure.com/) or -StorageSasToken.' }
        return $null
    }
    if ($b.ContainsKey('StorageSasToken')) {
        $auth = [ordered]@{ kind = 'sas'; sas = [System.Net.NetworkCredential]::new('', [System.Security.SecureString]$b['StorageSasToken']).Password }
    }
    elseif ($b.ContainsKey('StorageAccessToken')) {
        $t = $b['StorageAccessToken']
        $t = if ($t -is [System.Security.SecureString]) { [System.Net.NetworkCredential]::new('', $t).Password } else { [string]$t }
        $auth = [ordered]@{ kind = 'token'; token = $t }
    }
    else {
        $auth = [ordered]@{ kind = 'managed_identity' }
        $clientId = if ($b['StorageManagedIdentityClientId']) { $b['StorageManagedIdentityClientId'] } else { $b['ManagedIdentityClientId'] }
        if ($clientId) { $auth.client_id = [string]$clientId }
    }
    $storage = [ordered]@{ container_url = $ContainerUrl.TrimEnd('/'); auth = $auth }
    if ($b['StorageEndpoint']) { $storage.endpoint = [string]$b['StorageEndpoint'] }
    if ($b['StorageCertificateAuthorityFile']) { $storage.ca_file = [string]$b['StorageCertificateAuthorityFile'] }
    $storage
}
