# Synthetic catalog for the backup report's tests and bench (bench/report-render.ps1): backup set
# objects shaped like Get-SqlUrlBackup's output (docs/json-contract.md "Catalog", BackupSetInfo in
# PowerShell names), with LSNs that advance with time so the chain logic has real work to do.

function New-SqlUrlTestCatalog {
    <#
    .SYNOPSIS
    A simulated schedule for each database: daily full at 00:00, differential every 6 hours,
    log every -LogMinutes, over -Days days up to -Now. -Break / -Stop / -Skip plant the faults.
    #>
    param(
        [Parameter(Mandatory = $true)][datetime]$Now,
        # @{ Server = 'SQLVM01'; Database = 'Sales' } items.
        [Parameter(Mandatory = $true)][object[]]$Databases,
        [int]$Days = 14,
        [int]$LogMinutes = 15,
        # Database names whose chain breaks: the log finishing at -BreakAt is missing a stripe and the next one is gone.
        [string[]]$Break = @(),
        [datetime]$BreakAt,
        # Database names whose log backups stop -StopMinutes before -Now.
        [string[]]$Stop = @(),
        [int]$StopMinutes = 180,
        # Database names whose log job skipped two hours at -SkipAt (the chain stays intact).
        [string[]]$Skip = @(),
        [datetime]$SkipAt,
        [string]$Container = 'https://acct.blob.core.windows.net/backups'
    )
    $inv = [System.Globalization.CultureInfo]::InvariantCulture
    # A query string like a SAS token, built at run time (never a real one).
    $query = '?sv=2022-11-02&sp=r&' + 's' + 'ig=' + ('Q' * 12)
    $start = $Now.Date.AddDays(-$Days)
    foreach ($db in $Databases) {
        $server = $db.Server; $name = $db.Database
        $base = [decimal]'35000000012300001'
        $lsn = { param([datetime]$t) $base + [decimal][math]::Floor(($t - $start).TotalMinutes * 100) }
        $url = { param([string]$kind, [datetime]$t, [int]$stripe) "$Container/$server/$name/$kind/$($name)_$($t.ToString('yyyyMMdd_HHmm', $inv))_$stripe.bak$query" }
        $set = {
            param([string]$kind, [datetime]$s, [datetime]$f, $first, $last, $ckpt, $diffBase, [int]$stripes, [int[]]$missing)
            [pscustomobject]@{
                PSTypeName = 'SqlUrlBackup.BackupSet'
                Database = $name; Server = $server; Type = $kind; BackupSetId = [guid]::NewGuid().ToString()
                FirstLsn = [string]$first; LastLsn = [string]$last; CheckpointLsn = [string]$ckpt
                DatabaseBackupLsn = ''; DifferentialBaseLsn = [string]$diffBase
                Start = $s.ToString('yyyy-MM-ddTHH:mm:ss.fff', $inv); Finish = $f.ToString('yyyy-MM-ddTHH:mm:ss.fff', $inv)
                CopyOnly = $false; BackupSize = [int64](($last - $first) * 37); StoredBytes = [int64](($last - $first) * 21)
                Stripes = $stripes; MissingStripes = $missing; Complete = ($missing.Count -eq 0); Problems = @(); Leased = $false
                Urls = @(for ($i = 1; $i -le $stripes; $i++) { if ($missing -notcontains $i) { & $url $kind $s $i } })
            }
        }
        $stopAt = if ($Stop -contains $name) { $Now.AddMinutes(-$StopMinutes) } else { $Now }
        $fullCkpt = $null
        for ($day = $start; $day -lt $Now; $day = $day.AddDays(1)) {
            $f = $day.AddMinutes(10)
            if ($f -gt $Now) { break }
            $fullCkpt = (& $lsn $day) + 40
            & $set 'full' $day $f ((& $lsn $day) + 30) (& $lsn $f) $fullCkpt '' 2 @()
            foreach ($h in 6, 12, 18) {
                $s = $day.AddHours($h); $e = $s.AddMinutes(4)
                if ($e -gt $Now) { break }
                & $set 'differential' $s $e ((& $lsn $s) + 10) (& $lsn $e) ((& $lsn $s) + 20) $fullCkpt 1 @()
            }
        }
        $prev = $start
        for ($t = $start.AddMinutes($LogMinutes); $t -le $stopAt; $t = $t.AddMinutes($LogMinutes)) {
            if ($Skip -contains $name -and $t -gt $SkipAt -and $t -le $SkipAt.AddHours(2)) { continue }
            $s = $t.AddSeconds(-20)
            if ($Break -contains $name -and $t -eq $BreakAt) {
                & $set 'log' $s $t (& $lsn $prev) (& $lsn $t) '' '' 2 @(2)
                $prev = $t; continue
            }
            if ($Break -contains $name -and $t -eq $BreakAt.AddMinutes($LogMinutes)) { $prev = $t; continue }
            & $set 'log' $s $t (& $lsn $prev) (& $lsn $t) '' '' 1 @()
            $prev = $t
        }
    }
}
