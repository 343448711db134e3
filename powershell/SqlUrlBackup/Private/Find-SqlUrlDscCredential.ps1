# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Find-SqlUrlDscCredential {
    # The credential named ContainerUrl (Get-SqlUrlCredential output), or nothing.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $Resource
    $list = $null
    try {
        $list = @(Get-SqlUrlCredential @conn -Url $Resource.ContainerUrl -ErrorAction Stop)
    }
    catch {
        throw $Resource.NewError("reading credential '$($Resource.ContainerUrl)' on '$($Resource.ServerInstance)'", $_)
    }
    # Get-SqlUrlCredential -Url also takes a blob URL or a trailing '/' and lists the credential of
    # its container; as a key, ContainerUrl must be the credential name itself.
    $list = @($list | Where-Object { $null -ne $_ })
    # The module names a credential with scheme and host in lower case (both case-insensitive;
    # container names are lower case by Azure's rule), so compare without case.
    foreach ($c in $list) {
        if ([string]::Equals([string]$c.Name, $Resource.ContainerUrl, [System.StringComparison]::OrdinalIgnoreCase)) { return $c }
    }
    if ($list.Count -gt 0) {
        throw [System.ArgumentException]::new(("SqlUrlCredential: ContainerUrl '{0}' is not a container URL; the credential for its container is named '{1}': use that as ContainerUrl (no trailing '/', no blob path)." -f (Hide-SqlUrlSecret -Text $Resource.ContainerUrl), $list[0].Name))
    }
}
