# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Assert-SqlUrlDscCredential {
    # SqlUrlCredential's bad or contradictory properties: a clear error before anything reaches the server.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    if ([string]::IsNullOrWhiteSpace($Resource.ContainerUrl)) {
        throw [System.ArgumentException]::new('SqlUrlCredential: ContainerUrl is empty; give the container URL, e.g. https://account.blob.core.windows.net/backups.')
    }
    if ($Resource.Ensure -eq 'Absent') { return }
    if ($Resource.Identity -eq 'Other') {
        throw [System.ArgumentException]::new('SqlUrlCredential: Identity Other is reported by Get() only; set Identity to ManagedIdentity or SharedAccessSignature.')
    }
    $hasSas = $null -ne $Resource.SasToken -and $Resource.SasToken -ne [PSCredential]::Empty -and $Resource.SasToken.Password.Length -gt 0
    if ($Resource.Identity -eq 'SharedAccessSignature' -and -not $hasSas) {
        throw [System.ArgumentException]::new('SqlUrlCredential: Identity SharedAccessSignature needs SasToken (a PSCredential whose password is the SAS token; the user name is ignored).')
    }
    if ($Resource.Identity -eq 'ManagedIdentity' -and $hasSas) {
        throw [System.ArgumentException]::new('SqlUrlCredential: SasToken is used only with Identity SharedAccessSignature; remove it or set Identity = SharedAccessSignature.')
    }
}
