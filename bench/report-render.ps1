<#
.SYNOPSIS
Times the backup report (Export-SqlUrlBackupReport, issue 17) for a large estate: generating the HTML
in PowerShell, and loading it in headless Chromium. Prints figures; asserts nothing.

.DESCRIPTION
Builds a synthetic catalog (tests/powershell/ReportHelpers.ps1): -Databases databases on
-Servers servers, -Days days of daily fulls, 6-hourly differentials and log backups every
-LogMinutes, with a broken chain and an over-RPO database on the first server. Renders it with
the built module, then starts headless Chromium -Runs times on an empty page and -Runs times on the
report (--dump-dom: load and parse; --screenshot: also style, layout and paint) and prints the
medians and the report's cost above the empty page. Every browser run is bounded (-TimeoutSeconds).

.EXAMPLE
pwsh ./build.ps1 -SkipCargo; pwsh bench/report-render.ps1 -Databases 200 -Days 14
#>
[CmdletBinding()]
param(
    [int]$Databases = 200,
    [int]$Servers = 10,
    [int]$Days = 14,
    [int]$LogMinutes = 60,
    [int]$Runs = 3,
    [int]$TimeoutSeconds = 120
)
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
. (Join-Path $repo 'tests/powershell/TestHelpers.ps1')
. (Join-Path $repo 'tests/powershell/ReportHelpers.ps1')
Import-Module (Get-SqlUrlTestModulePath) -Force
$chromium = @('chromium', 'chromium-browser', 'google-chrome' | ForEach-Object { Get-Command $_ -CommandType Application -ErrorAction SilentlyContinue } | Select-Object -First 1)
if (-not $chromium) { throw 'chromium is not installed (scripts/setup.sh installs it).' }
$out = Join-Path $repo '.tmp/bench-report'
$null = New-Item -ItemType Directory -Force -Path $out

$now = [datetime]'2026-12-06T09:40:00'
$dbs = @(for ($i = 0; $i -lt $Databases; $i++) { @{ Server = 'SQLVM{0:d2}' -f ($i % $Servers + 1); Database = 'db{0:d3}' -f $i } })
$sw = [Diagnostics.Stopwatch]::StartNew()
$catalog = @(New-SqlUrlTestCatalog -Now $now -Days $Days -LogMinutes $LogMinutes -Databases $dbs -Break 'db000' -BreakAt $now.Date.AddDays(-5).AddHours(10) -Stop 'db010' -StopMinutes 240)
$genSeconds = $sw.Elapsed.TotalSeconds
$sw.Restart()
$page = Join-Path $out 'report.html'
$null = $catalog | Export-SqlUrlBackupReport -Now $now -Days $Days -RpoMinutes 60 -RetentionDays $Days -Path $page -Force
$renderSeconds = $sw.Elapsed.TotalSeconds
$empty = Join-Path $out 'empty.html'
Set-Content -LiteralPath $empty -Value '<!DOCTYPE html><html><body></body></html>'

function Measure-Chromium([string[]]$Arguments) {
    $psi = [System.Diagnostics.ProcessStartInfo]::new($chromium[0].Source)
    foreach ($a in @('--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-extensions') + $Arguments) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
    $w = [Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $e = $p.StandardError.ReadToEndAsync(); $o = $p.StandardOutput.ReadToEndAsync()
    if (-not $p.WaitForExit($TimeoutSeconds * 1000)) { $p.Kill($true); throw "chromium did not finish within $TimeoutSeconds s" }
    $p.WaitForExit()
    $ms = $w.Elapsed.TotalMilliseconds
    if ($p.ExitCode -ne 0) { throw "chromium exited with $($p.ExitCode): $($e.Result)" }
    [pscustomobject]@{ Ms = $ms; Bytes = $o.Result.Length }
}
function Get-Median([double[]]$v) { $s = @($v | Sort-Object); $s[[int][math]::Floor($s.Count / 2)] }

$emptyDom = @(); $reportDom = @(); $emptyShot = @(); $reportShot = @()
for ($r = 0; $r -lt $Runs; $r++) {
    $emptyDom += (Measure-Chromium @('--dump-dom', $empty)).Ms
    $d = Measure-Chromium @('--dump-dom', $page); $reportDom += $d.Ms
    if ($d.Bytes -lt 1000) { throw 'chromium returned no DOM for the report' }
    $emptyShot += (Measure-Chromium @('--window-size=1380,900', "--screenshot=$(Join-Path $out 'empty.png')", $empty)).Ms
    $reportShot += (Measure-Chromium @('--window-size=1380,900', "--screenshot=$(Join-Path $out 'report.png')", $page)).Ms
}
$sets = $catalog.Count
$size = (Get-Item -LiteralPath $page).Length
'report-render: {0} databases on {1} servers, {2} days, log every {3} min: {4:n0} backup sets' -f $Databases, $Servers, $Days, $LogMinutes, $sets
'  synthetic catalog built in {0:n1} s (test helper, not the product)' -f $genSeconds
'  Export-SqlUrlBackupReport (PowerShell {0}): {1:n1} s, HTML {2:n1} MB' -f $PSVersionTable.PSVersion, $renderSeconds, ($size / 1MB)
'  chromium --dump-dom   median of {0}: empty page {1:n0} ms, report {2:n0} ms, report cost {3:n0} ms' -f $Runs, (Get-Median $emptyDom), (Get-Median $reportDom), ((Get-Median $reportDom) - (Get-Median $emptyDom))
'  chromium --screenshot median of {0}: empty page {1:n0} ms, report {2:n0} ms, report cost {3:n0} ms' -f $Runs, (Get-Median $emptyShot), (Get-Median $reportShot), ((Get-Median $reportShot) - (Get-Median $emptyShot))
'  load average: {0}' -f ((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3) -join ' '
