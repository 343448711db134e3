# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Read-SqlUrlDscRestorePlan {
    # Whether SqlUrlRestoredDatabase's database exists (Get-SqlUrlDatabase, read-only) and, when it
    # does not, the restore planner's dry run for it: {Exists, State, Statements}. Bad properties
    # are clear errors before anything is sent.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    if ([string]::IsNullOrWhiteSpace($Resource.Database)) {
        throw [System.ArgumentException]::new('SqlUrlRestoredDatabase: Database is empty; give the name the database must have on the server.')
    }
    $urls = @($Resource.BackupUrl | Where-Object { -not [string]::IsNullOrWhiteSpace($_) })
    if ($urls.Count -eq 0) {
        throw [System.ArgumentException]::new('SqlUrlRestoredDatabase: BackupUrl is empty; give the blob URL(s) of the backup to restore from (restoring by container and point in time needs a backup catalog, which the module does not have yet).')
    }
    foreach ($u in $urls) {
        if ($u.Contains('?')) {
            throw [System.ArgumentException]::new(('SqlUrlRestoredDatabase: BackupUrl ''{0}'' carries a query string; give the plain blob URL (the server uses its credential for the container, never a SAS in the URL).' -f (Hide-SqlUrlSecret -Text $u)))
        }
    }
    $stop = ConvertTo-SqlUrlDscStopAt -Resource $Resource
    $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $Resource
    $found = $null
    try {
        # -Database takes wildcards (* and ?): keep only the exact name (case-insensitive, as SQL Server's default collation).
        $found = @(Get-SqlUrlDatabase @conn -Database $Resource.Database -ErrorAction Stop | Where-Object { $null -ne $_ -and [string]::Equals([string]$_.Name, $Resource.Database, [System.StringComparison]::OrdinalIgnoreCase) })
    }
    catch {
        throw $Resource.NewError("reading database '$($Resource.Database)' on '$($Resource.ServerInstance)'", $_)
    }
    if ($found.Count -gt 0) {
        return [pscustomobject]@{ Exists = $true; State = [string]$found[0].State; Statements = @() }
    }
    try {
        Invoke-SqlUrlDscRestorePlan -Connection $conn -Url ([string[]]$urls) -Database $Resource.Database -Sequence $Resource.Sequence -StopAt $stop
    }
    catch {
        throw $Resource.NewError("reading the backup of database '$($Resource.Database)' on '$($Resource.ServerInstance)'", $_)
    }
}
