# System.Data.SqlClient (inside pwsh) as an independent observer of the simulator, and
# Microsoft.Data.SqlClient through ../shared/tools/sqlclient-run. Dot-source it in BeforeAll
# (after TestHelpers.ps1, whose Start-SqlUrlSim gives the $Sim these functions take).

function New-SimConnectionString {
    <# A connection string for the simulator. Encrypt: 'false' (login-only TLS), 'true'. #>
    param(
        [Parameter(Mandatory)]$Sim,
        [string]$User = 'sa',
        [string]$Password = 'Sim-Passw0rd!',
        [ValidateSet('false', 'true')][string]$Encrypt = 'true',
        [switch]$TrustServerCertificate,
        [string]$HostName = '127.0.0.1',
        [string]$Extra = ''
    )
    $cs = "Server=tcp:$HostName,$($Sim.Port);Encrypt=$Encrypt;Connect Timeout=15"
    if ($User) { $cs += ";User ID=$User;Password=$Password" }
    if ($TrustServerCertificate) { $cs += ';TrustServerCertificate=true' }
    if ($Extra) { $cs += ";$Extra" }
    $cs
}

function Invoke-SimQuery {
    <#
    Runs one batch through System.Data.SqlClient and returns
    {Tables (DataTable[]), Columns (per table: name + SQL type), Infos, Errors, Spid}.
    Server errors do not throw: they are returned in Errors (Number, Class, State, Message), so a
    test can assert every message of a failed batch (e.g. 3201 and 3013).
    Default connection: sa, Encrypt=true, TrustServerCertificate=true (pass -ConnectionString for more).
    #>
    param(
        [Parameter(Mandatory)]$Sim,
        [Parameter(Mandatory)][string]$Query,
        [string]$ConnectionString,
        [string]$AccessToken,
        [int]$CommandTimeout = 60
    )
    if (-not $ConnectionString) { $ConnectionString = New-SimConnectionString -Sim $Sim -TrustServerCertificate }
    $conn = [System.Data.SqlClient.SqlConnection]::new($ConnectionString)
    if ($AccessToken) { $conn.AccessToken = $AccessToken }
    $infos = [System.Collections.Generic.List[object]]::new()
    $conn.add_InfoMessage({ param($s, $e) foreach ($m in $e.Errors) { $infos.Add([pscustomobject]@{ Number = $m.Number; Class = [int]$m.Class; State = [int]$m.State; Message = $m.Message }) } }.GetNewClosure())
    $result = [pscustomobject]@{ Tables = @(); Columns = @(); Infos = $infos; Errors = @(); Spid = $null }
    try {
        $conn.Open()
        $cmd = $conn.CreateCommand()
        $cmd.CommandText = $Query
        $cmd.CommandTimeout = $CommandTimeout
        $tables = @(); $columns = @()
        try {
            $reader = $cmd.ExecuteReader()
            try {
                do {
                    if ($reader.FieldCount -gt 0) {
                        $columns += , @(0..($reader.FieldCount - 1) | ForEach-Object { [pscustomobject]@{ Name = $reader.GetName($_); Type = $reader.GetDataTypeName($_) } })
                        $t = [System.Data.DataTable]::new()
                        for ($i = 0; $i -lt $reader.FieldCount; $i++) { $null = $t.Columns.Add($reader.GetName($i), [object]) }
                        while ($reader.Read()) {
                            $vals = [object[]]::new($reader.FieldCount)
                            $null = $reader.GetValues($vals)
                            $null = $t.Rows.Add($vals)
                        }
                        $tables += , $t
                    }
                } while ($reader.NextResult())
            }
            finally { $reader.Dispose() }
        }
        catch [System.Data.SqlClient.SqlException] {
            $ex = $_.Exception
            if ($_.Exception -isnot [System.Data.SqlClient.SqlException]) { $ex = $_.Exception.InnerException }
            $result.Errors = @($ex.Errors | ForEach-Object { [pscustomobject]@{ Number = $_.Number; Class = [int]$_.Class; State = [int]$_.State; Message = $_.Message } })
        }
        $result.Tables = $tables
        $result.Columns = $columns
    }
    finally { $conn.Dispose() }
    $result
}

function New-SimAccessToken {
    <# An unsigned JWT the simulator accepts for a login whose principal is $Principal. #>
    param([Parameter(Mandatory)][string]$Principal, [int]$ExpiresInSeconds = 3600, [string]$Audience = 'https://database.windows.net/')
    $b64 = { param($s) [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($s)).TrimEnd('=').Replace('+', '-').Replace('/', '_') }
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $claims = [ordered]@{ aud = $Audience; upn = $Principal; iat = $now - 60; nbf = $now - 60; exp = $now + $ExpiresInSeconds } | ConvertTo-Json -Compress
    '{0}.{1}.' -f (& $b64 '{"alg":"none","typ":"JWT"}'), (& $b64 $claims)
}

function Get-SqlClientRunPath {
    <# sqlclient-run (Microsoft.Data.SqlClient 7.1.1): $env:SQLCLIENT_RUN, else ../shared/tools above the repo. #>
    if ($env:SQLCLIENT_RUN) { return $env:SQLCLIENT_RUN }
    $dir = $PSScriptRoot
    while ($dir) {
        $p = Join-Path $dir 'shared/tools/sqlclient-run/sqlclient-run'
        if (Test-Path -LiteralPath $p) { return $p }
        $parent = Split-Path -Parent $dir
        if ($parent -eq $dir) { break }
        $dir = $parent
    }
    throw 'sqlclient-run not found: set SQLCLIENT_RUN or provide ../shared/tools/sqlclient-run/sqlclient-run.'
}

function Invoke-SqlClientRun {
    <# Runs sqlclient-run with the given arguments; returns {ExitCode, Events (parsed JSON lines)}. #>
    param([Parameter(Mandatory)][string[]]$ArgumentList, [hashtable]$Environment = @{}, [int]$TimeoutSeconds = 120)
    $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlClientRunPath))
    foreach ($a in $ArgumentList) { $psi.ArgumentList.Add($a) }
    foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
    $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
    $p = [System.Diagnostics.Process]::Start($psi)
    $out = $p.StandardOutput.ReadToEndAsync(); $err = $p.StandardError.ReadToEndAsync()
    if (-not $p.WaitForExit($TimeoutSeconds * 1000)) { $p.Kill(); throw "sqlclient-run did not finish within $TimeoutSeconds s" }
    $p.WaitForExit()
    $events = @($out.Result -split "`n" | Where-Object { $_.Trim() } | ForEach-Object { $_ | ConvertFrom-Json })
    [pscustomobject]@{ ExitCode = $p.ExitCode; Events = $events; Stderr = $err.Result }
}
