# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Set-SqlUrlDscRestoredDatabase {
    # SqlUrlRestoredDatabase.Set(): restores the database when it is absent, never over an existing
    # one. It checks the state itself (DSC v3 adapters call Set() without Test()).
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    $plan = Read-SqlUrlDscRestorePlan -Resource $Resource
    if ($plan.Exists) {
        if ($plan.State -ne 'ONLINE') {
            throw $Resource.NewError("restoring database '$($Resource.Database)' on '$($Resource.ServerInstance)'", ("the database exists but is {0}; it is never replaced. Recommended action: finish its restore (RESTORE DATABASE ... WITH RECOVERY) or drop it by hand, then run the configuration again." -f $plan.State))
        }
        Write-Verbose "$($Resource.ServerInstance): database $($Resource.Database) exists ($($plan.State)); nothing to restore."
        return
    }
    $restore = @{ Url = [string[]]$Resource.BackupUrl; Database = $Resource.Database; Confirm = $false; ErrorAction = 'Stop' }
    if ($Resource.Sequence) { $restore.Sequence = $true }
    if ($Resource.Checksum) { $restore.Checksum = $true }
    $stop = ConvertTo-SqlUrlDscStopAt -Resource $Resource
    if ($null -ne $stop) { $restore.StopAt = $stop }
    $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $Resource
    $ProgressPreference = 'SilentlyContinue'
    $result = $null
    try {
        # Never -Replace: if the database appeared since the check, the library refuses (DatabaseExists).
        $result = Restore-SqlUrlDatabase @conn @restore
    }
    catch {
        throw $Resource.NewError("restoring database '$($Resource.Database)' on '$($Resource.ServerInstance)'", $_)
    }
    if ($null -eq $result) {
        throw $Resource.NewError("restoring database '$($Resource.Database)' on '$($Resource.ServerInstance)'", 'Restore-SqlUrlDatabase returned no result.')
    }
    Write-Verbose ('{0}: database {1} restored from {2} backup URL(s).' -f $Resource.ServerInstance, $Resource.Database, @($Resource.BackupUrl).Count)
}
