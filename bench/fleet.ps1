<#
.SYNOPSIS
Fleet concurrency (issue 14): -Servers simulators with -DatabasesPerServer databases each, every
backup taking the same simulated time, backed up to Azurite by ONE Backup-SqlUrlDatabase call
(one native fleet operation) at -ServerThrottle x -Throttle, compared with the ideal schedule and
with a sequential loop. Prints figures; asserts nothing.

.DESCRIPTION
Every database has the same size and every simulator the same throughput, so every BACKUP takes
the same simulated time (size / throughput). The sequential loop backs up -SequentialDatabases of
the same databases one Backup-SqlUrlDatabase call at a time; its mean time per backup (simulated
backup time plus everything a call costs: connect, plan, header read-back) is the per-backup time
of the figures:
  ideal       = databases x per-backup time / (ServerThrottle x Throttle)
  % of ideal  = ideal / fleet wall time
  sequential  = databases x per-backup time (extrapolated from -SequentialDatabases backups)
  speed-up    = sequential / fleet wall time

.EXAMPLE
pwsh bench/fleet.ps1                                   # 25 x 20 databases, 16 x 1, 2 s backups
pwsh bench/fleet.ps1 -ServerThrottle 4 -Throttle 4     # the same 16 slots as 4 servers x 4
#>
param(
    [ValidateRange(1, 64)][int]$Servers = 25,
    [ValidateRange(1, 100)][int]$DatabasesPerServer = 20,
    [ValidateRange(1, 64)][int]$ServerThrottle = 16,
    [ValidateRange(1, 64)][int]$Throttle = 1,
    [ValidateRange(1, 4096)][int]$DataMB = 64,
    [double]$ThroughputMBps = 32,
    [ValidateRange(0, 500)][int]$SequentialDatabases = 24,
    [switch]$SkipSequential
)
$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$tests = Join-Path $PSScriptRoot '../tests/powershell'
. (Join-Path $tests 'TestHelpers.ps1')
Import-Module (Get-SqlUrlTestModulePath) -Force
$azurite = Get-SqlUrlAzurite
$container = New-SqlUrlTestContainer -Tag 'fleetbench'
$containerUrl = "$script:SqlUrlTestAccountUrl/$container"
$sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
$ca = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-fleetbench-ca-' + [guid]::NewGuid().ToString('n').Substring(0, 8) + '.pem')
$sims = New-Object System.Collections.Generic.List[object]
function Get-LoadAverage { if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { 'n/a' } }
# CPU seconds (user + system) of the given processes and (unless -NoChildren) their children,
# from /proc (Linux). The simulators are children of this pwsh: its own figure uses -NoChildren.
function Get-CpuSeconds([int[]]$Ids, [switch]$NoChildren) {
    $stats = @{}
    foreach ($d in [System.IO.Directory]::GetDirectories('/proc')) {
        $leaf = [System.IO.Path]::GetFileName($d)
        if ($leaf -notmatch '^\d+$') { continue }
        try { $t = [System.IO.File]::ReadAllText("$d/stat") } catch { continue }
        $f = $t.Substring($t.LastIndexOf(')') + 2).Split(' ')
        $stats[[int]$leaf] = @{ Parent = [int]$f[1]; Ticks = [long]$f[11] + [long]$f[12] }
    }
    $set = [System.Collections.Generic.HashSet[int]]::new([int[]]@($Ids | Where-Object { $stats.ContainsKey($_) }))
    do {
        if ($NoChildren) { break }
        $added = $false
        foreach ($k in $stats.Keys) { if (-not $set.Contains($k) -and $set.Contains($stats[$k].Parent)) { $null = $set.Add($k); $added = $true } }
    } while ($added)
    ($set | ForEach-Object { $stats[$_].Ticks } | Measure-Object -Sum).Sum / 100.0
}
# CPU seconds of one process's threads, by thread name (the library's runtime threads are
# "sqlurl-worker"; blocking-pool threads keep tokio's default name).
function Get-ThreadCpu([int]$Id) {
    $by = @{}
    foreach ($d in [System.IO.Directory]::GetDirectories("/proc/$Id/task")) {
        try { $t = [System.IO.File]::ReadAllText("$d/stat") } catch { continue }
        $name = $t.Substring($t.IndexOf('(') + 1, $t.LastIndexOf(')') - $t.IndexOf('(') - 1)
        $f = $t.Substring($t.LastIndexOf(')') + 2).Split(' ')
        $by[$name] = $by[$name] + ([long]$f[11] + [long]$f[12]) / 100.0
    }
    $by
}
# Where an item's time goes, from the simulators' statement logs (server clock): per session that
# ran a fleet BACKUP, its first statement (the facts query, right after login), the BACKUP and the
# RESTORE HEADERONLY that reads it back. Returns mean seconds: FactsToBackup, BackupToHeader.
function Get-FleetPhase([object[]]$Sims) {
    $facts = New-Object System.Collections.Generic.List[double]; $span = New-Object System.Collections.Generic.List[double]
    foreach ($s in $Sims) {
        $log = @(Get-Content -LiteralPath $s.StatementLog | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
        foreach ($g in ($log | Group-Object session_id)) {
            $st = @($g.Group)
            $b = $st | Where-Object { $_.text -like 'BACKUP DATABASE*/fleet/*' } | Select-Object -First 1
            if (-not $b) { continue }
            $h = $st | Where-Object { $_.text -like 'RESTORE HEADERONLY*' } | Select-Object -First 1
            $facts.Add(([datetime]$b.at - [datetime]$st[0].at).TotalSeconds)
            if ($h) { $span.Add(([datetime]$h.at - [datetime]$b.at).TotalSeconds) }
        }
    }
    [pscustomobject]@{ Sessions = $facts.Count; FactsToBackup = ($facts | Measure-Object -Average).Average; BackupToHeader = ($span | Measure-Object -Average).Average }
}
# Busy and total CPU seconds of the whole machine since boot (/proc/stat).
function Get-MachineCpu {
    $v = @((Get-Content /proc/stat -TotalCount 1).Split(' ', [StringSplitOptions]::RemoveEmptyEntries) | Select-Object -Skip 1 | ForEach-Object { [long]$_ })
    $total = ($v | Measure-Object -Sum).Sum
    @{ Busy = ($total - $v[3] - $v[4]) / 100.0; Total = $total / 100.0 }
}
try {
    $names = @(1..$DatabasesPerServer | ForEach-Object { 'Db{0:D2}' -f $_ })
    for ($i = 1; $i -le $Servers; $i++) {
        $sc = New-SqlUrlTestScenario -Database $names -DataMB $DataMB -ManagedIdentityCredential $containerUrl -ThroughputMBps $ThroughputMBps -Extra @{ server_name = ('FLEETB{0:D3}' -f $i) }
        $sims.Add((Start-SqlUrlSim -Scenario $sc))
    }
    ($sims | ForEach-Object { Get-Content -Raw -LiteralPath $_.CaFile }) -join "`n" | Set-Content -LiteralPath $ca -NoNewline
    $c = @{ Credential = $sa; CertificateAuthorityFile = $ca; ContainerUrl = $containerUrl }
    $total = $Servers * $DatabasesPerServer
    $slots = [Math]::Min($ServerThrottle, $Servers) * [Math]::Min($Throttle, $DatabasesPerServer)
    # warm-up: the first call loads the interop assembly and the native library
    $null = Backup-SqlUrlDatabase @c -ServerInstance $sims[0].Server -Database $names[0] -FileNameTemplate 'warmup/{server}/{database}.bak'

    $perBackup = $null; $seqSim = @()
    if (-not $SkipSequential -and $SequentialDatabases -gt 0) {
        $sw = [Diagnostics.Stopwatch]::StartNew()
        for ($k = 0; $k -lt $SequentialDatabases; $k++) {
            $s = $sims[$k % $Servers]; $d = $names[[Math]::Floor($k / $Servers) % $DatabasesPerServer]
            $r = Backup-SqlUrlDatabase @c -ServerInstance $s.Server -Database $d -FileNameTemplate "seq/{server}/{database}_$k.bak"
            $seqSim += $r.DurationSeconds
        }
        $sw.Stop()
        $perBackup = $sw.Elapsed.TotalSeconds / $SequentialDatabases
    }

    $load0 = Get-LoadAverage
    $azuritePid = [int](Get-Content -LiteralPath (Join-Path $PSScriptRoot '../.tmp/azurite/azurite.pid') -ErrorAction SilentlyContinue)
    $simIds = @($sims | ForEach-Object { $_.Process.Id })
    $cpu0 = @{ Self = (Get-CpuSeconds @($PID) -NoChildren); Sims = (Get-CpuSeconds $simIds); Azurite = (Get-CpuSeconds @($azuritePid)); Machine = (Get-MachineCpu) }
    $threads0 = Get-ThreadCpu $PID
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $out = @(Backup-SqlUrlDatabase @c -ServerInstance @($sims.Server) -Database $names -ServerThrottle $ServerThrottle -Throttle $Throttle -FileNameTemplate 'fleet/{server}/{database}.bak' -ErrorVariable fleetErrors -ErrorAction SilentlyContinue)
    $sw.Stop()
    $wall = $sw.Elapsed.TotalSeconds
    $m1 = Get-MachineCpu
    $threads1 = Get-ThreadCpu $PID
    $cpu = @{ Self = (Get-CpuSeconds @($PID) -NoChildren) - $cpu0.Self; Sims = (Get-CpuSeconds $simIds) - $cpu0.Sims; Azurite = (Get-CpuSeconds @($azuritePid)) - $cpu0.Azurite
        Busy = $m1.Busy - $cpu0.Machine.Busy; Total = $m1.Total - $cpu0.Machine.Total }
    $ok = @($out | Where-Object { $_.Database }).Count
    $simSeconds = @($out | ForEach-Object DurationSeconds | Where-Object { $null -ne $_ })
    $meanSim = if ($simSeconds.Count) { ($simSeconds | Measure-Object -Average).Average } else { [double]::NaN }

    'fleet: {0} servers x {1} databases ({2} MB at {3} MB/s each), -ServerThrottle {4} -Throttle {5} = {6} at once' -f $Servers, $DatabasesPerServer, $DataMB, $ThroughputMBps, $ServerThrottle, $Throttle, $slots
    '  backed up {0} of {1} in {2:N1} s wall ({3} errors); BACKUP statement time {4:N2} s mean (measured by the library, from sending BACKUP to its end)' -f $ok, $total, $wall, @($fleetErrors).Count, $meanSim
    $idealSim = $total * $meanSim / $slots
    '  ideal with the BACKUP statement time only: {0} x {1:N2} s / {2} = {3:N1} s -> {4:P1} of ideal' -f $total, $meanSim, $slots, $idealSim, ($idealSim / $wall)
    if ($null -ne $perBackup) {
        $ideal = $total * $perBackup / $slots
        $seqTotal = $total * $perBackup
        $seqMeanSim = ($seqSim | Measure-Object -Average).Average
        '  sequential loop: {0} backups in {1:N1} s = {2:N2} s per backup (BACKUP statement {3:N2} s; the rest is the call''s own cost)' -f $SequentialDatabases, ($perBackup * $SequentialDatabases), $perBackup, $seqMeanSim
        '  ideal: {0} x {1:N2} s / {2} = {3:N1} s -> {4:P1} of ideal concurrency' -f $total, $perBackup, $slots, $ideal, ($ideal / $wall)
        '  sequential for all {0} (extrapolated from {1}): {2:N0} s -> speed-up {3:N1}x' -f $total, $SequentialDatabases, $seqTotal, ($seqTotal / $wall)
    }
    $statement = ($simSeconds | Measure-Object -Sum).Sum
    '  BACKUP statements in flight: {0:N1} on average of {1} slots (sum of BACKUP statement times / wall); the rest of each slot''s time is connect, facts, header read-back, close' -f ($statement / $wall), $slots
    '  CPU during the fleet run: machine {0:P0} busy ({1:N0} of {2:N0} CPU-seconds); this pwsh + library {3:N1} s, {4} simulators {5:N1} s, Azurite {6:N1} s, everything else (other users of the machine) {7:N1} s' -f ($cpu.Busy / $cpu.Total), $cpu.Busy, $cpu.Total, $cpu.Self, $Servers, $cpu.Sims, $cpu.Azurite, ($cpu.Busy - $cpu.Self - $cpu.Sims - $cpu.Azurite)
    $ph = Get-FleetPhase $sims
    $slotTime = $wall * $slots / $total
    '  per item (server clock, {0} sessions): first query after login -> BACKUP sent {1:N3} s; BACKUP sent -> header read-back sent {2:N3} s (BACKUP itself {3:N3} s); a slot''s time per item {4:N3} s, so connect + login + close + waiting for a slot = {5:N3} s' -f $ph.Sessions, $ph.FactsToBackup, $ph.BackupToHeader, $meanSim, $slotTime, ($slotTime - $ph.FactsToBackup - $ph.BackupToHeader)
    $byThread = foreach ($k in $threads1.Keys) { [pscustomobject]@{ Name = $k; Seconds = $threads1[$k] - [double]$threads0[$k] } }
    '  this pwsh by thread name (CPU-seconds, top 5): ' + (($byThread | Sort-Object Seconds -Descending | Select-Object -First 5 | ForEach-Object { '{0} {1:N1}' -f $_.Name, $_.Seconds }) -join ', ')
    '  load average {0} before the fleet run, {1} after; {2:yyyy-MM-dd HH:mm} UTC' -f $load0, (Get-LoadAverage), [DateTime]::UtcNow
    if ($fleetErrors) { $fleetErrors | Select-Object -First 3 | ForEach-Object { "  error: $_" } }
}
finally {
    foreach ($s in $sims) { Stop-SqlUrlSim $s }
    Remove-Item -LiteralPath $ca -ErrorAction SilentlyContinue
    Stop-SqlUrlAzurite $azurite
}
