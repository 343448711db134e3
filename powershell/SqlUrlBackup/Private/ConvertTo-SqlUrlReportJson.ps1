function ConvertTo-SqlUrlReportJson {
    <#
    .SYNOPSIS
    The backup report model (New-SqlUrlReportModel) as JSON for dashboards: the same data as the
    HTML page, dates as ISO 8601 server-local strings (yyyy-MM-ddTHH:mm:ss, identical in
    PowerShell 5.1 and 7), URLs with any query string masked, property names in camelCase.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][object]$Model)

    $inv = [System.Globalization.CultureInfo]::InvariantCulture
    $d8 = { param($v) if ($null -eq $v) { $null } else { ([datetime]$v).ToString('yyyy-MM-ddTHH:mm:ss', $inv) } }
    $mask = { param([string]$u) $q = $u.IndexOf('?'); if ($q -ge 0) { $u.Substring(0, $q) + '?<query string masked>' } else { $u } }
    $s = $Model.Summary
    $servers = foreach ($srv in $Model.Servers) {
        $dbs = foreach ($d in $srv.Databases) {
            [ordered]@{
                server                     = $d.Server
                database                   = $d.Database
                status                     = $d.Status
                overRpo                    = $d.OverRpo
                rpoMinutes                 = $d.RpoMinutes
                newestRestorePoint         = & $d8 $d.NewestRestorePoint
                restorePath                = $d.RestorePath
                oldestRestorePoint         = & $d8 $d.OldestRestorePoint
                lastFull                   = & $d8 $d.LastFull
                lastLog                    = & $d8 $d.LastLog
                expectedLogIntervalMinutes = $d.ExpectedLogIntervalMinutes
                fullCount                  = $d.FullCount
                differentialCount          = $d.DifferentialCount
                logCount                   = $d.LogCount
                incompleteCount            = $d.IncompleteCount
                storedBytes                = $d.StoredBytes
                problems                   = @($d.Problems)
                gaps                       = @(foreach ($g in $d.Gaps) {
                        [ordered]@{ kind = $g.Kind; from = & $d8 $g.From; to = & $d8 $g.To; open = $g.Open; minutes = $g.Minutes; fromLsn = $g.FromLsn; toLsn = $g.ToLsn; detail = $g.Detail }
                    })
                sets                       = @(foreach ($x in $d.Sets) {
                        [ordered]@{
                            type = $x.Type; backupSetId = $x.BackupSetId; start = & $d8 $x.Start; finish = & $d8 $x.Finish
                            firstLsn = [string]$x.FirstLsn; lastLsn = [string]$x.LastLsn; copyOnly = $x.CopyOnly
                            backupSize = $x.BackupSize; storedBytes = $x.StoredBytes; stripes = $x.Stripes
                            missingStripes = @($x.MissingStripes); complete = $x.Complete; leased = $x.Leased
                            problems = @($x.Problems); urls = @(foreach ($u in $x.Urls) { & $mask $u })
                        }
                    })
            }
        }
        [ordered]@{
            server = $srv.Server; databaseCount = $srv.DatabaseCount; overRpoCount = $srv.OverRpoCount
            chainBreakCount = $srv.ChainBreakCount; missedScheduleCount = $srv.MissedCount; databases = @($dbs)
        }
    }
    $doc = [ordered]@{
        generatedAt      = & $d8 $Model.GeneratedAt
        windowStart      = & $d8 $Model.WindowStart
        windowEnd        = & $d8 $Model.WindowEnd
        days             = $Model.Days
        rpoMinutes       = $Model.RpoMinutes
        retentionDays    = $Model.RetentionDays
        retentionHorizon = & $d8 $Model.RetentionHorizon
        summary          = [ordered]@{
            servers = $s.Servers; databases = $s.Databases; overRpo = $s.OverRpo; chainBreaks = $s.ChainBreaks
            missedSchedules = $s.MissedSchedules; incompleteSets = $s.IncompleteSets; sets = $s.Sets; storedBytes = $s.StoredBytes
        }
        servers          = @($servers)
    }
    ConvertTo-Json -InputObject $doc -Depth 8
}
