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
    # scripts/test-all.sh exports SQLURL_PWSH; else pwsh on PATH; else the launcher of this pwsh.
    if ($env:SQLURL_PWSH -and (Test-Path -LiteralPath $env:SQLURL_PWSH)) { return $env:SQLURL_PWSH }
    $cmd = Get-Command pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
    if ($cmd) { return $cmd.Source }
    $launcher = Join-Path (Split-Path $PSHOME) 'pwsh'
    if (Test-Path -LiteralPath $launcher) { return $launcher }
    Join-Path $PSHOME 'pwsh'
}

function Get-SqlUrlSimBinary {
    $target = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path $script:RepoRoot 'target' }
    foreach ($p in @((Join-Path $target 'debug/sqlsim'), (Join-Path $target 'release/sqlsim'))) {
        if (Test-Path -LiteralPath $p) { return $p }
    }
    # Not built yet: build it (cargo's own lock serialises this with other builds).
    & cargo build -q -p sqlsim --manifest-path (Join-Path $script:RepoRoot 'Cargo.toml')
    $p = Join-Path $target 'debug/sqlsim'
    if ($LASTEXITCODE -eq 0 -and (Test-Path -LiteralPath $p)) { return $p }
    throw "sqlsim is not built and 'cargo build -p sqlsim' failed (looked in $target/debug and $target/release)."
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
    $statementLog = Join-Path $dir 'statements.jsonl'
    foreach ($a in @('--listen', '127.0.0.1:0', '--scenario', $scenarioFile, '--statement-log', $statementLog)) { $psi.ArgumentList.Add($a) }
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
    [pscustomobject]@{ Process = $proc; Server = "127.0.0.1,$port"; Port = $port; CaFile = $ca; ScenarioFile = $scenarioFile; StatementLog = $statementLog; Directory = $dir; StderrTask = $errTask; LogFile = $logFile }
}

function Get-SqlUrlSimStatement {
    # The statements the simulator received (its --statement-log), oldest first.
    param([Parameter(Mandatory)]$Sim)
    if (-not (Test-Path -LiteralPath $Sim.StatementLog)) { return @() }
    @(Get-Content -LiteralPath $Sim.StatementLog | Where-Object { $_ } | ForEach-Object { ($_ | ConvertFrom-Json).text })
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

# --- an independent blob client for Azurite: REST + account SAS signed with the public dev key ---
# Azurite's well-known development account key (documented by Microsoft for the emulator; it
# protects nothing). Requests go through curl with Azurite's test CA.
$script:AzuriteDevKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

function Get-SqlUrlAzuriteSas {
    param([string]$Permissions = 'rwdlacup')
    $sv = '2020-12-06'
    $start = [DateTime]::UtcNow.AddMinutes(-5).ToString('yyyy-MM-ddTHH:mm:ssZ')
    $expiry = [DateTime]::UtcNow.AddHours(2).ToString('yyyy-MM-ddTHH:mm:ssZ')
    $toSign = "devstoreaccount1`n$Permissions`nb`nsco`n$start`n$expiry`n`nhttps`n$sv`n`n"
    $hmac = [System.Security.Cryptography.HMACSHA256]::new([Convert]::FromBase64String($script:AzuriteDevKey))
    $sig = [Convert]::ToBase64String($hmac.ComputeHash([Text.Encoding]::UTF8.GetBytes($toSign)))
    'sv={0}&ss=b&srt=sco&sp={1}&st={2}&se={3}&spr=https&sig={4}' -f $sv, $Permissions, [Uri]::EscapeDataString($start), [Uri]::EscapeDataString($expiry), [Uri]::EscapeDataString($sig)
}

function Get-SqlUrlTestStorageAccess {
    <# The module's own -Storage* parameters for Azurite: an account SAS (built at run time) with these permissions, the endpoint and its CA. #>
    param([string]$Permissions = 'rwdlacup')
    @{
        StorageSasToken                 = (ConvertTo-SecureString (Get-SqlUrlAzuriteSas -Permissions $Permissions) -AsPlainText -Force)
        StorageEndpoint                 = $env:AZURITE_BLOB_ENDPOINT
        StorageCertificateAuthorityFile = $env:AZURITE_CA
    }
}

function Invoke-SqlUrlAzuriteRest {
    param([Parameter(Mandatory)][string]$Method, [Parameter(Mandatory)][string]$Path, [string]$Query = '')
    $sas = Get-SqlUrlAzuriteSas
    $q = if ($Query) { "$Query&$sas" } else { $sas }
    $url = '{0}/{1}?{2}' -f $env:AZURITE_BLOB_ENDPOINT.TrimEnd('/'), $Path.TrimStart('/'), $q
    $out = & curl -s --max-time 30 --cacert $env:AZURITE_CA -X $Method -H 'x-ms-version: 2021-08-06' -H 'Content-Length: 0' -w "`n%{http_code}" $url
    $lines = @($out)
    [pscustomobject]@{ Status = [int]$lines[-1]; Body = ($lines[0..([Math]::Max(0, $lines.Count - 2))] -join "`n") }
}

function New-SqlUrlTestContainer {
    param([string]$Tag = 'pester')
    $name = ('{0}-{1}' -f $Tag, [guid]::NewGuid().ToString('n').Substring(0, 12)).ToLowerInvariant()
    $r = Invoke-SqlUrlAzuriteRest -Method PUT -Path $name -Query 'restype=container'
    if ($r.Status -ne 201) { throw "Creating container $name in Azurite failed: HTTP $($r.Status) $($r.Body)" }
    $name
}

function Get-SqlUrlTestBlob {
    # Names of the committed blobs in a container.
    param([Parameter(Mandatory)][string]$Container)
    $r = Invoke-SqlUrlAzuriteRest -Method GET -Path $Container -Query 'restype=container&comp=list'
    if ($r.Status -ne 200) { throw "Listing container $Container failed: HTTP $($r.Status)" }
    @([regex]::Matches($r.Body, '<Name>([^<]+)</Name>') | ForEach-Object { $_.Groups[1].Value })
}

$script:SqlUrlTestAccountUrl = 'https://simacct.blob.core.windows.net'

function New-SqlUrlTestScenario {
    <# A scenario with one storage account mapped to Azurite and the given databases/credentials. #>
    param(
        [string[]]$Database = @(),
        [int]$DataMB = 64,
        [string]$Role = 'Contributor',
        [string[]]$ManagedIdentityCredential = @(),
        [double]$ThroughputMBps = 1e9,
        [hashtable]$Extra = @{}
    )
    $dbs = foreach ($d in $Database) {
        @{ name = $d; recovery_model = 'FULL'; files = @(
                @{ logical_name = $d; physical_name = "F:\data\$d.mdf"; file_type = 'ROWS'; size_mb = $DataMB }
                @{ logical_name = "${d}_log"; physical_name = "G:\log\${d}_log.ldf"; file_type = 'LOG'; size_mb = 8 }) }
    }
    $sc = @{
        storage              = @(@{ account_url = $script:SqlUrlTestAccountUrl; endpoint = $env:AZURITE_BLOB_ENDPOINT; managed_identity_role = $Role; network_blocked = $false; ca_file = $env:AZURITE_CA })
        credentials          = @($ManagedIdentityCredential | ForEach-Object { @{ name = $_; identity = 'Managed Identity' } })
        databases            = @($dbs)
        throughput_mb_per_s  = $ThroughputMBps
    }
    foreach ($k in $Extra.Keys) { $sc[$k] = $Extra[$k] }
    $sc
}

function Invoke-SqlUrlTestQuery {
    <#
    An independent observer: Microsoft.Data.SqlClient (../shared/tools/sqlclient-run) runs one
    query against the simulator. Returns the rows as objects (column name = property).
    #>
    param([Parameter(Mandatory)]$Sim, [Parameter(Mandatory)][string]$Query)
    $tool = $env:SQLCLIENT_RUN
    if (-not $tool) {
        foreach ($c in @((Join-Path $script:RepoRoot '../shared/tools/sqlclient-run/sqlclient-run'), '/work/shared/tools/sqlclient-run/sqlclient-run')) {
            if (Test-Path -LiteralPath $c) { $tool = $c; break }
        }
    }
    if (-not $tool) { throw 'sqlclient-run not found (set SQLCLIENT_RUN or put ../shared/tools/sqlclient-run beside the repository).' }
    $cs = "Server=tcp:$($Sim.Server);User ID=sa;Password=Sim-Passw0rd!;Encrypt=True;TrustServerCertificate=True;Connect Timeout=10;Command Timeout=30"
    $lines = & timeout 60 $tool $cs $Query
    if ($LASTEXITCODE -ne 0) { throw "sqlclient-run failed ($LASTEXITCODE): $($lines -join ' ')" }
    foreach ($line in $lines) {
        $o = $line | ConvertFrom-Json
        if ($o.kind -ne 'resultset') { continue }
        foreach ($row in @($o.rows)) {
            $h = [ordered]@{}
            for ($i = 0; $i -lt $o.columns.Count; $i++) { $h[$o.columns[$i].name] = @($row)[$i] }
            [pscustomobject]$h
        }
    }
}

function New-SqlUrlTestToken {
    <# An unsigned JWT for the simulator's token logins (it checks claims, not signatures). #>
    param([Parameter(Mandatory)][string]$Principal)
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $b64 = { param($s) [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($s)).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
    $claims = @{ aud = 'https://database.windows.net/'; upn = $Principal; oid = $Principal; nbf = $now - 60; exp = $now + 3600 } | ConvertTo-Json -Compress
    '{0}.{1}.{2}' -f (& $b64 '{"alg":"RS256","typ":"JWT"}'), (& $b64 $claims), (& $b64 'not-a-real-signature')
}

function Start-SqlUrlFakeImds {
    <#
    A fake Azure IMDS token endpoint on 127.0.0.1 (System.Net.HttpListener in a background
    runspace) answering every request with a token for $Principal and recording what it was asked.
    #>
    param([Parameter(Mandatory)][string]$Principal)
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
    $listener = [System.Net.HttpListener]::new()
    $listener.Prefixes.Add("http://127.0.0.1:$port/")
    $listener.Start()
    $seen = [System.Collections.Concurrent.ConcurrentQueue[string]]::new()
    $token = New-SqlUrlTestToken -Principal $Principal
    $ps = [PowerShell]::Create()
    $null = $ps.AddScript({
            param($Listener, $Seen, $Token)
            while ($Listener.IsListening) {
                try { $ctx = $Listener.GetContext() } catch { break }
                $Seen.Enqueue(('{0} Metadata={1}' -f $ctx.Request.Url.PathAndQuery, $ctx.Request.Headers['Metadata']))
                $exp = [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds()
                $body = '{"access_token":"' + $Token + '","expires_in":"3599","expires_on":"' + $exp + '","resource":"https://database.windows.net/","token_type":"Bearer"}'
                $bytes = [Text.Encoding]::UTF8.GetBytes($body)
                $ctx.Response.ContentType = 'application/json'
                $ctx.Response.ContentLength64 = $bytes.Length
                $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $ctx.Response.Close()
            }
        }).AddArgument($listener).AddArgument($seen).AddArgument($token)
    $async = $ps.BeginInvoke()
    [pscustomobject]@{ Url = "http://127.0.0.1:$port/metadata/identity/oauth2/token"; Listener = $listener; PowerShell = $ps; Async = $async; Seen = $seen; Token = $token }
}

function Stop-SqlUrlFakeImds {
    param($Imds)
    if ($null -eq $Imds) { return }
    try { $Imds.Listener.Stop(); $Imds.Listener.Close() } catch { $null = $_ }
    $null = $Imds.Async.AsyncWaitHandle.WaitOne(5000)
    $Imds.PowerShell.Dispose()
}

function Invoke-SqlUrlChildPwsh {
    <#
    Runs a script in a child pwsh -NonInteractive (host output of -WhatIf, confirmation prompts:
    a prompt there throws instead of waiting). Bounded to 120 s. Returns {ExitCode, Out, Err}.
    #>
    param([Parameter(Mandatory)][string]$Script, [hashtable]$Environment = @{})
    $file = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-child-' + [guid]::NewGuid().ToString('n') + '.ps1')
    Set-Content -LiteralPath $file -Value $Script
    $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlUrlTestPwsh))
    foreach ($a in @('-NoProfile', '-NonInteractive', '-File', $file)) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    $errTask = $p.StandardError.ReadToEndAsync()
    $out = $p.StandardOutput.ReadToEnd()
    if (-not $p.WaitForExit(120000)) { $p.Kill(); throw 'child pwsh did not finish within 120 s' }
    Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
    [pscustomobject]@{ ExitCode = $p.ExitCode; Out = $out; Err = $errTask.Result }
}
