# One vocabulary and safe prompts (issue 19): -ContainerUrl / -Url everywhere with the old names
# as aliases, -SqlCredential, stripe URLs piped as ONE media set, -Overwrite at High impact,
# -Force vs an explicit -Confirm, Test-SqlUrlBackup -Quiet. Real simulator + Azurite.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    $script:Azurite = Get-SqlUrlAzurite
    $script:SaPassword = 'Sim-Passw0rd!'
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString $script:SaPassword -AsPlainText -Force))
}

AfterAll {
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'Parameter names' {
    It 'the container is -ContainerUrl on every cmdlet that takes one; the old names are aliases' {
        $expect = @{
            'Backup-SqlUrlDatabase'      = @()
            'New-SqlUrlCredential'       = @('Url', 'Name')
            'Get-SqlUrlCredential'       = @('Url')
            'Remove-SqlUrlCredential'    = @('Name', 'Url')
            'Test-SqlUrlBackupReadiness' = @('Url', 'Name')
        }
        foreach ($name in $expect.Keys) {
            $p = (Get-Command $name).Parameters['ContainerUrl']
            $p | Should -Not -BeNullOrEmpty -Because "$name takes a container"
            foreach ($a in $expect[$name]) { $p.Aliases | Should -Contain $a -Because "$name keeps -$a" }
        }
    }

    It 'explicit blobs are -Url (with the aliases Urls and BackupUrl) on header, file list, verify, restore and backup' {
        foreach ($name in 'Get-SqlUrlBackupHeader', 'Get-SqlUrlBackupFileList', 'Test-SqlUrlBackup', 'Restore-SqlUrlDatabase') {
            $p = (Get-Command $name).Parameters['Url']
            $p.ParameterType | Should -Be ([string[]])
            $p.Aliases | Should -Contain 'Urls'
            $p.Aliases | Should -Contain 'BackupUrl'
        }
        (Get-Command Backup-SqlUrlDatabase).Parameters['Url'].ParameterType | Should -Be ([string[]])
    }

    It '-Credential has the alias SqlCredential on every cmdlet and its help says it is the SQL login' {
        # Cmdlets that never connect to SQL Server (they read storage or render objects) have no SQL login.
        $noSqlLogin = @('Export-SqlUrlBackupReport', 'Remove-SqlUrlBackup')
        foreach ($c in Get-Command -Module SqlUrlBackup -CommandType Function) {
            if ($c.Name -in $noSqlLogin) {
                $c.Parameters.ContainsKey('Credential') | Should -BeFalse -Because "$($c.Name) never connects to SQL Server"
                continue
            }
            $c.Parameters['Credential'].Aliases | Should -Contain 'SqlCredential' -Because $c.Name
            $text = (Get-Help $c.Name -Parameter Credential).Description.Text -join ' '
            $text | Should -Match 'SQL Server login' -Because $c.Name
            $text | Should -Match 'not a storage credential' -Because $c.Name
        }
    }
}

Describe 'Old and new names bind against a server' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'vocab'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $script:Sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -DataMB 64)
        $script:C = @{ ServerInstance = $script:Sim.Server; SqlCredential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'creates, finds, checks and drops a credential with -ContainerUrl, and the old names still work' {
        (New-SqlUrlCredential @script:C -ContainerUrl $script:ContainerUrl -WarningAction SilentlyContinue).Name | Should -Be $script:ContainerUrl
        (Get-SqlUrlCredential @script:C -ContainerUrl $script:ContainerUrl).Name | Should -Be $script:ContainerUrl
        (Get-SqlUrlCredential @script:C -Url $script:ContainerUrl).Name | Should -Be $script:ContainerUrl
        (Test-SqlUrlBackupReadiness @script:C -ContainerUrl $script:ContainerUrl).Url | Should -Be $script:ContainerUrl
        Remove-SqlUrlCredential @script:C -ContainerUrl $script:ContainerUrl -Force
        @(Get-SqlUrlCredential @script:C -ContainerUrl $script:ContainerUrl) | Should -BeNullOrEmpty
        (New-SqlUrlCredential @script:C -Url $script:ContainerUrl -WarningAction SilentlyContinue).Name | Should -Be $script:ContainerUrl
        Remove-SqlUrlCredential @script:C -Name $script:ContainerUrl -Force
        $null = New-SqlUrlCredential @script:C -ContainerUrl $script:ContainerUrl -WarningAction SilentlyContinue
    }

    It 'piping the stripe URLs of one backup (strings or the result) reads them as ONE media set' {
        $b = Backup-SqlUrlDatabase @script:C -Database Sales -ContainerUrl $script:ContainerUrl -Stripes 3
        $b.Url.Count | Should -Be 3
        @($b.Url | Get-SqlUrlBackupHeader @script:C).Count | Should -Be 1
        @($b | Get-SqlUrlBackupHeader @script:C).Count | Should -Be 1
        @($b.Url | Get-SqlUrlBackupFileList @script:C).Count | Should -Be 2
        $q = @($b.Url | Test-SqlUrlBackup @script:C -Quiet)
        $q | Should -Be @($true)
        $v = @($b.Url | Test-SqlUrlBackup @script:C)
        $v.Count | Should -Be 1
        $v[0].Url.Count | Should -Be 3
        $r = @($b.Url | Restore-SqlUrlDatabase @script:C -Database Sales_piped)
        $r.Count | Should -Be 1
        $r[0].Database | Should -Be 'Sales_piped'
        $r[0].Url.Count | Should -Be 3
    }

    It 'Test-SqlUrlBackup -Quiet: $false for a backup that is not there, an error (no $false) for a wrong password' {
        (Test-SqlUrlBackup @script:C -Url "$script:ContainerUrl/none.bak" -Quiet -ErrorVariable e) | Should -BeFalse
        $e | Should -BeNullOrEmpty
        $bad = [pscredential]::new('sa', (ConvertTo-SecureString 'not-the-password' -AsPlainText -Force))
        $out = @(Test-SqlUrlBackup -ServerInstance $script:Sim.Server -Credential $bad -CertificateAuthorityFile $script:Sim.CaFile -Url "$script:ContainerUrl/none.bak" -Quiet -ErrorAction SilentlyContinue -ErrorVariable e2)
        $out | Should -BeNullOrEmpty
        $e2[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.LoginFailed,*'
        # a certificate that is not trusted is an error too
        $out = @(Test-SqlUrlBackup -ServerInstance $script:Sim.Server -Credential $script:Sa -Url "$script:ContainerUrl/none.bak" -Quiet -ErrorAction SilentlyContinue -ErrorVariable e3)
        $out | Should -BeNullOrEmpty
        $e3[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.Certificate*'
    }
}

Describe 'Safe prompts' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'prompts'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $script:Sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -ManagedIdentityCredential $script:ContainerUrl)
        $script:Env = @{ SQLURL_T_MODULE = $script:ModulePath; SQLURL_T_SERVER = $script:Sim.Server; SQLURL_T_CA = $script:Sim.CaFile; SQLURL_T_PW = $script:SaPassword; SQLURL_T_URL = $script:ContainerUrl }
        $script:Prologue = @'
$ErrorActionPreference = 'Stop'
Import-Module $env:SQLURL_T_MODULE
$c = @{ ServerInstance = $env:SQLURL_T_SERVER; CertificateAuthorityFile = $env:SQLURL_T_CA; Credential = [pscredential]::new('sa', (ConvertTo-SecureString $env:SQLURL_T_PW -AsPlainText -Force)) }
$t = '{server}/{database}/fixed{stripe}.bak'
function Try-It([string]$Label, [scriptblock]$Block) {
    try { $null = & $Block; "$Label-RAN" } catch { "$Label-ASKED: " + $_.Exception.GetType().Name }
}

'@
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It '-Overwrite asks first (High); -Force skips the prompt unless -Confirm is given explicitly; a plain backup does not ask' {
        $r = Invoke-SqlUrlChildPwsh -Environment $script:Env -Script ($script:Prologue + @'
Try-It 'PLAIN' { Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $env:SQLURL_T_URL -FileNameTemplate $t }
Try-It 'OVERWRITE' { Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $env:SQLURL_T_URL -FileNameTemplate $t -Overwrite }
Try-It 'OVERWRITE-FORCE' { Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $env:SQLURL_T_URL -FileNameTemplate $t -Overwrite -Force }
Try-It 'OVERWRITE-FORCE-CONFIRM' { Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $env:SQLURL_T_URL -FileNameTemplate $t -Overwrite -Force -Confirm }
Try-It 'OVERWRITE-CONFIRM-FALSE' { Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $env:SQLURL_T_URL -FileNameTemplate $t -Overwrite -Confirm:$false }
'@)
        $r.Out | Should -Match 'PLAIN-RAN'
        $r.Out | Should -Match 'OVERWRITE-ASKED'
        $r.Out | Should -Match 'OVERWRITE-FORCE-RAN'
        $r.Out | Should -Match 'OVERWRITE-FORCE-CONFIRM-ASKED'
        $r.Out | Should -Match 'OVERWRITE-CONFIRM-FALSE-RAN'
    }

    It 'Restore -Replace -Force -Confirm asks too' {
        $r = Invoke-SqlUrlChildPwsh -Environment $script:Env -Script ($script:Prologue + @'
$b = Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $env:SQLURL_T_URL
Try-It 'REPLACE-FORCE-CONFIRM' { Restore-SqlUrlDatabase @c -Url $b.Url -Database Sales -Replace -Force -Confirm }
Try-It 'REPLACE-FORCE' { Restore-SqlUrlDatabase @c -Url $b.Url -Database Sales -Replace -Force }
'@)
        $r.Out | Should -Match 'REPLACE-FORCE-CONFIRM-ASKED'
        $r.Out | Should -Match 'REPLACE-FORCE-RAN'
    }
}
