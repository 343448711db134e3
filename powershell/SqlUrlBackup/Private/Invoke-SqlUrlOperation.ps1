function Write-SqlUrlProgress {
    <#
    .SYNOPSIS
    Shows an OperationStatus as progress: percent, time left, and the database(s) at work.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Activity,
        [Parameter(Mandatory = $true)][int]$Id,
        [AllowNull()][object]$Status
    )
    if ($null -eq $Status) { return }
    $items = @($Status.items | Where-Object { $null -ne $_ })
    $running = @($items | Where-Object { $_.state -eq 'running' } | ForEach-Object { [string]$_.database })
    $percent = -1
    if ($null -ne $Status.percent_complete) { $percent = [int][math]::Min(100, [math]::Max(0, [double]$Status.percent_complete)) }
    $text = if ($running.Count -gt 0) { $running -join ', ' } else { [string]$Status.state }
    if ($percent -ge 0) { $text = '{0}: {1}% complete' -f $text, $percent }
    $p = @{ Activity = (Hide-SqlUrlSecret -Text $Activity); Id = $Id; Status = (Hide-SqlUrlSecret -Text $text); PercentComplete = $percent }
    if ($null -ne $Status.estimated_seconds_left) { $p.SecondsRemaining = [int][math]::Ceiling([double]$Status.estimated_seconds_left) }
    if ($running.Count -gt 0) { $p.CurrentOperation = 'Database {0}' -f ($running -join ', ') }
    Write-Progress @p
    if ($items.Count -gt 1) {
        $i = 0
        foreach ($item in $items) {
            $i++
            $ip = -1
            if ($null -ne $item.percent_complete) { $ip = [int][math]::Min(100, [math]::Max(0, [double]$item.percent_complete)) }
            Write-Progress -Activity ([string]$item.database) -Id ($Id + $i) -ParentId $Id -Status ([string]$item.state) -PercentComplete $ip
        }
    }
}

function Invoke-SqlUrlOperation {
    <#
    .SYNOPSIS
    Starts a backup/restore operation, shows its progress until it ends, and cancels it on the
    server if the pipeline stops (Ctrl+C, Stop-Job, -ErrorAction Stop upstream, ...).

    .DESCRIPTION
    Returns {Succeeded, Code, Output (final OperationStatus), ErrorRecord}. The cancel path is a
    `finally` (Windows PowerShell 5.1 has no `clean {}` block): when the loop did not see the
    operation end, it calls sqlurl_operation_cancel, waits a bounded time for the server to
    acknowledge, then frees the handle.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][ValidateSet('sqlurl_backup_start', 'sqlurl_restore_start', 'sqlurl_restore_drill_start')][string]$Function,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Request,
        [Parameter(Mandatory = $true)][string]$ServerInstance,
        [Parameter(Mandatory = $true)][string]$Activity,
        [object]$TargetObject,
        [int]$ProgressId = 1,
        [switch]$NoProgress,
        # Called with each item's result as soon as that item is final (streams results while
        # other items still run); what it outputs goes to this function's output before the outcome.
        [scriptblock]$OnItemResult,
        # How long each native wait blocks before progress is refreshed and Ctrl+C is noticed.
        [ValidateRange(50, 5000)][int]$PollMilliseconds = 500,
        # Bound on waiting for the server to acknowledge a cancel.
        [ValidateRange(0, 600000)][int]$CancelWaitMilliseconds = 15000
    )
    $native = Get-SqlUrlNativeLibrary
    Write-Verbose ("{0} on {1}" -f $Function, $ServerInstance)
    $startResult = $null
    try {
        $op = $native.Start($Function, (ConvertTo-SqlUrlRequestJson -Request $Request), [ref]$startResult)
    }
    catch [System.EntryPointNotFoundException] {
        $startResult = [pscustomobject]@{ Code = 7; Json = (ConvertTo-Json -Compress -InputObject @{
                    contract_version = 1; error = @{ kind = 'NotSupported'; category = 'NotImplemented'; message = $_.Exception.Message
                        recommended_action = 'Install a module version whose native library provides this function.' }
                }) }
        $op = $null
    }
    if ($null -eq $op) {
        # No handle: the start failed (the output holds the error), or a dry run answered at once.
        return (ConvertFrom-SqlUrlNativeResult -Result $startResult -ServerInstance $ServerInstance -TargetObject $TargetObject)
    }

    $final = $null
    $seen = New-Object 'System.Collections.Generic.HashSet[int]'
    try {
        Wait-SqlUrlNativeOperation -Operation $op -ServerInstance $ServerInstance -TargetObject $TargetObject -PollMilliseconds $PollMilliseconds -CancelWaitMilliseconds $CancelWaitMilliseconds | ForEach-Object {
            $r = $_
            if ($OnItemResult -and $null -ne $r.Output -and $null -ne $r.Output.PSObject.Properties['items']) {
                $items = @($r.Output.items)
                for ($i = 0; $i -lt $items.Count; $i++) {
                    if ($null -ne $items[$i] -and $null -ne $items[$i].PSObject.Properties['result'] -and $seen.Add($i)) { & $OnItemResult $items[$i].result }
                }
            }
            if (-not $r.Pending) { $final = $r }
            elseif (-not $NoProgress) { Write-SqlUrlProgress -Activity $Activity -Id $ProgressId -Status $r.Output }
        }
    }
    finally {
        if (-not $NoProgress) {
            try { Write-Progress -Activity $Activity -Id $ProgressId -Completed } catch { $null = $_ }
        }
    }
    $final
}
