# End to end: the built module (real native library) against the SQL Server simulator (real TDS
# on 127.0.0.1) and Azurite (real blob storage). Every test starts its own simulator and kills
# it; every wait is bounded. Blobs are checked with an independent REST client and server state
# with an independent TDS client (System.Data.SqlClient), not through the module.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    $script:Azurite = Get-SqlUrlAzurite
    $script:SaPassword = 'Sim-Passw0rd!'
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString $script:SaPassword -AsPlainText -Force))
    function Get-Conn($Sim) { @{ ServerInstance = $Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $Sim.CaFile } }
    function Get-BackupRequest($Sim) {
        @(Invoke-SqlUrlTestQuery -Sim $Sim -Query 'SELECT session_id, command FROM sys.dm_exec_requests' | Where-Object { $_.command -like 'BACKUP*' })
    }
    # Runs a script in a child pwsh (for -WhatIf host output and confirmation prompts).
    function Invoke-ChildPwsh([string]$Script, [hashtable]$Environment = @{}) { Invoke-SqlUrlChildPwsh -Script $Script -Environment $Environment }
}

AfterAll {
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'Credential lifecycle' {
    BeforeAll {
        $script:Sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario)
        $script:Sim2 = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario)
        $script:Url = "$script:SqlUrlTestAccountUrl/lifecycle"
        $script:SasUrl = "$script:SqlUrlTestAccountUrl/sascontainer"
        # A made-up SAS, assembled at run time so no signature-shaped literal sits in the tree.
        $script:SasSecret = 'sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=' + 'TOPSECRET' + 'SIGNATURE123'
    }
    AfterAll { Stop-SqlUrlSim $script:Sim; Stop-SqlUrlSim $script:Sim2 }

    It 'creates a managed-identity credential, lists it, refuses a duplicate, replaces it with -Force' {
        $c = Get-Conn $script:Sim
        $created = New-SqlUrlCredential @c -Url $script:Url -WarningAction SilentlyContinue
        $created.PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.Credential'
        $created.Action | Should -Be 'created'
        $created.Kind | Should -Be 'managed_identity'
        $created.Name | Should -Be $script:Url

        $listed = @(Get-SqlUrlCredential @c)
        $listed.Name | Should -Contain $script:Url

        $dup = New-SqlUrlCredential @c -Url $script:Url -ErrorAction SilentlyContinue -ErrorVariable dupErr -WarningAction SilentlyContinue
        $dup | Should -BeNullOrEmpty
        $dupErr[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.CredentialExists,*'
        $dupErr[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty

        (New-SqlUrlCredential @c -Url $script:Url -Force -WarningAction SilentlyContinue).Action | Should -Be 'replaced'
    }

    It 'creates a SAS credential and never shows the secret in any stream' {
        $c = Get-Conn $script:Sim
        $secure = ConvertTo-SecureString $script:SasSecret -AsPlainText -Force
        $all = & { New-SqlUrlCredential @c -Url $script:SasUrl -SasToken $secure -Verbose -Debug; Get-SqlUrlCredential @c -Verbose } *>&1 | Out-String -Width 500
        $all | Should -Not -Match 'TOPSECRETSIGNATURE123'
        $all | Should -Match 'sascontainer'
        (Get-SqlUrlCredential @c -Url $script:SasUrl).Kind | Should -Be 'sas'
        # Server side, the secret went where it belongs (the CREATE statement), masked in the module's view.
        $fail = & { New-SqlUrlCredential @c -Url $script:SasUrl -SasToken $secure -ErrorAction Continue } *>&1 | Out-String -Width 500
        $fail | Should -Match 'CredentialExists|exists'
        $fail | Should -Not -Match 'TOPSECRETSIGNATURE123'
    }

    It 'never shows the login password, also when the login fails' {
        $bad = [pscredential]::new('sa', (ConvertTo-SecureString 'Wrong-Passw0rd-XYZ' -AsPlainText -Force))
        $out = & { Get-SqlUrlCredential -ServerInstance $script:Sim.Server -Credential $bad -CertificateAuthorityFile $script:Sim.CaFile -Verbose -ErrorAction Continue } *>&1 | Out-String -Width 500
        $out | Should -Match 'LoginFailed|Login failed'
        $out | Should -Not -Match 'Wrong-Passw0rd-XYZ'
        $null = Get-SqlUrlCredential -ServerInstance $script:Sim.Server -Credential $bad -CertificateAuthorityFile $script:Sim.CaFile -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.LoginFailed,*'
        [string]$e[0].CategoryInfo.Category | Should -BeIn @('AuthenticationError', 'PermissionDenied', 'SecurityError')
    }

    It 'takes several servers in -ServerInstance' {
        # Each simulator has its own test CA: trust both with one PEM bundle.
        $bundle = Join-Path $script:Sim.Directory 'both-ca.pem'
        Set-Content -LiteralPath $bundle -Value ((Get-Content -Raw $script:Sim.CaFile) + "`n" + (Get-Content -Raw $script:Sim2.CaFile))
        $c = Get-Conn $script:Sim
        $c.ServerInstance = @($script:Sim.Server, $script:Sim2.Server)
        $c.CertificateAuthorityFile = $bundle
        $null = New-SqlUrlCredential @c -Url "$script:SqlUrlTestAccountUrl/both" -WarningAction SilentlyContinue
        $both = @(Get-SqlUrlCredential @c -Url "$script:SqlUrlTestAccountUrl/both")
        $both.Count | Should -Be 2
        ($both.ServerInstance | Sort-Object) | Should -Be (@($script:Sim.Server, $script:Sim2.Server) | Sort-Object)
    }

    It 'removes credentials piped from Get-SqlUrlCredential, and a missing one is CredentialNotFound' {
        $c = Get-Conn $script:Sim
        Get-SqlUrlCredential @c | Remove-SqlUrlCredential -Credential $script:Sa -CertificateAuthorityFile $script:Sim.CaFile -Confirm:$false
        @(Get-SqlUrlCredential @c) | Should -BeNullOrEmpty
        Remove-SqlUrlCredential @c -Name $script:Url -Force -ErrorAction SilentlyContinue -ErrorVariable e
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.CredentialNotFound,*'
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'DROP CREDENTIAL*' }).Count | Should -BeGreaterOrEqual 2
    }
}

Describe 'Authentication: access token and managed identity' {
    BeforeAll {
        $script:Principal = 'app@contoso.com'
        $sc = New-SqlUrlTestScenario -ManagedIdentityCredential "$script:SqlUrlTestAccountUrl/authcheck"
        $sc.logins = @(
            @{ name = 'sa'; password = $script:SaPassword; sysadmin = $true; can_view_server_state = $true }
            @{ name = $script:Principal; principal = $script:Principal; sysadmin = $true; can_view_server_state = $true })
        $script:Sim = Start-SqlUrlSim -Scenario $sc
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'signs in with -AccessToken (string and SecureString) and never shows the token' {
        $token = New-SqlUrlTestToken -Principal $script:Principal
        $a = @(Get-SqlUrlCredential -ServerInstance $script:Sim.Server -AccessToken $token -CertificateAuthorityFile $script:Sim.CaFile)
        $a.Name | Should -Contain "$script:SqlUrlTestAccountUrl/authcheck"
        $secure = ConvertTo-SecureString $token -AsPlainText -Force
        $all = & { Get-SqlUrlCredential -ServerInstance $script:Sim.Server -AccessToken $secure -CertificateAuthorityFile $script:Sim.CaFile -Verbose } *>&1 | Out-String -Width 500
        $all | Should -Match 'authcheck'
        $all | Should -Not -Match ([regex]::Escape($token.Split('.')[1]))
    }

    It 'signs in with -UseManagedIdentity -ManagedIdentityClientId through the identity endpoint' {
        $imds = Start-SqlUrlFakeImds -Principal $script:Principal
        try {
            # SQLURL_IMDS_ENDPOINT must be in the process environment before the library reads it: a child pwsh.
            $r = Invoke-ChildPwsh -Environment @{ SQLURL_IMDS_ENDPOINT = $imds.Url; SQLURL_T_MODULE = $script:ModulePath; SQLURL_T_SERVER = $script:Sim.Server; SQLURL_T_CA = $script:Sim.CaFile } -Script @'
$ErrorActionPreference = 'Stop'
Import-Module $env:SQLURL_T_MODULE
Get-SqlUrlCredential -ServerInstance $env:SQLURL_T_SERVER -UseManagedIdentity -ManagedIdentityClientId '11111111-2222-3333-4444-555555555555' -CertificateAuthorityFile $env:SQLURL_T_CA | ForEach-Object { 'NAME: ' + $_.Name }
'@
            $r.Out | Should -Match 'NAME: https://simacct\.blob\.core\.windows\.net/authcheck' -Because $r.Err
            $seen = @($imds.Seen.ToArray())
            $seen.Count | Should -BeGreaterThan 0
            $seen[0] | Should -Match 'client_id=11111111-2222-3333-4444-555555555555'
            $seen[0] | Should -Match 'resource=https%3A%2F%2Fdatabase\.windows\.net'
            $seen[0] | Should -Match 'Metadata=true'
        }
        finally { Stop-SqlUrlFakeImds $imds }
    }
}

Describe 'Readiness outcomes' {
    It 'a stock SQL Server 2022 CU17 VM with a credential is ready' {
        $url = "$script:SqlUrlTestAccountUrl/ready"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -ManagedIdentityCredential $url -Extra @{ trace_flags = @(4675) })
        $cs = Get-Conn $sim
        try {
            $r = Test-SqlUrlBackupReadiness @cs -Url $url
            $r.PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.Readiness'
            $r.Ready | Should -BeTrue
            $r.Failed | Should -BeNullOrEmpty
            ($r.Checks | Where-Object Name -eq 'Version').Status | Should -Be 'pass'
            ($r.Checks | Where-Object Name -eq 'Credential').Status | Should -Be 'pass'
            # Get-SqlUrlCredential output flows in: its Name (the container URL) binds to -Url.
            $piped = @(Get-SqlUrlCredential @cs -Url $url | Test-SqlUrlBackupReadiness @cs)
            $piped.Count | Should -Be 1
            $piped[0].Ready | Should -BeTrue
            ($piped[0].Checks | Where-Object Name -eq 'Credential').Evidence | Should -Match ([regex]::Escape($url))
        }
        finally { Stop-SqlUrlSim $sim }
    }
    It 'an old, clustered server without a credential is not ready, and says why' {
        $url = "$script:SqlUrlTestAccountUrl/notready"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Extra @{ product_version = '15.0.4382.1'; product_update_level = 'CU27'; clustered = $true })
        $cs = Get-Conn $sim
        try {
            $checks = @(Test-SqlUrlBackupReadiness @cs -Url $url -Detailed)
            $checks[0].PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.ReadinessCheck'
            $failed = @($checks | Where-Object Status -eq 'fail')
            $failed.Name | Should -Contain 'Version'
            $failed.Name | Should -Contain 'FailoverCluster'
            $failed.Name | Should -Contain 'Credential'
            $failed | ForEach-Object { $_.RecommendedAction | Should -Not -BeNullOrEmpty }
            (Test-SqlUrlBackupReadiness @cs -Url $url).Ready | Should -BeFalse
        }
        finally { Stop-SqlUrlSim $sim }
    }
    It '-EnableTraceFlag turns on trace flag 4675' {
        $url = "$script:SqlUrlTestAccountUrl/tflag"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -ManagedIdentityCredential $url)
        $cs = Get-Conn $sim
        try {
            $before = Test-SqlUrlBackupReadiness @cs -Url $url -Detailed | Where-Object Name -eq 'TraceFlag4675'
            $before.Status | Should -Not -Be 'pass'
            $after = Test-SqlUrlBackupReadiness @cs -Url $url -EnableTraceFlag -Detailed -Confirm:$false | Where-Object Name -eq 'TraceFlag4675'
            $after.Status | Should -Be 'pass'
            Get-SqlUrlSimStatement $sim | Where-Object { $_ -match 'TRACEON' } | Should -Not -BeNullOrEmpty
        }
        finally { Stop-SqlUrlSim $sim }
    }
}

Describe 'Backup, inspect and restore' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'flow'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $script:Sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales, HR, Ops -ManagedIdentityCredential $script:ContainerUrl)
        $script:C = Get-Conn $script:Sim
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'backs up several databases from the pipeline, one result per database, blobs in storage' {
        $script:Results = @('Sales', 'HR' | Backup-SqlUrlDatabase @script:C -ContainerUrl $script:ContainerUrl)
        $script:Results.Count | Should -Be 2
        ($script:Results.Database | Sort-Object) | Should -Be @('HR', 'Sales')
        foreach ($r in $script:Results) {
            $r.PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.BackupResult'
            $r.Type | Should -Be 'full'
            @($r.Url).Count | Should -BeGreaterOrEqual 1
            $r.LastLsn | Should -Match '^\d+$'
        }
        $blobs = Get-SqlUrlTestBlob -Container $script:Container
        foreach ($u in $script:Results.Url) {
            $blobs | Should -Contain ($u.Substring($script:ContainerUrl.Length + 1))
        }
        # pipeline objects with a Name property bind too
        $byName = @([pscustomobject]@{ Name = 'Ops' } | Backup-SqlUrlDatabase @script:C -ContainerUrl $script:ContainerUrl)
        $byName.Database | Should -Be 'Ops'
    }

    It 'reads the header, the file list and verifies the backup (piped from the backup result)' {
        $sales = $script:Results | Where-Object Database -eq 'Sales'
        $h = @($sales | Get-SqlUrlBackupHeader @script:C)
        $h.Count | Should -Be 1
        $h[0].PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.BackupHeader'
        $h[0].DatabaseName | Should -Be 'Sales'
        $h[0].LastLsn | Should -Be $sales.LastLsn
        $h[0].ServerName | Should -Be 'SQLVM01'

        $files = @($sales | Get-SqlUrlBackupFileList @script:C)
        ($files | Sort-Object Type).Type | Should -Be @('D', 'L')
        ($files | Where-Object Type -eq 'D').PhysicalName | Should -Be 'F:\data\Sales.mdf'

        $v = $sales | Test-SqlUrlBackup @script:C
        $v.Valid | Should -BeTrue
        ($sales | Test-SqlUrlBackup @script:C -Quiet) | Should -BeTrue
    }

    It 'restores under a new name with automatic relocation of the files' {
        $sales = $script:Results | Where-Object Database -eq 'Sales'
        $r = $sales | Restore-SqlUrlDatabase @script:C -Database 'Sales_copy'
        $r.PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.RestoreResult'
        $r.Database | Should -Be 'Sales_copy'
        ($r.Files | Sort-Object LogicalName).PhysicalName | Should -Be @('F:\data\Sales_copy.mdf', 'G:\log\Sales_copy_log.ldf')
        # independently: the server has the database online with relocated files
        $db = @(Invoke-SqlUrlTestQuery -Sim $script:Sim -Query "SELECT name, state_desc FROM sys.databases WHERE name = N'Sales_copy'")
        $db[0].state_desc | Should -Be 'ONLINE'
    }

    It 'restores a full + log chain with -Sequence (URLs in any order)' {
        $full = $script:Results | Where-Object Database -eq 'Sales'
        $log = Backup-SqlUrlDatabase @script:C -Database Sales -Type Log -ContainerUrl $script:ContainerUrl
        $log.Type | Should -Be 'log'
        $r = Restore-SqlUrlDatabase @script:C -Url (@($log.Url) + @($full.Url)) -Sequence -Database 'Sales_chain'
        $r.Database | Should -Be 'Sales_chain'
        @($r.Steps).Count | Should -Be 2
        $r.Steps[0].Url | Should -Be $full.Url[0]
        $r.Steps[1].Url | Should -Be $log.Url[0]
        $db = @(Invoke-SqlUrlTestQuery -Sim $script:Sim -Query "SELECT name, state_desc FROM sys.databases WHERE name = N'Sales_chain'")
        $db[0].state_desc | Should -Be 'ONLINE'
    }

    It 'restoring without relocation onto files in use is SqlUrlBackup.FilesInUse (1834/3156) with a remedy' {
        $sales = $script:Results | Where-Object Database -eq 'Sales'
        $out = $sales | Restore-SqlUrlDatabase @script:C -Database 'Sales_clash' -NoRelocate -ErrorAction SilentlyContinue -ErrorVariable e
        $out | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.FilesInUse,*'
        $e[0].Exception.SqlErrorNumbers | Where-Object { $_ -in 1834, 3156 } | Should -Not -BeNullOrEmpty
        $e[0].ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $e[0].TargetObject | Should -Be 'Sales_clash'
    }

    It 'restoring over an existing database without -Replace is DatabaseExists; -ErrorAction Stop throws it' {
        $sales = $script:Results | Where-Object Database -eq 'Sales'
        { $sales | Restore-SqlUrlDatabase @script:C -Database 'Sales' -ErrorAction Stop } | Should -Throw -ErrorId 'SqlUrlBackup.DatabaseExists,Restore-SqlUrlDatabase'
    }

    It 'a database that fails does not stop the others (non-terminating per database)' {
        $ok = @('Sales', 'NoSuchDb' | Backup-SqlUrlDatabase @script:C -ContainerUrl $script:ContainerUrl -ErrorAction SilentlyContinue -ErrorVariable e)
        $ok.Database | Should -Be @('Sales')
        $e.Count | Should -Be 1
        $e[0].TargetObject | Should -Be 'NoSuchDb'
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.*,Backup-SqlUrlDatabase'
    }

    It 'a missing blob is SqlUrlBackup.BackupBlobNotFound' {
        Test-SqlUrlBackup @script:C -Url "$script:ContainerUrl/nothing-here.bak" -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.BackupBlobNotFound,*'
    }
}

Describe 'Storage and identity errors' {
    It 'a storage account where the identity is only Reader is SqlUrlBackup.StorageAccessDenied (3201, OS error 5)' {
        $container = New-SqlUrlTestContainer -Tag 'denied'
        $url = "$script:SqlUrlTestAccountUrl/$container"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -Role 'Reader' -ManagedIdentityCredential $url)
        $cs = Get-Conn $sim
        try {
            Backup-SqlUrlDatabase @cs -Database Sales -ContainerUrl $url -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
            $e[0].FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.StorageAccessDenied,Backup-SqlUrlDatabase'
            $e[0].Exception.SqlErrorNumbers | Should -Contain 3201
            $e[0].Exception.OsError | Should -Be 5
            [string]$e[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
            $e[0].ErrorDetails.RecommendedAction | Should -Match 'Storage Blob Data Contributor|role'
            $e[0].TargetObject | Should -Be 'Sales'
            { Backup-SqlUrlDatabase @cs -Database Sales -ContainerUrl $url -ErrorAction Stop } | Should -Throw -ErrorId 'SqlUrlBackup.StorageAccessDenied,Backup-SqlUrlDatabase'
        }
        finally { Stop-SqlUrlSim $sim }
    }
    It 'no primary managed identity is SqlUrlBackup.ManagedIdentityNotSelected (37563)' {
        $container = New-SqlUrlTestContainer -Tag 'nomi'
        $url = "$script:SqlUrlTestAccountUrl/$container"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -ManagedIdentityCredential $url -Extra @{ primary_managed_identity = $false })
        $cs = Get-Conn $sim
        try {
            Backup-SqlUrlDatabase @cs -Database Sales -ContainerUrl $url -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
            $e[0].FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.ManagedIdentityNotSelected,Backup-SqlUrlDatabase'
            $e[0].Exception.SqlErrorNumbers | Should -Contain 37563
            $e[0].ErrorDetails.RecommendedAction | Should -Match 'primary managed identity'
        }
        finally { Stop-SqlUrlSim $sim }
    }
}

Describe '-WhatIf and confirmation' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'whatif'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $script:Sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -ManagedIdentityCredential $script:ContainerUrl)
        $cs = Get-Conn $script:Sim
        $script:Backup = Backup-SqlUrlDatabase @cs -Database Sales -ContainerUrl $script:ContainerUrl
        $script:ChildEnv = @{ SQLURL_T_MODULE = $script:ModulePath; SQLURL_T_SERVER = $script:Sim.Server; SQLURL_T_CA = $script:Sim.CaFile; SQLURL_T_PW = $script:SaPassword
            SQLURL_T_URL = $script:ContainerUrl; SQLURL_T_BLOB = $script:Backup.Url[0] }
        $script:ChildPrologue = @'
$ErrorActionPreference = 'Stop'
Import-Module $env:SQLURL_T_MODULE
$c = @{ ServerInstance = $env:SQLURL_T_SERVER; CertificateAuthorityFile = $env:SQLURL_T_CA; Credential = [pscredential]::new('sa', (ConvertTo-SecureString $env:SQLURL_T_PW -AsPlainText -Force)) }

'@
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It '-WhatIf prints the T-SQL and changes nothing' {
        $before = @(Get-SqlUrlSimStatement $script:Sim).Count
        $r = Invoke-ChildPwsh -Environment $script:ChildEnv -Script ($script:ChildPrologue + @'
New-SqlUrlCredential @c -Url 'https://simacct.blob.core.windows.net/whatifnew' -WhatIf
Remove-SqlUrlCredential @c -Name $env:SQLURL_T_URL -WhatIf
Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $env:SQLURL_T_URL -WhatIf
Restore-SqlUrlDatabase @c -Url $env:SQLURL_T_BLOB -Database Sales -Replace -WhatIf
'@)
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $r.Out | Should -Match 'What if: .*CREATE CREDENTIAL \[https://simacct\.blob\.core\.windows\.net/whatifnew\]'
        $r.Out | Should -Match 'What if: .*DROP CREDENTIAL'
        $r.Out | Should -Match 'What if: .*BACKUP DATABASE \[Sales\] TO URL'
        $r.Out | Should -Match 'What if: .*RESTORE DATABASE \[Sales\] FROM URL'
        $after = @(Get-SqlUrlSimStatement $script:Sim | Select-Object -Skip $before)
        $after | Where-Object { $_ -match '^(CREATE|DROP) CREDENTIAL|^BACKUP |^RESTORE DATABASE' } | Should -BeNullOrEmpty
        $cs = Get-Conn $script:Sim
        @(Get-SqlUrlCredential @cs).Name | Should -Not -Contain 'https://simacct.blob.core.windows.net/whatifnew'
    }

    It '-WhatIf on a SAS credential prints the CREATE CREDENTIAL without the SAS secret' {
        $r = Invoke-ChildPwsh -Environment $script:ChildEnv -Script ($script:ChildPrologue + @'
$sas = ConvertTo-SecureString 'sv=2022-11-02&sig=WHATIFSECRETSIG42' -AsPlainText -Force
New-SqlUrlCredential @c -Url 'https://simacct.blob.core.windows.net/whatifsas' -SasToken $sas -WhatIf -Verbose -Debug
'@)
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $r.Out | Should -Match "What if: .*CREATE CREDENTIAL \[https://simacct\.blob\.core\.windows\.net/whatifsas\]"
        $r.Out | Should -Match "SHARED ACCESS SIGNATURE"
        "$($r.Out)$($r.Err)" | Should -Not -Match 'WHATIFSECRETSIG42'
        $cs = Get-Conn $script:Sim
        @(Get-SqlUrlCredential @cs).Name | Should -Not -Contain 'https://simacct.blob.core.windows.net/whatifsas'
    }

    It 'Remove-SqlUrlCredential and a replacing restore ask first (ConfirmImpact High); a restore to a new name does not' {
        $r = Invoke-ChildPwsh -Environment $script:ChildEnv -Script ($script:ChildPrologue + @'
try { Remove-SqlUrlCredential @c -Name $env:SQLURL_T_URL; 'REMOVE-DID-NOT-ASK' } catch { 'REMOVE-ASKED: ' + $_.Exception.GetType().Name }
try { Restore-SqlUrlDatabase @c -Url $env:SQLURL_T_BLOB -Database Sales -Replace | Out-Null; 'REPLACE-DID-NOT-ASK' } catch { 'REPLACE-ASKED: ' + $_.Exception.GetType().Name }
$n = Restore-SqlUrlDatabase @c -Url $env:SQLURL_T_BLOB -Database Sales_new
'NEWNAME-RESTORED: ' + $n.Database
$r1 = Restore-SqlUrlDatabase @c -Url $env:SQLURL_T_BLOB -Database Sales_new -Replace -Confirm:$false
'REPLACED-CONFIRM-FALSE: ' + $r1.Database
$r2 = Restore-SqlUrlDatabase @c -Url $env:SQLURL_T_BLOB -Database Sales_new -Replace -Force
'REPLACED-FORCE: ' + $r2.Database
'@)
        $r.Out | Should -Match 'REMOVE-ASKED'
        $r.Out | Should -Match 'REPLACE-ASKED'
        $r.Out | Should -Match 'NEWNAME-RESTORED: Sales_new'
        $r.Out | Should -Match 'REPLACED-CONFIRM-FALSE: Sales_new' -Because $r.Err
        $r.Out | Should -Match 'REPLACED-FORCE: Sales_new' -Because $r.Err
        (Get-Command Remove-SqlUrlCredential).ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] })[0].ConfirmImpact | Should -Be 'High'
        $cs = Get-Conn $script:Sim
        @(Get-SqlUrlCredential @cs).Name | Should -Contain $script:ContainerUrl
    }
}

Describe 'Progress and cancel' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'progress'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        # Big enough to take a while at this speed: 4000 MB at 50 MB/s is about 80 s if not cancelled.
        $sc = New-SqlUrlTestScenario -Database Long -DataMB 4000 -ThroughputMBps 50 -ManagedIdentityCredential $script:ContainerUrl
        $sc.databases += @{ name = 'Slow'; recovery_model = 'FULL'; files = @(
                @{ logical_name = 'Slow'; physical_name = 'F:\data\Slow.mdf'; file_type = 'ROWS'; size_mb = 250 }
                @{ logical_name = 'Slow_log'; physical_name = 'G:\log\Slow_log.ldf'; file_type = 'LOG'; size_mb = 8 }) }
        $script:Sim = Start-SqlUrlSim -Scenario $sc
        function New-BackgroundBackup([string]$Database) {
            $ps = [PowerShell]::Create()
            $null = $ps.AddScript({
                    param($Module, $Server, $Ca, $Password, $Url, $Db)
                    Import-Module $Module
                    $cred = [pscredential]::new('sa', (ConvertTo-SecureString $Password -AsPlainText -Force))
                    Backup-SqlUrlDatabase -ServerInstance $Server -Credential $cred -CertificateAuthorityFile $Ca -Database $Db -ContainerUrl $Url
                }).AddArgument($script:ModulePath).AddArgument($script:Sim.Server).AddArgument($script:Sim.CaFile).AddArgument($script:SaPassword).AddArgument($script:ContainerUrl).AddArgument($Database)
            $ps
        }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'shows Write-Progress records with percent, time left and the database' {
        $ps = New-BackgroundBackup 'Slow'
        try {
            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne(180000)) { $ps.Stop(); throw 'backup did not finish within 180 s' }
            $out = $ps.EndInvoke($async)
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out[0].Database | Should -Be 'Slow'
            # one parent record for the operation, a child per running database
            $records = @($ps.Streams.Progress | Where-Object { $_.RecordType -ne 'Completed' -and $_.ParentActivityId -lt 0 })
            $records.Count | Should -BeGreaterThan 0
            $records[0].Activity | Should -Be 'Backup to URL'
            $records[-1].StatusDescription | Should -Match '^1 server: [01] of 1 databases done, [01] running'
            $withPercent = @($records | Where-Object { $_.PercentComplete -gt 0 -and $_.PercentComplete -lt 100 })
            $withPercent.Count | Should -BeGreaterThan 0
            @($records | Where-Object { $_.SecondsRemaining -ge 0 }).Count | Should -BeGreaterThan 0
            $children = @($ps.Streams.Progress | Where-Object { $_.RecordType -ne 'Completed' -and $_.ParentActivityId -eq $records[0].ActivityId })
            $children[0].Activity | Should -Be "Slow on $($script:Sim.Server)"
            @($children | Where-Object { $_.StatusDescription -match '^\d+% complete$' -and $_.PercentComplete -gt 0 }).Count | Should -BeGreaterThan 0
            @($ps.Streams.Progress | Where-Object { $_.RecordType -eq 'Completed' }).Count | Should -BeGreaterThan 0
        }
        finally { $ps.Dispose() }
    }

    It 'a restore shows Write-Progress records too (the same operation poll)' {
        $cs = Get-Conn $script:Sim
        $bak = Backup-SqlUrlDatabase @cs -Database Slow -ContainerUrl $script:ContainerUrl
        $ps = [PowerShell]::Create()
        $null = $ps.AddScript({
                param($Module, $Server, $Ca, $Password, $Url)
                Import-Module $Module
                $cred = [pscredential]::new('sa', (ConvertTo-SecureString $Password -AsPlainText -Force))
                Restore-SqlUrlDatabase -ServerInstance $Server -Credential $cred -CertificateAuthorityFile $Ca -Url $Url -Database 'Slow_progress'
            }).AddArgument($script:ModulePath).AddArgument($script:Sim.Server).AddArgument($script:Sim.CaFile).AddArgument($script:SaPassword).AddArgument($bak.Url[0])
        try {
            $async = $ps.BeginInvoke()
            if (-not $async.AsyncWaitHandle.WaitOne(180000)) { $ps.Stop(); throw 'restore did not finish within 180 s' }
            $out = $ps.EndInvoke($async)
            $ps.Streams.Error | Should -BeNullOrEmpty
            $out[0].Database | Should -Be 'Slow_progress'
            $records = @($ps.Streams.Progress | Where-Object { $_.RecordType -ne 'Completed' -and $_.ParentActivityId -lt 0 })
            $records.Count | Should -BeGreaterThan 0
            $records[0].Activity | Should -Be "Restore from URL on $($script:Sim.Server)"
            @($records | Where-Object { $_.PercentComplete -gt 0 -and $_.PercentComplete -lt 100 }).Count | Should -BeGreaterThan 0
            @($ps.Streams.Progress | Where-Object { $_.RecordType -eq 'Completed' }).Count | Should -BeGreaterThan 0
        }
        finally { $ps.Dispose() }
    }

    It 'stopping the pipeline cancels the backup on the server' {
        $ps = New-BackgroundBackup 'Long'
        try {
            $async = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(90)
            while ([DateTime]::UtcNow -lt $deadline -and -not @($ps.Streams.Progress | Where-Object { $_.PercentComplete -gt 0 }).Count -and -not $async.IsCompleted) {
                Start-Sleep -Milliseconds 200
            }
            @($ps.Streams.Progress | Where-Object { $_.PercentComplete -gt 0 }).Count | Should -BeGreaterThan 0 -Because 'the backup was running'
            @(Get-BackupRequest $script:Sim).Count | Should -Be 1 -Because 'the server runs the BACKUP'

            $ps.Stop()
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'

            # The server no longer runs it (bounded wait), long before it could have finished.
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ([DateTime]::UtcNow -lt $deadline -and @(Get-BackupRequest $script:Sim).Count -gt 0) { Start-Sleep -Milliseconds 250 }
            @(Get-BackupRequest $script:Sim).Count | Should -Be 0
            Get-SqlUrlTestBlob -Container $script:Container | Where-Object { $_ -like '*Long*' } | Should -BeNullOrEmpty
        }
        finally { $ps.Dispose() }
    }
}
