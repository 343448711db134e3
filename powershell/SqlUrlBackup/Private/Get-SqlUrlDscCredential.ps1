# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Get-SqlUrlDscCredential {
    # SqlUrlCredential.Get(): the credential for ContainerUrl as the server has it, with Reasons.
    # SasToken and Credential stay $null: secrets are never returned.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    Assert-SqlUrlDscCredential -Resource $Resource
    $found = Find-SqlUrlDscCredential -Resource $Resource
    $state = [SqlUrlCredential]::new()
    Copy-SqlUrlDscConnection -From $Resource -To $state
    $state.ContainerUrl = Hide-SqlUrlSecret -Text $Resource.ContainerUrl
    $state.Force = $Resource.Force
    if ($null -eq $found) {
        $state.Ensure = 'Absent'
        $state.Identity = $Resource.Identity
    }
    else {
        $state.Ensure = 'Present'
        $state.Identity = ConvertTo-SqlUrlDscIdentity -Kind ([string]$found.Kind)
        $state.CredentialIdentity = [string]$found.Identity
    }
    $state.Reasons = [SqlUrlBackupReason[]]@(Compare-SqlUrlDscCredential -Resource $Resource -State $state)
    $state
}
