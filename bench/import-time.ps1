<#
.SYNOPSIS
Cold Import-Module time of the built SqlUrlBackup module next to a bare `pwsh -NoProfile` start.

.DESCRIPTION
Starts fresh pwsh processes, interleaved so that machine load hits all alike:
  bare    pwsh -NoProfile -Command exit
  import  pwsh -NoProfile -Command "Import-Module <module>"
  probe   pwsh -NoProfile -Command "<Stopwatch and CPU time around Import-Module <module>>"
and prints the median wall-clock time of bare and import, their difference (what the import adds;
target < 150 ms on an idle machine), and the median Import-Module time measured inside the probe
runs (wall and CPU). The probe is a run of its own because printing its figures costs the process
~30 ms of output set-up that a plain import does not pay. With -BaselineModulePath a second build
is measured in the same interleaved runs. Prints figures only; it asserts nothing.

.EXAMPLE
pwsh bench/import-time.ps1 -Runs 11
#>
[CmdletBinding()]
param(
    [ValidateRange(3, 101)][int]$Runs = 9,
    # The module manifest to import (default: the build output).
    [string]$ModulePath,
    # Another build of the module (for example the previous version) measured in the same
    # interleaved runs, so that both figures see the same machine load.
    [string]$BaselineModulePath,
    # PowerShell records the methods its startup JIT-compiles in a startup profile
    # (StartupProfileData-NonInteractive in its cache folder) and compiles them on another core at
    # the next start. One profile shared by interleaved runs is written by whichever ran last, so
    # each kind of run gets its own cache folder: 'Own' (default) keeps it between runs (a machine
    # that runs the same job again: a DSC consistency run, a Hybrid Worker), 'None' empties it
    # before every run (a fresh sandbox: no profile, no module analysis cache).
    [ValidateSet('Own', 'None')][string]$StartupProfile = 'Own'
)
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
if (-not $ModulePath) {
    $version = (Import-PowerShellDataFile (Join-Path $repo 'powershell/SqlUrlBackup/SqlUrlBackup.psd1')).ModuleVersion
    $ModulePath = Join-Path $repo "out/SqlUrlBackup/$version/SqlUrlBackup.psd1"
}
if (-not (Test-Path -LiteralPath $ModulePath)) { throw "Build the module first (pwsh ./build.ps1): $ModulePath is missing." }
# pwsh as a user starts it: from PATH, else the relocatable copy's launcher next to $PSHOME.
$pwsh = (Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1).Source
if (-not $pwsh) {
    $launcher = Join-Path (Split-Path $PSHOME) 'pwsh'
    $pwsh = if (Test-Path -LiteralPath $launcher) { $launcher } else { Join-Path $PSHOME 'pwsh' }
}

$cacheRoot = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-import-time-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
function Invoke-Timed([string]$Command, [string]$Kind) {
    $cache = Join-Path $cacheRoot $Kind
    if ($StartupProfile -eq 'None') { Remove-Item -LiteralPath $cache -Recurse -Force -ErrorAction SilentlyContinue }
    $null = New-Item -ItemType Directory -Force -Path $cache
    $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
    # PowerShell's cache folder (startup profile, module analysis cache): XDG_CACHE_HOME on Linux
    # and macOS, LOCALAPPDATA on Windows.
    $psi.Environment['XDG_CACHE_HOME'] = $cache
    $psi.Environment['LOCALAPPDATA'] = $cache
    foreach ($a in @('-NoProfile', '-NonInteractive', '-Command', $Command)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $sw = [System.Diagnostics.Stopwatch]::StartNew()
    $p = [System.Diagnostics.Process]::Start($psi)
    $out = $p.StandardOutput.ReadToEnd()
    if (-not $p.WaitForExit(120000)) { $p.Kill(); throw "pwsh did not finish within 120 s: $Command" }
    $sw.Stop()
    if ($p.ExitCode -ne 0) { throw "pwsh exited with $($p.ExitCode): $Command`n$out" }
    [pscustomobject]@{ WallMs = $sw.Elapsed.TotalMilliseconds; Output = $out.Trim() }
}

function Get-Median([double[]]$Values) {
    $s = @($Values | Sort-Object)
    if ($s.Count % 2) { return $s[[int][math]::Floor($s.Count / 2)] }
    ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2
}

# Prints "<wall ms> <cpu ms>" of Import-Module measured inside the process. CPU time (all threads
# of the process, JIT included) moves far less with machine load than wall-clock time does.
function Get-ImportCommand([string]$Path) {
    "`$p = [System.Diagnostics.Process]::GetCurrentProcess(); `$c0 = `$p.TotalProcessorTime; `$sw = [System.Diagnostics.Stopwatch]::StartNew(); Import-Module '$Path'; `$sw.Stop(); `$p.Refresh(); '{0} {1}' -f [int]`$sw.Elapsed.TotalMilliseconds, [int](`$p.TotalProcessorTime - `$c0).TotalMilliseconds"
}
function Add-InProcess($Result, $Wall, $Cpu) {
    $last = ($Result.Output -split "`n" | Select-Object -Last 1).Trim() -split ' '
    $Wall.Add([double]$last[0]); $Cpu.Add([double]$last[1])
}
$importCommand = Get-ImportCommand $ModulePath
$baseCommand = if ($BaselineModulePath) { Get-ImportCommand $BaselineModulePath } else { $null }
# One warm-up of each (disk cache), not counted.
$null = Invoke-Timed 'exit' 'bare'
$null = Invoke-Timed "Import-Module '$ModulePath'" 'import'
$null = Invoke-Timed $importCommand 'probe'
if ($baseCommand) { $null = Invoke-Timed "Import-Module '$BaselineModulePath'" 'baseline'; $null = Invoke-Timed $baseCommand 'baseline-probe' }

$bare = New-Object System.Collections.Generic.List[double]
$import = New-Object System.Collections.Generic.List[double]
$inProcess = New-Object System.Collections.Generic.List[double]
$baseImport = New-Object System.Collections.Generic.List[double]
$baseInProcess = New-Object System.Collections.Generic.List[double]
$cpu = New-Object System.Collections.Generic.List[double]
$baseCpu = New-Object System.Collections.Generic.List[double]
for ($i = 1; $i -le $Runs; $i++) {
    $bare.Add((Invoke-Timed 'exit' 'bare').WallMs)
    $import.Add((Invoke-Timed "Import-Module '$ModulePath'" 'import').WallMs)
    Add-InProcess (Invoke-Timed $importCommand 'probe') $inProcess $cpu
    if ($baseCommand) {
        $baseImport.Add((Invoke-Timed "Import-Module '$BaselineModulePath'" 'baseline').WallMs)
        Add-InProcess (Invoke-Timed $baseCommand 'baseline-probe') $baseInProcess $baseCpu
    }
}
$mb = Get-Median $bare.ToArray()
$mi = Get-Median $import.ToArray()
$mp = Get-Median $inProcess.ToArray()
$load = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { 'n/a' }
Remove-Item -LiteralPath $cacheRoot -Recurse -Force -ErrorAction SilentlyContinue
Write-Host ("import-time: {0} runs, {1} CPU(s), load average {2}, PowerShell {3}, startup profile: {4}" -f $Runs, [Environment]::ProcessorCount, $load, $PSVersionTable.PSVersion, $StartupProfile)
Write-Host ("  bare pwsh -NoProfile start          median {0,7:n0} ms" -f $mb)
Write-Host ("  pwsh -NoProfile + Import-Module     median {0,7:n0} ms" -f $mi)
Write-Host ("  added by the import (difference)    median {0,7:n0} ms   (target < 150 ms on an idle machine)" -f ($mi - $mb))
Write-Host ("  Import-Module alone, in-process     median {0,7:n0} ms   (CPU {1:n0} ms; probe runs)" -f $mp, (Get-Median $cpu.ToArray()))
if ($baseCommand) {
    $bi = Get-Median $baseImport.ToArray()
    $bp = Get-Median $baseInProcess.ToArray()
    Write-Host ("  baseline: pwsh + Import-Module      median {0,7:n0} ms   ({1})" -f $bi, $BaselineModulePath)
    Write-Host ("  baseline: added by the import       median {0,7:n0} ms" -f ($bi - $mb))
    Write-Host ("  baseline: Import-Module in-process  median {0,7:n0} ms   (CPU {1:n0} ms)" -f $bp, (Get-Median $baseCpu.ToArray()))
}
