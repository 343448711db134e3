<#
.SYNOPSIS
Runs every Pester test in tests/powershell against the built module and prints
"pester: N passed, N failed"; exits non-zero when a test failed.

.EXAMPLE
pwsh tests/powershell/run.ps1

.EXAMPLE
pwsh tests/powershell/run.ps1 -Build -Path tests/powershell/Unit.Tests.ps1
#>
[CmdletBinding()]
param(
    # Test files or folders (default: this folder).
    [string[]]$Path = @($PSScriptRoot),
    # Run build.ps1 first (with cargo); otherwise the module under out/ must exist.
    [switch]$Build,
    # A built module manifest to test instead of out/SqlUrlBackup/<version>/SqlUrlBackup.psd1.
    [string]$ModulePath,
    # JUnit XML result file.
    [string]$JUnitPath
)
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
if ($Build) {
    & (Join-Path $repo 'build.ps1')
}
if ($ModulePath) { $env:SQLURL_MODULE_PATH = (Resolve-Path $ModulePath).Path }
Import-Module Pester -MinimumVersion 5.7 -ErrorAction Stop
$config = New-PesterConfiguration
# `pwsh -File run.ps1 -Path a,b` passes one string: split it.
$config.Run.Path = @($Path | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
if ($JUnitPath) {
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputFormat = 'JUnitXml'
    $config.TestResult.OutputPath = $JUnitPath
}
$result = Invoke-Pester -Configuration $config
if ($null -eq $result) {
    Write-Host 'pester: 0 passed, 1 failed'
    exit 1
}
$failed = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
Write-Host ("pester: {0} passed, {1} failed" -f $result.PassedCount, $failed)
if ($failed -gt 0) { exit 1 }
exit 0
