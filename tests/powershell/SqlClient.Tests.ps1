# System.Data.SqlClient (the TDS client inside PowerShell 7) against the simulator: logins at
# each encryption level with real certificate validation, an Entra access token, the pooled
# connection reset, every supported statement compared with Microsoft.Data.SqlClient's view
# (sqlclient-run, which tests/sqlsim/tests/msclients_sqlclient.rs compares with tiberius), errors
# with SQL Server's numbers, 3211 progress streamed through InfoMessage, and Cancel() of a backup.
# Needs: target/debug/sqlsim (cargo build -p sqlsim), Azurite (scripts/azurite.sh), sqlclient-run.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'SqlClientHelpers.ps1')
    $script:Azurite = Get-SqlUrlAzurite
    $script:Container = New-SqlUrlTestContainer -Tag 'sdsclient'
    $logins = @(
        @{ name = 'sa'; password = 'Sim-Passw0rd!'; sysadmin = $true; can_view_server_state = $true }
        @{ name = 'reader'; password = 'R3ader-pw'; sysadmin = $false }
        @{ name = 'app@contoso.com'; principal = 'app@contoso.com'; sysadmin = $true }
    )
    $containerUrl = "$($script:SqlUrlTestAccountUrl)/$($script:Container)"
    # 'Slow' is 800 MB at 100 MB/s: about eight seconds of virtual transfer (ten 3211 messages),
    # room for the checks made while it runs even on a loaded machine. 'Src' is small.
    $db = { param($n, $mb) @{ name = $n; recovery_model = 'FULL'; files = @(
                @{ logical_name = $n; physical_name = "F:\data\$n.mdf"; file_type = 'ROWS'; size_mb = $mb }
                @{ logical_name = "${n}_log"; physical_name = "G:\log\${n}_log.ldf"; file_type = 'LOG'; size_mb = 8 }) } }
    $sc = New-SqlUrlTestScenario -ManagedIdentityCredential $containerUrl -ThroughputMBps 100 -Extra @{
        databases   = @((& $db 'Src' 16), (& $db 'Slow' 800))
        logins      = $logins
        credentials = @(
            @{ name = $containerUrl; identity = 'Managed Identity' }
            @{ name = 'https://acct.blob.core.windows.net/sas'; identity = 'SHARED ACCESS SIGNATURE'; secret = 'sv=2022-11-02&sig=SEEDSECRET' }
        )
    }
    $script:Sim = Start-SqlUrlSim -Scenario $sc
    $script:Tsc = New-SimConnectionString -Sim $script:Sim -TrustServerCertificate
    function script:BlobUrl([string]$Name) { "$($script:SqlUrlTestAccountUrl)/$($script:Container)/$Name" }

    # Opens a connection in a child pwsh whose SSL_CERT_FILE is $CaFile: .NET on Linux takes its
    # trusted roots from OpenSSL, which reads SSL_CERT_FILE when the process starts. Returns the
    # child's one-line result ("ok 16.00.4175" or "fail <message>").
    function script:Test-ChildOpen([string]$ConnectionString, [string]$CaFile) {
        $code = 'param($cs) $c = [System.Data.SqlClient.SqlConnection]::new($cs); try { $c.Open(); "ok " + $c.ServerVersion } catch { "fail " + $_.Exception.Message } finally { $c.Dispose() }'
        $file = Join-Path $script:Sim.Directory ("open-{0}.ps1" -f [guid]::NewGuid().ToString('n').Substring(0, 6))
        Set-Content -LiteralPath $file -Value $code
        $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlUrlTestPwsh))
        foreach ($a in @('-NoProfile', '-NonInteractive', '-File', $file, $ConnectionString)) { $psi.ArgumentList.Add($a) }
        $psi.Environment['SSL_CERT_FILE'] = $CaFile
        $psi.Environment['SSL_CERT_DIR'] = '/nonexistent-sqlsim-cert-dir'
        $psi.RedirectStandardOutput = $true; $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEndAsync()
        if (-not $p.WaitForExit(90000)) { $p.Kill(); throw 'child pwsh did not finish within 90 s' }
        ($out.Result -split "`n" | Where-Object { $_ -match '^(ok|fail) ' } | Select-Object -Last 1)
    }

    function script:Open([string]$ConnectionString) {
        $c = [System.Data.SqlClient.SqlConnection]::new($ConnectionString)
        $c.Open()
        $c
    }
    function script:Scalar($Conn, [string]$Sql) {
        $cmd = $Conn.CreateCommand(); $cmd.CommandText = $Sql; $cmd.CommandTimeout = 60
        $cmd.ExecuteScalar()
    }
}

AfterAll {
    Stop-SqlUrlSim $script:Sim
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'System.Data.SqlClient logs in to sqlsim' {
    It 'Encrypt=false (login-only TLS): LOGINACK version, database and packet size' {
        $c = Open (New-SimConnectionString -Sim $Sim -Encrypt false)
        try {
            $c.ServerVersion | Should -Be '16.00.4175'
            $c.Database | Should -Be 'master'
            $c.PacketSize | Should -Be 8000
            Scalar $c 'SELECT SUSER_SNAME()' | Should -Be 'sa'
        }
        finally { $c.Dispose() }
    }

    It 'Encrypt=true with TrustServerCertificate=true' {
        $c = Open $Tsc
        try { Scalar $c "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))" | Should -Be '16.0.4175.1' }
        finally { $c.Dispose() }
    }

    It 'Encrypt=true validates the certificate against the simulator CA, and refuses another CA' {
        $cs = New-SimConnectionString -Sim $Sim -HostName 'localhost'
        Test-ChildOpen $cs $Sim.CaFile | Should -Be 'ok 16.00.4175'
        # Azurite's test CA did not sign the simulator's certificate.
        Test-ChildOpen $cs $Azurite.CaFile | Should -Match '^fail .*pre-login handshake'
    }

    It 'rejects Encrypt=Strict itself: System.Data.SqlClient has no TDS 8.0 (Microsoft.Data.SqlClient covers it)' {
        { [System.Data.SqlClient.SqlConnection]::new("Server=tcp:127.0.0.1,$($Sim.Port);Encrypt=Strict") } | Should -Throw '*encrypt*'
    }

    It 'a wrong password is 18456, class 14, state 1' {
        $c = [System.Data.SqlClient.SqlConnection]::new((New-SimConnectionString -Sim $Sim -Password 'not-the-password' -TrustServerCertificate))
        $err = $null
        try { $c.Open() } catch { $err = $_.Exception.InnerException; if ($null -eq $err) { $err = $_.Exception } }
        finally { $c.Dispose() }
        $err | Should -BeOfType [System.Data.SqlClient.SqlException]
        $err.Number | Should -Be 18456
        $err.Class | Should -Be 14
        $err.State | Should -Be 1
        $err.Message | Should -Be "Login failed for user 'sa'."
    }

    It 'an Entra access token (SqlConnection.AccessToken) logs in as its principal; an expired one is 18456' {
        $cs = New-SimConnectionString -Sim $Sim -User '' -TrustServerCertificate
        $r = Invoke-SimQuery -Sim $Sim -ConnectionString $cs -AccessToken (New-SimAccessToken -Principal 'app@contoso.com') -Query 'SELECT SUSER_SNAME() AS who, IS_SRVROLEMEMBER(''sysadmin'') AS sa'
        $r.Errors | Should -BeNullOrEmpty
        $r.Tables[0].Rows[0].who | Should -Be 'app@contoso.com'
        $r.Tables[0].Rows[0].sa | Should -Be 1
        $c = [System.Data.SqlClient.SqlConnection]::new($cs)
        $c.AccessToken = New-SimAccessToken -Principal 'app@contoso.com' -ExpiresInSeconds -600
        { try { $c.Open() } finally { $c.Dispose() } } | Should -Throw '*Login failed for user*'
    }

    It 'a pooled connection reused by a second Open() starts clean (RESETCONNECTION)' {
        $cs = "$Tsc;Application Name=pool-reset-test;Pooling=true"
        $c = Open $cs
        $spid = Scalar $c 'SELECT @@SPID'
        $null = Scalar $c 'DBCC TRACEON(4675)'   # a session trace flag
        $cmd = $c.CreateCommand(); $cmd.CommandText = 'DBCC TRACESTATUS(4675)'
        $t = [System.Data.DataTable]::new(); $t.Load($cmd.ExecuteReader())
        $t.Rows[0].Session | Should -Be 1
        Scalar $c 'USE [Src]; SELECT DB_NAME()' | Should -Be 'Src'
        $c.Close()

        $c = Open $cs
        try {
            Scalar $c 'SELECT @@SPID' | Should -Be $spid -Because 'the pool hands out the same physical connection'
            $cmd = $c.CreateCommand(); $cmd.CommandText = 'DBCC TRACESTATUS(4675)'
            $t = [System.Data.DataTable]::new(); $t.Load($cmd.ExecuteReader())
            $t.Rows[0].Session | Should -Be 0
            $t.Rows[0].Status | Should -Be 0
            Scalar $c 'SELECT DB_NAME()' | Should -Be 'master'
            $c.Database | Should -Be 'master'
        }
        finally { $c.Close(); [System.Data.SqlClient.SqlConnection]::ClearPool($c); $c.Dispose() }
    }
}

Describe 'System.Data.SqlClient sees what Microsoft.Data.SqlClient sees' {
    BeforeAll {
        $script:Statements = @(
            'SELECT @@VERSION AS version'
            "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS v, CAST(SERVERPROPERTY('ProductUpdateLevel') AS nvarchar(128)) AS cu, CAST(SERVERPROPERTY('EngineEdition') AS int) AS ee, CAST(SERVERPROPERTY('IsClustered') AS int) AS fci, CONVERT(nvarchar(4000), SERVERPROPERTY('InstanceDefaultDataPath')) AS datapath, CAST(SERVERPROPERTY('NoSuchProperty') AS nvarchar(10)) AS missing"
            'SELECT * FROM sys.databases'
            'SELECT * FROM sys.master_files'
            'SELECT * FROM sys.credentials'
            'SELECT * FROM sys.dm_os_host_info'
            'SELECT * FROM sys.dm_exec_requests'
            'DBCC TRACESTATUS(-1)'
            "RESTORE HEADERONLY FROM URL = N'$(BlobUrl 'src-compare.bak')'"
            "RESTORE FILELISTONLY FROM URL = N'$(BlobUrl 'src-compare.bak')'"
            "SELECT SERVERPROPERTY('ProductVersion') AS pv, SERVERPROPERTY('EngineEdition') AS ee, SERVERPROPERTY('NoSuch') AS missing"
        )
        $b = Invoke-SimQuery -Sim $Sim -Query "BACKUP DATABASE [Src] TO URL = N'$(BlobUrl 'src-compare.bak')' WITH FORMAT"
        if ($b.Errors) { throw "backup for the comparison failed: $($b.Errors | Out-String)" }
        $script:Volatile = @('session_id', 'start_time', 'total_elapsed_time')
        $null = Invoke-SimQuery -Sim $Sim -Query 'DBCC TRACEON(4675, -1)'
        $script:Mds = Invoke-SqlClientRun -ArgumentList (@("Server=tcp:127.0.0.1,$($Sim.Port);User ID=sa;Password=Sim-Passw0rd!;Encrypt=Mandatory;TrustServerCertificate=true") + $script:Statements)
        # One list of result sets per batch (a batch ends with its "done" line).
        $script:MdsSets = [System.Collections.Generic.List[object]]::new()
        $cur = [System.Collections.Generic.List[object]]::new()
        foreach ($e in $script:Mds.Events) {
            if ($e.kind -eq 'resultset') { $cur.Add($e) }
            elseif ($e.kind -eq 'done') { $script:MdsSets.Add($cur); $cur = [System.Collections.Generic.List[object]]::new() }
        }

        function script:Test-SameValue($Sds, $Mds) {
            if ($Sds -is [System.DBNull]) { return $null -eq $Mds }
            if ($Sds -is [byte[]]) { return ([Convert]::ToHexString($Sds)) -ceq $Mds }
            if ($Sds -is [datetime]) {
                $m = if ($Mds -is [datetime]) { $Mds } else { [datetime]::Parse($Mds, [cultureinfo]::InvariantCulture) }
                return [Math]::Abs(($Sds - $m).TotalMilliseconds) -le 1
            }
            if ($Sds -is [bool]) { return $Sds -eq [bool]$Mds }
            if ($Sds -is [decimal] -or $Sds -is [long] -or $Sds -is [int] -or $Sds -is [int16] -or $Sds -is [byte]) { return [decimal]$Sds -eq [decimal]$Mds }
            if ($Sds -is [ValueType] -and $Sds -isnot [guid]) { return [Math]::Abs([double]$Sds - [double]$Mds) -le 1e-6 * [Math]::Max(1, [Math]::Abs([double]$Sds)) }
            return "$Sds" -ceq "$Mds"
        }
    }

    It 'sqlclient-run ran every statement' {
        $Mds.ExitCode | Should -Be 0
        $MdsSets.Count | Should -Be $Statements.Count
    }

    It '<_>: same columns, SQL types and values' -ForEach @(0..10) {
        $i = $_
        $sql = $Statements[$i]
        $sds = Invoke-SimQuery -Sim $Sim -Query $sql
        $sds.Errors | Should -BeNullOrEmpty
        $mdsSets = @($MdsSets[$i])
        $sds.Tables.Count | Should -Be $mdsSets.Count
        for ($s = 0; $s -lt $mdsSets.Count; $s++) {
            $mcols = @($mdsSets[$s].columns)
            $scols = @($sds.Columns[$s])
            ($scols | ForEach-Object { "$($_.Name):$($_.Type)" }) -join ',' | Should -Be (($mcols | ForEach-Object { "$($_.name):$($_.type)" }) -join ',') -Because $sql
            $mrows = @($mdsSets[$s].rows)
            $srows = @($sds.Tables[$s].Rows)
            $srows.Count | Should -Be $mrows.Count -Because $sql
            for ($r = 0; $r -lt $mrows.Count; $r++) {
                for ($k = 0; $k -lt $mcols.Count; $k++) {
                    $name = $mcols[$k].name
                    $sv = $srows[$r][$k]; $mv = @($mrows[$r])[$k]
                    if ($Volatile -contains $name) { ($sv -is [System.DBNull]) | Should -Be ($null -eq $mv); continue }
                    Test-SameValue $sv $mv | Should -BeTrue -Because "$sql, row $r, column $name ($($mcols[$k].type)): System.Data.SqlClient '$sv' vs Microsoft.Data.SqlClient '$mv'"
                }
            }
        }
    }

    It 'a parameterized query (RPC sp_executesql with an nvarchar parameter) works' {
        # Needs the collation ENVCHANGE at login: without it SqlClient cannot send string parameters.
        $c = Open $Tsc
        try {
            $cmd = $c.CreateCommand()
            $cmd.CommandText = 'SELECT database_id, name FROM sys.databases WHERE name = @n'
            $null = $cmd.Parameters.Add('@n', [System.Data.SqlDbType]::NVarChar, 128)
            $cmd.Parameters['@n'].Value = 'src'
            $t = [System.Data.DataTable]::new(); $t.Load($cmd.ExecuteReader())
            $t.Rows.Count | Should -Be 1
            $t.Rows[0].name | Should -Be 'Src'
            $t.Rows[0].database_id | Should -BeGreaterThan 4
        }
        finally { $c.Dispose() }
    }

    It 'pins a few values (both clients agreeing on a wrong answer still fails)' {
        $r = Invoke-SimQuery -Sim $Sim -Query 'SELECT name, state_desc FROM sys.databases WHERE database_id > 4 ORDER BY name'
        @($r.Tables[0].Rows | ForEach-Object name) | Should -Be @('Slow', 'Src')
        $r = Invoke-SimQuery -Sim $Sim -Query 'SELECT * FROM sys.credentials'
        @($r.Tables[0].Rows | ForEach-Object credential_identity) | Should -Contain 'Managed Identity'
        ($r.Tables[0].Rows | Out-String) | Should -Not -Match 'SEEDSECRET'
        $r = Invoke-SimQuery -Sim $Sim -Query 'DBCC TRACESTATUS(4675, -1)'
        $r.Tables[0].Rows[0].Global | Should -Be 1
        $r.Infos.Number | Should -Contain 2528
    }
}

Describe 'System.Data.SqlClient gets SQL Server''s errors' {
    It 'an unsupported statement is a clear error' {
        $r = Invoke-SimQuery -Sim $Sim -Query 'CREATE TABLE dbo.t (a int)'
        $r.Errors[0].Number | Should -Be 50000
        $r.Errors[0].Class | Should -Be 16
        $r.Errors[0].Message | Should -Match 'not supported'
    }

    It '37563 when trace flag 4675 is on and no primary managed identity is selected' {
        $sim2 = Start-SqlUrlSim -Scenario @{ primary_managed_identity = $false }
        try {
            $null = Invoke-SimQuery -Sim $sim2 -Query 'DBCC TRACEON(4675, -1)'
            $r = Invoke-SimQuery -Sim $sim2 -Query "CREATE CREDENTIAL [https://a.blob.core.windows.net/c] WITH IDENTITY = 'Managed Identity'"
            @($r.Errors).Count | Should -Be 1
            $r.Errors[0].Number | Should -Be 37563
            $r.Errors[0].Class | Should -Be 16
            $r.Errors[0].State | Should -Be 2
            $r.Errors[0].Message | Should -BeLike 'The primary managed identity is not selected for this server.*'
        }
        finally { Stop-SqlUrlSim $sim2 }
    }

    It '3201 then 3013 (both messages) for a container without a credential' {
        $url = "$($SqlUrlTestAccountUrl)/no-credential-here/x.bak"
        $r = Invoke-SimQuery -Sim $Sim -Query "BACKUP DATABASE [Src] TO URL = N'$url'"
        @($r.Errors.Number) | Should -Be @(3201, 3013)
        $r.Errors[0].Class | Should -Be 16
        $r.Errors[0].Message | Should -Be "Cannot open backup device '$url'. Operating system error 50(The request is not supported.)."
        $r.Errors[1].Message | Should -Be 'BACKUP DATABASE is terminating abnormally.'
    }

    It '1834 + 3156 for each file when a restore would overwrite a database''s files' {
        $url = BlobUrl 'src-for-1834.bak'
        $r = Invoke-SimQuery -Sim $Sim -Query "BACKUP DATABASE [Src] TO URL = N'$url' WITH FORMAT"
        $r.Errors | Should -BeNullOrEmpty
        $r = Invoke-SimQuery -Sim $Sim -Query "RESTORE DATABASE [Copy] FROM URL = N'$url'"
        @($r.Errors.Number) | Should -Be @(1834, 3156, 1834, 3156, 3119, 3013)
        $r.Errors[0].Message | Should -Be "The file 'F:\data\Src.mdf' cannot be overwritten.  It is being used by database 'Src'."
        $r.Errors[1].State | Should -Be 4
        $r.Errors[1].Message | Should -Be "File 'Src' cannot be restored to 'F:\data\Src.mdf'. Use WITH MOVE to identify a valid location for the file."
    }
}

Describe 'BACKUP progress and cancel through System.Data.SqlClient' {
    It 'STATS = 10 streams 3211 through InfoMessage while the backup runs, then 4035 and 3014' {
        $blob = 'slow-stats.bak'
        $conn = Open $Tsc
        $conn.FireInfoMessageEventOnUserErrors = $true
        $seen = [System.Collections.Generic.List[object]]::new()
        $state = @{ CheckedWhileRunning = $false; RunningRows = -1; BlobsWhileRunning = $null; Problem = $null }
        # The handler is a closure (its own scope): hand it the functions and values it needs.
        $query = ${function:Invoke-SimQuery}; $listBlobs = ${function:Get-SqlUrlTestBlob}; $sim = $Sim; $container = $Container
        $conn.add_InfoMessage({
                param($s, $e)
                foreach ($m in $e.Errors) {
                    $seen.Add([pscustomobject]@{ Number = $m.Number; Message = $m.Message; At = [DateTime]::UtcNow })
                    if ($m.Number -eq 3211 -and -not $state.CheckedWhileRunning) {
                        $state.CheckedWhileRunning = $true
                        # Another session sees the backup still running; Azurite has nothing committed.
                        try {
                            $q = & $query -Sim $sim -Query "SELECT command FROM sys.dm_exec_requests WHERE command = 'BACKUP DATABASE'"
                            $state.RunningRows = $q.Tables[0].Rows.Count
                            $state.BlobsWhileRunning = @(& $listBlobs -Container $container)
                        }
                        catch { $state.Problem = "$_" }
                    }
                }
            }.GetNewClosure())
        try {
            $cmd = $conn.CreateCommand()
            $cmd.CommandText = "BACKUP DATABASE [Slow] TO URL = N'$(BlobUrl $blob)' WITH FORMAT, STATS = 10"
            $cmd.CommandTimeout = 120
            $null = $cmd.ExecuteNonQuery()
        }
        finally { $conn.Dispose() }
        $state.CheckedWhileRunning | Should -BeTrue
        $state.Problem | Should -BeNullOrEmpty
        $state.RunningRows | Should -Be 1
        $state.BlobsWhileRunning | Should -Not -Contain $blob
        @($seen | Where-Object Number -EQ 3211 | ForEach-Object Message) | Should -Be @(1..10 | ForEach-Object { "$($_ * 10) percent processed." })
        $seen.Number | Should -Contain 4035
        $seen[-1].Number | Should -Be 3014
        $seen[-1].Message | Should -BeLike 'BACKUP DATABASE successfully processed *'
        $span = ($seen[-1].At - ($seen | Where-Object Number -EQ 3211 | Select-Object -First 1).At).TotalMilliseconds
        Write-Host ("    3211 '10 percent' to 3014: {0:N0} ms apart (streamed, not delivered at the end)" -f $span)
        Get-SqlUrlTestBlob -Container $Container | Should -Contain $blob
    }

    It 'SqlCommand.Cancel() during a backup is acknowledged and leaves no committed blob' {
        $blob = 'slow-cancel.bak'
        $conn = Open $Tsc
        $conn.FireInfoMessageEventOnUserErrors = $true
        $cmd = $conn.CreateCommand()
        $cmd.CommandText = "BACKUP DATABASE [Slow] TO URL = N'$(BlobUrl $blob)' WITH FORMAT, STATS = 10"
        $cmd.CommandTimeout = 120
        $state = @{ Cancelled = $false; Seen = [System.Collections.Generic.List[int]]::new() }
        $conn.add_InfoMessage({
                param($s, $e)
                foreach ($m in $e.Errors) {
                    $state.Seen.Add($m.Number)
                    if ($m.Number -eq 3211 -and $m.Message -eq '20 percent processed.' -and -not $state.Cancelled) {
                        $state.Cancelled = $true
                        $cmd.Cancel()   # sends ATTENTION; the client then waits for DONE_ATTN
                    }
                }
            }.GetNewClosure())
        $err = $null
        try {
            try { $null = $cmd.ExecuteNonQuery() } catch { $err = $_.Exception.InnerException; if ($null -eq $err) { $err = $_.Exception } }
            $state.Cancelled | Should -BeTrue
            $err | Should -Not -BeNullOrEmpty
            $err.Message | Should -BeLike '*Operation cancelled by user*'
            $state.Seen | Should -Not -Contain 3014
            # The attention was acknowledged: the same connection still works.
            $conn.State | Should -Be 'Open'
            Scalar $conn 'SELECT 1' | Should -Be 1
        }
        finally { $conn.Dispose() }
        Get-SqlUrlTestBlob -Container $Container | Should -Not -Contain $blob
        $r = Invoke-SimQuery -Sim $Sim -Query "SELECT command FROM sys.dm_exec_requests WHERE command = 'BACKUP DATABASE'"
        $r.Tables[0].Rows.Count | Should -Be 0
    }

    It 'an attention for a request that has already finished is still acknowledged (the connection stays usable)' {
        # The reader has consumed one row; the server has sent everything. Cancel() still sends
        # ATTENTION, and SqlClient waits for DONE_ATTN (without it the connection is doomed).
        $conn = Open $Tsc
        try {
            $cmd = $conn.CreateCommand(); $cmd.CommandText = 'SELECT * FROM sys.databases'
            $reader = $cmd.ExecuteReader()
            $reader.Read() | Should -BeTrue
            $cmd.Cancel()
            $reader.Close()
            $conn.State | Should -Be 'Open'
            Scalar $conn 'SELECT 1' | Should -Be 1
        }
        finally { $conn.Dispose() }
    }

    It 'a command timeout sends ATTENTION; the simulator acknowledges it and the session goes on' {
        $conn = Open $Tsc
        try {
            $cmd = $conn.CreateCommand(); $cmd.CommandText = "WAITFOR DELAY '00:00:05'"; $cmd.CommandTimeout = 1
            $err = $null
            try { $null = $cmd.ExecuteNonQuery() } catch { $err = $_.Exception.InnerException; if ($null -eq $err) { $err = $_.Exception } }
            $err | Should -BeOfType [System.Data.SqlClient.SqlException]
            $err.Message | Should -BeLike 'Timeout expired.*'
            $conn.State | Should -Be 'Open'
            Scalar $conn 'SELECT 2' | Should -Be 2
        }
        finally { $conn.Dispose() }
    }
}

# Issue 9: what the module's cmdlets did, checked through System.Data.SqlClient (not through the
# module's own output, nor Microsoft.Data.SqlClient): the credential is in sys.credentials, the
# restored database is in sys.databases with the relocated files in sys.master_files.
Describe 'The module''s effects seen through System.Data.SqlClient' {
    BeforeAll {
        Import-Module (Get-SqlUrlTestModulePath) -Force
        $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
        $script:C = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    }

    It 'New-SqlUrlCredential: the credential is in sys.credentials with IDENTITY ''Managed Identity''' {
        $url = "$($script:SqlUrlTestAccountUrl)/module-made-$([guid]::NewGuid().ToString('n').Substring(0, 6))"
        $before = Invoke-SimQuery -Sim $script:Sim -Query "SELECT name FROM sys.credentials WHERE name = N'$url'"
        $before.Tables[0].Rows.Count | Should -Be 0
        $null = New-SqlUrlCredential @script:C -Url $url -WarningAction SilentlyContinue
        $r = Invoke-SimQuery -Sim $script:Sim -Query "SELECT name, credential_identity FROM sys.credentials WHERE name = N'$url'"
        $r.Errors | Should -BeNullOrEmpty
        $r.Tables[0].Rows.Count | Should -Be 1
        $r.Tables[0].Rows[0].credential_identity | Should -Be 'Managed Identity'
    }

    It 'Backup-SqlUrlDatabase + Restore-SqlUrlDatabase: the new database is ONLINE with the relocated files' {
        $containerUrl = "$($script:SqlUrlTestAccountUrl)/$($script:Container)"
        $b = Backup-SqlUrlDatabase @script:C -Database 'Src' -ContainerUrl $containerUrl
        $none = Invoke-SimQuery -Sim $script:Sim -Query "SELECT name FROM sys.databases WHERE name = N'Src_viamodule'"
        $none.Tables[0].Rows.Count | Should -Be 0
        $null = $b | Restore-SqlUrlDatabase @script:C -Database 'Src_viamodule'
        $db = Invoke-SimQuery -Sim $script:Sim -Query "SELECT name, database_id, state_desc FROM sys.databases WHERE name = N'Src_viamodule'"
        $db.Errors | Should -BeNullOrEmpty
        $db.Tables[0].Rows.Count | Should -Be 1
        $db.Tables[0].Rows[0].state_desc | Should -Be 'ONLINE'
        # (the simulator supports no JOIN: the database_id comes from the query above)
        $id = [int]$db.Tables[0].Rows[0].database_id
        $f = Invoke-SimQuery -Sim $script:Sim -Query "SELECT name, physical_name, type_desc FROM sys.master_files WHERE database_id = $id ORDER BY file_id"
        $f.Errors | Should -BeNullOrEmpty
        @($f.Tables[0].Rows | ForEach-Object { "$($_.name)|$($_.physical_name)|$($_.type_desc)" }) |
            Should -Be @('Src|F:\data\Src_viamodule.mdf|ROWS', 'Src_log|G:\log\Src_viamodule_log.ldf|LOG')
    }
}
