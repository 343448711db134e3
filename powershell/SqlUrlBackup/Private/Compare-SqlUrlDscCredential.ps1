# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Compare-SqlUrlDscCredential {
    # What differs between the desired SqlUrlCredential and its current $State, as Reasons (none =
    # in the desired state).
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Resource,
        [Parameter(Mandatory = $true)][object]$State
    )
    if ($Resource.Ensure -ne $State.Ensure) {
        $Resource.NewReason('Ensure', ("The credential '{0}' should be {1} but is {2}." -f $Resource.ContainerUrl, $Resource.Ensure, $State.Ensure))
    }
    elseif ($Resource.Ensure -eq 'Present') {
        if ($Resource.Identity -ne $State.Identity) {
            $Resource.NewReason('Identity', ("The credential '{0}' should use {1} but uses {2} (IDENTITY = '{3}')." -f $Resource.ContainerUrl, $Resource.Identity, $State.Identity, $State.CredentialIdentity))
        }
        elseif ($Resource.Force) {
            $Resource.NewReason('Force', ("Force is set: the credential '{0}' is re-created on every run (its secret cannot be read back)." -f $Resource.ContainerUrl))
        }
    }
}
