# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Get-SqlUrlDscRestoredDatabase {
    # SqlUrlRestoredDatabase.Get(): whether the database exists (and its state) or, when it does
    # not, the RESTORE statements Set() would run, with Reasons.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    $plan = Read-SqlUrlDscRestorePlan -Resource $Resource
    $state = [SqlUrlRestoredDatabase]::new()
    Copy-SqlUrlDscConnection -From $Resource -To $state
    $state.Database = $Resource.Database
    $state.BackupUrl = [string[]](Hide-SqlUrlSecret -Text $Resource.BackupUrl)
    $state.Sequence = $Resource.Sequence
    $state.StopAt = $Resource.StopAt
    $state.Checksum = $Resource.Checksum
    $why = @()
    if ($plan.Exists) {
        $state.Ensure = 'Present'
        $state.DatabaseState = [string]$plan.State
        if ($plan.State -ne 'ONLINE') {
            $why += $Resource.NewReason('State', ("The database '{0}' on '{1}' exists but is {2}, not ONLINE; it is never replaced: finish its restore (RESTORE DATABASE [{0}] WITH RECOVERY) or drop it by hand." -f $Resource.Database, $Resource.ServerInstance, $plan.State))
        }
    }
    else {
        $state.Ensure = 'Absent'
        $state.PlannedStatements = [string[]]@($plan.Statements)
        $why += $Resource.NewReason('Database', ("The database '{0}' does not exist on '{1}'; Set() restores it from {2} backup URL(s): {3}" -f $Resource.Database, $Resource.ServerInstance, @($Resource.BackupUrl).Count, (@($plan.Statements) -join ' ')))
    }
    $state.Reasons = [SqlUrlBackupReason[]]$why
    $state
}
