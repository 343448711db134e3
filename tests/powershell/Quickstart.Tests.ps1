# The README's quick start (examples/quickstart.ps1, run by scripts/quickstart.sh) is a product
# promise: run it as a user would, in a child pwsh, and check it did each step and stopped cleanly.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:Quickstart = Join-Path $script:RepoRoot 'examples/quickstart.ps1'
    $script:Azurite = Get-SqlUrlAzurite
}
AfterAll { Stop-SqlUrlAzurite $script:Azurite }

Describe 'examples/quickstart.ps1 (the README quick start)' {
    BeforeAll {
        # The quick start imports out/SqlUrlBackup/<version>; fail clearly if it is not built.
        $null = Get-SqlUrlTestModulePath
        $psi = [System.Diagnostics.ProcessStartInfo]::new((Get-SqlUrlTestPwsh))
        # A fast simulated throughput keeps the run short; the flow is the same.
        foreach ($a in @('-NoProfile', '-NonInteractive', '-File', $script:Quickstart, '-ThroughputMBps', '4000')) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $errTask = $p.StandardError.ReadToEndAsync()
        $outTask = $p.StandardOutput.ReadToEndAsync()
        if (-not $p.WaitForExit(180000)) { $p.Kill($true); throw 'the quick start did not finish within 180 s' }
        $script:ExitCode = $p.ExitCode
        $script:Out = $outTask.Result
        $script:Err = $errTask.Result
    }

    It 'exits 0 without errors' {
        $script:ExitCode | Should -Be 0 -Because "$script:Err`n$script:Out"
        $script:Err | Should -BeNullOrEmpty
    }

    It 'runs every step in order: credential, readiness, backup, header, restore to a new name' {
        $steps = @([regex]::Matches($script:Out, '(?m)^==> (\S+)') | ForEach-Object { $_.Groups[1].Value })
        $steps | Should -Be @('Starting', 'New-SqlUrlCredential', 'Test-SqlUrlBackupReadiness', "'Sales',", 'Get-SqlUrlBackupHeader', 'Restore-SqlUrlDatabase', 'Done:')
    }

    It 'prints what each step did (ready server, two blobs in Azurite, header, relocated restore)' {
        $script:Out | Should -Match 'Ready: True'
        # The credential is listed in the readiness evidence as a managed-identity credential.
        $script:Out | Should -Match "uses 'Manag\s*ed Identity'|uses 'Managed\s+Identity'"
        # Blobs listed by the independent REST client, not by the module.
        $script:Out | Should -Match '(?m)^\s+SQLVM01/Sales/Sales_full_\d{8}T\d{6}Z\.bak\s*$'
        $script:Out | Should -Match '(?m)^\s+SQLVM01/HR/HR_full_\d{8}T\d{6}Z\.bak\s*$'
        $script:Out | Should -Match '(?m)^Sales\s+Database\s+1\s'
        $script:Out | Should -Match '(?m)^127\.0\.0\.1,\d+\s+Sales_copy\s+1\s+\d+\.\d\s+Sales: \S+Sales_copy\.mdf' -Because 'the restore result shows in its table view, files included'
        $script:Out | Should -Match 'RESTORE of ''Sales_copy'' completed'
        $script:Out | Should -Not -Match '@\{LogicalName=' -Because 'no object shows as a hashtable dump'
        $script:Out | Should -Match 'Sales_copy\.mdf'
        $script:Out | Should -Match 'Sales_copy_log\.ldf'
    }

    It 'shows no secret (the login password) in its output' {
        "$script:Out$script:Err" | Should -Not -Match 'Sim-Passw0rd!'
    }
}
