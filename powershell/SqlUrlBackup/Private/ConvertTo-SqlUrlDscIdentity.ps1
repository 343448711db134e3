# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function ConvertTo-SqlUrlDscIdentity {
    # Get-SqlUrlCredential's Kind (managed_identity, sas, s3, other) as SqlUrlCredential's Identity.
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowEmptyString()][string]$Kind)
    if ($Kind -eq 'managed_identity') { return 'ManagedIdentity' }
    if ($Kind -eq 'sas') { return 'SharedAccessSignature' }
    'Other'
}
