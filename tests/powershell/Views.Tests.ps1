# Default views a person reads (issue 19): enum values as words, no half URLs, the restore result
# with its files, every row within a 120-column console. Built objects, no server needed; the
# same views were looked at in a real 120x50 tmux pane.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Get-SqlUrlTestModulePath) -Force
    # The private functions load with the first cmdlet call; these tests call some directly.
    & (Get-Module SqlUrlBackup) { Import-SqlUrlPrivate }
    $script:M = Get-Module SqlUrlBackup
    function Show($o) { ($o | Out-String -Width 120) -split "`r?`n" }
    $blob = 'https://acct.blob.core.windows.net/backups/SQLVM01/SalesDatabase2026/SalesDatabase2026_full_20261206T045050Z_{0}-of-2.bak'
    $script:Backup = & $script:M { param($b) ConvertTo-SqlUrlBackupResult -ServerInstance 'SQLVM01.contoso.com' -Result ([pscustomobject]@{
                database = 'SalesDatabase2026'; type = 'differential'; urls = @(($b -f 1), ($b -f 2)); stripes = 2; stripe_reason = 'x'; bytes = 123456789
                duration_seconds = 12.345; throughput_mb_per_second = 9.54; first_lsn = '1234567890123456789012345'; last_lsn = '1234567890123456789012399'
                checksum = $true; compressed = $true; copy_only = $false; warnings = @(); statements = @()
                message = 'BACKUP DATABASE successfully processed 1 bytes in 1.000 seconds (1.000 MB/sec) to 2 URL(s). (Measured by SqlUrlBackup: the server''s own completion message is not passed on by the driver.)' }) } $blob
}

Describe 'Default views' {
    It 'a backup result: type as a word, sizes in MB, LSN whole, no URL fragments, within 120 columns' {
        $lines = Show $script:Backup
        ($lines -join "`n") | Should -Match 'Differential'
        ($lines -join "`n") | Should -Match '1234567890123456789012399'
        ($lines -join "`n") | Should -Match '117\.7'
        ($lines -join "`n") | Should -Not -Match 'https://'
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
        $script:Backup.Message | Should -Not -Match 'driver'
    }

    It 'a restore result lists its files, one per line' {
        $r = & $script:M { ConvertTo-SqlUrlRestoreResult -ServerInstance 'SQLVM01' -Result ([pscustomobject]@{
                    database = 'Sales_copy'; urls = @('https://a.blob.core.windows.net/c/x.bak'); duration_seconds = 3.2; message = 'ok'; statements = @(); warnings = @()
                    files = @([pscustomobject]@{ logical_name = 'Sales'; physical_name = 'F:\data\Sales_copy.mdf' }, [pscustomobject]@{ logical_name = 'Sales_log'; physical_name = 'G:\log\Sales_copy_log.ldf' })
                    steps = @([pscustomobject]@{ url = 'u'; backup_type = 1; statement = 's' }) }) }
        $lines = Show $r
        @($lines | Where-Object { $_ -match 'Sales: F:\\data\\Sales_copy\.mdf' }).Count | Should -Be 1
        @($lines | Where-Object { $_ -match '^\s+Sales_log: G:\\log\\Sales_copy_log\.ldf' }).Count | Should -Be 1
        $lines | ForEach-Object { $_.Length | Should -BeLessOrEqual 120 }
    }

    It 'a credential shows its kind as a word; a readiness check its status as a word' {
        $c = & $script:M { ConvertTo-SqlUrlCredentialInfo -ServerInstance 's' -Credential ([pscustomobject]@{ name = 'https://a.blob.core.windows.net/c'; identity = 'SHARED ACCESS SIGNATURE'; kind = 'sas'; credential_id = 1 }) }
        (Show $c) -join "`n" | Should -Match '\bSAS\b'
        $ready = & $script:M { ConvertTo-SqlUrlReadiness -ServerInstance 's' -Url 'https://a.blob.core.windows.net/c' -Result ([pscustomobject]@{ server = 'S'; product_version = '16.0.4175.1'; ready = $true
                    checks = @([pscustomobject]@{ name = 'TraceFlag4675'; status = 'warn'; evidence = 'off'; recommended_action = 'run the check with enable_trace_flag' }) }) }
        (Show $ready) -join "`n" | Should -Match 'TraceFlag4675'
        $check = (Show $ready.Checks) -join "`n"
        $check | Should -Match 'Status\s+: Warn'
        $check | Should -Match '-EnableTraceFlag'
    }
}
