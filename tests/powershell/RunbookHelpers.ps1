# A local stand-in for Azure Automation, for the runbook tests: a fake managed-identity endpoint
# (IDENTITY_ENDPOINT / IDENTITY_HEADER, as Automation sets them), a job host that runs a runbook in
# a child pwsh the way a job runs it (parameters in, Output records out as JSON lines, Failed on a
# terminating error), and parallel jobs for the fan-out runbook's child-job launcher.
# Dot-source after TestHelpers.ps1.

function Start-SqlUrlFakeIdentityEndpoint {
    <#
    The Automation / App Service managed-identity endpoint on 127.0.0.1: answers a token for
    $Principal when the request carries X-IDENTITY-HEADER = $Header, else HTTP 401. Records every
    request as '<path and query> header=<ok|missing|wrong>' (never the header's value).
    Returns {Endpoint, Header, Seen, ...}; stop it with Stop-SqlUrlFakeImds.
    #>
    param([Parameter(Mandatory)][string]$Principal)
    $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
    $listener = [System.Net.HttpListener]::new()
    $listener.Prefixes.Add("http://127.0.0.1:$port/")
    $listener.Start()
    $seen = [System.Collections.Concurrent.ConcurrentQueue[string]]::new()
    $token = New-SqlUrlTestToken -Principal $Principal
    $header = [guid]::NewGuid().ToString('n')
    $ps = [PowerShell]::Create()
    $null = $ps.AddScript({
            param($Listener, $Seen, $Token, $Header)
            while ($Listener.IsListening) {
                try { $ctx = $Listener.GetContext() } catch { break }
                $got = $ctx.Request.Headers['X-IDENTITY-HEADER']
                $state = if ($null -eq $got) { 'missing' } elseif ($got -eq $Header) { 'ok' } else { 'wrong' }
                $Seen.Enqueue(('{0} header={1}' -f $ctx.Request.Url.PathAndQuery, $state))
                if ($state -eq 'ok') {
                    $exp = [DateTimeOffset]::UtcNow.AddHours(1).ToUnixTimeSeconds()
                    $body = '{"access_token":"' + $Token + '","expires_on":"' + $exp + '","resource":"https://database.windows.net/","token_type":"Bearer","client_id":"00000000-0000-0000-0000-000000000000"}'
                    $ctx.Response.StatusCode = 200
                }
                else {
                    $body = '{"statusCode":401,"message":"X-IDENTITY-HEADER is missing or wrong"}'
                    $ctx.Response.StatusCode = 401
                }
                $bytes = [Text.Encoding]::UTF8.GetBytes($body)
                $ctx.Response.ContentType = 'application/json'
                $ctx.Response.ContentLength64 = $bytes.Length
                $ctx.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $ctx.Response.Close()
            }
        }).AddArgument($listener).AddArgument($seen).AddArgument($token).AddArgument($header)
    $async = $ps.BeginInvoke()
    [pscustomobject]@{ Endpoint = "http://127.0.0.1:$port/msi/token"; Header = $header; Listener = $listener; PowerShell = $ps; Async = $async; Seen = $seen; Token = $token }
}

function Start-SqlUrlRunbookProcess {
    <#
    Starts a runbook as a job would run it: a fresh pwsh (-NonInteractive), the parameters bound
    from JSON (the simple types Automation passes), each Output record written as one JSON line
    'OUT {json}', a terminating error as 'JOB FAILED: message' on stderr with exit code 1.
    $Environment: e.g. IDENTITY_ENDPOINT, IDENTITY_HEADER, PSModulePath.
    #>
    param([Parameter(Mandatory)][string]$Path, [hashtable]$Parameters = @{}, [hashtable]$Environment = @{})
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-job-' + [guid]::NewGuid().ToString('n').Substring(0, 12))
    $null = New-Item -ItemType Directory -Path $dir
    $paramFile = Join-Path $dir 'parameters.json'
    $Parameters | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $paramFile -Encoding utf8
    $hostFile = Join-Path $dir 'job.ps1'
    Set-Content -LiteralPath $hostFile -Encoding utf8 -Value @'
param([string]$Runbook, [string]$ParameterFile)
$p = @{}
foreach ($prop in (Get-Content -Raw -LiteralPath $ParameterFile | ConvertFrom-Json).PSObject.Properties) {
    $v = $prop.Value
    if ($v -is [System.Array]) { $v = [string[]]@($v) }
    $p[$prop.Name] = $v
}
try {
    & $Runbook @p | ForEach-Object { 'OUT ' + (ConvertTo-Json -InputObject $_ -Compress -Depth 4) }
}
catch {
    [Console]::Error.WriteLine('JOB FAILED: ' + $_.Exception.Message)
    [Console]::Error.WriteLine($_.ScriptStackTrace)
    exit 1
}
exit 0
'@
    $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlUrlTestPwsh))
    foreach ($a in @('-NoLogo', '-NoProfile', '-NonInteractive', '-File', $hostFile, '-Runbook', $Path, '-ParameterFile', $paramFile)) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = [string]$Environment[$k] }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    [pscustomobject]@{ Process = $p; OutTask = $p.StandardOutput.ReadToEndAsync(); ErrTask = $p.StandardError.ReadToEndAsync(); Directory = $dir; Started = [DateTime]::UtcNow }
}

function Wait-SqlUrlRunbookProcess {
    <#
    Waits (bounded) for a job from Start-SqlUrlRunbookProcess. Returns {Status (Completed, Failed
    or TimedOut), ExitCode, Output (the records, deserialized), Lines (the string records),
    Error (stderr), Seconds}.
    #>
    param([Parameter(Mandatory)]$Job, [int]$TimeoutSeconds = 300)
    $p = $Job.Process
    $status = 'Completed'
    if (-not $p.WaitForExit($TimeoutSeconds * 1000)) { $p.Kill($true); $null = $p.WaitForExit(10000); $status = 'TimedOut' }
    $out = if ($Job.OutTask.Wait(10000)) { $Job.OutTask.Result } else { '' }
    $err = if ($Job.ErrTask.Wait(10000)) { $Job.ErrTask.Result } else { '' }
    if ($status -ne 'TimedOut' -and $p.ExitCode -ne 0) { $status = 'Failed' }
    $records = @($out -split "`r?`n" | Where-Object { $_.StartsWith('OUT ') } | ForEach-Object { $_.Substring(4) | ConvertFrom-Json })
    Remove-Item -LiteralPath $Job.Directory -Recurse -Force -ErrorAction SilentlyContinue
    [pscustomobject]@{
        Status   = $status
        ExitCode = $p.ExitCode
        Output   = $records
        Lines    = @($records | Where-Object { $_ -is [string] })
        Error    = $err
        Seconds  = ([DateTime]::UtcNow - $Job.Started).TotalSeconds
        Stdout   = $out
    }
}

function Invoke-SqlUrlRunbookJob {
    # One runbook job, start to end.
    param([Parameter(Mandatory)][string]$Path, [hashtable]$Parameters = @{}, [hashtable]$Environment = @{}, [int]$TimeoutSeconds = 300)
    Wait-SqlUrlRunbookProcess -Job (Start-SqlUrlRunbookProcess -Path $Path -Parameters $Parameters -Environment $Environment) -TimeoutSeconds $TimeoutSeconds
}

function Join-SqlUrlCaBundle {
    # One PEM file with the CA certificates of several simulators (each makes its own CA).
    param([Parameter(Mandatory)][object[]]$Sim, [Parameter(Mandatory)][string]$Path)
    $pem = @($Sim | ForEach-Object { (Get-Content -Raw -LiteralPath $_.CaFile).Trim() }) -join "`n"
    Set-Content -LiteralPath $Path -Value $pem -Encoding ascii
    $Path
}
