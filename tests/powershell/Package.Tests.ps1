# The Azure Automation package out/SqlUrlBackup.zip (build.ps1), checked against Automation's
# documented module rules (../shared/reference/dsc-automation-facts.md, E1): zip name = folder name
# = manifest name, nothing outside the module folder, every path under 140 characters, under
# 100 MB, both native libraries, and the unpacked manifest loads and imports.
# A Linux-only local build has no Windows library: that test is then Inconclusive with a message
# saying the zip cannot work on Windows; with SQLURL_REQUIRE_WINDOWS_LIBRARY=1 (a full build) it fails.
BeforeDiscovery {
    # build.ps1 may refuse to write the zip without the Windows library (a Linux-only build).
    $script:ZipMissing = -not (Test-Path -LiteralPath (Join-Path $PSScriptRoot '../../out/SqlUrlBackup.zip'))
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    $script:Zip = Join-Path $script:RepoRoot 'out/SqlUrlBackup.zip'
    $script:NoWindowsMessage = 'this is a Linux-only build: the zip cannot work in a Windows sandbox or on a Windows Hybrid Worker. Build with the Windows DLL (build.ps1 -WindowsLibraryPath, or target/x86_64-pc-windows-gnu/release/sqlurl.dll) before publishing it.'
}

Describe 'out/SqlUrlBackup.zip exists' {
    It 'was written by build.ps1' {
        if (Test-Path -LiteralPath $script:Zip) { return }
        $message = "out/SqlUrlBackup.zip was not written (build.ps1 -NoZip, or no Windows library): $script:NoWindowsMessage"
        if ($env:SQLURL_REQUIRE_WINDOWS_LIBRARY -eq '1') { throw $message }
        Set-ItResult -Inconclusive -Because $message
    }
}

Describe 'out/SqlUrlBackup.zip for Azure Automation' -Skip:$script:ZipMissing {
    BeforeAll {
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $archive = [System.IO.Compression.ZipFile]::OpenRead($script:Zip)
        try {
            $script:Entries = @($archive.Entries | ForEach-Object { [pscustomobject]@{ Path = $_.FullName.Replace('\', '/'); Length = $_.Length } })
        }
        finally { $archive.Dispose() }
        $script:Unpacked = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-zip-' + [guid]::NewGuid().ToString('n').Substring(0, 8))
        [System.IO.Compression.ZipFile]::ExtractToDirectory($script:Zip, $script:Unpacked)
        $script:SourceVersion = (Import-PowerShellDataFile (Join-Path $script:RepoRoot 'powershell/SqlUrlBackup/SqlUrlBackup.psd1')).ModuleVersion
    }
    AfterAll { Remove-Item -LiteralPath $script:Unpacked -Recurse -Force -ErrorAction SilentlyContinue }

    It 'zip name = its one top folder = the manifest name (a version folder in between is allowed)' {
        [System.IO.Path]::GetFileNameWithoutExtension($script:Zip) | Should -Be 'SqlUrlBackup'
        @($script:Entries.Path | ForEach-Object { $_.Split('/')[0] } | Sort-Object -Unique) | Should -Be @('SqlUrlBackup')
        $manifests = @($script:Entries.Path | Where-Object { $_ -like '*.psd1' })
        $manifests | Should -Be @("SqlUrlBackup/$($script:SourceVersion)/SqlUrlBackup.psd1")
    }

    It 'nothing outside the module folder: no absolute or parent paths' {
        foreach ($p in $script:Entries.Path) {
            $p | Should -Not -Match '^(/|[A-Za-z]:)'
            $p.Split('/') | Should -Not -Contain '..'
        }
    }

    It 'every path is under 140 characters' {
        $longest = $script:Entries | Sort-Object { $_.Path.Length } -Descending | Select-Object -First 1
        Write-Host ("longest path in the zip: {0} characters ({1})" -f $longest.Path.Length, $longest.Path)
        foreach ($e in $script:Entries) { $e.Path.Length | Should -BeLessThan 140 -Because $e.Path }
    }

    It 'is under 100 MB, packed and unpacked' {
        $packed = (Get-Item -LiteralPath $script:Zip).Length
        $unpacked = ($script:Entries | Measure-Object -Property Length -Sum).Sum
        Write-Host ("zip: {0:N1} MB packed, {1:N1} MB unpacked, {2} files" -f ($packed / 1MB), ($unpacked / 1MB), $script:Entries.Count)
        $packed | Should -BeLessThan 100MB
        $unpacked | Should -BeLessThan 100MB
    }

    It 'holds the Linux native library' {
        $so = @($script:Entries | Where-Object Path -eq "SqlUrlBackup/$($script:SourceVersion)/runtimes/linux-x64/native/libsqlurl.so")
        $so.Count | Should -Be 1
        $so[0].Length | Should -BeGreaterThan 0
    }

    It 'holds the Windows native library' {
        $dll = @($script:Entries | Where-Object Path -eq "SqlUrlBackup/$($script:SourceVersion)/runtimes/win-x64/native/sqlurl.dll")
        if ($dll.Count -eq 0) {
            $message = "out/SqlUrlBackup.zip has NO Windows library (runtimes/win-x64/native/sqlurl.dll): $script:NoWindowsMessage"
            if ($env:SQLURL_REQUIRE_WINDOWS_LIBRARY -eq '1') { throw $message }
            Set-ItResult -Inconclusive -Because $message
            return
        }
        $dll[0].Length | Should -BeGreaterThan 0
        # A PE image (MZ header).
        $bytes = [System.IO.File]::ReadAllBytes((Join-Path $script:Unpacked $dll[0].Path))
        [Text.Encoding]::ASCII.GetString($bytes, 0, 2) | Should -Be 'MZ'
    }

    It 'the unpacked manifest is valid and the module imports from it (functions and DSC resources), in a fresh process' {
        $psd1 = Join-Path $script:Unpacked "SqlUrlBackup/$($script:SourceVersion)/SqlUrlBackup.psd1"
        $m = Test-ModuleManifest -Path $psd1 -ErrorAction Stop
        $m.Name | Should -Be 'SqlUrlBackup'
        $m.Version.ToString() | Should -Be $script:SourceVersion
        $file = Join-Path $script:Unpacked 'import.ps1'
        Set-Content -LiteralPath $file -Value @"
`$ErrorActionPreference = 'Stop'
`$env:PSModulePath = '$($script:Unpacked)' + [System.IO.Path]::PathSeparator + `$env:PSModulePath
Import-Module SqlUrlBackup -RequiredVersion $($script:SourceVersion)
`$mod = Get-Module SqlUrlBackup
'PATH ' + `$mod.Path
'FUNCTIONS ' + ((@(`$mod.ExportedFunctions.Keys) | Sort-Object) -join ',')
'DSC ' + ((@(`$mod.ExportedDscResources) | Sort-Object) -join ',')
"@
        $out = & (Get-SqlUrlTestPwsh) -NoProfile -NonInteractive -File $file 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 0 -Because $out
        $out | Should -Match ([regex]::Escape("PATH $(Join-Path $script:Unpacked 'SqlUrlBackup')"))
        $expected = (Import-PowerShellDataFile $psd1)
        $out | Should -Match ('FUNCTIONS ' + [regex]::Escape((@($expected.FunctionsToExport) | Sort-Object) -join ','))
        $out | Should -Match ('DSC ' + [regex]::Escape((@($expected.DscResourcesToExport) | Sort-Object) -join ','))
    }
}
