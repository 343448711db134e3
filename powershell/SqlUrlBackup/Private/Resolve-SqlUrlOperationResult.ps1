function Resolve-SqlUrlOperationResult {
    <#
    .SYNOPSIS
    Splits a finished operation into per-database results and per-database ErrorRecords.

    .DESCRIPTION
    A database that failed is one non-terminating error (its own ErrorId/category/action) and the
    other databases still report. When the whole operation failed before any database reported
    (connection lost, cancelled, ...), there is one error for the operation, targeted at the requested databases.
    Returns {Results = entries without error; Errors = ErrorRecords}.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Outcome,
        [Parameter(Mandatory = $true)][string]$ServerInstance,
        [string[]]$Database
    )
    $results = New-Object System.Collections.Generic.List[object]
    $errors = New-Object System.Collections.Generic.List[System.Management.Automation.ErrorRecord]
    $entries = @()
    if ($null -ne $Outcome.Output) { $entries = @($Outcome.Output.results | Where-Object { $null -ne $_ }) }

    foreach ($entry in $entries) {
        if ($null -ne $entry.error) {
            $code = if ($Outcome.Code -ne 0 -and $Outcome.Code -ne 10) { $Outcome.Code } else { 3 }
            $rec = New-SqlUrlErrorRecord -ErrorObject $entry.error -ResultCode $code -ServerInstance $ServerInstance -TargetObject ([string]$entry.database)
            $errors.Add($rec)
        }
        else {
            $results.Add($entry)
        }
    }
    if ($entries.Count -eq 0 -and -not $Outcome.Succeeded) {
        $rec = $Outcome.ErrorRecord
        if ($null -eq $rec) {
            $rec = New-SqlUrlErrorRecord -ErrorObject $null -ResultCode $Outcome.Code -ServerInstance $ServerInstance
        }
        $errors.Add($rec)
    }
    elseif ($entries.Count -eq 0 -and $null -ne $Outcome.Output -and $Outcome.Output.state -and @('failed', 'cancelled') -contains [string]$Outcome.Output.state) {
        $kind = if ($Outcome.Output.state -eq 'cancelled') { 'Cancelled' } else { 'Internal' }
        $msg = @($Outcome.Output.messages | Where-Object { $_ }) -join ' '
        if (-not $msg) { $msg = "The operation ended with state '$($Outcome.Output.state)' and reported no results." }
        $errors.Add((New-SqlUrlErrorRecord -ErrorObject ([pscustomobject]@{ kind = $kind; category = 'OperationStopped'; message = $msg }) -ResultCode 6 -ServerInstance $ServerInstance -TargetObject ($Database -join ', ')))
    }
    [pscustomobject]@{ Results = $results.ToArray(); Errors = $errors.ToArray() }
}
