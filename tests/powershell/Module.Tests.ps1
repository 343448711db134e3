# The built module as a product: manifest, layout, help, parameters, loader errors, interop.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    $script:ModuleDir = Split-Path $script:ModulePath
    Import-Module $script:ModulePath -Force
    # The private functions load with the first cmdlet call; these tests call some directly.
    & (Get-Module SqlUrlBackup) { Import-SqlUrlPrivate }
    # The import loads no assembly and no library; the tests below that look at them load them as a
    # first cmdlet call would.
    & (Get-Module SqlUrlBackup) { $null = Get-SqlUrlNativeLibrary }
    $script:Commands = @(Get-Command -Module SqlUrlBackup)
    $script:Changers = @('New-SqlUrlCredential', 'Remove-SqlUrlCredential', 'Backup-SqlUrlDatabase', 'Restore-SqlUrlDatabase', 'Test-SqlUrlBackupReadiness')
    # Imports in a child pwsh, then (like a first cmdlet call) loads the library; prints IMPORTED,
    # then LOADED or LOAD-ERROR: <message>, or IMPORT-ERROR: <message>.
    function Invoke-ChildImport([string]$Manifest, [string]$Before = '') {
        $cmd = "$Before; try { Import-Module '$Manifest' -ErrorAction Stop; 'IMPORTED' } catch { 'IMPORT-ERROR: ' + `$_.Exception.Message; exit }; " +
            "try { Get-SqlUrlDatabase -ServerInstance '127.0.0.1,1' -Credential ([pscredential]::new('sa', (ConvertTo-SecureString 'x' -AsPlainText -Force))) -ConnectTimeout 2 -ErrorAction Stop; 'LOADED' } " +
            "catch { if (`$_.FullyQualifiedErrorId -like 'SqlUrlBackup.Connection*') { 'LOADED' } else { 'LOAD-ERROR: ' + `$_.Exception.Message } }"
        Invoke-ChildCommand $cmd
    }
    # Standard output of `pwsh -NoProfile -NonInteractive -Command <Command>` (bounded to 60 s).
    function Invoke-ChildCommand([string]$Command) {
        $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlUrlTestPwsh))
        foreach ($a in @('-NoProfile', '-NonInteractive', '-Command', $Command)) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $out = $p.StandardOutput.ReadToEnd()
        if (-not $p.WaitForExit(60000)) { $p.Kill(); throw 'child pwsh did not finish within 60 s' }
        $out
    }
}

Describe 'Manifest and layout' {
    It 'declares both editions, PowerShell 5.1 and exactly these cmdlets' {
        $m = Test-ModuleManifest -Path $script:ModulePath
        $m.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $m.PowerShellVersion | Should -Be ([version]'5.1')
        ($m.ExportedFunctions.Keys | Sort-Object) | Should -Be @('Backup-SqlUrlDatabase', 'Export-SqlUrlBackupReport', 'Get-SqlUrlBackup', 'Get-SqlUrlBackupFileList', 'Get-SqlUrlBackupHeader',
            'Get-SqlUrlCredential', 'Get-SqlUrlDatabase', 'New-SqlUrlCredential', 'Remove-SqlUrlBackup', 'Remove-SqlUrlCredential', 'Restore-SqlUrlDatabase', 'Test-SqlUrlBackup', 'Test-SqlUrlBackupReadiness', 'Test-SqlUrlRestore')
        ($script:Commands.Name | Sort-Object) | Should -Be ($m.ExportedFunctions.Keys | Sort-Object)
    }
    It 'lays out the version folder: the psm1 (classes and cmdlets) and the private functions, interop assembly, format, help, runtimes/linux-x64 library' {
        $version = (Import-PowerShellDataFile $script:ModulePath).ModuleVersion
        Split-Path $script:ModuleDir -Leaf | Should -Be $version
        Split-Path (Split-Path $script:ModuleDir) -Leaf | Should -Be 'SqlUrlBackup'
        foreach ($f in 'SqlUrlBackup.psm1', 'SqlUrlBackup.Private.ps1', 'SqlUrlBackup.Interop.dll', 'SqlUrlBackup.Format.ps1xml', 'en-US/about_SqlUrlBackup.help.txt', 'runtimes/linux-x64/native/libsqlurl.so', 'Interop/SqlUrlNative.cs') {
            Join-Path $script:ModuleDir $f | Should -Exist
        }
        @(Get-ChildItem -LiteralPath $script:ModuleDir -Filter '*.ps1' -Recurse | ForEach-Object Name | Sort-Object) |
            Should -Be @('SqlUrlBackup.Private.ps1') -Because 'the build merges the cmdlets into the psm1 and the private functions into one file of their own'
    }
    It 'keeps each cmdlet''s help and parameters in the psm1 and its code with the private functions (build.ps1, Split-PublicBody)' {
        $bodies = & (Get-Module SqlUrlBackup) { $script:SqlUrlCmdletBody }
        foreach ($c in $script:Commands) {
            $ast = $c.ScriptBlock.Ast.Body
            $ast.ParamBlock | Should -Not -BeNullOrEmpty -Because "$($c.Name) keeps its param block"
            (Get-Help $c.Name).Examples | Should -Not -BeNullOrEmpty -Because "$($c.Name) keeps its help"
            foreach ($block in @($ast.BeginBlock, $ast.ProcessBlock, $ast.EndBlock) | Where-Object { $_ }) {
                $calls = @($block.Statements | ForEach-Object { $_.Extent.Text.Trim() } | Where-Object { $_ -ne 'Import-SqlUrlPrivate' })
                if ($calls.Count -eq 0) { continue } # a begin block build.ps1 added for Import-SqlUrlPrivate alone
                $key = '{0}/{1}' -f $c.Name, $block.BlockKind.ToString().ToLowerInvariant()
                $calls | Should -Be @(". `$script:SqlUrlCmdletBody['$key']") -Because "the $key block only runs the code loaded with the private functions"
                $bodies[$key] | Should -BeOfType [scriptblock]
                $bodies[$key].Module.Name | Should -Be 'SqlUrlBackup' -Because 'the code runs in the module''s scope'
            }
        }
        $bodies.Keys | ForEach-Object { ($_ -split '/')[0] } | Sort-Object -Unique | Should -Be ($script:Commands.Name | Sort-Object)
    }
    It 'packages the Windows x64 library (when the build had one) as an x64 PE file beside the Linux one' {
        $win = Join-Path $script:ModuleDir 'runtimes/win-x64/native/sqlurl.dll'
        if (-not (Test-Path -LiteralPath $win)) { Set-ItResult -Skipped -Because 'no Windows library was built (scripts/windows/build-dll.sh) before build.ps1'; return }
        [SqlUrlBackup.Interop.BinaryMachine]::Read($win) | Should -Be 'x64'
        [SqlUrlBackup.Interop.BinaryMachine]::Read((Join-Path $script:ModuleDir 'runtimes/linux-x64/native/libsqlurl.so')) | Should -Be 'x64'
        $rid = & (Get-Module SqlUrlBackup) { Get-SqlUrlRuntimeIdentifier -Platform Windows -Architecture AMD64 }
        Join-Path $script:ModuleDir $rid.RelativePath | Should -Be $win
    }
    It 'writes the Azure Automation zip: zip name = folder name = manifest name' {
        $zip = Join-Path (Split-Path (Split-Path $script:ModuleDir)) 'SqlUrlBackup.zip'
        if (-not (Test-Path -LiteralPath $zip)) { Set-ItResult -Skipped -Because "the module was built with -NoZip ($zip absent)"; return }
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $z = [System.IO.Compression.ZipFile]::OpenRead($zip)
        try { $names = @($z.Entries | ForEach-Object { $_.FullName -replace '\\', '/' }) } finally { $z.Dispose() }
        $version = (Import-PowerShellDataFile $script:ModulePath).ModuleVersion
        $names | Should -Contain "SqlUrlBackup/$version/SqlUrlBackup.psd1"
        $names | Should -Contain "SqlUrlBackup/$version/runtimes/linux-x64/native/libsqlurl.so"
        $names | Should -Contain "SqlUrlBackup/$version/runtimes/win-x64/native/sqlurl.dll" -Because 'Azure Automation runs the zip on Windows'
        $names | ForEach-Object { $_.Length | Should -BeLessThan 140 }
    }
    It 'compiles the interop assembly against .NET Standard 2.0 only (loads in 5.1 and 7)' {
        $asm = [SqlUrlBackup.Interop.SqlUrlNative].Assembly
        $asm.Location | Should -Be (Join-Path $script:ModuleDir 'SqlUrlBackup.Interop.dll')
        ($asm.GetReferencedAssemblies().Name | Sort-Object -Unique) | Should -Be @('netstandard')
    }
}

Describe 'Cmdlet surface' {
    It '<Name> has the common connection parameters' -ForEach @(
        'New-SqlUrlCredential', 'Get-SqlUrlCredential', 'Remove-SqlUrlCredential', 'Test-SqlUrlBackupReadiness', 'Backup-SqlUrlDatabase',
        'Restore-SqlUrlDatabase', 'Get-SqlUrlBackupHeader', 'Get-SqlUrlBackupFileList', 'Test-SqlUrlBackup', 'Get-SqlUrlDatabase' | ForEach-Object { @{ Name = $_ } }
    ) {
        $cmd = Get-Command $Name
        foreach ($p in 'ServerInstance', 'Credential', 'AccessToken', 'UseManagedIdentity', 'ManagedIdentityClientId', 'Encrypt', 'TrustServerCertificate', 'HostNameInCertificate', 'ConnectTimeout') {
            $cmd.Parameters.Keys | Should -Contain $p
        }
        $cmd.Parameters['ServerInstance'].ParameterType | Should -Be ([string[]])
        $cmd.Parameters['Credential'].ParameterType | Should -Be ([pscredential])
        $cmd.Parameters['Encrypt'].Attributes.Where({ $_ -is [System.Management.Automation.ValidateSetAttribute] })[0].ValidValues | Should -Be @('Mandatory', 'Optional', 'Strict')
        $sp = [bool]$cmd.Parameters.ContainsKey('WhatIf')
        $sp | Should -Be ($script:Changers -contains $Name)
    }
    It 'uses ConfirmImpact High for Remove-SqlUrlBackup, which needs no server' {
        $cmd = Get-Command Remove-SqlUrlBackup
        $cmd.ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] })[0].ConfirmImpact | Should -Be 'High'
        $cmd.Parameters.Keys | Should -Not -Contain 'ServerInstance'
        foreach ($p in 'StorageUseManagedIdentity', 'StorageAccessToken', 'StorageSasToken', 'WhatIf', 'Confirm') { $cmd.Parameters.Keys | Should -Contain $p }
        (Get-Help Remove-SqlUrlBackup -Parameter StorageSasToken).Description.Text -join ' ' | Should -Match 'not SQL Server''s credential'
    }
    It 'uses ConfirmImpact High for Remove-SqlUrlCredential' {
        (Get-Command Remove-SqlUrlCredential).ScriptBlock.Attributes.Where({ $_ -is [System.Management.Automation.CmdletBindingAttribute] })[0].ConfirmImpact | Should -Be 'High'
    }
    It '<Name> has comment-based help with a synopsis, examples and every parameter described' -ForEach @(
        'New-SqlUrlCredential', 'Get-SqlUrlCredential', 'Remove-SqlUrlCredential', 'Remove-SqlUrlBackup', 'Get-SqlUrlBackup', 'Test-SqlUrlBackupReadiness', 'Backup-SqlUrlDatabase',
        'Restore-SqlUrlDatabase', 'Get-SqlUrlBackupHeader', 'Get-SqlUrlBackupFileList', 'Test-SqlUrlBackup', 'Get-SqlUrlDatabase' | ForEach-Object { @{ Name = $_ } }
    ) {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        ($help.inputTypes | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "$Name needs .INPUTS"
        ($help.returnValues | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "$Name needs .OUTPUTS"
        $help.Synopsis | Should -Not -Match ("^" + [regex]::Escape($Name) + "\s") -Because "an auto-generated synopsis means the comment help was not found"
        @($help.Examples.Example).Count | Should -BeGreaterThan 0
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($p in (Get-Command $Name).Parameters.Keys | Where-Object { $common -notcontains $_ }) {
            $d = ($help.parameters.parameter | Where-Object name -eq $p).description
            ($d | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p of $Name needs a description"
        }
    }
    It 'about_SqlUrlBackup covers managed identity setup, trace flag 4675 and every error kind of the contract' {
        $about = Get-Content -Raw (Join-Path $script:ModuleDir 'en-US/about_SqlUrlBackup.help.txt')
        $about | Should -Match 'MANAGED IDENTITY SETUP'
        $about | Should -Match 'TRACE FLAG 4675'
        $contract = Get-Content -Raw (Join-Path $script:RepoRoot 'docs/json-contract.md')
        $kindsText = [regex]::Match($contract, '(?s)Kinds: (.*?)\.\r?\n- `category`').Groups[1].Value
        # (a kind's description may name its category or a field: neither is a kind)
        $kindsText = $kindsText -replace 'category `\w+`', ''
        $kinds = @([regex]::Matches($kindsText, '`([A-Z]\w+)`') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique)
        $kinds.Count | Should -BeGreaterThan 20
        foreach ($k in $kinds) { $about | Should -Match "SqlUrlBackup\.$k\b" -Because "error kind $k needs a remedy in about_SqlUrlBackup" }
        Get-Help about_SqlUrlBackup | Out-String | Should -Match 'BACKUP TO URL'
        $about | Should -Match 'COMING FROM DBATOOLS OR THE SQLSERVER MODULE'
        foreach ($c in 'Backup-DbaDatabase', 'Restore-SqlDatabase', 'Get-DbaDatabase', '-SqlCredential', '-AzureBaseUrl') { $about | Should -Match ([regex]::Escape($c)) }
    }
}

Describe 'build.ps1 packaging' {
    It 'refuses to write the Azure Automation zip without the Windows library; -LinuxOnly builds without it and writes no zip' {
        $out = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-build-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        $linux = Join-Path $script:ModuleDir 'runtimes/linux-x64/native/libsqlurl.so'
        $build = Join-Path $script:RepoRoot 'build.ps1'
        try {
            { & $build -LibraryPath $linux -OutputRoot $out 6>$null } | Should -Throw '*Windows library is missing*-LinuxOnly*'
            Join-Path $out 'SqlUrlBackup.zip' | Should -Not -Exist
            & $build -LibraryPath $linux -OutputRoot $out -LinuxOnly 6>$null
            Join-Path $out 'SqlUrlBackup.zip' | Should -Not -Exist
            $version = (Import-PowerShellDataFile $script:ModulePath).ModuleVersion
            Join-Path $out "SqlUrlBackup/$version/runtimes/linux-x64/native/libsqlurl.so" | Should -Exist
            Join-Path $out "SqlUrlBackup/$version/Interop/AssemblyVersion.cs" | Should -FileContentMatch ([regex]::Escape("AssemblyVersion(""$version"")"))
        }
        finally { Remove-Item -LiteralPath $out -Recurse -Force -ErrorAction SilentlyContinue }
    }
}

Describe 'Loader' {
    BeforeAll {
        $script:Copy = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-loader-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        Copy-Item -LiteralPath (Split-Path $script:ModuleDir) -Destination $script:Copy -Recurse
        $script:CopyVersionDir = Get-ChildItem -LiteralPath $script:Copy -Directory | Select-Object -First 1
    }
    AfterAll { Remove-Item -LiteralPath $script:Copy -Recurse -Force -ErrorAction SilentlyContinue }

    It 'the import loads neither the interop assembly, the native library, the views nor the private functions; the first cmdlet call does' {
        $dir = $script:CopyVersionDir.FullName
        $cmd = "Import-Module '$(Join-Path $dir 'SqlUrlBackup.psd1')'; 'TYPE-AFTER-IMPORT ' + [bool]('SqlUrlBackup.Interop.SqlUrlNative' -as [type]); " +
            "'VIEWS-AFTER-IMPORT ' + @(Get-FormatData -TypeName 'SqlUrlBackup.*').Count; " +
            "'LIB-AFTER-IMPORT ' + [bool](& (Get-Module SqlUrlBackup) { `$script:SqlUrlNative }); " +
            "'PRIVATE-AFTER-IMPORT ' + [bool](& (Get-Module SqlUrlBackup) { Get-Command Hide-SqlUrlSecret -ErrorAction Ignore }); " +
            "try { Get-SqlUrlDatabase -ServerInstance '127.0.0.1,1' -Credential ([pscredential]::new('sa', (ConvertTo-SecureString 'x' -AsPlainText -Force))) -ConnectTimeout 2 -ErrorAction Stop } catch { }; " +
            "'LIB-AFTER-CALL ' + (& (Get-Module SqlUrlBackup) { `$script:SqlUrlNative.Version() }); " +
            "'VIEWS-AFTER-CALL ' + @(Get-FormatData -TypeName 'SqlUrlBackup.*').Count + ' ' + ((Get-FormatData -TypeName 'SqlUrlBackup.Database').FormatViewDefinition.Control | Select-Object -First 1).GetType().Name"
        $out = Invoke-ChildCommand $cmd
        $out | Should -Match 'TYPE-AFTER-IMPORT False'
        $out | Should -Match 'VIEWS-AFTER-IMPORT 0'
        $out | Should -Match 'PRIVATE-AFTER-IMPORT False'
        $out | Should -Match 'VIEWS-AFTER-CALL (1[2-9]|[2-9]\d) TableControl'
        $out | Should -Match 'LIB-AFTER-IMPORT False'
        $out | Should -Match 'LIB-AFTER-CALL \d+\.\d+\.\d+'
    }
    # A first call with -WhatIf, or under $WhatIfPreference set for the whole session (a runbook's
    # dry run).
    It 'a first call <Case> loads the views too, silently (no What if line or prompt about them)' -ForEach @(
        @{ Case = 'with -WhatIf'; Call = "Remove-SqlUrlCredential @c -Name 'https://acct.blob.core.windows.net/c' -WhatIf -ErrorAction SilentlyContinue 6>&1 | Out-String" }
        @{ Case = 'under $WhatIfPreference'; Call = "`$WhatIfPreference = `$true; Get-SqlUrlDatabase @c -ErrorAction SilentlyContinue" }
    ) {
        $dir = $script:CopyVersionDir.FullName
        $cmd = "Import-Module '$(Join-Path $dir 'SqlUrlBackup.psd1')'; " +
            "`$c = @{ ServerInstance = '127.0.0.1,1'; Credential = [pscredential]::new('sa', (ConvertTo-SecureString 'x' -AsPlainText -Force)); ConnectTimeout = 2 }; " +
            "$Call; 'VIEWS-AFTER-CALL ' + @(Get-FormatData -TypeName 'SqlUrlBackup.*').Count"
        $out = Invoke-ChildCommand $cmd
        $out | Should -Match 'VIEWS-AFTER-CALL (1[2-9]|[2-9]\d)'
        $out | Should -Not -Match 'FormatData'
    }
    It 'a missing native library: the import works, the first cmdlet call is a clear error naming the path it looked for' {
        $dir = $script:CopyVersionDir.FullName
        $lib = Join-Path $dir 'runtimes/linux-x64/native/libsqlurl.so'
        Move-Item -LiteralPath $lib -Destination "$lib.moved"
        try {
            $out = Invoke-ChildImport (Join-Path $dir 'SqlUrlBackup.psd1')
            $out | Should -Match 'IMPORTED'
            $out | Should -Match 'LOAD-ERROR'
            $out | Should -Match ([regex]::Escape($lib))
            $out | Should -Match 'linux-x64'
        }
        finally { Move-Item -LiteralPath "$lib.moved" -Destination $lib }
    }
    It 'a library for another architecture is refused at the first call, naming both architectures' {
        $dir = $script:CopyVersionDir.FullName
        $lib = Join-Path $dir 'runtimes/linux-x64/native/libsqlurl.so'
        $bytes = [System.IO.File]::ReadAllBytes($lib)
        $saved = $bytes[18], $bytes[19]
        $bytes[18] = 0xB7; $bytes[19] = 0x00   # ELF e_machine = AArch64
        [System.IO.File]::WriteAllBytes($lib, $bytes)
        try {
            $out = Invoke-ChildImport (Join-Path $dir 'SqlUrlBackup.psd1')
            $out | Should -Match 'LOAD-ERROR'
            $out | Should -Match 'built for arm64'
            $out | Should -Match 'process is x64'
        }
        finally { $bytes[18] = $saved[0]; $bytes[19] = $saved[1]; [System.IO.File]::WriteAllBytes($lib, $bytes) }
    }
    It 'the copied module imports and calls the library (sqlurl_version)' {
        $dir = $script:CopyVersionDir.FullName
        $out = Invoke-ChildImport (Join-Path $dir 'SqlUrlBackup.psd1')
        $out | Should -Match 'IMPORTED'
        $out | Should -Match 'LOADED'
        $v = & (Get-Module SqlUrlBackup) { $script:SqlUrlNative.Version() }
        $v | Should -Match '^\d+\.\d+\.\d+'
    }
    It 'the interop assembly carries the module version; another version already loaded in the process is refused (start a new session)' {
        $version = (Import-PowerShellDataFile $script:ModulePath).ModuleVersion
        [SqlUrlBackup.Interop.SqlUrlNative].Assembly.GetName().Version.ToString(3) | Should -Be $version
        $dir = $script:CopyVersionDir.FullName
        # an older import's assembly, left in the process (simulated: same type name, version 0.0.1)
        $older = "Add-Type -TypeDefinition '[assembly: System.Reflection.AssemblyVersion(""0.0.1"")] namespace SqlUrlBackup.Interop { public class SqlUrlNative { } }'"
        $out = Invoke-ChildImport (Join-Path $dir 'SqlUrlBackup.psd1') -Before $older
        $out | Should -Match 'IMPORTED'
        $out | Should -Match 'LOAD-ERROR'
        $out | Should -Match 'already holds SqlUrlBackup.Interop 0\.0\.1'
        $out | Should -Match 'Start a new PowerShell session'
    }
    It 'without the prebuilt interop assembly, the import compiles Interop/*.cs (the documented fallback) and works' {
        $dir = $script:CopyVersionDir.FullName
        $dll = Join-Path $dir 'SqlUrlBackup.Interop.dll'
        Move-Item -LiteralPath $dll -Destination "$dll.moved"
        try {
            $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlUrlTestPwsh))
            foreach ($a in @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$(Join-Path $dir 'SqlUrlBackup.psd1')'; & (Get-Module SqlUrlBackup) { Import-SqlUrlPrivate; 'VERSION ' + (Get-SqlUrlNativeLibrary).Version() + ' FROM ' + [SqlUrlBackup.Interop.SqlUrlNative].Assembly.IsDynamic + '/' + [SqlUrlBackup.Interop.SqlUrlNative].Assembly.Location }")) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            $psi.UseShellExecute = $false
            $p = [System.Diagnostics.Process]::Start($psi)
            $errTask = $p.StandardError.ReadToEndAsync()
            $out = $p.StandardOutput.ReadToEnd()
            if (-not $p.WaitForExit(120000)) { $p.Kill(); throw 'child pwsh did not finish within 120 s' }
            $out | Should -Match 'VERSION \d+\.\d+\.\d+' -Because $errTask.Result
            $out | Should -Not -Match ([regex]::Escape($dll))
        }
        finally { Move-Item -LiteralPath "$dll.moved" -Destination $dll }
    }
    It 'a library without an export is a clear error when that export is used, not at load' {
        $other = '/lib/x86_64-linux-gnu/libz.so.1'
        if (-not (Test-Path -LiteralPath $other)) { Set-ItResult -Skipped -Because "$other is not on this machine"; return }
        $lib = [SqlUrlBackup.Interop.SqlUrlNative]::Load($other, $false, 'x64')
        $lib.HasExport('sqlurl_version') | Should -BeFalse
        { $lib.Version() } | Should -Throw "*has no export 'sqlurl_version'*"
    }
}
