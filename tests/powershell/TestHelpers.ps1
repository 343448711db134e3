# Shared by the Pester files: where the built module is, and how to start/stop the simulator and
# Azurite with bounded waits. Dot-source it in BeforeAll.

$script:RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path

function Get-SqlUrlTestModulePath {
    # The built module (build.ps1), or SQLURL_MODULE_PATH (a .psd1) set by tests/powershell/run.ps1.
    if ($env:SQLURL_MODULE_PATH) { return $env:SQLURL_MODULE_PATH }
    $src = Join-Path $script:RepoRoot 'powershell/SqlUrlBackup/SqlUrlBackup.psd1'
    $version = (Import-PowerShellDataFile $src).ModuleVersion
    $built = Join-Path $script:RepoRoot "out/SqlUrlBackup/$version/SqlUrlBackup.psd1"
    if (-not (Test-Path -LiteralPath $built)) { throw "The module is not built: $built is missing. Run 'pwsh ./build.ps1' first." }
    $built
}

function Get-SqlUrlTestPwsh {
    $cmd = Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($cmd) { return $cmd.Source }
    (Join-Path ([System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName | Split-Path) 'pwsh')
}

function Get-SqlUrlSimBinary {
    $target = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path $script:RepoRoot 'target' }
    foreach ($p in @((Join-Path $target 'debug/sqlsim'), (Join-Path $target 'release/sqlsim'))) {
        if (Test-Path -LiteralPath $p) { return $p }
    }
    throw "sqlsim is not built: run 'cargo build -p sqlsim' (looked in $target/debug and $target/release)."
}

function Start-SqlUrlSim {
    <#
    Starts the simulator with a scenario (a hashtable, written as JSON) on 127.0.0.1:0 and waits
    (bounded) for its "listening 127.0.0.1:PORT" and "ca <path>" lines.
    Returns {Process, Server ('127.0.0.1,PORT'), Port, CaFile, ScenarioFile, LogFile}.
    #>
    param([Parameter(Mandatory)][hashtable]$Scenario, [int]$TimeoutSeconds = 30)
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("sqlurl-pester-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $dir
    $scenarioFile = Join-Path $dir 'scenario.json'
    $Scenario | ConvertTo-Json -Depth 20 | Set-Content -LiteralPath $scenarioFile -Encoding utf8
    $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlUrlSimBinary))
    foreach ($a in @('--listen', '127.0.0.1:0', '--scenario', $scenarioFile)) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $proc = [System.Diagnostics.Process]::Start($psi)
    $logFile = Join-Path $dir 'sqlsim.stderr.log'
    $errTask = $proc.StandardError.ReadToEndAsync()
    $port = $null; $ca = $null
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    while ([DateTime]::UtcNow -lt $deadline -and (-not $port -or -not $ca)) {
        $lineTask = $proc.StandardOutput.ReadLineAsync()
        if (-not $lineTask.Wait([int][Math]::Max(1, ($deadline - [DateTime]::UtcNow).TotalMilliseconds))) { break }
        $line = $lineTask.Result
        if ($null -eq $line) { break }
        if ($line -match '^listening\s+127\.0\.0\.1:(\d+)') { $port = [int]$Matches[1] }
        elseif ($line -match '^ca\s+(.+)$') { $ca = $Matches[1].Trim() }
    }
    if (-not $port) {
        if (-not $proc.HasExited) { $proc.Kill() }
        $null = $proc.WaitForExit(5000)
        $stderr = if ($errTask.Wait(2000)) { $errTask.Result } else { '' }
        throw "sqlsim did not print 'listening 127.0.0.1:PORT' within $TimeoutSeconds s. stderr: $stderr"
    }
    [pscustomobject]@{ Process = $proc; Server = "127.0.0.1,$port"; Port = $port; CaFile = $ca; ScenarioFile = $scenarioFile; Directory = $dir; StderrTask = $errTask; LogFile = $logFile }
}

function Stop-SqlUrlSim {
    param($Sim)
    if ($null -eq $Sim) { return }
    try {
        if (-not $Sim.Process.HasExited) { $Sim.Process.Kill() }
        $null = $Sim.Process.WaitForExit(10000)
    }
    finally {
        Remove-Item -LiteralPath $Sim.Directory -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Get-SqlUrlAzurite {
    <#
    The Azurite instance from scripts/azurite.sh (started if needed). Returns
    {Endpoint, Port, CaFile, StartedHere}. The caller stops it only if StartedHere.
    #>
    $script = Join-Path $script:RepoRoot 'scripts/azurite.sh'
    $startedHere = $false
    if (-not $env:AZURITE_BLOB_ENDPOINT) {
        & bash $script status *> $null
        if ($LASTEXITCODE -ne 0) {
            & bash $script start | Out-Null
            if ($LASTEXITCODE -ne 0) { throw 'scripts/azurite.sh start failed.' }
            $startedHere = $true
        }
        foreach ($line in (& bash $script env)) {
            if ($line -match '^export\s+(\w+)=(.*)$') {
                [Environment]::SetEnvironmentVariable($Matches[1], $Matches[2].Trim("'", '"'))
            }
        }
    }
    [pscustomobject]@{ Endpoint = $env:AZURITE_BLOB_ENDPOINT; Port = $env:AZURITE_BLOB_PORT; CaFile = $env:AZURITE_CA; StartedHere = $startedHere }
}

function Stop-SqlUrlAzurite {
    param($Azurite)
    if ($null -ne $Azurite -and $Azurite.StartedHere) {
        & bash (Join-Path $script:RepoRoot 'scripts/azurite.sh') stop | Out-Null
    }
}
