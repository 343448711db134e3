# Unit tests of the module's translation layer (no server): runtime selection, connection
# parameters -> `connection` JSON, contract error JSON -> ErrorRecord, output objects.
# Canned contract JSON is used on purpose here: it tests the translation, not the library.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    # The private functions load with the first cmdlet call; these tests call some directly.
    & (Get-Module SqlUrlBackup) { Import-SqlUrlPrivate }
}

Describe 'Get-SqlUrlRuntimeIdentifier (platform/architecture -> runtimes folder)' {
    It 'maps <Platform>/<Arch> to <Rid> (<File>), supported: <Supported>' -ForEach @(
        @{ Platform = 'Linux'; Arch = 'X64'; Rid = 'linux-x64'; File = 'libsqlurl.so'; Supported = $true }
        @{ Platform = 'Windows'; Arch = 'X64'; Rid = 'win-x64'; File = 'sqlurl.dll'; Supported = $true }
        @{ Platform = 'Windows'; Arch = 'AMD64'; Rid = 'win-x64'; File = 'sqlurl.dll'; Supported = $true }
        @{ Platform = 'Windows'; Arch = 'Arm64'; Rid = 'win-arm64'; File = 'sqlurl.dll'; Supported = $false }
        @{ Platform = 'Windows'; Arch = 'X86'; Rid = 'win-x86'; File = 'sqlurl.dll'; Supported = $false }
        @{ Platform = 'Linux'; Arch = 'Arm64'; Rid = 'linux-arm64'; File = 'libsqlurl.so'; Supported = $false }
        @{ Platform = 'MacOS'; Arch = 'Arm64'; Rid = 'osx-arm64'; File = 'libsqlurl.dylib'; Supported = $false }
    ) {
        $r = InModuleScope SqlUrlBackup -Parameters @{ P = $Platform; A = $Arch } { param($P, $A) Get-SqlUrlRuntimeIdentifier -Platform $P -Architecture $A }
        $r.RuntimeIdentifier | Should -Be $Rid
        $r.FileName | Should -Be $File
        $r.RelativePath | Should -Be "runtimes/$Rid/native/$File"
        $r.Supported | Should -Be $Supported
    }

    It 'reports this process as linux-x64 on the test machine' {
        $p = InModuleScope SqlUrlBackup { Get-SqlUrlCurrentPlatform }
        $p.Platform | Should -Be 'Linux'
        $p.Architecture | Should -Be 'X64'
    }
}

Describe 'ConvertTo-SqlUrlConnection (common parameters -> connection)' {
    BeforeAll {
        $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString 'S3cret!pw' -AsPlainText -Force))
    }
    It 'builds SQL authentication with secure defaults' {
        $c = InModuleScope SqlUrlBackup -Parameters @{ Cred = $script:Sa } { param($Cred)
            ConvertTo-SqlUrlConnection -BoundParameters @{ Credential = $Cred } -ServerInstance 'srv,1433' -OnWindows $false }
        $c.server | Should -Be 'srv,1433'
        $c.database | Should -Be 'master'
        $c.auth.kind | Should -Be 'sql'
        $c.auth.user | Should -Be 'sa'
        $c.auth.password | Should -Be 'S3cret!pw'
        $c.encrypt | Should -Be 'mandatory'
        $c.trust_server_certificate | Should -BeFalse
        $c.connect_timeout_s | Should -Be 15
    }
    It 'maps -Encrypt, -TrustServerCertificate, -HostNameInCertificate and -ConnectTimeout' {
        $c = InModuleScope SqlUrlBackup -Parameters @{ Cred = $script:Sa } { param($Cred)
            ConvertTo-SqlUrlConnection -BoundParameters @{ Credential = $Cred; Encrypt = 'Strict'; TrustServerCertificate = [switch]$true; HostNameInCertificate = 'sql.contoso.com'; ConnectTimeout = 7 } -ServerInstance 's' -OnWindows $false }
        $c.encrypt | Should -Be 'strict'
        $c.trust_server_certificate | Should -BeTrue
        $c.host_name_in_certificate | Should -Be 'sql.contoso.com'
        $c.connect_timeout_s | Should -Be 7
    }
    It 'takes an access token as string or SecureString' {
        $c1 = InModuleScope SqlUrlBackup { ConvertTo-SqlUrlConnection -BoundParameters @{ AccessToken = 'eyJ.tok' } -ServerInstance 's' -OnWindows $false }
        $c1.auth.kind | Should -Be 'access_token'
        $c1.auth.token | Should -Be 'eyJ.tok'
        $c2 = InModuleScope SqlUrlBackup { ConvertTo-SqlUrlConnection -BoundParameters @{ AccessToken = (ConvertTo-SecureString 'eyJ.sec' -AsPlainText -Force) } -ServerInstance 's' -OnWindows $false }
        $c2.auth.token | Should -Be 'eyJ.sec'
    }
    It 'builds managed identity with an optional client id' {
        $c = InModuleScope SqlUrlBackup { ConvertTo-SqlUrlConnection -BoundParameters @{ UseManagedIdentity = [switch]$true; ManagedIdentityClientId = '1111-2222' } -ServerInstance 's' -OnWindows $false }
        $c.auth.kind | Should -Be 'managed_identity'
        $c.auth.client_id | Should -Be '1111-2222'
    }
    It 'uses integrated authentication only on Windows' {
        $c = InModuleScope SqlUrlBackup { ConvertTo-SqlUrlConnection -BoundParameters @{} -ServerInstance 's' -OnWindows $true }
        $c.auth.kind | Should -Be 'integrated'
        { InModuleScope SqlUrlBackup { ConvertTo-SqlUrlConnection -BoundParameters @{} -ServerInstance 's' -OnWindows $false } } |
            Should -Throw '*only on Windows*'
    }
    It 'rejects two authentication methods at once' {
        { InModuleScope SqlUrlBackup -Parameters @{ Cred = $script:Sa } { param($Cred) ConvertTo-SqlUrlConnection -BoundParameters @{ Credential = $Cred; UseManagedIdentity = [switch]$true } -ServerInstance 's' -OnWindows $false } } |
            Should -Throw '*only one of*'
    }
    It 'rejects -ManagedIdentityClientId without -UseManagedIdentity' {
        { InModuleScope SqlUrlBackup { ConvertTo-SqlUrlConnection -BoundParameters @{ AccessToken = 't'; ManagedIdentityClientId = 'x' } -ServerInstance 's' -OnWindows $false } } |
            Should -Throw '*needs -UseManagedIdentity*'
    }
    It 'rejects a CA file that does not exist' {
        { InModuleScope SqlUrlBackup { ConvertTo-SqlUrlConnection -BoundParameters @{ AccessToken = 't'; CertificateAuthorityFile = '/nonexistent/ca.pem' } -ServerInstance 's' -OnWindows $false } } |
            Should -Throw '*does not exist*'
    }
    It 'a bad parameter combination is a terminating SqlUrlBackup.InvalidArgument error from a cmdlet' {
        $err = $null
        try { Get-SqlUrlCredential -ServerInstance 's1', 's2' -Credential $script:Sa -UseManagedIdentity -ErrorAction SilentlyContinue; $reached = $true }
        catch { $err = $_ }
        $reached | Should -BeNullOrEmpty
        $err.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.InvalidArgument,*'
        $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }
}

Describe 'ConvertTo-SqlUrlRequestJson (request -> JSON the library reads)' {
    It 'keeps nested objects and one-element arrays as JSON arrays' {
        $json = InModuleScope SqlUrlBackup {
            $conn = ConvertTo-SqlUrlConnection -BoundParameters @{ AccessToken = 'tok' } -ServerInstance 'srv,1433' -OnWindows $false
            $dbs = @('Sales' | Select-Object -Unique)
            ConvertTo-SqlUrlRequestJson -Request ([ordered]@{ connection = $conn; databases = [string[]]$dbs; urls = $null; stripes = $null; dry_run = $true })
        }
        $o = $json | ConvertFrom-Json
        $o.connection.auth.kind | Should -Be 'access_token'
        $o.connection.auth.token | Should -Be 'tok'
        $json | Should -Match '"databases":\["Sales"\]'
        $json | Should -Match '"urls":null'
        $json | Should -Match '"dry_run":true'
        $json | Should -Match '"encrypt":"mandatory"'
    }
}

Describe 'New-SqlUrlErrorRecord (contract error JSON -> ErrorRecord)' {
    It 'maps <Kind> (SQL <Number>, OS <Os>) to ErrorId, category and RecommendedAction' -ForEach @(
        @{ Kind = 'ManagedIdentityNotSelected'; Category = 'ResourceUnavailable'; Number = 37563; Os = $null; Code = 3 }
        @{ Kind = 'StorageAccessDenied'; Category = 'PermissionDenied'; Number = 3201; Os = 5; Code = 3 }
        @{ Kind = 'FilesInUse'; Category = 'ResourceExists'; Number = 1834; Os = $null; Code = 3 }
        @{ Kind = 'LoginFailed'; Category = 'AuthenticationError'; Number = 18456; Os = $null; Code = 4 }
    ) {
        $json = @"
{"contract_version":1,"error":{"kind":"$Kind","category":"$Category","message":"server says $Number","recommended_action":"do this for $Kind",
 "sql":[{"number":$Number,"class":16,"state":1,"message":"m","server":"S","procedure":"","line":1}],"os_error":$(if ($null -eq $Os) { 'null' } else { $Os }),
 "statement":"BACKUP DATABASE [Sales] TO URL = N'https://a.blob.core.windows.net/c/x.bak'","database":"Sales"}}
"@
        $rec = InModuleScope SqlUrlBackup -Parameters @{ J = $json; C = $Code } { param($J, $C)
            New-SqlUrlErrorRecord -ErrorObject (ConvertFrom-Json $J) -ResultCode $C -ServerInstance 'srv' }
        $rec.FullyQualifiedErrorId | Should -Be "SqlUrlBackup.$Kind"
        [string]$rec.CategoryInfo.Category | Should -Be $Category
        $rec.Exception.Message | Should -Be "server says $Number"
        $rec.ErrorDetails.RecommendedAction | Should -Be "do this for $Kind"
        $rec.Exception.Kind | Should -Be $Kind
        $rec.Exception.SqlErrorNumbers | Should -Be @($Number)
        $rec.Exception.OsError | Should -Be $Os
        $rec.Exception.Database | Should -Be 'Sales'
        $rec.Exception.ServerInstance | Should -Be 'srv'
        $rec.TargetObject | Should -Be 'Sales'
    }
    It 'falls back to the result code when the JSON has no error object' {
        $rec = InModuleScope SqlUrlBackup { New-SqlUrlErrorRecord -ErrorObject $null -ResultCode 4 -ServerInstance 'srv' }
        $rec.FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.Internal'
        [string]$rec.CategoryInfo.Category | Should -Be 'ConnectionError'
        $rec.Exception.Message | Should -BeLike '*Connection*no error details*'
    }
    It 'keeps an unknown category name from failing (NotSpecified / by code)' {
        $rec = InModuleScope SqlUrlBackup { New-SqlUrlErrorRecord -ErrorObject ([pscustomobject]@{ kind = 'SqlError'; category = 'NoSuchCategory'; message = 'x' }) -ResultCode 5 }
        [string]$rec.CategoryInfo.Category | Should -Be 'OperationTimeout'
    }
    It 'ConvertFrom-SqlUrlNativeResult turns a non-JSON answer into an Internal error' {
        $r = InModuleScope SqlUrlBackup { ConvertFrom-SqlUrlNativeResult -Result ([pscustomobject]@{ Code = 0; Json = '{not json' }) -ServerInstance 's' }
        $r.Succeeded | Should -BeFalse
        $r.ErrorRecord.FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.Internal'
    }
}

Describe 'Operation results and statements' {
    It 'splits per-database results from per-database errors' {
        $status = ConvertFrom-Json @'
{"contract_version":1,"kind":"backup","state":"failed","results":[
 {"database":"Sales","type":"full","urls":["https://a/c/Sales.bak"],"statements":["BACKUP DATABASE [Sales] TO URL = N'https://a/c/Sales.bak'"],"error":null},
 {"database":"HR","error":{"kind":"StorageAccessDenied","category":"PermissionDenied","message":"Operating system error 5","recommended_action":"Grant the role","sql":[{"number":3201}],"os_error":5,"database":"HR"}}]}
'@
        $split = InModuleScope SqlUrlBackup -Parameters @{ S = $status } { param($S)
            Resolve-SqlUrlOperationResult -Outcome ([pscustomobject]@{ Succeeded = $true; Code = 0; Output = $S; ErrorRecord = $null }) -ServerInstance 'srv' -Database 'Sales', 'HR' }
        @($split.Results).Count | Should -Be 1
        $split.Results[0].database | Should -Be 'Sales'
        @($split.Errors).Count | Should -Be 1
        $split.Errors[0].FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.StorageAccessDenied'
        $split.Errors[0].TargetObject | Should -Be 'HR'
        $stmts = InModuleScope SqlUrlBackup -Parameters @{ S = $status } { param($S) Get-SqlUrlStatement -Output $S }
        $stmts | Should -Be @("BACKUP DATABASE [Sales] TO URL = N'https://a/c/Sales.bak'")
    }
    It 'reports a cancelled operation without results as SqlUrlBackup.Cancelled' {
        $split = InModuleScope SqlUrlBackup {
            Resolve-SqlUrlOperationResult -Outcome ([pscustomobject]@{ Succeeded = $true; Code = 0; Output = [pscustomobject]@{ state = 'cancelled'; results = $null; messages = @('cancelled by the caller') }; ErrorRecord = $null }) -ServerInstance 'srv' -Database 'Sales' }
        $split.Errors[0].FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.Cancelled'
    }
    It 'reads ISO dates from 5.1 (string) and 7 (DateTime) JSON alike' {
        $d1 = InModuleScope SqlUrlBackup { ConvertTo-SqlUrlDateTime '2026-11-26T16:40:00' }
        $d2 = InModuleScope SqlUrlBackup { ConvertTo-SqlUrlDateTime ([datetime]'2026-11-26T16:40:00') }
        $d1 | Should -Be $d2
    }
    It 'gives every output object its PSTypeName and a format view' {
        $obj = InModuleScope SqlUrlBackup { ConvertTo-SqlUrlCredentialInfo -ServerInstance 's' -Credential ([pscustomobject]@{ name = 'https://a.blob.core.windows.net/c'; identity = 'Managed Identity'; kind = 'managed_identity'; credential_id = 65536; create_date = '2026-11-26T16:40:00'; modify_date = '2026-11-26T16:40:00' }) }
        $obj.PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.Credential'
        # The views load with the first cmdlet call (Module.Tests shows that in a fresh process).
        InModuleScope SqlUrlBackup { Initialize-SqlUrlInterop }
        $views = Get-FormatData -TypeName 'SqlUrlBackup.*' | ForEach-Object { $_.TypeNames } | Sort-Object
        $views | Should -Be @('SqlUrlBackup.BackupFile', 'SqlUrlBackup.BackupHeader', 'SqlUrlBackup.BackupResult', 'SqlUrlBackup.BackupSet', 'SqlUrlBackup.Credential', 'SqlUrlBackup.Database', 'SqlUrlBackup.ProbeStep',
            'SqlUrlBackup.Readiness', 'SqlUrlBackup.ReadinessCheck', 'SqlUrlBackup.RestoreResult', 'SqlUrlBackup.RetentionDecision', 'SqlUrlBackup.VerifyResult')
        # enum values read as words in the default view; the property keeps the contract's value
        ($obj | Format-Table | Out-String -Width 250) | Should -Match 'ManagedIdentity'
        $obj.Kind | Should -Be 'managed_identity'
    }
}
