# The restore drill (issue 15) from PowerShell: Test-SqlUrlRestore restores the newest catalog chain
# of each database on a test server (the simulator) under a scratch name, runs DBCC CHECKDB, drops
# the copy, and reports. Real backups by the simulator into Azurite, with the catalog metadata
# Backup-SqlUrlDatabase writes; one database carries planted corruption (scenario `corrupt`,
# carried by its backups). The simulator's statement log is the witness.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    $script:Azurite = Get-SqlUrlAzurite
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
    $script:S = Get-SqlUrlTestStorageAccess
    $script:Container = New-SqlUrlTestContainer -Tag 'drill'
    $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
    $sc = New-SqlUrlTestScenario -Database Sales, Hr -DataMB 8 -ManagedIdentityCredential $script:ContainerUrl
    $sc.databases[1].corrupt = $true
    $script:Sim = Start-SqlUrlSim -Scenario $sc
    $script:C = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    foreach ($x in @(('Sales', 'Full', 'sales_full'), ('Sales', 'Log', 'sales_log'), ('Hr', 'Full', 'hr_full'))) {
        $null = Backup-SqlUrlDatabase @script:C @script:S -Database $x[0] -Type $x[1] -ContainerUrl $script:ContainerUrl -FileNameTemplate "$($x[2]){stripe}.bak"
        Start-Sleep -Milliseconds 1100
    }
    function script:Get-Changes { @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -match '^(RESTORE DATABASE|RESTORE LOG|DBCC CHECKDB|DROP DATABASE)' }) }
}

AfterAll {
    Stop-SqlUrlSim $script:Sim
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'Test-SqlUrlRestore' {
    It '-WhatIf prints the plan (chain, scratch name, statements) and sends nothing' {
        $n = @(Get-SqlUrlSimStatement $script:Sim).Count
        $info = & { Test-SqlUrlRestore @script:C @script:S -ContainerUrl $script:ContainerUrl -Database Sales -WhatIf } 6>&1 | Out-String
        $info | Should -Match 'Sales: restore 2 backup set\(s\)'
        $info | Should -Match 'SqlUrlDrill_Sales_[0-9a-f]{8}'
        $info | Should -Match 'DBCC CHECKDB'
        $info | Should -Match 'DROP DATABASE'
        @(Get-SqlUrlSimStatement $script:Sim).Count | Should -Be $n -Because 'the plan comes from the catalog alone'
    }

    It 'drills two databases in parallel: Sales clean, Hr CorruptionFound with the CHECKDB messages (a typed error); both copies dropped' {
        $out = @(Test-SqlUrlRestore @script:C @script:S -ContainerUrl $script:ContainerUrl -Database Sales, Hr -Throttle 2 -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue)
        $out.Count | Should -Be 2
        $out | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.RestoreDrill' }
        $sales = $out | Where-Object Database -eq 'Sales'
        $sales.Outcome | Should -Be 'Clean'
        $sales.BackupSets | Should -Be 2
        $sales.Dropped | Should -BeTrue
        $sales.RestorePoint | Should -BeOfType [datetime]
        $sales.FullFinish | Should -BeOfType [datetime]
        $sales.RestoreSeconds | Should -Not -BeNullOrEmpty
        $sales.ScratchDatabase | Should -Match '^SqlUrlDrill_Sales_[0-9a-f]{8}$'
        $sales.Files | ForEach-Object { $_.PhysicalName | Should -BeLike "*$($sales.ScratchDatabase)*" }
        $hr = $out | Where-Object Database -eq 'Hr'
        $hr.Outcome | Should -Be 'CorruptionFound'
        ($hr.CheckDbMessages -join ' ') | Should -Match 'Msg 8928: .*could not be processed'
        $hr.Dropped | Should -BeTrue
        $e.Count | Should -Be 1
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.DatabaseCorrupt*'
        $e[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $e[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $log = Get-Changes
        foreach ($d in $sales, $hr) {
            $log | Should -Contain "DBCC CHECKDB ([$($d.ScratchDatabase)]) WITH NO_INFOMSGS, ALL_ERRORMSGS"
            $log | Should -Contain "DROP DATABASE [$($d.ScratchDatabase)]"
        }
        $table = $out | Format-Table | Out-String -Width 200
        $table | Should -Match 'Outcome'
        $table | Should -Match 'CorruptionFound'
        $table | Should -Match 'CheckDbSeconds'
    }

    It 'a database without backups is a typed error, and nothing is restored or dropped for it' {
        $n = (Get-Changes).Count
        $out = @(Test-SqlUrlRestore @script:C @script:S -ContainerUrl $script:ContainerUrl -Database Nope -Confirm:$false -ErrorVariable e -ErrorAction SilentlyContinue)
        $out[0].Outcome | Should -Be 'NotRun'
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.BackupBlobNotFound*'
        (Get-Changes).Count | Should -Be $n
    }

    It '-WhatIf refuses what the real run would refuse (a missing -CertificateAuthorityFile) before planning' {
        $c = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = '/nonexistent/ca.pem' }
        { Test-SqlUrlRestore @c @script:S -ContainerUrl $script:ContainerUrl -Database Sales -WhatIf -ErrorAction Stop } | Should -Throw '*ca.pem*'
    }

    It 'without storage access it is a parameter error' {
        { Test-SqlUrlRestore @script:C -ContainerUrl $script:ContainerUrl -Database Sales -ErrorAction Stop } | Should -Throw '*-StorageUseManagedIdentity*'
    }
}
