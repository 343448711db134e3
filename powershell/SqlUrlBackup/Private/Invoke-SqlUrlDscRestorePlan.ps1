# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Invoke-SqlUrlDscRestorePlan {
    # The restore planner's dry run (the same request Restore-SqlUrlDatabase sends, dry_run true,
    # never replace): reads the backup header(s), checks whether the target database exists, and
    # plans the file relocation. Sends no change. Returns {Exists, State, Statements} or throws
    # the module's ErrorRecord. Used instead of Restore-SqlUrlDatabase -WhatIf because -WhatIf
    # writes its message to the host, which would corrupt the DSC v3 adapter's JSON on stdout.
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][hashtable]$Connection,
        [Parameter(Mandatory = $true)][string[]]$Url,
        [Parameter(Mandatory = $true)][string]$Database,
        [bool]$Sequence,
        [Nullable[datetime]]$StopAt
    )
    $server = [string]$Connection.ServerInstance
    $request = [ordered]@{
        connection = (ConvertTo-SqlUrlConnection -BoundParameters $Connection -ServerInstance $server)
        urls       = [string[]]$Url
        sequence   = $Sequence
        database   = $Database
        replace    = $false
        recovery   = $true
        stop_at    = $null
        checksum   = $false
        move       = $null
        relocate   = $true
        dry_run    = $true
    }
    # The same point in time as Restore-SqlUrlDatabase -StopAt sends in Set() (kind and milliseconds kept).
    if ($null -ne $StopAt) { $request.stop_at = ConvertTo-SqlUrlPointInTime $StopAt }
    $outcome = Invoke-SqlUrlOperation -Function 'sqlurl_restore_start' -Request $request -ServerInstance $server -Activity 'Restore from URL (dry run)' -NoProgress -TargetObject $Database
    $split = Resolve-SqlUrlOperationResult -Outcome $outcome -ServerInstance $server -Database $Database
    foreach ($e in @($split.Errors)) {
        if ([string]$e.FullyQualifiedErrorId -like 'SqlUrlBackup.DatabaseExists*') {
            # "Database 'X' already exists (state ONLINE); nothing was restored. ..."
            $state = 'EXISTS'
            if ($e.Exception.Message -match '\(state ([A-Z_]+)\)') { $state = $Matches[1] }
            return [pscustomobject]@{ Exists = $true; State = $state; Statements = @() }
        }
    }
    if (@($split.Errors).Count -gt 0) { throw @($split.Errors)[0] }
    if (-not $outcome.Succeeded) { throw 'the restore planner answered without a result.' }
    [pscustomobject]@{ Exists = $false; State = $null; Statements = @(Get-SqlUrlStatement -Output $outcome.Output) }
}
