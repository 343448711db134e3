# DSC class resources (SqlUrlCredential, SqlUrlTraceFlag4675) of the BUILT module, driven the way the
# LCM drives them: create the class, set properties, call Get(), Test(), Set() (no
# PSDesiredStateConfiguration here; SqlServerDsc's unit tests do the same). Against the SQL Server
# simulator (real TDS on 127.0.0.1); server state is checked with an independent client
# (System.Data.SqlClient, Invoke-SimQuery), not through the module. Every simulator is started and
# killed by the test that needs it; every wait is bounded.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'SqlClientHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    $script:Module = Import-Module $script:ModulePath -Force -PassThru
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
    $script:Url = 'https://simacct.blob.core.windows.net/dsc-backups'

    # A new resource instance (the class lives in the module's scope), connected to $Sim.
    function New-DscResource([string]$Class, $Sim, [hashtable]$Property = @{}) {
        $r = & $script:Module ([scriptblock]::Create("[$Class]::new()"))
        $r.ServerInstance = $Sim.Server
        $r.SqlCredential = $script:Sa
        $r.CertificateAuthorityFile = $Sim.CaFile
        foreach ($k in $Property.Keys) { $r.$k = $Property[$k] }
        $r
    }
    function Get-SimCredential($Sim) {
        $q = Invoke-SimQuery -Sim $Sim -Query 'SELECT name, credential_identity FROM sys.credentials'
        if (@($q.Errors).Count -gt 0) { throw "sys.credentials query failed: $($q.Errors[0].Message)" }
        @($q.Tables[0].Rows | ForEach-Object { [pscustomobject]@{ Name = [string]$_.name; Identity = [string]$_.credential_identity } })
    }
    # What Set()/Get() threw, as the ErrorRecord.
    function Get-ThrownError([scriptblock]$Script) {
        try { & $Script; return $null } catch { return $_ }
    }
}

Describe 'DSC resource discovery (static parse, as the DSC engine does it)' {
    BeforeAll {
        $script:Manifest = Import-PowerShellDataFile $script:ModulePath
        $psm1 = Join-Path (Split-Path $script:ModulePath) $script:Manifest.RootModule
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($psm1, [ref]$tokens, [ref]$errors)
        $script:ParseErrors = $errors
        $script:DscClasses = @($ast.FindAll({ param($n)
                    $n -is [System.Management.Automation.Language.TypeDefinitionAst] -and
                    @($n.Attributes | Where-Object { $_.TypeName.Name -eq 'DscResource' }).Count -gt 0 }, $true))
    }

    It 'the built RootModule parses and defines the exported resources as [DscResource()] classes' {
        $script:ParseErrors | Should -BeNullOrEmpty
        $script:Manifest.RootModule | Should -Be 'SqlUrlBackup.psm1'
        ($script:DscClasses.Name | Sort-Object) | Should -Be (@($script:Manifest.DscResourcesToExport) | Sort-Object)
        $script:Manifest.DscResourcesToExport | Should -Contain 'SqlUrlCredential'
    }

    It 'the manifest keeps a wildcard export (PSDesiredStateConfiguration 2.0.7 drops class resources without one)' {
        $lists = @($script:Manifest.CmdletsToExport) + @($script:Manifest.FunctionsToExport) + @($script:Manifest.AliasesToExport)
        @($lists | Where-Object { $_ -match '\*' }).Count | Should -BeGreaterThan 0
        # The non-comment line the PSDSC / DSCv3 module scan looks for.
        @(Get-Content -LiteralPath $script:ModulePath | Where-Object { $_ -match '^[^#]*\bDscResourcesToExport\b.*' }).Count | Should -Be 1
        # Still only the module's own functions are exported.
        @($script:Module.ExportedCmdlets.Keys) | Should -BeNullOrEmpty
    }

    It '<_> has keys, Get/Test/Set with the exact signatures and a parameterless constructor' -ForEach @('SqlUrlCredential', 'SqlUrlTraceFlag4675') {
        $c = $script:DscClasses | Where-Object Name -eq $_
        $c | Should -Not -BeNullOrEmpty
        $keys = @($c.Members | Where-Object { $_ -is [System.Management.Automation.Language.PropertyMemberAst] -and
                @($_.Attributes | Where-Object { $_.TypeName.Name -eq 'DscProperty' -and $_.NamedArguments.ArgumentName -contains 'Key' }).Count -gt 0 } | ForEach-Object Name)
        $keys | Should -Contain 'ServerInstance'
        foreach ($m in @(@{ N = 'Get'; T = $_ }, @{ N = 'Test'; T = 'System.Boolean' }, @{ N = 'Set'; T = 'void' })) {
            $method = @($c.Members | Where-Object { $_ -is [System.Management.Automation.Language.FunctionMemberAst] -and $_.Name -eq $m.N -and -not $_.IsStatic })
            $method.Count | Should -Be 1
            $method[0].Parameters.Count | Should -Be 0
            $method[0].ReturnType.TypeName.Name | Should -Be $m.T
        }
        @($c.Members | Where-Object { $_ -is [System.Management.Automation.Language.FunctionMemberAst] -and $_.IsConstructor }) | Should -BeNullOrEmpty
        # Reasons for Azure Machine Configuration: NotConfigurable, Code + Phrase.
        $reasons = $c.Members | Where-Object Name -eq 'Reasons'
        $reasons.Attributes.NamedArguments.ArgumentName | Should -Contain 'NotConfigurable'
    }

    It 'property types are primitives, PSCredential or types of the module itself (no interop types)' {
        $allowed = @('System.String', 'System.Boolean', 'System.Management.Automation.PSCredential', 'Nullable[System.Int32]',
            'SqlUrlEnsure', 'SqlUrlCredentialIdentity', 'SqlUrlBackupReason[]')
        foreach ($c in $script:DscClasses) {
            foreach ($p in @($c.Members | Where-Object { $_ -is [System.Management.Automation.Language.PropertyMemberAst] -and -not $_.IsHidden })) {
                $p.PropertyType.TypeName.FullName | Should -BeIn $allowed -Because "$($c.Name).$($p.Name)"
            }
        }
    }
}

Describe 'Connection properties reach the module''s connection handling unchanged' {
    It 'managed identity, client id, Encrypt, TrustServerCertificate, HostNameInCertificate, ConnectTimeout' {
        $r = & $script:Module { [SqlUrlCredential]::new() }
        $r.ServerInstance = 'sqlvm01.contoso.com,1433'
        $r.ContainerUrl = 'https://acct.blob.core.windows.net/backups'
        $r.UseManagedIdentity = $true
        $r.ManagedIdentityClientId = '11111111-2222-3333-4444-555555555555'
        $r.Encrypt = 'Strict'
        $r.TrustServerCertificate = $true
        $r.HostNameInCertificate = 'sqlvm01.contoso.com'
        $r.ConnectTimeout = 42
        $c = & $script:Module { param($res) $p = ConvertTo-SqlUrlDscConnectionParameter -Resource $res; ConvertTo-SqlUrlConnection -BoundParameters $p -ServerInstance $p.ServerInstance -OnWindows $false } $r
        $c.server | Should -Be 'sqlvm01.contoso.com,1433'
        $c.auth.kind | Should -Be 'managed_identity'
        $c.auth.client_id | Should -Be '11111111-2222-3333-4444-555555555555'
        $c.encrypt | Should -Be 'strict'
        $c.trust_server_certificate | Should -BeTrue
        $c.host_name_in_certificate | Should -Be 'sqlvm01.contoso.com'
        $c.connect_timeout_s | Should -Be 42
    }

    It 'defaults: encryption mandatory, certificate validated; a SQL login from SqlCredential' {
        $r = & $script:Module { [SqlUrlCredential]::new() }
        $r.ServerInstance = 'sqlvm01'
        $r.SqlCredential = $script:Sa
        $c = & $script:Module { param($res) $p = ConvertTo-SqlUrlDscConnectionParameter -Resource $res; ConvertTo-SqlUrlConnection -BoundParameters $p -ServerInstance $p.ServerInstance -OnWindows $false } $r
        $c.encrypt | Should -Be 'mandatory'
        $c.trust_server_certificate | Should -BeFalse
        $c.auth.kind | Should -Be 'sql'
        $c.auth.user | Should -Be 'sa'
    }

    It 'contradictory or missing authentication is the module''s clear error' {
        $r = & $script:Module { [SqlUrlCredential]::new() }
        $r.ServerInstance = '127.0.0.1,1'
        $r.ContainerUrl = 'https://acct.blob.core.windows.net/backups'
        $r.SqlCredential = $script:Sa
        $r.UseManagedIdentity = $true
        (Get-ThrownError { $r.Test() }).Exception.Message | Should -Match 'Use only one of -Credential, -AccessToken and -UseManagedIdentity'
        $r.UseManagedIdentity = $false
        $r.SqlCredential = $null
        $r.ServerInstance = ''
        (Get-ThrownError { $r.Get() }).Exception.Message | Should -Match 'ServerInstance is empty'
        if (-not $IsWindows) {
            $r.ServerInstance = '127.0.0.1,1'
            (Get-ThrownError { $r.Get() }).Exception.Message | Should -Match 'available only on Windows'
        }
    }
}

Describe 'SqlUrlCredential' {
    BeforeAll { $script:Sim = Start-SqlUrlSim -Scenario @{} }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'absent -> Test false -> Set -> Test true; the credential is in sys.credentials with IDENTITY ''Managed Identity''' {
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url }
        $got = $r.Get()
        $got.Ensure | Should -Be 'Absent'
        $got.Reasons.Code | Should -Be 'SqlUrlCredential:SqlUrlCredential:Ensure'
        $r.Test() | Should -BeFalse
        @(Get-SimCredential $script:Sim).Name | Should -Not -Contain $script:Url

        $r.Set()

        $r.Test() | Should -BeTrue
        $row = @(Get-SimCredential $script:Sim | Where-Object Name -eq $script:Url)
        $row.Count | Should -Be 1
        $row[0].Identity | Should -Be 'Managed Identity'
        $got = $r.Get()
        $got.Ensure | Should -Be 'Present'
        $got.Identity | Should -Be 'ManagedIdentity'
        $got.CredentialIdentity | Should -Be 'Managed Identity'
        @($got.Reasons) | Should -BeNullOrEmpty
        # Get() returns a new object with the keys, not the instance it was called on.
        [object]::ReferenceEquals($got, $r) | Should -BeFalse
        $got.ServerInstance | Should -Be $script:Sim.Server
        $got.ContainerUrl | Should -Be $script:Url
    }

    It 'Force makes Test() false while present, and Set() re-creates the credential' {
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url; Force = $true }
        $r.Test() | Should -BeFalse
        $r.Get().Reasons.Code | Should -Be 'SqlUrlCredential:SqlUrlCredential:Force'
        $before = @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'CREATE CREDENTIAL*' -or $_ -like 'ALTER CREDENTIAL*' -or $_ -like 'DROP CREDENTIAL*' }).Count
        $r.Set()
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'CREATE CREDENTIAL*' -or $_ -like 'ALTER CREDENTIAL*' -or $_ -like 'DROP CREDENTIAL*' }).Count | Should -BeGreaterThan $before
        @(Get-SimCredential $script:Sim | Where-Object Name -eq $script:Url).Identity | Should -Be 'Managed Identity'
    }

    It 'Ensure Absent: Test false -> Set drops it -> Test true; Set again is a no-op' {
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url; Ensure = 'Absent' }
        $r.Test() | Should -BeFalse
        $r.Set()
        $r.Test() | Should -BeTrue
        @(Get-SimCredential $script:Sim).Name | Should -Not -Contain $script:Url
        $drops = @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'DROP CREDENTIAL*' }).Count
        $r.Set()
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'DROP CREDENTIAL*' }).Count | Should -Be $drops
    }

    It 'a SAS credential: created with the SasToken password, the secret never in Get() output nor any stream; switching to ManagedIdentity replaces it' {
        $secret = 'sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=DSCTOPSECRETSIG42'
        $sasUrl = 'https://simacct.blob.core.windows.net/dsc-sas'
        $sas = [pscredential]::new('SAS', (ConvertTo-SecureString $secret -AsPlainText -Force))
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $sasUrl; Identity = 'SharedAccessSignature'; SasToken = $sas }
        $r.Test() | Should -BeFalse
        $streams = & { $r.Set(); $r.Get(); $r.Test() } *>&1 4>&1 | Out-String -Width 1000
        $streams | Should -Not -Match 'DSCTOPSECRETSIG42'
        @(Get-SimCredential $script:Sim | Where-Object Name -eq $sasUrl).Identity | Should -Be 'SHARED ACCESS SIGNATURE'
        $r.Test() | Should -BeTrue

        $got = $r.Get()
        $got.Identity | Should -Be 'SharedAccessSignature'
        $got.SasToken | Should -BeNullOrEmpty
        $got.SqlCredential | Should -BeNullOrEmpty
        ($got | Format-List * | Out-String -Width 1000) | Should -Not -Match 'DSCTOPSECRETSIG42'
        ($got | ConvertTo-Json -Depth 6) | Should -Not -Match 'DSCTOPSECRETSIG42|Sim-Passw0rd'
        # A SECRET was sent with the CREATE CREDENTIAL (the simulator's log masks its value; the
        # Azurite test below proves the value by backing up with it).
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like "CREATE CREDENTIAL*$sasUrl*IDENTITY = N'SHARED ACCESS SIGNATURE'*SECRET = N'``*``*``*'*" }).Count | Should -Be 1

        $mi = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $sasUrl; Identity = 'ManagedIdentity' }
        $mi.Test() | Should -BeFalse
        $mi.Get().Reasons.Code | Should -Be 'SqlUrlCredential:SqlUrlCredential:Identity'
        $mi.Set()
        $mi.Test() | Should -BeTrue
        @(Get-SimCredential $script:Sim | Where-Object Name -eq $sasUrl).Identity | Should -Be 'Managed Identity'
    }

    It 'contradictory properties are clear errors and nothing reaches the server' {
        $count = @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'CREATE CREDENTIAL*' }).Count
        $noSas = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = "$script:Url-nosas"; Identity = 'SharedAccessSignature' }
        (Get-ThrownError { $noSas.Set() }).Exception.Message | Should -Match 'SharedAccessSignature needs SasToken'
        $sas = [pscredential]::new('SAS', (ConvertTo-SecureString 'sig=x' -AsPlainText -Force))
        $both = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = "$script:Url-both"; SasToken = $sas }
        (Get-ThrownError { $both.Set() }).Exception.Message | Should -Match 'SasToken is used only with Identity SharedAccessSignature'
        $other = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = "$script:Url-other"; Identity = 'Other' }
        (Get-ThrownError { $other.Set() }).Exception.Message | Should -Match 'Identity Other is reported by Get\(\) only'
        $empty = New-DscResource SqlUrlCredential $script:Sim @{}
        (Get-ThrownError { $empty.Test() }).Exception.Message | Should -Match 'ContainerUrl is empty'
        { $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url }; $r.Encrypt = 'Sometimes' } | Should -Throw '*Mandatory,Optional,Strict*'
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'CREATE CREDENTIAL*' }).Count | Should -Be $count
    }

    It 'a ContainerUrl that is not exactly a container URL is a clear error (InvalidUrl from the module, or the name to use)' {
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = 'https://SIMACCT.blob.core.windows.net/upper' }
        $e = Get-ThrownError { $r.Test() }
        $e.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.InvalidUrl*'
        $e.Exception.Message | Should -Match 'lower case'
        $e.Exception.Message | Should -Match 'Recommended action: Use the container URL'

        $exists = 'https://simacct.blob.core.windows.net/dsc-exact'
        (New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $exists }).Set()
        foreach ($u in @("$exists/", "$exists/daily/x.bak")) {
            $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $u }
            (Get-ThrownError { $r.Test() }).Exception.Message | Should -Match ([regex]::Escape("is named '$exists'"))
        }
        # Without a credential to compare with, Set() gets the module's InvalidUrl error before any statement.
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = 'https://simacct.blob.core.windows.net/dsc-none/' }
        $r.Test() | Should -BeFalse
        $e = Get-ThrownError { $r.Set() }
        $e.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.InvalidUrl*'
        $e.Exception.Message | Should -Match "must not end with '/'"
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like '*dsc-none*' -and $_ -like 'CREATE*' }) | Should -BeNullOrEmpty
    }

    It 'a failed login is an error naming the step, without the password' {
        $bad = [pscredential]::new('sa', (ConvertTo-SecureString 'Wrong-DscPassw0rd-XYZ' -AsPlainText -Force))
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url; SqlCredential = $bad }
        $e = Get-ThrownError { $r.Test() }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.LoginFailed*'
        $e.Exception.Message | Should -Match "reading credential '$([regex]::Escape($script:Url))'"
        ($e | Out-String -Width 1000) + $e.Exception.ToString() | Should -Not -Match 'Wrong-DscPassw0rd-XYZ'
    }

    It 'certificate validation is on by default: without the simulator''s CA the connection is refused' {
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url }
        $r.CertificateAuthorityFile = $null
        $e = Get-ThrownError { $r.Get() }
        $e | Should -Not -BeNullOrEmpty
        $e.Exception.Message | Should -Match 'certificate'
    }
}

Describe 'SqlUrlCredential credentials work for BACKUP TO URL (simulator + Azurite)' {
    BeforeAll {
        $script:Azurite = Get-SqlUrlAzurite
        $script:Container = New-SqlUrlTestContainer -Tag 'dsc'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $script:Sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -DataMB 8)
        $script:Conn = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim; Stop-SqlUrlAzurite $script:Azurite }

    It 'Test() cannot see a wrong (rotated) SAS; Force re-creates it with the new SasToken and the backup then succeeds' {
        $bad = [pscredential]::new('SAS', (ConvertTo-SecureString ('sv=2020-12-06&ss=b&srt=sco&sp=rwdlacup&se=2030-01-01T00:00:00Z&spr=https&sig=' + 'AAAAwrong' + 'signatureAAAA%3D') -AsPlainText -Force))
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:ContainerUrl; Identity = 'SharedAccessSignature'; SasToken = $bad }
        $r.Set()
        $r.Test() | Should -BeTrue
        Backup-SqlUrlDatabase @script:Conn -Database Sales -ContainerUrl $script:ContainerUrl -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e | Should -Not -BeNullOrEmpty
        @(Get-SqlUrlTestBlob -Container $script:Container) | Should -BeNullOrEmpty

        $good = [pscredential]::new('SAS', (ConvertTo-SecureString (Get-SqlUrlAzuriteSas) -AsPlainText -Force))
        $rotated = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:ContainerUrl; Identity = 'SharedAccessSignature'; SasToken = $good }
        $rotated.Test() | Should -BeTrue   # documented limit: the secret cannot be read back
        $rotated.Force = $true
        $rotated.Test() | Should -BeFalse
        $rotated.Set()
        $b = Backup-SqlUrlDatabase @script:Conn -Database Sales -ContainerUrl $script:ContainerUrl
        $b | Should -Not -BeNullOrEmpty
        @(Get-SqlUrlTestBlob -Container $script:Container).Count | Should -BeGreaterThan 0
    }

    It 'a managed-identity credential from Set() backs up to the container' {
        $container = New-SqlUrlTestContainer -Tag 'dscmi'
        $url = "$script:SqlUrlTestAccountUrl/$container"
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $url }
        $r.Test() | Should -BeFalse
        $r.Set()
        $null = Backup-SqlUrlDatabase @script:Conn -Database Sales -ContainerUrl $url
        @(Get-SqlUrlTestBlob -Container $container).Count | Should -BeGreaterThan 0
    }
}

Describe 'SqlUrlCredential on a server without a primary managed identity (37563)' {
    BeforeAll { $script:Sim = Start-SqlUrlSim -Scenario @{ primary_managed_identity = $false; trace_flags = @(4675) } }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'Set() throws an error carrying SQL Server''s 37563 and the recommended action; no credential is created' {
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url }
        $r.Test() | Should -BeFalse
        $e = Get-ThrownError { $r.Set() }
        $e | Should -Not -BeNullOrEmpty
        $e.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.ManagedIdentityNotSelected*'
        # The LCM shows only the exception message: it must carry the cause and the action.
        $e.Exception.Message | Should -Match '37563'
        $e.Exception.Message | Should -Match 'Recommended action: .*primary managed identity'
        $e.ErrorDetails.RecommendedAction | Should -Match 'primary managed identity'
        @($e.Exception.InnerException.SqlErrorNumbers) | Should -Contain 37563
        @(Get-SimCredential $script:Sim) | Should -BeNullOrEmpty
        $r.Test() | Should -BeFalse
    }
}

Describe 'SqlUrlTraceFlag4675' {
    BeforeAll {
        $script:Sim = Start-SqlUrlSim -Scenario @{
            primary_managed_identity = $false
            logins                   = @(
                @{ name = 'sa'; password = 'Sim-Passw0rd!'; sysadmin = $true; can_view_server_state = $true }
                @{ name = 'reader'; password = 'R3ader-pw'; sysadmin = $false })
        }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'a login without sysadmin: Set() throws with the check''s evidence and action; the flag stays off' {
        $reader = [pscredential]::new('reader', (ConvertTo-SecureString 'R3ader-pw' -AsPlainText -Force))
        $r = New-DscResource SqlUrlTraceFlag4675 $script:Sim @{ ContainerUrl = $script:Url; SqlCredential = $reader }
        $e = Get-ThrownError { $r.Set() }
        $e | Should -Not -BeNullOrEmpty
        $e.Exception.Message | Should -Match 'sysadmin'
        $e.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.TraceFlagNotEnabled*'
        (Invoke-SimQuery -Sim $script:Sim -Query 'DBCC TRACESTATUS(4675, -1)').Tables[0].Rows[0].Global | Should -Be 0
    }

    It 'off -> Test false -> Set turns it on globally (DBCC TRACESTATUS through SqlClient) -> Test true' {
        $r = New-DscResource SqlUrlTraceFlag4675 $script:Sim @{ ContainerUrl = $script:Url }
        $got = $r.Get()
        $got.Ensure | Should -Be 'Absent'
        $got.Evidence | Should -Match 'off'
        $got.Reasons.Code | Should -Be 'SqlUrlTraceFlag4675:SqlUrlTraceFlag4675:Ensure'
        $r.Test() | Should -BeFalse
        (Invoke-SimQuery -Sim $script:Sim -Query 'DBCC TRACESTATUS(4675, -1)').Tables[0].Rows[0].Global | Should -Be 0

        $warnings = & { $r.Set() } 3>&1 | Out-String
        $warnings | Should -Match '-T4675'

        (Invoke-SimQuery -Sim $script:Sim -Query 'DBCC TRACESTATUS(4675, -1)').Tables[0].Rows[0].Global | Should -Be 1
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -match 'DBCC\s+TRACEON\s*\(\s*4675\s*,\s*-1\s*\)' }).Count | Should -Be 1
        $r.Test() | Should -BeTrue
        $r.Get().Ensure | Should -Be 'Present'
        @($r.Get().Reasons) | Should -BeNullOrEmpty
    }

    It 'with the flag on, SqlUrlCredential on this server (no primary managed identity) fails with 37563 instead of silently succeeding' {
        $c = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url }
        (Get-ThrownError { $c.Set() }).Exception.Message | Should -Match '37563'
    }

    It 'Ensure Absent is a clear "not supported" error' {
        $r = New-DscResource SqlUrlTraceFlag4675 $script:Sim @{ ContainerUrl = $script:Url; Ensure = 'Absent' }
        $e = Get-ThrownError { $r.Test() }
        $e.Exception.Message | Should -Match 'Ensure Absent is not supported'
        (Invoke-SimQuery -Sim $script:Sim -Query 'DBCC TRACESTATUS(4675, -1)').Tables[0].Rows[0].Global | Should -Be 1
    }
}

Describe 'examples/dsc' {
    It '<_.Name> parses and uses only properties the resources have' -ForEach @(Get-ChildItem (Join-Path $PSScriptRoot '../../examples/dsc') -Filter '*.ps1' | ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } }) {
        $text = Get-Content -Raw -LiteralPath $_.Path
        # The Configuration keyword needs the DSC schema store (Windows, or PSDSC for Linux): it is
        # parse-checked here as a function with the same body, Import-DscResource removed.
        $text | Should -Match '(?m)^\s*Configuration\s+\w+'
        $text | Should -Match 'Import-DscResource\s+-ModuleName\s+''?SqlUrlBackup'
        $asFunction = [regex]::Replace($text, '(?m)^(\s*)Configuration(\s+\w+)', '$1function$2')
        $asFunction = [regex]::Replace($asFunction, '(?m)^\s*Import-DscResource\b.*$', '')
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($asFunction, [ref]$tokens, [ref]$errors)
        $errors | Should -BeNullOrEmpty
        # Every resource block: <ResourceName> <InstanceName> { Property = value ... }.
        $resources = @{}
        foreach ($name in @('SqlUrlCredential', 'SqlUrlTraceFlag4675')) {
            $resources[$name] = @(& $script:Module ([scriptblock]::Create("[$name].GetProperties() | Where-Object { @(`$_.GetCustomAttributes([System.Management.Automation.DscPropertyAttribute], `$true) | Where-Object { -not `$_.NotConfigurable }).Count -gt 0 } | ForEach-Object Name")))
        }
        $blocks = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $resources.ContainsKey($n.GetCommandName()) }, $true))
        $blocks.Count | Should -BeGreaterThan 0
        foreach ($b in $blocks) {
            $body = $b.CommandElements[-1]
            $body | Should -BeOfType [System.Management.Automation.Language.ScriptBlockExpressionAst]
            # Outside a Configuration, 'Name = value' in the block parses as the command Name with the arguments '=' value.
            $assigned = @($body.ScriptBlock.EndBlock.Statements | ForEach-Object {
                    $cmd = @($_.PipelineElements)[0]
                    if ($cmd -is [System.Management.Automation.Language.CommandAst] -and $cmd.CommandElements.Count -ge 3 -and $cmd.CommandElements[1].Extent.Text -eq '=') { $cmd.GetCommandName() }
                    else { throw "not a 'Property = value' line: $($_.Extent.Text)" }
                })
            $assigned | Should -Contain 'ServerInstance'
            # DependsOn: a common property of every DSC resource.
            foreach ($p in $assigned) { $p | Should -BeIn (@($resources[$b.GetCommandName()]) + 'DependsOn') -Because "$($b.GetCommandName()) has no property $p" }
        }
    }
}
