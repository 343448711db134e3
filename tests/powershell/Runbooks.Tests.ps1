# The Azure Automation runbooks of examples/runbooks, run the way a job runs them: each in a fresh
# pwsh (-NonInteractive, parameters bound from JSON, Output records captured as JSON, Failed on a
# terminating error; tests/powershell/RunbookHelpers.ps1), signing in to the simulators with an
# Entra token from a fake managed-identity endpoint (IDENTITY_ENDPOINT / IDENTITY_HEADER, as
# Automation sets them), the servers backing up to Azurite. Checked: the objects, the summary line,
# the job's end state, the identity requests and the simulators' statement logs.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'SqlClientHelpers.ps1')
    . (Join-Path $PSScriptRoot 'RunbookHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    $script:Runbooks = Join-Path $PSScriptRoot '../../examples/runbooks'
    # out/SqlUrlBackup/<version>/SqlUrlBackup.psd1: the folder above SqlUrlBackup goes on PSModulePath.
    $moduleRoot = Split-Path (Split-Path (Split-Path $script:ModulePath))
    $script:Azurite = Get-SqlUrlAzurite
    $script:Container = New-SqlUrlTestContainer -Tag 'runbook'
    $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
    $script:Principal = 'aa-sqlbackup@contoso.com'
    $script:Identity = Start-SqlUrlFakeIdentityEndpoint -Principal $script:Principal
    $script:JobEnv = @{
        IDENTITY_ENDPOINT = $script:Identity.Endpoint
        IDENTITY_HEADER   = $script:Identity.Header
        PSModulePath      = $moduleRoot + [System.IO.Path]::PathSeparator + $env:PSModulePath
    }
    $script:Sims = New-Object System.Collections.Generic.List[object]
    $script:Bundle = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-runbook-ca-' + [guid]::NewGuid().ToString('n').Substring(0, 8) + '.pem')

    # A SQL Server with the Automation account's identity as a login and a managed-identity
    # credential for the container.
    function Start-RunbookSim([string[]]$Database = @(), [hashtable]$Extra = @{}) {
        # A name of its own (@@SERVERNAME is part of the blob names).
        $sc = New-SqlUrlTestScenario -Database $Database -DataMB 8 -ManagedIdentityCredential $script:ContainerUrl -Extra $Extra
        $sc.server_name = 'SQLVM{0:D2}' -f ($script:Sims.Count + 1)
        $sc.logins = @(
            @{ name = 'sa'; password = 'Sim-Passw0rd!'; sysadmin = $true; can_view_server_state = $true }
            @{ name = $script:Principal; principal = $script:Principal; sysadmin = $true; can_view_server_state = $true })
        $sim = Start-SqlUrlSim -Scenario $sc
        $script:Sims.Add($sim)
        $null = Join-SqlUrlCaBundle -Sim $script:Sims.ToArray() -Path $script:Bundle
        $sim
    }
    function Get-Statement($Sim, [string]$Pattern) { @(Get-SqlUrlSimStatement $Sim | Where-Object { $_ -match $Pattern }) }
    $script:S1 = Start-RunbookSim -Database Sales, HR
    $script:S2 = Start-RunbookSim -Database Sales, HR
}
AfterAll {
    foreach ($s in $script:Sims) { Stop-SqlUrlSim $s }
    Stop-SqlUrlFakeImds $script:Identity
    Remove-Item -LiteralPath $script:Bundle -ErrorAction SilentlyContinue
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'Backup-SqlUrlFleet.ps1 (nightly full, log rounds)' {
    It 'nightly full: every listed database of both servers, result objects and one summary line; the job Completes; no secret anywhere' {
        $job = Invoke-SqlUrlRunbookJob -Path (Join-Path $script:Runbooks 'Backup-SqlUrlFleet.ps1') -Environment $script:JobEnv -Parameters @{
            ServerInstance = "$($script:S1.Server);$($script:S2.Server)"; ContainerUrl = $script:ContainerUrl
            Database = @('Sales', 'HR'); Type = 'Full'; CertificateAuthorityFile = $script:Bundle
        }
        $job.Status | Should -Be 'Completed' -Because $job.Error
        $results = @($job.Output | Where-Object { $_ -isnot [string] })
        $results.Count | Should -Be 4
        ($results | ForEach-Object { '{0}/{1}' -f $_.ServerInstance, $_.Database } | Sort-Object) | Should -Be (@("$($script:S1.Server)/HR", "$($script:S1.Server)/Sales", "$($script:S2.Server)/HR", "$($script:S2.Server)/Sales") | Sort-Object)
        $results | ForEach-Object { @($_.Url).Count | Should -BeGreaterThan 0; $_.Type | Should -Be 'full' }
        $job.Lines.Count | Should -Be 1
        $job.Lines[0] | Should -Match '^SqlUrlBackup full backup: 2 server\(s\), 1 round\(s\), 4 database backup\(s\) succeeded, 0 failed'
        # Each server got one BACKUP DATABASE per database, to the container.
        foreach ($s in $script:S1, $script:S2) {
            (Get-Statement $s '^\s*BACKUP\s+DATABASE\s+\[Sales\]\s+TO\s+URL').Count | Should -Be 1
            (Get-Statement $s '^\s*BACKUP\s+DATABASE\s+\[HR\]\s+TO\s+URL').Count | Should -Be 1
        }
        @(Get-SqlUrlTestBlob -Container $script:Container).Count | Should -BeGreaterOrEqual 4
        # Signed in through IDENTITY_ENDPOINT with X-IDENTITY-HEADER, for the SQL audience.
        $seen = @($script:Identity.Seen.ToArray())
        $seen.Count | Should -BeGreaterThan 0
        $seen | ForEach-Object { $_ | Should -Match 'header=ok' }
        $seen[0] | Should -Match 'resource=https%3A%2F%2Fdatabase\.windows\.net'
        $seen[0] | Should -Not -Match 'client_id='
        ($job.Stdout + $job.Error) | Should -Not -Match ([regex]::Escape($script:Identity.Header))
        ($job.Stdout + $job.Error) | Should -Not -Match ([regex]::Escape($script:Identity.Token.Split('.')[1]))
    }

    It 'a user-assigned identity: the token request names its client id' {
        $cid = '22222222-3333-4444-5555-666666666666'
        $before = $script:Identity.Seen.Count
        $job = Invoke-SqlUrlRunbookJob -Path (Join-Path $script:Runbooks 'Backup-SqlUrlFleet.ps1') -Environment $script:JobEnv -Parameters @{
            ServerInstance = $script:S1.Server; ContainerUrl = $script:ContainerUrl; Database = 'HR'; Type = 'Differential'
            ManagedIdentityClientId = $cid; CertificateAuthorityFile = $script:Bundle
        }
        $job.Status | Should -Be 'Completed' -Because $job.Error
        @($job.Output | Where-Object { $_ -isnot [string] }).Count | Should -Be 1
        @($script:Identity.Seen.ToArray())[$before] | Should -Match "client_id=$cid"
        (Get-Statement $script:S1 '^\s*BACKUP\s+DATABASE\s+\[HR\].*DIFFERENTIAL').Count | Should -Be 1
    }

    It 'a failed database fails the job (terminating error), names server and database, and the other databases are still backed up' {
        $bad = Start-RunbookSim -Database Sales -Extra @{ faults = @{ storage_unavailable = $true } }
        $job = Invoke-SqlUrlRunbookJob -Path (Join-Path $script:Runbooks 'Backup-SqlUrlFleet.ps1') -Environment $script:JobEnv -Parameters @{
            ServerInstance = @($script:S2.Server, $bad.Server); ContainerUrl = $script:ContainerUrl; Database = 'Sales'; CertificateAuthorityFile = $script:Bundle
        }
        $job.Status | Should -Be 'Failed'
        $job.ExitCode | Should -Be 1
        $job.Error | Should -Match "JOB FAILED: 1 database backup\(s\) failed: $([regex]::Escape($bad.Server))/Sales \(SqlUrlBackup\."
        $failures = @($job.Output | Where-Object { $_ -isnot [string] -and $null -ne $_.ErrorId })
        $failures.Count | Should -Be 1
        $failures[0].ServerInstance | Should -Be $bad.Server
        $failures[0].Database | Should -Be 'Sales'
        $failures[0].ErrorId | Should -BeLike 'SqlUrlBackup.*'
        $failures[0].Message | Should -Not -BeNullOrEmpty
        $ok = @($job.Output | Where-Object { $_ -isnot [string] -and $null -eq $_.ErrorId })
        $ok.Count | Should -Be 1
        $ok[0].ServerInstance | Should -Be $script:S2.Server
        $job.Lines[0] | Should -Match '1 database backup\(s\) succeeded, 1 failed'
    }

    It 'without -Database: every online user database, or (older module) a failed job that says -Database is needed' {
        Import-Module $script:ModulePath
        $mandatory = @((Get-Command Backup-SqlUrlDatabase).Parameters['Database'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.Mandatory }).Count -gt 0
        $sim = Start-RunbookSim -Database Sales, HR, Archive
        $before = (Get-Statement $sim '^\s*BACKUP\s').Count
        $job = Invoke-SqlUrlRunbookJob -Path (Join-Path $script:Runbooks 'Backup-SqlUrlFleet.ps1') -Environment $script:JobEnv -Parameters @{
            ServerInstance = $sim.Server; ContainerUrl = $script:ContainerUrl; CertificateAuthorityFile = $script:Bundle
        }
        if ($mandatory) {
            $job.Status | Should -Be 'Failed'
            $job.Error | Should -Match 'backs up named databases only: pass -Database'
            (Get-Statement $sim '^\s*BACKUP\s').Count | Should -Be $before
        }
        else {
            $job.Status | Should -Be 'Completed' -Because $job.Error
            (@($job.Output | Where-Object { $_ -isnot [string] }).Database | Sort-Object) | Should -Be @('Archive', 'HR', 'Sales')
            (Get-Statement $sim '^\s*BACKUP\s+DATABASE\s+\[(master|tempdb|model|msdb)\]').Count | Should -Be 0
            $job = Invoke-SqlUrlRunbookJob -Path (Join-Path $script:Runbooks 'Backup-SqlUrlFleet.ps1') -Environment $script:JobEnv -Parameters @{
                ServerInstance = $sim.Server; ContainerUrl = $script:ContainerUrl; ExcludeDatabase = 'Arch*'; Type = 'Differential'; CertificateAuthorityFile = $script:Bundle
            }
            $job.Status | Should -Be 'Completed' -Because $job.Error
            (@($job.Output | Where-Object { $_ -isnot [string] }).Database | Sort-Object) | Should -Be @('HR', 'Sales')
        }
    }

    It 'log backups every N minutes: one job runs a round per interval until the duration has passed' {
        # 3 s interval, 7 s duration: rounds at 0, 3 and 6 s.
        $job = Invoke-SqlUrlRunbookJob -Path (Join-Path $script:Runbooks 'Backup-SqlUrlFleet.ps1') -Environment $script:JobEnv -Parameters @{
            ServerInstance = $script:S1.Server; ContainerUrl = $script:ContainerUrl; Database = 'Sales;HR'; Type = 'Log'
            IntervalMinutes = 0.05; DurationMinutes = 0.12; CertificateAuthorityFile = $script:Bundle
        }
        $job.Status | Should -Be 'Completed' -Because $job.Error
        $job.Lines[0] | Should -Match '^SqlUrlBackup log backup: 1 server\(s\), 3 round\(s\), 6 database backup\(s\) succeeded, 0 failed'
        (Get-Statement $script:S1 '^\s*BACKUP\s+LOG\s+\[Sales\]').Count | Should -Be 3
        (Get-Statement $script:S1 '^\s*BACKUP\s+LOG\s+\[HR\]').Count | Should -Be 3
        $job.Seconds | Should -BeGreaterThan 5.5
        $script:LogResults = @($job.Output | Where-Object { $_ -isnot [string] -and $_.Database -eq 'Sales' })
    }
}

Describe 'Restore-SqlUrlDrill.ps1' {
    BeforeAll {
        $script:Drill = Start-RunbookSim
        $sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
        $c = @{ ServerInstance = $script:S2.Server; Credential = $sa; CertificateAuthorityFile = $script:S2.CaFile }
        Import-Module $script:ModulePath
        $full = Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $script:ContainerUrl -ErrorAction Stop
        Start-Sleep -Seconds 2
        $log1 = Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $script:ContainerUrl -Type Log -ErrorAction Stop
        Start-Sleep -Seconds 2
        $log2 = Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $script:ContainerUrl -Type Log -ErrorAction Stop
        $h1 = Get-SqlUrlBackupHeader @c -Url $log1.Url
        $script:StopAt = ([datetime]$h1.BackupFinishDate).AddSeconds(1).ToString('yyyy-MM-ddTHH:mm:ss')
        # In any order: the module orders the chain by LSN.
        $script:Urls = (@($log2.Url) + @($full.Url) + @($log1.Url)) -join ';'
        $script:DrillRunbook = Join-Path $script:Runbooks 'Restore-SqlUrlDrill.ps1'
    }

    It 'restores Sales from its full and log backups on another server under a drill name; the job Completes; never replaces' {
        $job = Invoke-SqlUrlRunbookJob -Path $script:DrillRunbook -Environment $script:JobEnv -Parameters @{
            ServerInstance = $script:Drill.Server; BackupUrl = $script:Urls; CertificateAuthorityFile = $script:Bundle
        }
        $job.Status | Should -Be 'Completed' -Because $job.Error
        $restored = @($job.Output | Where-Object { $_ -isnot [string] })
        $restored.Count | Should -Be 1
        $restored[0].Database | Should -Match '^Sales_drill_\d{12}$'
        @($restored[0].Files).Count | Should -Be 2
        $job.Lines[0] | Should -Match "^SqlUrlBackup restore drill: Sales_drill_\d{12} restored on $([regex]::Escape($script:Drill.Server)) to the end of the last backup from 3 backup blob\(s\)"
        # Full, then both logs in LSN order; no REPLACE ever.
        $restores = Get-Statement $script:Drill '^\s*RESTORE\s+(DATABASE|LOG)\b'
        $restores.Count | Should -Be 3
        $restores[0] | Should -Match '^\s*RESTORE\s+DATABASE'
        @($restores | Where-Object { $_ -match 'REPLACE' }) | Should -BeNullOrEmpty
        $q = Invoke-SimQuery -Sim $script:Drill -Query "SELECT name, state_desc FROM sys.databases WHERE name = N'$($restored[0].Database)'"
        $q.Tables[0].Rows[0].state_desc | Should -Be 'ONLINE'

        # Again with the same name: the database exists, the job Fails and nothing is replaced.
        $again = Invoke-SqlUrlRunbookJob -Path $script:DrillRunbook -Environment $script:JobEnv -Parameters @{
            ServerInstance = $script:Drill.Server; BackupUrl = $script:Urls; TargetDatabase = $restored[0].Database; CertificateAuthorityFile = $script:Bundle
        }
        $again.Status | Should -Be 'Failed'
        $again.Error | Should -Match 'already exists'
        (Get-Statement $script:Drill '^\s*RESTORE\s+(DATABASE|LOG)\b').Count | Should -Be 3
    }

    It 'to a point in time: the last log restore carries STOPAT' {
        $job = Invoke-SqlUrlRunbookJob -Path $script:DrillRunbook -Environment $script:JobEnv -Parameters @{
            ServerInstance = $script:Drill.Server; BackupUrl = $script:Urls; StopAt = $script:StopAt; TargetDatabase = 'Sales_pit'; CertificateAuthorityFile = $script:Bundle
        }
        $job.Status | Should -Be 'Completed' -Because $job.Error
        $job.Lines[0] | Should -Match "restored on $([regex]::Escape($script:Drill.Server)) to $($script:StopAt) from 3 backup blob"
        $restores = @(Get-Statement $script:Drill "^\s*RESTORE\s+(DATABASE|LOG)\s+\[Sales_pit\]")
        $restores.Count | Should -Be 3
        $restores[2] | Should -Match "STOPAT = N?'$([regex]::Escape($script:StopAt))"
    }

    It 'a StopAt that is not a date fails the job before anything is sent' {
        $before = (Get-Statement $script:Drill '^\s*RESTORE\s').Count
        $job = Invoke-SqlUrlRunbookJob -Path $script:DrillRunbook -Environment $script:JobEnv -Parameters @{
            ServerInstance = $script:Drill.Server; BackupUrl = $script:Urls; StopAt = 'yesterday'; CertificateAuthorityFile = $script:Bundle
        }
        $job.Status | Should -Be 'Failed'
        $job.Error | Should -Match "StopAt 'yesterday' is not a date and time"
        (Get-Statement $script:Drill '^\s*RESTORE\s').Count | Should -Be $before
    }
}

Describe 'Start-SqlUrlFleetFanOut.ps1 (child jobs on fake workers)' {
    It 'splits 30 servers over 3 child jobs running at once, gathers one summary, and fails on the one failed database' {
        # 30 servers with a database Sales each; the 16th cannot reach storage.
        $fleet = @(1..29 | ForEach-Object { Start-RunbookSim -Database Sales })
        $bad = Start-RunbookSim -Database Sales -Extra @{ faults = @{ storage_unavailable = $true } }
        $all = @($fleet[0..14]) + @($bad) + @($fleet[15..28])
        $launchLog = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-launch-' + [guid]::NewGuid().ToString('n').Substring(0, 8) + '.jsonl')
        $env2 = $script:JobEnv.Clone()
        $env2.SQLURL_T_LAUNCH_LOG = $launchLog
        $t0 = [DateTime]::UtcNow
        $job = Invoke-SqlUrlRunbookJob -TimeoutSeconds 600 -Path (Join-Path $script:Runbooks 'Start-SqlUrlFleetFanOut.ps1') -Environment $env2 -Parameters @{
            ServerInstance = (@($all.Server) -join ';'); ContainerUrl = $script:ContainerUrl; Database = 'Sales'; JobCount = 3
            CertificateAuthorityFile = $script:Bundle; ChildJobLauncher = (Join-Path $PSScriptRoot 'FakeChildJobLauncher.ps1')
        }
        $seconds = ([DateTime]::UtcNow - $t0).TotalSeconds
        Write-Host ("fan-out: 30 simulated servers, 3 child jobs, {0:N1} s end to end" -f $seconds)
        $job.Status | Should -Be 'Failed'
        $job.Lines.Count | Should -Be 1
        @($job.Output | Where-Object { $_ -isnot [string] -and $null -ne $_.ErrorId } | Select-Object -First 3 | ForEach-Object { '{0}/{1}: {2}' -f $_.ServerInstance, $_.ErrorId, $_.Message }) | Write-Host
        $job.Lines[0] | Should -Match '^SqlUrlBackup fan-out: 30 server\(s\) in 3 child job\(s\) \(2 completed, 1 not\), 29 database backup\(s\) succeeded, 1 failed\.$'
        $job.Error | Should -Match "JOB FAILED: 1 child job\(s\) did not complete and 1 database backup\(s\) failed: $([regex]::Escape($bad.Server))/Sales \(SqlUrlBackup\.[A-Za-z]+\); job Backup-SqlUrlFleet-2 Failed: JOB FAILED: 1 database backup"
        $failures = @($job.Output | Where-Object { $_ -isnot [string] -and $null -ne $_.ErrorId })
        $failures.Count | Should -Be 1
        $failures[0].ServerInstance | Should -Be $bad.Server
        @($job.Output | Where-Object { $_ -isnot [string] -and $null -eq $_.ErrorId -and $null -ne $_.Database }).Count | Should -Be 29
        # Every server backed up exactly once (statement logs), each by one of the three jobs.
        foreach ($s in $fleet) { (Get-Statement $s '^\s*BACKUP\s+DATABASE').Count | Should -Be 1 }
        # Three child processes, all running at the same time.
        $launches = @(Get-Content -LiteralPath $launchLog | ForEach-Object { $_ | ConvertFrom-Json })
        Remove-Item -LiteralPath $launchLog -ErrorAction SilentlyContinue
        $launches.Count | Should -Be 3
        @($launches.ProcessId | Sort-Object -Unique).Count | Should -Be 3
        ($launches | Where-Object Status -eq 'Failed').Name | Should -Be 'Backup-SqlUrlFleet-2'
        $latestStart = ($launches | ForEach-Object { [datetime]$_.Start } | Measure-Object -Maximum).Maximum
        $earliestEnd = ($launches | ForEach-Object { [datetime]$_.End } | Measure-Object -Minimum).Minimum
        $latestStart | Should -BeLessThan $earliestEnd
    }
}
