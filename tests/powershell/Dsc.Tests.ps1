# DSC class resources (SqlUrlCredential, SqlUrlTraceFlag4675, SqlUrlRestoredDatabase,
# SqlUrlBackupReadiness; base class SqlUrlResourceBase) of the BUILT module, driven the way the
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
        $r.Credential = $script:Sa
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
        $script:AllClasses = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.TypeDefinitionAst] -and $n.IsClass }, $true))
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

    It '<_> has keys, Get/Test/Set with the exact signatures and a parameterless constructor' -ForEach @('SqlUrlCredential', 'SqlUrlTraceFlag4675', 'SqlUrlRestoredDatabase', 'SqlUrlBackupReadiness') {
        $c = $script:DscClasses | Where-Object Name -eq $_
        $c | Should -Not -BeNullOrEmpty
        # Inherits the shared base class, defined in the same file (the engine walks it there).
        $c.BaseTypes.TypeName.Name | Should -Be 'SqlUrlResourceBase'
        $base = $script:AllClasses | Where-Object Name -eq 'SqlUrlResourceBase'
        $base | Should -Not -BeNullOrEmpty
        @($base.Attributes | Where-Object { $_.TypeName.Name -eq 'DscResource' }) | Should -BeNullOrEmpty
        # RunAsCredential declared explicitly.
        ($c.Attributes | Where-Object { $_.TypeName.Name -eq 'DscResource' }).NamedArguments.ArgumentName | Should -Contain 'RunAsCredential'
        $keys = @(@($c.Members) + @($base.Members) | Where-Object { $_ -is [System.Management.Automation.Language.PropertyMemberAst] -and
                @($_.Attributes | Where-Object { $_.TypeName.Name -eq 'DscProperty' -and $_.NamedArguments.ArgumentName -contains 'Key' }).Count -gt 0 } | ForEach-Object Name)
        $keys | Should -Contain 'ServerInstance'
        foreach ($m in @(@{ N = 'Get'; T = $_ }, @{ N = 'Test'; T = 'System.Boolean' }, @{ N = 'Set'; T = 'void' })) {
            $method = @($c.Members | Where-Object { $_ -is [System.Management.Automation.Language.FunctionMemberAst] -and $_.Name -eq $m.N -and -not $_.IsStatic })
            $method.Count | Should -Be 1
            $method[0].Parameters.Count | Should -Be 0
            $method[0].ReturnType.TypeName.Name | Should -Be $m.T
        }
        @($c.Members | Where-Object { $_ -is [System.Management.Automation.Language.FunctionMemberAst] -and $_.IsConstructor }) | Should -BeNullOrEmpty
        # Reasons for Azure Machine Configuration: NotConfigurable, Code + Phrase (on the base class).
        $reasons = $base.Members | Where-Object Name -eq 'Reasons'
        $reasons.Attributes.NamedArguments.ArgumentName | Should -Contain 'NotConfigurable'
    }

    It 'property types are primitives, arrays, [PSCredential] or types of the module itself (no generic collections, no interop types)' {
        # [PSCredential] by its short name: the DSC v3 PowerShell adapter before 3.1 matches that name.
        # No enums: Ensure and Identity are strings with a ValidateSet (an enum costs ~100 ms at import).
        $allowed = @('System.String', 'System.String[]', 'System.Boolean', 'PSCredential', 'Nullable[System.Int32]',
            'SqlUrlBackupReason[]')
        foreach ($c in @($script:DscClasses) + @($script:AllClasses | Where-Object Name -eq 'SqlUrlResourceBase')) {
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

    It 'defaults: encryption mandatory, certificate validated; a SQL login from Credential' {
        $r = & $script:Module { [SqlUrlCredential]::new() }
        $r.ServerInstance = 'sqlvm01'
        $r.Credential = $script:Sa
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
        $r.Credential = $script:Sa
        $r.UseManagedIdentity = $true
        (Get-ThrownError { $r.Test() }).Exception.Message | Should -Match 'Use only one of -Credential, -AccessToken and -UseManagedIdentity'
        $r.UseManagedIdentity = $false
        $r.Credential = $null
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
        # Idempotent: a second Set() (as the DSC v3 adapter calls it, without Test()) sends no change.
        $changes = { @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -match '^\s*(CREATE|ALTER|DROP)\s+CREDENTIAL' }).Count }
        $before = & $changes
        $before | Should -Be 1
        $r.Set()
        & $changes | Should -Be $before
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
        $got.Credential | Should -BeNullOrEmpty
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
        # Scheme and host are case-insensitive: the credential is named in lower case, and found again.
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = 'https://SIMACCT.blob.core.windows.net/upper' }
        $r.Test() | Should -BeFalse
        $r.Set()
        @(Get-SimCredential $script:Sim).Name | Should -Contain 'https://simacct.blob.core.windows.net/upper'
        $r.Test() | Should -BeTrue
        # A container name is lower case by Azure's rule: refused with the rule.
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = 'https://simacct.blob.core.windows.net/Upper' }
        $e = Get-ThrownError { $r.Set() }
        $e.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.InvalidUrl*'
        $e.Exception.Message | Should -Match 'lower-case'
        $e.Exception.Message | Should -Match 'Recommended action: '

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
        $r = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url; Credential = $bad }
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
        $r = New-DscResource SqlUrlTraceFlag4675 $script:Sim @{ ContainerUrl = $script:Url; Credential = $reader }
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
        $got.StartupParameter | Should -Be 'Absent'
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
        # -T4675 is not among the simulator's startup parameters (sys.dm_server_registry).
        $r.Get().StartupParameter | Should -Be 'Absent'
        # Idempotent: a second Set() sends no DBCC TRACEON.
        $r.Set()
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -match 'DBCC\s+TRACEON' }).Count | Should -Be 1
    }

    It 'with the flag on, SqlUrlCredential on this server (no primary managed identity) fails with 37563 instead of silently succeeding' {
        $c = New-DscResource SqlUrlCredential $script:Sim @{ ContainerUrl = $script:Url }
        (Get-ThrownError { $c.Set() }).Exception.Message | Should -Match '37563'
    }

    It 'Ensure Absent: on -> Test false -> Set turns it off (DBCC TRACEOFF) -> Test true -> a second Set sends nothing' {
        $r = New-DscResource SqlUrlTraceFlag4675 $script:Sim @{ ContainerUrl = $script:Url; Ensure = 'Absent' }
        (Invoke-SimQuery -Sim $script:Sim -Query 'DBCC TRACESTATUS(4675, -1)').Tables[0].Rows[0].Global | Should -Be 1
        $got = $r.Get()
        $got.Ensure | Should -Be 'Present'
        $got.Reasons.Code | Should -Be 'SqlUrlTraceFlag4675:SqlUrlTraceFlag4675:Ensure'
        $got.Reasons[0].Phrase | Should -Match 'should be off'
        $r.Test() | Should -BeFalse
        $r.Set()
        (Invoke-SimQuery -Sim $script:Sim -Query 'DBCC TRACESTATUS(4675, -1)').Tables[0].Rows[0].Global | Should -Be 0
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -match 'DBCC\s+TRACEOFF\s*\(\s*4675\s*,\s*-1\s*\)' }).Count | Should -Be 1
        $r.Test() | Should -BeTrue
        $r.Get().Ensure | Should -Be 'Absent'
        $r.Set()
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -match 'DBCC\s+TRACEOFF' }).Count | Should -Be 1
    }
}

Describe 'SqlUrlTraceFlag4675 with -T4675 in the startup parameters' {
    BeforeAll { $script:Sim = Start-SqlUrlSim -Scenario @{ trace_flags = @(4675); startup_parameters = @('-dC:\data\master.mdf', '-T4675') } }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'Get() says Present (read from sys.dm_server_registry); turning the flag off warns that the restart brings it back' {
        $r = New-DscResource SqlUrlTraceFlag4675 $script:Sim @{ ContainerUrl = $script:Url }
        $got = $r.Get()
        $got.Ensure | Should -Be 'Present'
        $got.StartupParameter | Should -Be 'Present'
        $r.Ensure = 'Absent'
        $warnings = & { $r.Set() } 3>&1 | Out-String
        $warnings | Should -Match 'comes back at the next restart'
        $r.Test() | Should -BeTrue
    }
}

Describe 'SqlUrlRestoredDatabase (simulator + Azurite)' {
    BeforeAll {
        $script:Azurite = Get-SqlUrlAzurite
        $script:Container = New-SqlUrlTestContainer -Tag 'dscrestore'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        # Source server: Sales, backed up once (full + log) to Azurite.
        $script:Source = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -DataMB 8 -ManagedIdentityCredential $script:ContainerUrl)
        $src = @{ ServerInstance = $script:Source.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Source.CaFile }
        $script:Full = Backup-SqlUrlDatabase @src -Database Sales -ContainerUrl $script:ContainerUrl -ErrorAction Stop
        Start-Sleep -Milliseconds 1100   # the log backup finishes in a later second (STOPAT test)
        $script:Log = Backup-SqlUrlDatabase @src -Database Sales -ContainerUrl $script:ContainerUrl -Type Log -ErrorAction Stop
        # Target server: no Sales; one database left RESTORING by an earlier, unfinished restore.
        $target = New-SqlUrlTestScenario -ManagedIdentityCredential $script:ContainerUrl
        $target.databases = @(@{ name = 'HalfDone'; recovery_model = 'FULL'; state = 'RESTORING'; files = @(
                    @{ logical_name = 'HalfDone'; physical_name = 'F:\data\HalfDone.mdf'; file_type = 'ROWS'; size_mb = 8 }
                    @{ logical_name = 'HalfDone_log'; physical_name = 'G:\log\HalfDone_log.ldf'; file_type = 'LOG'; size_mb = 8 }) })
        $script:Target = Start-SqlUrlSim -Scenario $target
        function Get-RestoreCount($Sim) { @(Get-SqlUrlSimStatement $Sim | Where-Object { $_ -match '^\s*RESTORE\s+(DATABASE|LOG)\b' }).Count }
        function Get-SimDatabase($Sim, [string]$Name) {
            $q = Invoke-SimQuery -Sim $Sim -Query "SELECT name, state_desc FROM sys.databases WHERE name = N'$Name'"
            if (@($q.Errors).Count -gt 0) { throw "sys.databases query failed: $($q.Errors[0].Message)" }
            @($q.Tables[0].Rows | ForEach-Object { [pscustomobject]@{ Name = [string]$_.name; State = [string]$_.state_desc } })
        }
    }
    AfterAll { Stop-SqlUrlSim $script:Source; Stop-SqlUrlSim $script:Target; Stop-SqlUrlAzurite $script:Azurite }

    It 'absent -> Test false (read-only: no RESTORE sent) -> Set restores once, relocated -> Test true -> second Set sends no RESTORE' {
        $r = New-DscResource SqlUrlRestoredDatabase $script:Target @{ Database = 'SalesCopy'; BackupUrl = [string[]]@($script:Full.Url) }
        $got = $r.Get()
        $got.Ensure | Should -Be 'Absent'
        $got.Reasons.Code | Should -Be 'SqlUrlRestoredDatabase:SqlUrlRestoredDatabase:Database'
        $got.Reasons[0].Phrase | Should -Match "does not exist"
        $got.Reasons[0].Phrase | Should -Match 'RESTORE DATABASE \[SalesCopy\]'
        @($got.PlannedStatements).Count | Should -Be 1
        $r.Test() | Should -BeFalse
        Get-RestoreCount $script:Target | Should -Be 0
        @(Get-SimDatabase $script:Target 'SalesCopy') | Should -BeNullOrEmpty

        $r.Set()

        Get-RestoreCount $script:Target | Should -Be 1
        $db = @(Get-SimDatabase $script:Target 'SalesCopy')
        $db.Count | Should -Be 1
        $db[0].State | Should -Be 'ONLINE'
        # Relocated: MOVE to the server's default paths under the new name (no clash with Sales' files).
        @(Get-SqlUrlSimStatement $script:Target | Where-Object { $_ -match '^\s*RESTORE\s+DATABASE' })[0] | Should -Match 'MOVE'
        $r.Test() | Should -BeTrue
        $after = $r.Get()
        $after.Ensure | Should -Be 'Present'
        $after.DatabaseState | Should -Be 'ONLINE'
        @($after.Reasons) | Should -BeNullOrEmpty
        $r.Set()
        Get-RestoreCount $script:Target | Should -Be 1
    }

    It 'a chain (full + log, Sequence) restores in LSN order with every log step' {
        $r = New-DscResource SqlUrlRestoredDatabase $script:Target @{ Database = 'SalesChain'; BackupUrl = [string[]](@($script:Log.Url) + @($script:Full.Url)); Sequence = $true }
        $r.Test() | Should -BeFalse
        $before = Get-RestoreCount $script:Target
        $r.Set()
        (Get-RestoreCount $script:Target) - $before | Should -Be 2
        (Get-SimDatabase $script:Target 'SalesChain').State | Should -Be 'ONLINE'
        $r.Test() | Should -BeTrue
    }

    It 'StopAt: the planned log restore stops at that time (dry run only, nothing sent)' {
        $logEnd = (Get-SqlUrlBackupHeader -ServerInstance $script:Source.Server -Credential $script:Sa -CertificateAuthorityFile $script:Source.CaFile -Url $script:Log.Url).BackupFinishDate
        $stopAt = ([datetime]$logEnd).ToString('yyyy-MM-ddTHH:mm:ss')
        $r = New-DscResource SqlUrlRestoredDatabase $script:Target @{ Database = 'SalesPit'; BackupUrl = [string[]](@($script:Full.Url) + @($script:Log.Url)); Sequence = $true; StopAt = $stopAt }
        $before = Get-RestoreCount $script:Target
        $got = $r.Get()
        $got.Ensure | Should -Be 'Absent'
        @($got.PlannedStatements).Count | Should -Be 2
        $got.PlannedStatements[1] | Should -Match "^RESTORE LOG \[SalesPit\].*STOPAT = N?'$([regex]::Escape($stopAt))(\.0+)?'"
        Get-RestoreCount $script:Target | Should -Be $before
    }

    It 'never replaces an existing database: Sales on the source server is present, Set sends no RESTORE' {
        $r = New-DscResource SqlUrlRestoredDatabase $script:Source @{ Database = 'Sales'; BackupUrl = [string[]]@($script:Full.Url) }
        $r.Test() | Should -BeTrue
        $r.Get().Ensure | Should -Be 'Present'
        $r.Set()
        Get-RestoreCount $script:Source | Should -Be 0
        @(Get-SqlUrlSimStatement $script:Source | Where-Object { $_ -match 'REPLACE' }) | Should -BeNullOrEmpty
        # Once the database exists its backups are not read again (they may have expired).
        $gone = New-DscResource SqlUrlRestoredDatabase $script:Source @{ Database = 'sales'; BackupUrl = [string[]]@("$script:ContainerUrl/expired/Sales.bak") }
        $gone.Test() | Should -BeTrue
        $gone.Get().DatabaseState | Should -Be 'ONLINE'
        @(Get-SqlUrlSimStatement $script:Source | Where-Object { $_ -match 'expired' }) | Should -BeNullOrEmpty
    }

    It 'a database left RESTORING is a Reason; Set throws and does not touch it' {
        $r = New-DscResource SqlUrlRestoredDatabase $script:Target @{ Database = 'HalfDone'; BackupUrl = [string[]]@($script:Full.Url) }
        $got = $r.Get()
        $got.Ensure | Should -Be 'Present'
        $got.DatabaseState | Should -Be 'RESTORING'
        $got.Reasons.Code | Should -Be 'SqlUrlRestoredDatabase:SqlUrlRestoredDatabase:State'
        $r.Test() | Should -BeFalse
        $before = Get-RestoreCount $script:Target
        (Get-ThrownError { $r.Set() }).Exception.Message | Should -Match 'never replaced'
        Get-RestoreCount $script:Target | Should -Be $before
    }

    It 'bad properties are clear errors before anything is sent; a SAS in a URL is refused and masked' {
        $before = @(Get-SqlUrlSimStatement $script:Target).Count
        $sig = 'DSCRESTORE' + 'SECRETSIG'
        $withSas = New-DscResource SqlUrlRestoredDatabase $script:Target @{ Database = 'X'; BackupUrl = [string[]]@("$($script:Full.Url[0])?sv=2022-11-02&sig=$sig") }
        $e = Get-ThrownError { $withSas.Test() }
        $e.Exception.Message | Should -Match 'query string'
        ($e | Out-String -Width 1000) + $e.Exception.ToString() | Should -Not -Match $sig
        (Get-ThrownError { (New-DscResource SqlUrlRestoredDatabase $script:Target @{ Database = 'X' }).Test() }).Exception.Message | Should -Match 'BackupUrl is empty.*catalog'
        (Get-ThrownError { (New-DscResource SqlUrlRestoredDatabase $script:Target @{ Database = 'X'; BackupUrl = [string[]]@($script:Full.Url); StopAt = 'yesterday' }).Test() }).Exception.Message | Should -Match 'StopAt .* ISO 8601'
        @(Get-SqlUrlSimStatement $script:Target).Count | Should -Be $before
    }

    It 'a backup URL that does not exist is an error naming the step, and nothing is restored' {
        $r = New-DscResource SqlUrlRestoredDatabase $script:Target @{ Database = 'Ghost'; BackupUrl = [string[]]@("$script:ContainerUrl/nope/Ghost.bak") }
        $before = Get-RestoreCount $script:Target
        $e = Get-ThrownError { $r.Set() }
        $e | Should -Not -BeNullOrEmpty
        $e.Exception.Message | Should -Match "SqlUrlRestoredDatabase: reading the backup of database 'Ghost'"
        Get-RestoreCount $script:Target | Should -Be $before
    }
}

Describe 'Secrets in Reasons and errors' {
    It 'URL query strings and bare SAS signatures are masked in Reasons and in errors' {
        $sig = 'MASK' + 'MESIG'
        $r = New-DscResource SqlUrlBackupReadiness @{ Server = '127.0.0.1,1'; CaFile = $null } @{ ContainerUrl = 'https://a.blob.core.windows.net/c' }
        $reason = $r.NewReason('Some Id', "read https://a.blob.core.windows.net/c/x.bak?sv=2022-11-02&sp=r&sig=$sig and sv=1&sig=$sig")
        $reason.Code | Should -Be 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:SomeId'
        $reason.Phrase | Should -Be 'read https://a.blob.core.windows.net/c/x.bak?*** and sv=1&sig=***'
        $e = $r.NewError('reading', "failed for https://a.blob.core.windows.net/c/x.bak?sig=$sig")
        $e.Exception.Message | Should -Be 'SqlUrlBackupReadiness: reading failed: failed for https://a.blob.core.windows.net/c/x.bak?***'
        ($e | Out-String) | Should -Not -Match $sig
    }
}

Describe 'SqlUrlBackupReadiness with Deep (the storage path proven by a COPY_ONLY probe of model)' {
    BeforeAll {
        $script:DeepSas = [pscredential]::new('sas', (ConvertTo-SecureString (Get-SqlUrlAzuriteSas) -AsPlainText -Force))
        $script:DeepStorage = @{ StorageSasCredential = $script:DeepSas; StorageEndpoint = $env:AZURITE_BLOB_ENDPOINT; StorageCertificateAuthorityFile = $env:AZURITE_CA }
    }

    It 'a ready server: every probe step passes, no Reasons, and no blob is left behind' {
        $container = New-SqlUrlTestContainer -Tag 'dscdeep'
        $url = "$script:SqlUrlTestAccountUrl/$container"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -ManagedIdentityCredential $url -Extra @{ trace_flags = @(4675) })
        try {
            $r = New-DscResource SqlUrlBackupReadiness $sim (@{ ContainerUrl = $url; Deep = $true } + $script:DeepStorage)
            $got = $r.Get()
            @($got.Reasons) | Should -BeNullOrEmpty
            $got.Ready | Should -BeTrue
            $got.Deep | Should -BeTrue
            Get-SqlUrlTestBlob -Container $container | Should -BeNullOrEmpty
            @(Get-SqlUrlSimStatement $sim | Where-Object { $_ -like 'BACKUP DATABASE `[model`]*COPY_ONLY*' }).Count | Should -Be 1
            @(Get-SqlUrlSimStatement $sim | Where-Object { $_ -like 'RESTORE VERIFYONLY*' }).Count | Should -Be 1
        }
        finally { Stop-SqlUrlSim $sim }
    }

    It 'the identity lacks the storage role: a ProbeBackup Reason with its remedy, the SAS never shown' {
        $container = New-SqlUrlTestContainer -Tag 'dscdeepro'
        $url = "$script:SqlUrlTestAccountUrl/$container"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Role 'Reader' -ManagedIdentityCredential $url -Extra @{ trace_flags = @(4675) })
        try {
            $r = New-DscResource SqlUrlBackupReadiness $sim (@{ ContainerUrl = $url; Deep = $true } + $script:DeepStorage)
            $got = $r.Get()
            $got.Ready | Should -BeFalse
            $reason = @($got.Reasons | Where-Object { $_.Code -eq 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:ProbeBackup' })
            $reason.Count | Should -Be 1
            $reason[0].Phrase | Should -Match 'Recommended action: '
            ($got.Reasons | ForEach-Object { $_.Phrase }) -join ' ' | Should -Not -Match ([regex]::Escape($script:DeepSas.GetNetworkCredential().Password))
            $r.Test() | Should -BeFalse
        }
        finally { Stop-SqlUrlSim $sim }
    }

    It 'without storage access the scratch blob is named in a ProbeLeftBehind Reason; storage properties without Deep are refused' {
        $container = New-SqlUrlTestContainer -Tag 'dscdeeplb'
        $url = "$script:SqlUrlTestAccountUrl/$container"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -ManagedIdentityCredential $url -Extra @{ trace_flags = @(4675) })
        try {
            $r = New-DscResource SqlUrlBackupReadiness $sim @{ ContainerUrl = $url; Deep = $true }
            $got = $r.Get()
            $left = @($got.Reasons | Where-Object { $_.Code -eq 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:ProbeLeftBehind' })
            $left.Count | Should -Be 1
            $left[0].Phrase | Should -Match 'sqlurl-probe/'
            $r = New-DscResource SqlUrlBackupReadiness $sim (@{ ContainerUrl = $url } + $script:DeepStorage)
            { $r.Get() } | Should -Throw '*belong to Deep*'
        }
        finally { Stop-SqlUrlSim $sim }
    }
}

Describe 'SqlUrlBackupReadiness (audit only)' {
    It 'a ready server: no Reasons, every check listed, Set sends nothing' {
        $url = "$script:SqlUrlTestAccountUrl/ready"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -ManagedIdentityCredential $url -Extra @{ trace_flags = @(4675) })
        try {
            $r = New-DscResource SqlUrlBackupReadiness $sim @{ ContainerUrl = $url }
            $got = $r.Get()
            $got.Ready | Should -BeTrue
            @($got.Reasons) | Should -BeNullOrEmpty
            $got.Checks | Should -Contain 'Version: pass'
            $got.Checks | Should -Contain 'Credential: pass'
            $got.ProductVersion | Should -Not -BeNullOrEmpty
            $r.Test() | Should -BeTrue
            $r.Set()
            @(Get-SqlUrlSimStatement $sim | Where-Object { $_ -match '^\s*(CREATE|ALTER|DROP|BACKUP|RESTORE\s+DATABASE)\b|DBCC\s+TRACEO' }) | Should -BeNullOrEmpty
        }
        finally { Stop-SqlUrlSim $sim }
    }

    It 'an old, clustered server without a credential: one Reason per failed check, in the Machine Configuration shape; Set throws and changes nothing' {
        $url = "$script:SqlUrlTestAccountUrl/notready"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Extra @{ product_version = '15.0.4382.1'; product_update_level = 'CU27'; clustered = $true })
        try {
            $r = New-DscResource SqlUrlBackupReadiness $sim @{ ContainerUrl = $url }
            $got = $r.Get()
            $got.Ready | Should -BeFalse
            $codes = @($got.Reasons.Code)
            $codes | Should -Contain 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:Version'
            $codes | Should -Contain 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:FailoverCluster'
            $codes | Should -Contain 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:Credential'
            foreach ($reason in $got.Reasons) {
                $reason.Code | Should -Match '^SqlUrlBackupReadiness:SqlUrlBackupReadiness:\S+$'
                $reason.Phrase | Should -Match 'Recommended action: '
                # Exactly Code and Phrase (Linux is case-sensitive).
                (@($reason.PSObject.Properties.Name) | Sort-Object) | Should -Be @('Code', 'Phrase')
            }
            # Every failed check, and only those (no warning without IncludeWarning).
            $failed = @($got.Checks | Where-Object { $_ -like '*: fail' } | ForEach-Object { $_.Split(':')[0] })
            $codes.Count | Should -Be $failed.Count
            $r.Test() | Should -BeFalse
            $e = Get-ThrownError { $r.Set() }
            $e.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.NotReady*'
            $e.Exception.Message | Should -Match 'audit-only and changed nothing'
            @(Get-SqlUrlSimStatement $sim | Where-Object { $_ -match '^\s*(CREATE|ALTER|DROP|BACKUP)\b|DBCC\s+TRACEO' }) | Should -BeNullOrEmpty
        }
        finally { Stop-SqlUrlSim $sim }
    }

    It 'IncludeWarning also reports a trace flag that is off (warn)' {
        $url = "$script:SqlUrlTestAccountUrl/warnonly"
        $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -ManagedIdentityCredential $url)
        try {
            $r = New-DscResource SqlUrlBackupReadiness $sim @{ ContainerUrl = $url }
            @($r.Get().Reasons.Code) | Should -Not -Contain 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:TraceFlag4675'
            $r.IncludeWarning = $true
            $got = $r.Get()
            @($got.Reasons.Code) | Should -Contain 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:TraceFlag4675'
            ($got.Reasons | Where-Object Code -like '*:TraceFlag4675').Phrase | Should -Match 'TraceFlag4675 \(warn\): .*Recommended action: .*4675'
        }
        finally { Stop-SqlUrlSim $sim }
    }

    It 'a refused login is a Connection Reason (the audit goes on), without the password; a SAS in ContainerUrl never shows' {
        $sim = Start-SqlUrlSim -Scenario @{}
        try {
            $bad = [pscredential]::new('sa', (ConvertTo-SecureString 'Wrong-AuditPassw0rd-XYZ' -AsPlainText -Force))
            $sig = 'AUDIT' + 'SECRETSIG'
            $r = New-DscResource SqlUrlBackupReadiness $sim @{ ContainerUrl = "$script:SqlUrlTestAccountUrl/audit"; Credential = $bad }
            $got = $r.Get()
            $got.Ready | Should -BeFalse
            $got.Reasons.Code | Should -Be 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:Connection'
            $got.Reasons[0].Phrase | Should -Match 'Login failed|login'
            ($got | ConvertTo-Json -Depth 5) | Should -Not -Match 'Wrong-AuditPassw0rd-XYZ'
            (Get-ThrownError { $r.Set() }).Exception.Message | Should -Not -Match 'Wrong-AuditPassw0rd-XYZ'
            # A SAS in the URL is a bad property (an error, not a finding), and never shown.
            $r.ContainerUrl = "$script:SqlUrlTestAccountUrl/audit?sv=2022-11-02&sig=$sig"
            $r.Credential = $script:Sa
            $e = Get-ThrownError { $r.Get() }
            $e.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.InvalidUrl*'
            ($e | Out-String -Width 1000) + $e.Exception.ToString() | Should -Not -Match $sig
        }
        finally { Stop-SqlUrlSim $sim }
    }
}

Describe 'Invoke-DscResource-style calls in a fresh process (PSDSC 2.0 and the DSC v3 adapter)' {
    BeforeAll {
        # Warnings go to stderr, as the DSC v3 adapter turns streams into traces on stderr.
        # What PSDesiredStateConfiguration 2.0.7's Invoke-DscClassBasedResource does: `using module`
        # the module, [Type]::new(), set each property one by one, call the method. The result is
        # shaped as the DSC v3 adapter returns it (only DscProperty members, enums as strings),
        # PSCredential built from {username, password} JSON on stdin as the adapter does.
        function Invoke-DscStyle([string]$Type, [hashtable]$Property, [string[]]$Method) {
            $script = @"
using module '$($script:ModulePath)'
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
`$in = [Console]::In.ReadToEnd() | ConvertFrom-Json
`$r = [$Type]::new()
foreach (`$p in `$in.properties.PSObject.Properties) {
    `$v = `$p.Value
    if (`$v -is [psobject] -and `$null -ne `$v.PSObject.Properties['username']) { `$v = [PSCredential]::new(`$v.username, (ConvertTo-SecureString `$v.password -AsPlainText -Force)) }
    `$r.(`$p.Name) = `$v
}
`$dscProps = @([$Type].GetProperties() | Where-Object { `$_.GetCustomAttributes([System.Management.Automation.DscPropertyAttribute], `$true).Count -gt 0 } | ForEach-Object Name)
foreach (`$m in `$in.methods) {
    switch (`$m) {
        'Get' { `$g = `$r.Get(); `$o = [ordered]@{}; foreach (`$n in `$dscProps) { `$v = `$g.`$n; if (`$v -is [System.Enum]) { `$v = `$v.ToString() }; `$o[`$n] = `$v }; [pscustomobject]@{ Method = 'Get'; Result = [pscustomobject]`$o } | ConvertTo-Json -Depth 6 -Compress }
        'Test' { [pscustomobject]@{ Method = 'Test'; Result = [pscustomobject]@{ InDesiredState = `$r.Test() } } | ConvertTo-Json -Compress }
        'Set' { & { `$r.Set() } 3>&1 | ForEach-Object { [Console]::Error.WriteLine('WARNING: ' + `$_) }; [pscustomobject]@{ Method = 'Set'; Result = [pscustomobject]@{ RebootRequired = `$false } } | ConvertTo-Json -Compress }
    }
}
"@
            $file = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-dscstyle-' + [guid]::NewGuid().ToString('n') + '.ps1')
            Set-Content -LiteralPath $file -Value $script
            $props = @{}
            foreach ($k in $Property.Keys) {
                $v = $Property[$k]
                if ($v -is [pscredential]) { $v = @{ username = $v.UserName; password = $v.GetNetworkCredential().Password } }
                $props[$k] = $v
            }
            $json = @{ properties = $props; methods = $Method } | ConvertTo-Json -Depth 6 -Compress
            $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlUrlTestPwsh))
            foreach ($a in @('-NoLogo', '-NonInteractive', '-NoProfile', '-File', $file)) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardInput = $true; $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
            $p = [System.Diagnostics.Process]::Start($psi)
            $p.StandardInput.Write($json); $p.StandardInput.Close()
            $errTask = $p.StandardError.ReadToEndAsync()
            $out = $p.StandardOutput.ReadToEnd()
            if (-not $p.WaitForExit(120000)) { $p.Kill(); throw 'the DSC-style child did not finish within 120 s' }
            Remove-Item -LiteralPath $file -ErrorAction SilentlyContinue
            [pscustomobject]@{ ExitCode = $p.ExitCode; Err = $errTask.Result; Out = $out; Results = @($out -split "`n" | Where-Object { $_.Trim().StartsWith('{') } | ForEach-Object { $_ | ConvertFrom-Json }) }
        }
        $script:Azurite = Get-SqlUrlAzurite
        $script:Container = New-SqlUrlTestContainer -Tag 'dscstyle'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $script:Sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -DataMB 8)
        $script:Conn = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim; Stop-SqlUrlAzurite $script:Azurite }

    It '<Type>: Get -> Test false -> Set -> Test true -> Set (nothing sent) -> Get, stdout only JSON' -ForEach @(
        @{ Type = 'SqlUrlCredential'; Change = '^\s*(CREATE|ALTER|DROP)\s+CREDENTIAL'; Extra = @{} }
        @{ Type = 'SqlUrlTraceFlag4675'; Change = 'DBCC\s+TRACEON'; Extra = @{} }
        @{ Type = 'SqlUrlRestoredDatabase'; Change = '^\s*RESTORE\s+(DATABASE|LOG)\b'; Extra = @{ Database = 'SalesDscStyle' } }
    ) {
        $props = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile; ContainerUrl = $script:ContainerUrl }
        if ($Type -eq 'SqlUrlRestoredDatabase') {
            $props.Remove('ContainerUrl')
            # The credential (from the SqlUrlCredential case) lets the server back up and restore.
            $b = Backup-SqlUrlDatabase @script:Conn -Database Sales -ContainerUrl $script:ContainerUrl -ErrorAction Stop
            $props.BackupUrl = [string[]]@($b.Url)
        }
        foreach ($k in $Extra.Keys) { $props[$k] = $Extra[$k] }
        $first = Invoke-DscStyle -Type $Type -Property $props -Method 'Get', 'Test', 'Set', 'Test'
        $first.ExitCode | Should -Be 0 -Because $first.Err
        @($first.Results.Method) | Should -Be @('Get', 'Test', 'Set', 'Test')
        $first.Results[0].Result.Reasons.Count | Should -BeGreaterThan 0
        $first.Results[0].Result.Reasons[0].Code | Should -BeLike "${Type}:${Type}:*"
        $first.Results[1].Result.InDesiredState | Should -BeFalse
        $first.Results[3].Result.InDesiredState | Should -BeTrue
        $first.Results[0].Result.Credential | Should -BeNullOrEmpty
        $changes = @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -match $Change }).Count
        $changes | Should -Be 1

        # A new process, as the DSC v3 adapter runs (Set without Test first): nothing is sent.
        $second = Invoke-DscStyle -Type $Type -Property $props -Method 'Set', 'Get'
        $second.ExitCode | Should -Be 0 -Because $second.Err
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -match $Change }).Count | Should -Be $changes
        @($second.Results[1].Result.Reasons) | Should -BeNullOrEmpty
        # Every stdout line is JSON (host text would corrupt the adapter's output); no secret in it.
        @($second.Out -split "`n" | Where-Object { $_.Trim() -and -not $_.Trim().StartsWith('{') }) | Should -BeNullOrEmpty
        $first.Out + $second.Out | Should -Not -Match 'Sim-Passw0rd'
    }

    It 'SqlUrlBackupReadiness: Get and Test in a fresh process' {
        $r = Invoke-DscStyle -Type 'SqlUrlBackupReadiness' -Property @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile; ContainerUrl = $script:ContainerUrl; IncludeWarning = $true } -Method 'Get', 'Test'
        $r.ExitCode | Should -Be 0 -Because $r.Err
        $r.Results[0].Result.Ready | Should -BeTrue
        $r.Results[0].Result.Checks | Should -Contain 'Credential: pass'
        $r.Results[1].Result.InDesiredState | Should -Be (@($r.Results[0].Result.Reasons).Count -eq 0)
    }
}

Describe 'examples/dsc' {

    It 'the DSC v3 document uses adapted type names and only properties the resources have' {
        $path = Join-Path $PSScriptRoot '../../examples/dsc/sqlurlbackup.dsc.config.yaml'
        $lines = @(Get-Content -LiteralPath $path)
        ($lines -join "`n") | Should -Match '(?m)^\$schema: https://aka\.ms/dsc/schemas/v3/'
        # A tiny reader for this document's shape: '- name:' items, 'type:', 'properties:' with keys below.
        $items = @(); $cur = $null; $inProps = $false; $propIndent = -1
        foreach ($l in $lines) {
            if ($l -match '^\s*#' -or -not $l.Trim()) { continue }
            $indent = $l.Length - $l.TrimStart().Length
            if ($l -match '^\s*- name:\s*(.+)$') { $cur = @{ Name = $Matches[1]; Type = $null; Props = @() }; $items += $cur; $inProps = $false; continue }
            if ($null -eq $cur) { continue }
            if ($l -match '^\s*type:\s*(\S+)\s*$') { $cur.Type = $Matches[1]; $inProps = $false; continue }
            if ($l -match '^\s*properties:\s*$') { $inProps = $true; $propIndent = -1; continue }
            if ($inProps -and $l -match '^(\s*)(\w+):') {
                if ($propIndent -lt 0) { $propIndent = $Matches[1].Length }
                if ($Matches[1].Length -eq $propIndent) { $cur.Props += $Matches[2] }
                elseif ($Matches[1].Length -lt $propIndent) { $inProps = $false }
            }
        }
        $items.Count | Should -Be 4
        foreach ($it in $items) {
            # The adapter's type-name pattern: <Module>/<Class>.
            $it.Type | Should -Match '^\w+(\.\w+){0,2}/\w+$'
            $module, $class = $it.Type.Split('/')
            $module | Should -Be 'SqlUrlBackup'
            $class | Should -BeIn @((Import-PowerShellDataFile $script:ModulePath).DscResourcesToExport)
            $known = @(& $script:Module ([scriptblock]::Create("[$class].GetProperties() | Where-Object { @(`$_.GetCustomAttributes([System.Management.Automation.DscPropertyAttribute], `$true) | Where-Object { -not `$_.NotConfigurable }).Count -gt 0 } | ForEach-Object Name")))
            $it.Props | Should -Contain 'ServerInstance'
            foreach ($p in $it.Props) { $p | Should -BeIn $known -Because "$class has no property $p" }
        }
    }
    It '<_.Name> parses and uses only properties the resources have' -ForEach @(Get-ChildItem (Join-Path $PSScriptRoot '../../examples/dsc') -Filter '*.ps1' | ForEach-Object { @{ Name = $_.Name; Path = $_.FullName } }) {
        $text = Get-Content -Raw -LiteralPath $_.Path
        # The Configuration keyword needs the DSC schema store (Windows, or PSDSC for Linux): it is
        # parse-checked here as a function with the same body, Import-DscResource removed.
        $text | Should -Match '(?m)^\s*Configuration\s+\w+'
        $text | Should -Match 'Import-DscResource\s+-ModuleName\s+''?SqlUrlBackup'
        $asFunction = [regex]::Replace($text, '(?m)^(\s*)Configuration(\s+\w+)', '$1function$2')
        $asFunction = [regex]::Replace($asFunction, '(?m)^\s*Import-DscResource\b.*$', '')
        # A resource block's body is a property list, as in a Configuration: parse it as a hashtable
        # (as a script block, a property such as Sequence would read as a keyword).
        $asFunction = [regex]::Replace($asFunction, '(?m)^(\s*SqlUrl\w+\s+\w+\s*)\{', '$1@{')
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($asFunction, [ref]$tokens, [ref]$errors)
        $errors | Should -BeNullOrEmpty
        # Every resource block: <ResourceName> <InstanceName> { Property = value ... }.
        $resources = @{}
        foreach ($name in @('SqlUrlCredential', 'SqlUrlTraceFlag4675', 'SqlUrlRestoredDatabase', 'SqlUrlBackupReadiness')) {
            $resources[$name] = @(& $script:Module ([scriptblock]::Create("[$name].GetProperties() | Where-Object { @(`$_.GetCustomAttributes([System.Management.Automation.DscPropertyAttribute], `$true) | Where-Object { -not `$_.NotConfigurable }).Count -gt 0 } | ForEach-Object Name")))
        }
        $blocks = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] -and $resources.ContainsKey($n.GetCommandName()) }, $true))
        $blocks.Count | Should -BeGreaterThan 0
        foreach ($b in $blocks) {
            $body = $b.CommandElements[-1]
            $body | Should -BeOfType [System.Management.Automation.Language.HashtableAst]
            $assigned = @($body.KeyValuePairs | ForEach-Object { $_.Item1.Value })
            $assigned | Should -Contain 'ServerInstance'
            # DependsOn: a common property of every DSC resource.
            foreach ($p in $assigned) { $p | Should -BeIn (@($resources[$b.GetCommandName()]) + 'DependsOn') -Because "$($b.GetCommandName()) has no property $p" }
        }
    }
}
