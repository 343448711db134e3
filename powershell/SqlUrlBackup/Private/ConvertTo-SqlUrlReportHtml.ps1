function ConvertTo-SqlUrlReportHtml {
    <#
    .SYNOPSIS
    Renders the backup report model (New-SqlUrlReportModel) as ONE self-contained HTML page: inline
    CSS and SVG, no script, no font, no network; readable from a mail attachment.

    .DESCRIPTION
    A summary table and the databases needing attention on top; then one <details> per server
    (servers with a database that is not OK open, the others collapsed) holding one row per
    database: status, newest restore point, RPO now and an SVG timeline of the window (full and
    differential sets one by one; log sets grouped per time slot so that 200 databases x 14 days
    stay light), chain breaks and missed schedules in the warning colour, the retention horizon as
    a dashed line. Every element has an SVG <title> (the browser's hover tooltip) with type, size,
    stripes, duration and URL (query string masked). Every value from the catalog (server,
    database, URL, problem text) is HTML-encoded.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][object]$Model)

    $inv = [System.Globalization.CultureInfo]::InvariantCulture
    $W = 720.0; $H = 22
    $t0 = $Model.WindowStart; $t1 = $Model.WindowEnd
    $span = ($t1 - $t0).TotalMinutes
    # Log sets are grouped per slot: at least 15 minutes, and no more than 120 slots in the window
    # (14 days: 168-minute slots, 6 px wide). Keeps 200 databases x 14 days near 10 MB of HTML.
    $slot = [math]::Max(15.0, [math]::Ceiling($span / 120.0))
    $enc = { param($v) [System.Net.WebUtility]::HtmlEncode([string]$v) }
    $fmtTime = { param($v) if ($null -eq $v) { '-' } else { ([datetime]$v).ToString('yyyy-MM-dd HH:mm', $inv) } }
    $fmtBytes = {
        param($v)
        if ($null -eq $v) { return '-' }
        $b = [double]$v; $units = @('B', 'KB', 'MB', 'GB', 'TB'); $i = 0
        while ($b -ge 1024 -and $i -lt 4) { $b /= 1024; $i++ }
        if ($i -eq 0) { "$([int64]$b) B" } else { $b.ToString('0.0', $inv) + ' ' + $units[$i] }
    }
    $fmtMinutes = {
        param($v)
        if ($null -eq $v) { return 'no restore point' }
        $m = [double]$v
        if ($m -lt 120) { return $m.ToString('0', $inv) + ' min' }
        if ($m -lt 2880) { return ([math]::Floor($m / 60)).ToString($inv) + ' h ' + ([math]::Floor($m % 60)).ToString($inv) + ' min' }
        ([math]::Floor($m / 1440)).ToString($inv) + ' d ' + ([math]::Floor(($m % 1440) / 60)).ToString($inv) + ' h'
    }
    $maskUrl = {
        param([string]$u)
        $q = $u.IndexOf('?')
        if ($q -ge 0) { $u.Substring(0, $q) + '?<query string masked>' } else { $u }
    }
    $x = { param([datetime]$t) $v = ($t - $t0).TotalMinutes / $span * $W; [math]::Min($W, [math]::Max(0.0, $v)) }
    $num = { param([double]$v) $v.ToString('0.#', $inv) }
    $setLine = {
        param($s)
        $dur = ($s.Finish - $s.Start).TotalSeconds
        $line = "$($s.Type) $(& $fmtTime $s.Start) to $(& $fmtTime $s.Finish) ($($dur.ToString('0', $inv)) s), size $(& $fmtBytes $s.BackupSize), stored $(& $fmtBytes $s.StoredBytes), $($s.Stripes) stripe(s)"
        if ($s.CopyOnly) { $line += ', copy-only' }
        if (-not $s.Complete) { $line += ", INCOMPLETE (missing stripes: $(@($s.MissingStripes) -join ', '))" }
        if ($s.Leased) { $line += ', leased' }
        foreach ($p in @($s.Problems)) { $line += "; problem: $p" }
        foreach ($u in @($s.Urls)) { $line += "`n  " + (& $maskUrl $u) }
        $line
    }

    $sb = New-Object System.Text.StringBuilder 65536
    $gen = & $fmtTime $Model.GeneratedAt
    [void]$sb.Append(@"
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>SQL Server backups to URL: report $gen</title>
<style>
body{font:14px/1.4 "Segoe UI",Arial,sans-serif;margin:16px 24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 6px}
.meta{color:#57606a;margin:0 0 12px}
table{border-collapse:collapse}table.dbs{table-layout:fixed}th,td{padding:3px 8px;text-align:left;vertical-align:middle;border-bottom:1px solid #e1e4e8}
th{background:#f6f8fa;font-weight:600}
table.summary td.n{font-size:18px;font-weight:600;text-align:right}
.warn{color:#b42318;font-weight:600}
details.server{margin:10px 0;border:1px solid #d0d7de;border-radius:6px}
details.server>summary{cursor:pointer;padding:6px 10px;background:#f6f8fa;font-weight:600}
details.server>summary .counts{font-weight:400;color:#57606a;margin-left:8px}
tr.db.over-rpo td.name{border-left:4px solid #d92d20}
td.name{white-space:nowrap;max-width:260px;overflow:hidden;text-overflow:ellipsis}
td.rpo{white-space:nowrap;text-align:right}tr.over-rpo td.rpo{color:#b42318;font-weight:700}
.status{font-size:12px;padding:1px 6px;border-radius:8px;background:#dafbe1;color:#116329;white-space:nowrap}
.status.OverRpo,.status.NoRestorePoint{background:#ffebe9;color:#b42318}
.status.ChainBreak,.status.MissedSchedule,.status.IncompleteSet{background:#fff1d6;color:#9a6700}
svg.tl{display:block;background-image:repeating-linear-gradient(90deg,#eaeef2 0 1px,transparent 1px 100%)}
svg.tl .full{fill:#0550ae}svg.tl .differential{fill:#2da44e}svg.tl .log{fill:#8c959f}
svg.tl .incomplete{fill:#fff;stroke:#d92d20;stroke-width:1.5}
svg.tl .gap{fill:#d92d20;fill-opacity:.28;stroke:#d92d20;stroke-width:1}
svg.tl .gap.missed-schedule{fill:#f79009;stroke:#dc6803}
svg.tl .horizon{stroke:#6e40c9;stroke-width:1.5;stroke-dasharray:3 2}
svg.tl .restore{fill:#1a7f37}
svg.axis{display:block}svg.axis text{font-size:10px;fill:#57606a}svg.axis .horizon{stroke:#6e40c9;stroke-dasharray:3 2}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
</style></head><body>
<h1>Backups to URL: chains, gaps and recovery points</h1>

"@)
    $r = $Model.Summary
    $horizonText = if ($null -ne $Model.RetentionHorizon) { "; retention horizon $(& $fmtTime $Model.RetentionHorizon) ($($Model.RetentionDays) days)" } else { '' }
    [void]$sb.Append("<p class=`"meta`">Window $(& $fmtTime $Model.WindowStart) to $(& $fmtTime $Model.WindowEnd) ($($Model.Days) days, server-local times); RPO threshold $($Model.RpoMinutes) minutes$horizonText. Generated $gen.</p>`n")
    $cls = { param($n) if ($n -gt 0) { ' class="n warn"' } else { ' class="n"' } }
    [void]$sb.Append("<table class=`"summary`" id=`"summary`"><tr><th>Servers</th><th>Databases</th><th>Over RPO</th><th>Log chain breaks</th><th>Missed log schedules</th><th>Incomplete sets</th><th>Backup sets</th><th>Stored</th></tr>`n")
    [void]$sb.Append("<tr><td class=`"n`" data-k=`"servers`">$($r.Servers)</td><td class=`"n`" data-k=`"databases`">$($r.Databases)</td><td$(& $cls $r.OverRpo) data-k=`"over-rpo`">$($r.OverRpo)</td><td$(& $cls $r.ChainBreaks) data-k=`"chain-breaks`">$($r.ChainBreaks)</td><td$(& $cls $r.MissedSchedules) data-k=`"missed-schedules`">$($r.MissedSchedules)</td><td$(& $cls $r.IncompleteSets) data-k=`"incomplete-sets`">$($r.IncompleteSets)</td><td class=`"n`" data-k=`"sets`">$($r.Sets)</td><td class=`"n`" data-k=`"stored`">$(& $fmtBytes $r.StoredBytes)</td></tr></table>`n")

    $attention = @($Model.Servers | ForEach-Object { $_.Databases } | Where-Object { $_.Status -ne 'OK' })
    if ($attention.Count -gt 0) {
        [void]$sb.Append("<h2>Needs attention ($($attention.Count))</h2>`n<table class=`"attention`" id=`"attention`"><tr><th>Server</th><th>Database</th><th>Status</th><th>RPO now</th><th>Newest restore point</th><th>What</th></tr>`n")
        foreach ($d in $attention) {
            $what = @($d.Gaps | ForEach-Object { $_.Detail }) + @($d.Problems)
            if ($d.OverRpo -and $null -ne $d.RpoMinutes) { $what = @("Newest restore point is $(& $fmtMinutes $d.RpoMinutes) old (threshold $($Model.RpoMinutes) min).") + $what }
            if ($null -eq $d.NewestRestorePoint) { $what = @('No complete full backup in the catalog: nothing can be restored.') + $what }
            $whatText = if ($what.Count -gt 3) { (@($what[0..2]) -join ' ') + " (+$($what.Count - 3) more)" } else { $what -join ' ' }
            [void]$sb.Append("<tr data-server=`"$(& $enc $d.Server)`" data-database=`"$(& $enc $d.Database)`"><td>$(& $enc $d.Server)</td><td>$(& $enc $d.Database)</td><td><span class=`"status $($d.Status)`">$($d.Status)</span></td><td class=`"rpo`">$(& $fmtMinutes $d.RpoMinutes)</td><td>$(& $fmtTime $d.NewestRestorePoint)</td><td>$(& $enc $whatText)</td></tr>`n")
        }
        [void]$sb.Append("</table>`n")
    }
    [void]$sb.Append('<p class="legend"><span><i style="background:#0550ae"></i>full</span><span><i style="background:#2da44e"></i>differential</span><span><i style="background:#8c959f"></i>log (grouped per ' + $slot.ToString('0', $inv) + ' min)</span><span><i style="background:#f7b9b4;border:1px solid #d92d20"></i>log chain break</span><span><i style="background:#fcd9a9;border:1px solid #dc6803"></i>missed log schedule</span><span><i style="background:#fff;border:1.5px solid #d92d20"></i>incomplete set</span><span><i style="border-top:2px dashed #6e40c9;height:0"></i>retention horizon</span><span><i style="background:#1a7f37;width:4px"></i>newest restore point</span> Hover an element for details.</p>' + "`n")

    # The time axis (in each server table's header): day ticks and labels.
    $days = [math]::Max(1, [int][math]::Ceiling(($t1 - $t0).TotalDays))
    $labelEvery = [math]::Max(1, [int][math]::Ceiling($days / 14.0))
    $axis = New-Object System.Text.StringBuilder
    [void]$axis.Append("<svg class=`"axis`" width=`"$W`" height=`"16`" viewBox=`"0 0 $W 16`">")
    $day = $t0.Date.AddDays(1)
    $k = 0
    while ($day -lt $t1) {
        $px = & $num (& $x $day)
        if ($k % $labelEvery -eq 0 -and (& $x $day) -lt $W - 28) { [void]$axis.Append("<text x=`"$px`" y=`"12`">$($day.ToString('MM-dd', $inv))</text>") }
        $day = $day.AddDays(1); $k++
    }
    if ($null -ne $Model.RetentionHorizon -and $Model.RetentionHorizon -gt $t0) {
        $hx = & $num (& $x $Model.RetentionHorizon)
        [void]$axis.Append("<line class=`"horizon`" x1=`"$hx`" x2=`"$hx`" y1=`"0`" y2=`"16`"><title>Retention horizon $(& $fmtTime $Model.RetentionHorizon)</title></line>")
    }
    [void]$axis.Append('</svg>')
    $axisText = $axis.ToString()
    # The day grid is the timeline's CSS background: one gradient stripe per day.
    $dayPx = ($W / $span * 1440.0).ToString('0.###', $inv)
    $startPx = (& $x $t0.Date.AddDays(1)).ToString('0.###', $inv)

    foreach ($srv in $Model.Servers) {
        $open = if (@($srv.Databases | Where-Object { $_.Status -ne 'OK' }).Count -gt 0) { ' open' } else { '' }
        $counts = "$($srv.DatabaseCount) database(s)"
        if ($srv.OverRpoCount -gt 0) { $counts += ", <span class=`"warn`">$($srv.OverRpoCount) over RPO</span>" }
        if ($srv.ChainBreakCount -gt 0) { $counts += ", <span class=`"warn`">$($srv.ChainBreakCount) chain break(s)</span>" }
        if ($srv.MissedCount -gt 0) { $counts += ", <span class=`"warn`">$($srv.MissedCount) missed schedule(s)</span>" }
        [void]$sb.Append("<details class=`"server`" data-server=`"$(& $enc $srv.Server)`"$open><summary>$(& $enc $srv.Server)<span class=`"counts`">$counts</span></summary>`n")
        [void]$sb.Append("<table class=`"dbs`"><colgroup><col style=`"width:230px`"><col style=`"width:130px`"><col style=`"width:150px`"><col style=`"width:110px`"><col style=`"width:$($W + 16)px`"></colgroup><tr><th>Database</th><th>Status</th><th>Newest restore point</th><th>RPO now</th><th>$axisText</th></tr>`n")
        foreach ($d in $srv.Databases) {
            $rowClass = if ($d.OverRpo) { 'db over-rpo' } else { 'db' }
            $rpoAttr = if ($null -ne $d.RpoMinutes) { ([double]$d.RpoMinutes).ToString('0.#', $inv) } else { '' }
            $nameTip = "$($d.Database) on $($d.Server): $($d.FullCount) full, $($d.DifferentialCount) differential, $($d.LogCount) log set(s) in the window, $(& $fmtBytes $d.StoredBytes) stored; restore path $($d.RestorePath); oldest restore point $(& $fmtTime $d.OldestRestorePoint); last log backup $(& $fmtTime $d.LastLog)"
            [void]$sb.Append("<tr class=`"$rowClass`" data-server=`"$(& $enc $d.Server)`" data-database=`"$(& $enc $d.Database)`" data-status=`"$($d.Status)`" data-rpo-minutes=`"$rpoAttr`">")
            [void]$sb.Append("<td class=`"name`" title=`"$(& $enc $nameTip)`">$(& $enc $d.Database)</td><td><span class=`"status $($d.Status)`">$($d.Status)</span></td><td class=`"restore-point`">$(& $fmtTime $d.NewestRestorePoint)</td><td class=`"rpo`">$(& $fmtMinutes $d.RpoMinutes)</td><td>")
            [void]$sb.Append("<svg class=`"tl`" width=`"$W`" height=`"$H`" viewBox=`"0 0 $W $H`" style=`"background-size:${dayPx}px 100%;background-position:${startPx}px 0`" role=`"img`" aria-label=`"timeline of $(& $enc $d.Database)`">")
            # Gaps first (underneath the sets).
            foreach ($g in $d.Gaps) {
                $gx = & $x $g.From; $gw = [math]::Max(3.0, (& $x $g.To) - $gx)
                $gc = if ($g.Kind -eq 'ChainBreak') { 'gap chain-break' } else { 'gap missed-schedule' }
                [void]$sb.Append("<rect class=`"$gc`" x=`"$(& $num $gx)`" y=`"0`" width=`"$(& $num $gw)`" height=`"$H`"><title>$(& $enc $g.Detail)</title></rect>")
            }
            if ($null -ne $Model.RetentionHorizon -and $Model.RetentionHorizon -gt $t0) {
                $hx = & $num (& $x $Model.RetentionHorizon)
                [void]$sb.Append("<line class=`"horizon`" x1=`"$hx`" x2=`"$hx`" y1=`"0`" y2=`"$H`"><title>Retention horizon $(& $fmtTime $Model.RetentionHorizon): older sets are due for deletion unless a kept restore point needs them</title></line>")
            }
            # Log sets, grouped per slot.
            $slots = @{}
            $slotOrder = New-Object System.Collections.Generic.List[int]
            foreach ($s in $d.Sets) {
                if ($s.Type -ne 'log' -or -not $s.Complete) { continue }
                $i = [int][math]::Floor(($s.Finish - $t0).TotalMinutes / $slot)
                if (-not $slots.ContainsKey($i)) { $slots[$i] = New-Object System.Collections.Generic.List[object]; $slotOrder.Add($i) }
                $slots[$i].Add($s)
            }
            foreach ($i in $slotOrder) {
                $list = $slots[$i]
                $a = $list[0]; $b = $list[$list.Count - 1]
                $lx = & $x $a.Start; $lw = [math]::Max(1.5, (& $x $b.Finish) - $lx)
                $size = [int64]0; $storedSum = [int64]0
                foreach ($s in $list) { if ($null -ne $s.BackupSize) { $size += $s.BackupSize }; $storedSum += $s.StoredBytes }
                $tip = "$($list.Count) log backup(s) $(& $fmtTime $a.Start) to $(& $fmtTime $b.Finish), size $(& $fmtBytes $size), stored $(& $fmtBytes $storedSum)"
                # Every set of the slot in one short line (up to 4; else the first and the last), the
                # URLs of the newest one (the others follow the same naming): 200 databases x 14 days
                # of hourly logs are 24,000 slots, so each byte here counts.
                $shown = [System.Collections.Generic.List[object]]::new()
                if ($list.Count -gt 4) { $shown.Add($list[0]); $shown.Add($list[$list.Count - 1]) } else { $shown.AddRange($list) }
                foreach ($s in $shown) {
                    $tip += "`n" + $s.Finish.ToString('MM-dd HH:mm', $inv) + ' (' + ($s.Finish - $s.Start).TotalSeconds.ToString('0', $inv) + ' s, ' + (& $fmtBytes $s.BackupSize) + ', ' + $s.Stripes + ' stripe(s)'
                    if ($s.CopyOnly) { $tip += ', copy-only' }
                    if ($s.Leased) { $tip += ', leased' }
                    foreach ($p in @($s.Problems)) { $tip += "; problem: $p" }
                    $tip += ')'
                }
                foreach ($u in @($b.Urls)) { $tip += "`n  " + (& $maskUrl $u) }
                if ($list.Count -gt 4) { $tip += "`n(first and last of $($list.Count) shown)" }
                [void]$sb.Append("<rect class=`"log`" x=`"$(& $num $lx)`" y=`"9`" width=`"$(& $num $lw)`" height=`"4`"><title>$(& $enc $tip)</title></rect>")
            }
            # Full and differential sets one by one; incomplete sets of any type outlined in the warning colour.
            foreach ($s in $d.Sets) {
                if ($s.Type -eq 'log' -and $s.Complete) { continue }
                $sx = & $x $s.Start; $sw = [math]::Max(2.5, (& $x $s.Finish) - $sx)
                $c = $s.Type
                $y = 2; $h = 18
                if ($s.Type -eq 'differential') { $y = 5; $h = 12 } elseif ($s.Type -eq 'log') { $y = 7; $h = 8 }
                if (-not $s.Complete) { $c += ' incomplete' }
                [void]$sb.Append("<rect class=`"$c`" x=`"$(& $num $sx)`" y=`"$y`" width=`"$(& $num $sw)`" height=`"$h`"><title>$(& $enc (& $setLine $s))</title></rect>")
            }
            if ($null -ne $d.NewestRestorePoint -and $d.NewestRestorePoint -gt $t0) {
                $rx = & $x $d.NewestRestorePoint
                [void]$sb.Append("<rect class=`"restore`" x=`"$(& $num ([math]::Max(0.0, $rx - 2)))`" y=`"0`" width=`"2`" height=`"$H`"><title>Newest restore point $(& $fmtTime $d.NewestRestorePoint) ($(& $enc $d.RestorePath))</title></rect>")
            }
            [void]$sb.Append("</svg></td></tr>`n")
        }
        [void]$sb.Append("</table></details>`n")
    }
    [void]$sb.Append("</body></html>`n")
    $sb.ToString()
}
