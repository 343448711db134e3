# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Set-SqlUrlDscCredential {
    # SqlUrlCredential.Set(): creates, replaces or drops the credential. It checks the state itself
    # (DSC v3 adapters call Set() without Test()): nothing is sent when the credential exists with
    # the wanted identity and Force is off.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    Assert-SqlUrlDscCredential -Resource $Resource
    $found = Find-SqlUrlDscCredential -Resource $Resource
    $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $Resource
    if ($Resource.Ensure -eq 'Absent') {
        if ($null -eq $found) { Write-Verbose "$($Resource.ServerInstance): credential $($Resource.ContainerUrl) is already absent."; return }
        try {
            Remove-SqlUrlCredential @conn -Name $Resource.ContainerUrl -Force -Confirm:$false -ErrorAction Stop
        }
        catch {
            throw $Resource.NewError("dropping credential '$($Resource.ContainerUrl)' on '$($Resource.ServerInstance)'", $_)
        }
        return
    }
    if ($null -ne $found -and -not $Resource.Force -and (ConvertTo-SqlUrlDscIdentity -Kind ([string]$found.Kind)) -eq $Resource.Identity) {
        Write-Verbose "$($Resource.ServerInstance): credential $($Resource.ContainerUrl) is already present ($($Resource.Identity))."
        return
    }
    $newParams = @{ Url = $Resource.ContainerUrl; Confirm = $false; ErrorAction = 'Stop' }
    if ($Resource.Identity -eq 'SharedAccessSignature') { $newParams.SasToken = $Resource.SasToken.Password }
    # An existing credential (wrong kind, or Force) is replaced in place.
    if ($null -ne $found) { $newParams.Force = $true }
    $created = $null
    try {
        $created = New-SqlUrlCredential @conn @newParams
    }
    catch {
        throw $Resource.NewError("creating credential '$($Resource.ContainerUrl)' ($($Resource.Identity)) on '$($Resource.ServerInstance)'", $_)
    }
    if ($null -eq $created) {
        throw $Resource.NewError("creating credential '$($Resource.ContainerUrl)' on '$($Resource.ServerInstance)'", 'New-SqlUrlCredential returned no credential.')
    }
    Write-Verbose ('{0}: credential {1} {2}' -f $Resource.ServerInstance, $Resource.ContainerUrl, $created.Action)
}
