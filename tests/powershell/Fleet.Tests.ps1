# Whole servers and fleets (issue 19): Backup-SqlUrlDatabase without -Database, several servers
# in parallel as one native operation, pipeline binding from dbatools objects and CSV rows,
# cancel of everything. Real simulators on 127.0.0.1 and Azurite; statement logs of the
# simulators are the witnesses; every wait is bounded.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    $script:Azurite = Get-SqlUrlAzurite
    $script:SaPassword = 'Sim-Passw0rd!'
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString $script:SaPassword -AsPlainText -Force))

    function New-Db([string]$Name, [string]$Model = 'FULL', [string]$State = 'ONLINE', [int]$DataMB = 16) {
        @{ name = $Name; recovery_model = $Model; state = $State; files = @(
                @{ logical_name = $Name; physical_name = "F:\data\$Name.mdf"; file_type = 'ROWS'; size_mb = $DataMB }
                @{ logical_name = "${Name}_log"; physical_name = "G:\log\${Name}_log.ldf"; file_type = 'LOG'; size_mb = 8 }) }
    }
    # One CA file that trusts every simulator given (each simulator makes its own CA).
    function New-CombinedCa([object[]]$Sims) {
        $f = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-ca-' + [guid]::NewGuid().ToString('n') + '.pem')
        ($Sims | ForEach-Object { Get-Content -Raw -LiteralPath $_.CaFile }) -join "`n" | Set-Content -LiteralPath $f -NoNewline
        $f
    }
    function Get-SimBackup($Sim) {
        @(Get-Content -LiteralPath $Sim.StatementLog -ErrorAction SilentlyContinue | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json } |
                Where-Object { $_.text -like 'BACKUP *' })
    }
    function Get-RunningBackup($Sim) {
        @(Invoke-SqlUrlTestQuery -Sim $Sim -Query 'SELECT session_id, command FROM sys.dm_exec_requests' | Where-Object { $_.command -like 'BACKUP*' })
    }
}

AfterAll {
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'A whole server: no -Database' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'whole'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $sc = New-SqlUrlTestScenario -ManagedIdentityCredential $script:ContainerUrl
        $sc.databases = @((New-Db 'Sales'), (New-Db 'HR'), (New-Db 'Staging' -Model 'SIMPLE'), (New-Db 'Archive' -State 'OFFLINE'), (New-Db 'Copy' -State 'RESTORING'), (New-Db 'Sales_old'))
        $script:Sim = Start-SqlUrlSim -Scenario $sc
        $script:C = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'backs up exactly the online user databases and reports the others by name' {
        $r = @(Backup-SqlUrlDatabase @script:C -ContainerUrl $script:ContainerUrl -FileNameTemplate 'all/{database}_{type}{stripe}.bak' -WarningVariable warn -WarningAction SilentlyContinue -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        @($r.Database | Sort-Object) | Should -Be @('HR', 'Sales', 'Sales_old', 'Staging')
        $r | ForEach-Object { $_.ServerInstance | Should -Be $script:Sim.Server }
        ($warn -join "`n") | Should -Match 'Archive was not backed up: the database is OFFLINE'
        ($warn -join "`n") | Should -Match 'Copy was not backed up: the database is RESTORING'
        # the simulator's own log: no BACKUP of tempdb, system databases or the databases that are not online
        $sent = (Get-SimBackup $script:Sim).text -join "`n"
        $sent | Should -Not -Match '\[(tempdb|master|model|msdb|Archive|Copy)\]'
    }

    It 'adds master, model and msdb with -IncludeSystemDatabase, never tempdb; -ExcludeDatabase takes wildcards' {
        $r = @(Backup-SqlUrlDatabase @script:C -ContainerUrl $script:ContainerUrl -FileNameTemplate 'sys/{database}_{type}{stripe}.bak' -IncludeSystemDatabase -ExcludeDatabase 'sales*', 'STAG?NG' -WarningAction SilentlyContinue)
        @($r.Database | Sort-Object) | Should -Be @('HR', 'master', 'model', 'msdb')
    }

    It 'a log backup skips SIMPLE databases with one warning that names them, instead of error 4208' {
        $r = @(Backup-SqlUrlDatabase @script:C -ContainerUrl $script:ContainerUrl -FileNameTemplate 'log/{database}_{type}{stripe}.bak' -Type Log -IncludeSystemDatabase -WarningVariable warn -WarningAction SilentlyContinue -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        @($r.Database | Sort-Object) | Should -Be @('HR', 'model', 'Sales', 'Sales_old')
        $simple = @($warn | Where-Object { "$_" -match 'SIMPLE' })
        $simple.Count | Should -Be 1
        "$($simple[0])" | Should -Match 'Staging'
        "$($simple[0])" | Should -Match 'msdb'
        ($warn -join "`n") | Should -Match 'master was not backed up: master allows only full backups'
    }

    It 'Get-SqlUrlDatabase lists every database with state, recovery model and flags; -Database takes wildcards' {
        $all = @(Get-SqlUrlDatabase @script:C)
        $all[0].PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.Database'
        @($all.Name) | Should -Contain 'tempdb'
        $all.Count | Should -Be 10
        $archive = $all | Where-Object Name -EQ 'Archive'
        $archive.State | Should -Be 'OFFLINE'
        $archive.IsSystem | Should -BeFalse
        ($all | Where-Object Name -EQ 'Staging').RecoveryModel | Should -Be 'SIMPLE'
        ($all | Where-Object Name -EQ 'master').IsSystem | Should -BeTrue
        @(Get-SqlUrlDatabase @script:C -Database 'sales*', 'HR' | ForEach-Object Name | Sort-Object) | Should -Be @('HR', 'Sales', 'Sales_old')
        # what a whole-server backup covers: the online user databases, which the listing shows too
        $online = @($all | Where-Object { -not $_.IsSystem -and $_.State -eq 'ONLINE' } | ForEach-Object Name | Sort-Object)
        $online | Should -Be @('HR', 'Sales', 'Sales_old', 'Staging')
    }

    It 'an explicit -Database in SIMPLE recovery with -Type Log is a warning naming it, not error 4208' {
        $r = @(Backup-SqlUrlDatabase @script:C -Database Staging, Sales -Type Log -ContainerUrl $script:ContainerUrl -FileNameTemplate 'explog/{database}_{type}{stripe}.bak' -WarningVariable warn -WarningAction SilentlyContinue -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        $r.Database | Should -Be 'Sales'
        ($warn -join ' ') | Should -Match 'SIMPLE.*Staging'
        (Get-SimBackup $script:Sim).text -join "`n" | Should -Not -Match 'BACKUP LOG \[Staging\]'
    }

    It 'an explicit -Database still works, and a name the server does not know gets the server''s error' {
        $r = @(Backup-SqlUrlDatabase @script:C -Database Sales, NoSuchDb -ContainerUrl $script:ContainerUrl -FileNameTemplate 'explicit/{database}_{type}{stripe}.bak' -ErrorVariable err -ErrorAction SilentlyContinue)
        $r.Database | Should -Be 'Sales'
        $err.Count | Should -Be 1
        $err[0].TargetObject | Should -Be 'NoSuchDb'
    }
}

Describe 'Several servers in one call' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'fleet'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        # 200 MB at 40 MB/s: about 5 s per backup, so sequential servers could not overlap.
        $script:Sims = @(1..3 | ForEach-Object {
                # distinct server names, as real servers have: the default blob names start with {server}
                $sc = New-SqlUrlTestScenario -ManagedIdentityCredential $script:ContainerUrl -ThroughputMBps 40 -Extra @{ server_name = "FLEETSQL0$_" }
                $sc.databases = @((New-Db 'Big' -DataMB 200), (New-Db 'Small'))
                Start-SqlUrlSim -Scenario $sc
            })
        $script:Ca = New-CombinedCa $script:Sims
        $script:Servers = @($script:Sims.Server)
    }
    AfterAll { $script:Sims | ForEach-Object { Stop-SqlUrlSim $_ }; Remove-Item -LiteralPath $script:Ca -ErrorAction SilentlyContinue }

    It 'backs up three servers in parallel (their BACKUP statements overlap in time), with fleet and per-database progress' {
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript({
                param($Module, $Servers, $Ca, $Password, $Url)
                Import-Module $Module
                $cred = [pscredential]::new('sa', (ConvertTo-SecureString $Password -AsPlainText -Force))
                Backup-SqlUrlDatabase -ServerInstance $Servers -Credential $cred -CertificateAuthorityFile $Ca -Database Big -ContainerUrl $Url -ServerThrottle 3
            }).AddArgument($script:ModulePath).AddArgument($script:Servers).AddArgument($script:Ca).AddArgument($script:SaPassword).AddArgument($script:ContainerUrl)
        try {
            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne(180000)) { $ps.Stop(); throw 'the fleet backup did not finish within 180 s' }
            $out = @($ps.EndInvoke($async))
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out.Count | Should -Be 3
            @($out.ServerInstance | Sort-Object) | Should -Be @($script:Servers | Sort-Object)
            # overlap: every server's BACKUP started before every other server's BACKUP had finished
            $spans = foreach ($s in $script:Sims) {
                $b = @(Get-SimBackup $s)
                $b.Count | Should -Be 1
                $res = $out | Where-Object ServerInstance -EQ $s.Server
                $startAt = [datetime]$b[0].at
                [pscustomobject]@{ Start = $startAt; End = $startAt.AddSeconds([double]$res.DurationSeconds) }
            }
            foreach ($a in $spans) { foreach ($b in $spans) { $a.Start | Should -BeLessThan $b.End } }
            # one parent record for the fleet, children per running database naming their server
            $parent = @($ps.Streams.Progress | Where-Object { $_.ParentActivityId -lt 0 -and $_.RecordType -ne 'Completed' })
            $parent.Count | Should -BeGreaterThan 0
            $parent[-1].StatusDescription | Should -Match '^3 servers: \d of 3 databases done, \d running'
            $children = @($ps.Streams.Progress | Where-Object { $_.ParentActivityId -eq $parent[0].ActivityId -and $_.RecordType -ne 'Completed' })
            @($children.Activity | Select-Object -Unique | Sort-Object) | Should -Be @($script:Servers | ForEach-Object { "Big on $_" } | Sort-Object)
        }
        finally { $ps.Dispose() }
    }

    It 'an unreachable server is one error and the other servers still back up' {
        $bad = '127.0.0.1,1'
        $r = @(Backup-SqlUrlDatabase -ServerInstance ($script:Servers + $bad) -Credential $script:Sa -CertificateAuthorityFile $script:Ca -ConnectTimeout 5 -ContainerUrl $script:ContainerUrl -FileNameTemplate 'unreachable/{server}/{database}{stripe}.bak' -ExcludeDatabase Big -ErrorVariable err -ErrorAction SilentlyContinue)
        @($r.ServerInstance | Sort-Object) | Should -Be @($script:Servers | Sort-Object)
        $r.Database | Select-Object -Unique | Should -Be 'Small'
        $err.Count | Should -Be 1
        $err[0].TargetObject | Should -Be $bad
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
    }

    It 'binds Get-DbaDatabase-like objects (SqlInstance, ComputerName, Name) and CSV rows (ServerInstance, Database)' {
        $dba = @(foreach ($s in $script:Servers[0..1]) { [pscustomobject]@{ ComputerName = 'localhost'; InstanceName = 'MSSQLSERVER'; SqlInstance = $s; Name = 'Small' } })
        $r = @($dba | Backup-SqlUrlDatabase -Credential $script:Sa -CertificateAuthorityFile $script:Ca -ContainerUrl $script:ContainerUrl -FileNameTemplate 'dba/{server}/{database}{stripe}.bak')
        @($r | ForEach-Object { '{0}|{1}' -f $_.ServerInstance, $_.Database } | Sort-Object) | Should -Be @($script:Servers[0..1] | ForEach-Object { "$_|Small" } | Sort-Object)

        $csv = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-fleet-' + [guid]::NewGuid().ToString('n') + '.csv')
        "ServerInstance,Database`n`"$($script:Servers[1])`",Small`n`"$($script:Servers[2])`",Small`n`"$($script:Servers[2])`",Big" | Set-Content -LiteralPath $csv
        try {
            $r = @(Import-Csv -LiteralPath $csv | Backup-SqlUrlDatabase -Credential $script:Sa -CertificateAuthorityFile $script:Ca -ContainerUrl $script:ContainerUrl -FileNameTemplate 'csv/{server}/{database}{stripe}.bak')
            @($r | ForEach-Object { '{0}|{1}' -f $_.ServerInstance, $_.Database } | Sort-Object) |
                Should -Be @("$($script:Servers[1])|Small", "$($script:Servers[2])|Big", "$($script:Servers[2])|Small" | Sort-Object)
        }
        finally { Remove-Item -LiteralPath $csv -ErrorAction SilentlyContinue }
    }
}

Describe 'Cancel stops the whole fleet' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'fleetcancel'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        # 4000 MB at 50 MB/s: about 80 s if not cancelled.
        $script:Sims = @(1..3 | ForEach-Object {
                $sc = New-SqlUrlTestScenario -ManagedIdentityCredential $script:ContainerUrl -ThroughputMBps 50 -Extra @{ server_name = "CANCELSQL0$_" }
                $sc.databases = @((New-Db 'Long' -DataMB 4000))
                Start-SqlUrlSim -Scenario $sc
            })
        $script:Ca = New-CombinedCa $script:Sims
    }
    AfterAll { $script:Sims | ForEach-Object { Stop-SqlUrlSim $_ }; Remove-Item -LiteralPath $script:Ca -ErrorAction SilentlyContinue }

    It 'stopping the pipeline cancels the backups on every server' {
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript({
                param($Module, $Servers, $Ca, $Password, $Url)
                Import-Module $Module
                $cred = [pscredential]::new('sa', (ConvertTo-SecureString $Password -AsPlainText -Force))
                Backup-SqlUrlDatabase -ServerInstance $Servers -Credential $cred -CertificateAuthorityFile $Ca -ContainerUrl $Url
            }).AddArgument($script:ModulePath).AddArgument(@($script:Sims.Server)).AddArgument($script:Ca).AddArgument($script:SaPassword).AddArgument($script:ContainerUrl)
        try {
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while ([DateTime]::UtcNow -lt $deadline -and -not $async.IsCompleted -and
                @($script:Sims | Where-Object { @(Get-RunningBackup $_).Count -eq 1 }).Count -lt 3) { Start-Sleep -Milliseconds 250 }
            foreach ($s in $script:Sims) { @(Get-RunningBackup $s).Count | Should -Be 1 -Because "$($s.Server) runs its BACKUP" }

            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ([DateTime]::UtcNow -lt $deadline -and @($script:Sims | Where-Object { @(Get-RunningBackup $_).Count -gt 0 }).Count -gt 0) { Start-Sleep -Milliseconds 250 }
            foreach ($s in $script:Sims) { @(Get-RunningBackup $s).Count | Should -Be 0 -Because "$($s.Server) was told to stop" }
            Get-SqlUrlTestBlob -Container $script:Container | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose() }
    }
}
