function New-SqlUrlReportModel {
    <#
    .SYNOPSIS
    From backup sets (ConvertTo-SqlUrlReportSet records) to the backup report's model: per server and
    database the sets in the window, breaks in the log chain, missed log schedules, the newest
    restore point and the recovery point objective now; a summary on top. Pure: no I/O.

    .DESCRIPTION
    Chain: the complete, non-copy-only log backups of a database in first-LSN order; a log whose
    first LSN is beyond the previous log's last LSN is a break (a restore cannot cross it). A set
    with missing stripes is not usable and does not bridge anything.
    Missed schedule: two consecutive log backups further apart than twice the expected interval
    (-LogIntervalMinutes, or the median interval of the database's log backups), and the time since
    the last log backup when that is longer.
    Newest restore point: from the newest complete full backup, its newest differential, then the
    log backups that continue the chain without a break; the finish time of the last of them.
    RPO now: minutes from the newest restore point to -Now (no restore point: null, and over).
    Databases over -RpoMinutes, or without a restore point, come first.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$Set,
        [Parameter(Mandatory = $true)][datetime]$Now,
        [ValidateRange(1, 366)][int]$Days = 14,
        [ValidateRange(1, 525600)][int]$RpoMinutes = 60,
        [ValidateRange(0, 3660)][int]$RetentionDays = 0,
        [ValidateRange(0, 10080)][int]$LogIntervalMinutes = 0
    )
    $windowStart = $Now.AddDays(-$Days)
    $groups = @{}
    $order = New-Object System.Collections.Generic.List[string]
    foreach ($s in $Set) {
        $key = ($s.Server + [char]0 + $s.Database).ToLowerInvariant()
        if (-not $groups.ContainsKey($key)) { $groups[$key] = New-Object System.Collections.Generic.List[object]; $order.Add($key) }
        $groups[$key].Add($s)
    }

    $databases = foreach ($key in $order) {
        $all = @($groups[$key] | Sort-Object Finish)
        $first = $all[0]
        $usable = @($all | Where-Object { $_.Complete })
        $logs = @($usable | Where-Object { $_.Type -eq 'log' -and -not $_.CopyOnly -and $null -ne $_.FirstLsn -and $null -ne $_.LastLsn } | Sort-Object FirstLsn)
        $gaps = New-Object System.Collections.Generic.List[object]

        # Log chain breaks.
        for ($i = 1; $i -lt $logs.Count; $i++) {
            $a = $logs[$i - 1]; $b = $logs[$i]
            if ($b.FirstLsn -gt $a.LastLsn) {
                $between = @($all | Where-Object { $_.Type -eq 'log' -and -not $_.Complete -and $_.FirstLsn -ge $a.LastLsn -and $_.FirstLsn -lt $b.FirstLsn })
                $why = if ($between.Count -gt 0) { "log backup $($between[0].BackupSetId) between them is incomplete (missing stripes: $(@($between[0].MissingStripes) -join ', '))" } else { 'no log backup covers these LSNs' }
                $gaps.Add([pscustomobject]@{
                        Kind = 'ChainBreak'; From = $a.Finish; To = $b.Start; Open = $false
                        Minutes = [math]::Round(($b.Start - $a.Finish).TotalMinutes, 1)
                        FromLsn = [string]$a.LastLsn; ToLsn = [string]$b.FirstLsn
                        Detail = "Log chain break: the log backup finished $($a.Finish.ToString('yyyy-MM-dd HH:mm')) ends at LSN $($a.LastLsn), the next one starts at LSN $($b.FirstLsn); $why. No point in time between them can be restored."
                    })
            }
        }

        # Missed log schedules.
        $byTime = @($logs | Sort-Object Finish)
        $expected = $null
        if ($LogIntervalMinutes -gt 0) { $expected = [double]$LogIntervalMinutes }
        elseif ($byTime.Count -ge 3) {
            $intervals = @(for ($i = 1; $i -lt $byTime.Count; $i++) { ($byTime[$i].Finish - $byTime[$i - 1].Finish).TotalMinutes }) | Sort-Object
            $expected = [double]$intervals[[int][math]::Floor($intervals.Count / 2)]
        }
        if ($null -ne $expected -and $expected -gt 0) {
            for ($i = 1; $i -lt $byTime.Count; $i++) {
                $a = $byTime[$i - 1]; $b = $byTime[$i]
                $m = ($b.Finish - $a.Finish).TotalMinutes
                if ($m -gt 2 * $expected -and -not ($b.FirstLsn -gt $a.LastLsn)) {
                    $gaps.Add([pscustomobject]@{
                            Kind = 'MissedSchedule'; From = $a.Finish; To = $b.Finish; Open = $false; Minutes = [math]::Round($m, 1)
                            FromLsn = [string]$a.LastLsn; ToLsn = [string]$b.FirstLsn
                            Detail = ("No log backup for {0:n0} minutes ({1} to {2}; expected every {3:n0} minutes). The chain is intact, but the exposure was longer than planned." -f $m, $a.Finish.ToString('yyyy-MM-dd HH:mm'), $b.Finish.ToString('yyyy-MM-dd HH:mm'), $expected)
                        })
                }
            }
            if ($byTime.Count -gt 0) {
                $last = $byTime[$byTime.Count - 1]
                $m = ($Now - $last.Finish).TotalMinutes
                if ($m -gt 2 * $expected) {
                    $gaps.Add([pscustomobject]@{
                            Kind = 'MissedSchedule'; From = $last.Finish; To = $Now; Open = $true; Minutes = [math]::Round($m, 1)
                            FromLsn = [string]$last.LastLsn; ToLsn = ''
                            Detail = ("No log backup since {0} ({1:n0} minutes; expected every {2:n0} minutes)." -f $last.Finish.ToString('yyyy-MM-dd HH:mm'), $m, $expected)
                        })
                }
            }
        }

        # Newest restore point: newest complete full, its newest differential, then unbroken logs.
        $restorePoint = $null; $restoreVia = @()
        $fulls = @($usable | Where-Object { $_.Type -eq 'full' } | Sort-Object Finish -Descending)
        if ($fulls.Count -gt 0) {
            $full = $fulls[0]
            $restorePoint = $full.Finish; $lsn = $full.LastLsn; $restoreVia = @('full')
            $diffs = @($usable | Where-Object {
                    $_.Type -eq 'differential' -and $_.Finish -gt $full.Finish -and
                    ($null -eq $_.DifferentialBaseLsn -or $null -eq $full.CheckpointLsn -or $_.DifferentialBaseLsn -eq $full.CheckpointLsn)
                } | Sort-Object Finish -Descending)
            if ($diffs.Count -gt 0) { $restorePoint = $diffs[0].Finish; $lsn = $diffs[0].LastLsn; $restoreVia += 'differential' }
            $logCount = 0
            if ($null -ne $lsn) {
                foreach ($l in $logs) {
                    if ($l.LastLsn -le $lsn) { continue }
                    if ($l.FirstLsn -gt $lsn) { break }
                    $lsn = $l.LastLsn; $restorePoint = $l.Finish; $logCount++
                }
            }
            if ($logCount -gt 0) { $restoreVia += "$logCount log" }
        }
        $oldestRestorePoint = $null
        $oldestFull = @($usable | Where-Object { $_.Type -eq 'full' } | Sort-Object Finish)
        if ($oldestFull.Count -gt 0) { $oldestRestorePoint = $oldestFull[0].Finish }

        $rpo = if ($null -ne $restorePoint) { [math]::Round(($Now - $restorePoint).TotalMinutes, 1) } else { $null }
        $lastLog = if ($byTime.Count -gt 0) { $byTime[$byTime.Count - 1].Finish } else { $null }
        $over = ($null -eq $rpo) -or ($rpo -gt $RpoMinutes)
        $inWindow = @($all | Where-Object { $_.Finish -ge $windowStart -and $_.Start -le $Now })
        $gapsInWindow = @($gaps | Where-Object { $_.To -ge $windowStart } | Sort-Object From)
        $incomplete = @($inWindow | Where-Object { -not $_.Complete })
        $problems = @($inWindow | Where-Object { @($_.Problems).Count -gt 0 } | ForEach-Object { foreach ($p in $_.Problems) { "$($_.Type) $($_.Finish.ToString('yyyy-MM-dd HH:mm')): $p" } })
        $status = if ($null -eq $restorePoint) { 'NoRestorePoint' }
        elseif ($over) { 'OverRpo' }
        elseif (@($gapsInWindow | Where-Object { $_.Kind -eq 'ChainBreak' }).Count -gt 0) { 'ChainBreak' }
        elseif ($gapsInWindow.Count -gt 0) { 'MissedSchedule' }
        elseif ($incomplete.Count -gt 0) { 'IncompleteSet' }
        else { 'OK' }
        $stored = [int64]0; foreach ($s in $inWindow) { $stored += $s.StoredBytes }

        [pscustomobject]@{
            Server                     = $(if ($first.Server) { $first.Server } else { '(no server name)' })
            Database                   = $first.Database
            Status                     = $status
            OverRpo                    = $over
            RpoMinutes                 = $rpo
            NewestRestorePoint         = $restorePoint
            RestorePath                = ($restoreVia -join ' + ')
            OldestRestorePoint         = $oldestRestorePoint
            LastFull                   = $(if ($fulls.Count -gt 0) { $fulls[0].Finish } else { $null })
            LastLog                    = $lastLog
            ExpectedLogIntervalMinutes = $expected
            FullCount                  = @($inWindow | Where-Object { $_.Type -eq 'full' }).Count
            DifferentialCount          = @($inWindow | Where-Object { $_.Type -eq 'differential' }).Count
            LogCount                   = @($inWindow | Where-Object { $_.Type -eq 'log' }).Count
            IncompleteCount            = $incomplete.Count
            StoredBytes                = $stored
            Gaps                       = $gapsInWindow
            Problems                   = [string[]]$problems
            Sets                       = $inWindow
        }
    }
    $databases = @($databases)

    $servers = foreach ($g in @($databases | Group-Object Server)) {
        # Over-RPO first (worst RPO first), then by name.
        $dbs = @($g.Group | Sort-Object @{ Expression = { [int](-not $_.OverRpo) } }, @{ Expression = { if ($_.OverRpo) { -1 * [double]$(if ($null -eq $_.RpoMinutes) { [double]::MaxValue } else { $_.RpoMinutes }) } else { 0 } } }, Database)
        [pscustomobject]@{
            Server            = $g.Name
            DatabaseCount     = $dbs.Count
            OverRpoCount      = @($dbs | Where-Object { $_.OverRpo }).Count
            ChainBreakCount   = @($dbs | ForEach-Object { $_.Gaps } | Where-Object { $_.Kind -eq 'ChainBreak' }).Count
            MissedCount       = @($dbs | ForEach-Object { $_.Gaps } | Where-Object { $_.Kind -eq 'MissedSchedule' }).Count
            Databases         = $dbs
        }
    }
    $servers = @($servers | Sort-Object @{ Expression = { [int]($_.OverRpoCount -eq 0) } }, Server)

    $horizon = if ($RetentionDays -gt 0) { $Now.AddDays(-$RetentionDays) } else { $null }
    $allSets = 0; $stored = [int64]0
    foreach ($d in $databases) { $allSets += @($d.Sets).Count; $stored += $d.StoredBytes }
    [pscustomobject]@{
        GeneratedAt      = $Now
        WindowStart      = $windowStart
        WindowEnd        = $Now
        Days             = $Days
        RpoMinutes       = $RpoMinutes
        RetentionDays    = $RetentionDays
        RetentionHorizon = $horizon
        Summary          = [pscustomobject]@{
            Servers         = $servers.Count
            Databases       = $databases.Count
            OverRpo         = @($databases | Where-Object { $_.OverRpo }).Count
            ChainBreaks     = @($servers | ForEach-Object { $_.ChainBreakCount } | Measure-Object -Sum).Sum + 0
            MissedSchedules = @($servers | ForEach-Object { $_.MissedCount } | Measure-Object -Sum).Sum + 0
            IncompleteSets  = @($databases | ForEach-Object { $_.IncompleteCount } | Measure-Object -Sum).Sum + 0
            Sets            = $allSets
            StoredBytes     = $stored
        }
        Servers          = $servers
    }
}
