function ConvertTo-SqlUrlConnection {
    <#
    .SYNOPSIS
    The ONE place that turns the common connection parameters into the request's `connection` object.

    .DESCRIPTION
    Takes the calling cmdlet's bound parameters and one server name and returns the ordered
    hashtable the native library expects (docs/json-contract.md, "Requests"). Defaults live here:
    Encrypt Mandatory, certificate validation on, ConnectTimeout 15 s. Conflicting or incomplete
    authentication parameters throw an ArgumentException (the cmdlet turns it into a terminating
    error). The result holds secrets: never write it to any stream.
    #>
    [CmdletBinding()]
    [OutputType([System.Collections.Specialized.OrderedDictionary])]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$BoundParameters,
        [Parameter(Mandatory = $true)][string]$ServerInstance,
        # Integrated (Windows) authentication is offered only on Windows.
        [bool]$OnWindows = (Get-SqlUrlCurrentPlatform).Platform -eq 'Windows'
    )

    $hasCredential = $BoundParameters.ContainsKey('Credential') -and $null -ne $BoundParameters['Credential'] -and
        $BoundParameters['Credential'] -ne [System.Management.Automation.PSCredential]::Empty
    $hasToken = $BoundParameters.ContainsKey('AccessToken') -and $null -ne $BoundParameters['AccessToken']
    $useMi = $BoundParameters.ContainsKey('UseManagedIdentity') -and [bool]$BoundParameters['UseManagedIdentity']
    $chosen = @(@($hasCredential, $hasToken, $useMi) | Where-Object { $_ }).Count
    if ($chosen -gt 1) {
        throw [System.ArgumentException]::new('Use only one of -Credential, -AccessToken and -UseManagedIdentity.')
    }
    if ($BoundParameters.ContainsKey('ManagedIdentityClientId') -and -not $useMi) {
        throw [System.ArgumentException]::new('-ManagedIdentityClientId needs -UseManagedIdentity.')
    }

    if ($hasCredential) {
        $cred = [System.Management.Automation.PSCredential]$BoundParameters['Credential']
        $user = $cred.UserName
        if ($user.StartsWith('\')) { $user = $user.Substring(1) }
        $auth = [ordered]@{ kind = 'sql'; user = $user; password = $cred.GetNetworkCredential().Password }
    }
    elseif ($hasToken) {
        $raw = $BoundParameters['AccessToken']
        if ($raw -is [System.Security.SecureString]) {
            $token = [System.Net.NetworkCredential]::new('', $raw).Password
        }
        elseif ($raw -is [string]) {
            $token = $raw
        }
        elseif ($null -ne $raw.PSObject.Properties['Token']) {
            # Get-AzAccessToken output: .Token is a string (Az < 14) or a SecureString (Az 14+).
            $t = $raw.Token
            $token = if ($t -is [System.Security.SecureString]) { [System.Net.NetworkCredential]::new('', $t).Password } else { [string]$t }
        }
        else {
            throw [System.ArgumentException]::new('-AccessToken takes a string, a SecureString or the output of Get-AzAccessToken.')
        }
        if ([string]::IsNullOrWhiteSpace($token)) { throw [System.ArgumentException]::new('-AccessToken is empty.') }
        $auth = [ordered]@{ kind = 'access_token'; token = $token }
    }
    elseif ($useMi) {
        $clientId = $null
        if ($BoundParameters.ContainsKey('ManagedIdentityClientId') -and $BoundParameters['ManagedIdentityClientId']) {
            $clientId = [string]$BoundParameters['ManagedIdentityClientId']
        }
        $auth = [ordered]@{ kind = 'managed_identity'; client_id = $clientId; object_id = $null; resource_id = $null }
    }
    elseif ($OnWindows) {
        $auth = [ordered]@{ kind = 'integrated' }
    }
    else {
        throw [System.ArgumentException]::new('Specify -Credential, -AccessToken or -UseManagedIdentity: Windows (integrated) authentication is available only on Windows.')
    }

    $encrypt = 'mandatory'
    if ($BoundParameters.ContainsKey('Encrypt') -and $BoundParameters['Encrypt']) { $encrypt = ([string]$BoundParameters['Encrypt']).ToLowerInvariant() }
    $timeout = 15
    if ($BoundParameters.ContainsKey('ConnectTimeout') -and $BoundParameters['ConnectTimeout'] -gt 0) { $timeout = [int]$BoundParameters['ConnectTimeout'] }
    $hostName = $null
    if ($BoundParameters.ContainsKey('HostNameInCertificate') -and $BoundParameters['HostNameInCertificate']) { $hostName = [string]$BoundParameters['HostNameInCertificate'] }
    $caFile = $null
    if ($BoundParameters.ContainsKey('CertificateAuthorityFile') -and $BoundParameters['CertificateAuthorityFile']) {
        $caFile = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath([string]$BoundParameters["CertificateAuthorityFile"])
        if (-not [System.IO.File]::Exists($caFile)) { throw [System.ArgumentException]::new("-CertificateAuthorityFile: '$caFile' does not exist.") }
    }

    [ordered]@{
        server                   = $ServerInstance
        database                 = 'master'
        auth                     = $auth
        encrypt                  = $encrypt
        trust_server_certificate = $BoundParameters.ContainsKey('TrustServerCertificate') -and [bool]$BoundParameters['TrustServerCertificate']
        host_name_in_certificate = $hostName
        ca_file                  = $caFile
        connect_timeout_s        = $timeout
        command_timeout_s        = 30
    }
}
