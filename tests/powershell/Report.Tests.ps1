# Export-SqlUrlBackupReport (issue 17): the report model (chains, gaps, RPO, restore points) from a
# simulated fortnight of synthetic catalog sets, the HTML/JSON rendering, the cmdlet, and the page as
# headless Chromium renders it (DOM after load + a screenshot under .tmp/report-test/).
# The sets are synthetic (tests/powershell/ReportHelpers.ps1), shaped like Get-SqlUrlBackup's
# objects, so these tests do not depend on a storage account.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'ReportHelpers.ps1')
    Import-Module (Get-SqlUrlTestModulePath) -Force
    # The private functions load with the first cmdlet call; these tests call some directly.
    & (Get-Module SqlUrlBackup) { Import-SqlUrlPrivate }

    $script:Now = [datetime]'2026-12-06T09:40:00'
    $script:BreakAt = [datetime]'2026-11-29T10:15:00'
    $script:SkipAt = [datetime]'2026-12-03T02:00:00'
    $script:EvilName = "Q1 <script>alert('x')</script> & ""Sales"""
    $script:Dbs = @(
        @{ Server = 'SQLVM01'; Database = 'Sales' }, @{ Server = 'SQLVM01'; Database = 'HR' }, @{ Server = 'SQLVM01'; Database = $script:EvilName },
        @{ Server = 'SQLVM02'; Database = 'Orders' }, @{ Server = 'SQLVM02'; Database = 'Stock' }, @{ Server = 'SQLVM02'; Database = 'Archive' })
    # Sales: broken log chain a week ago (a log set missing a stripe, the next one gone).
    # Orders: log backups stopped 3 hours ago (over the 60-minute RPO). Stock: the log job skipped two hours.
    $script:Catalog = @(New-SqlUrlTestCatalog -Now $script:Now -Databases $script:Dbs -Break 'Sales' -BreakAt $script:BreakAt -Stop 'Orders' -StopMinutes 180 -Skip 'Stock' -SkipAt $script:SkipAt)
    $script:Out = Join-Path $script:RepoRoot '.tmp/report-test'
    $null = New-Item -ItemType Directory -Force -Path $script:Out
    $script:Common = @{ Now = $script:Now; RpoMinutes = 60; RetentionDays = 10 }

    function Find-SqlUrlTestChromium {
        foreach ($n in 'chromium', 'chromium-browser', 'google-chrome') {
            $c = Get-Command $n -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
            if ($c) { return $c.Source }
        }
        $null
    }
    function Invoke-SqlUrlTestChromium {
        # One bounded headless Chromium run; returns stdout. --no-sandbox: the tests run as root in CI.
        param([string[]]$Arguments, [int]$TimeoutSeconds = 60)
        $psi = [System.Diagnostics.ProcessStartInfo]::new((Find-SqlUrlTestChromium))
        foreach ($a in @('--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run', '--disable-extensions') + $Arguments) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true; $psi.RedirectStandardError = $true; $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $errTask = $p.StandardError.ReadToEndAsync()
        $outTask = $p.StandardOutput.ReadToEndAsync()
        if (-not $p.WaitForExit($TimeoutSeconds * 1000)) { $p.Kill($true); throw "chromium did not finish within $TimeoutSeconds s" }
        $p.WaitForExit()
        if ($p.ExitCode -ne 0) { throw "chromium exited with $($p.ExitCode): $($errTask.Result)" }
        $outTask.Result
    }
}

AfterAll {
    Remove-Module SqlUrlBackup -Force -ErrorAction SilentlyContinue
}

Describe 'Report model (New-SqlUrlReportModel)' {
    BeforeAll {
        $script:Model = InModuleScope SqlUrlBackup -Parameters @{ C = $script:Catalog; Now = $script:Now } {
            param($C, $Now)
            New-SqlUrlReportModel -Set @(ConvertTo-SqlUrlReportSet -InputObject $C) -Now $Now -RpoMinutes 60 -RetentionDays 10
        }
        $script:ByName = @{}
        foreach ($d in @($script:Model.Servers | ForEach-Object { $_.Databases })) { $script:ByName[$d.Database] = $d }
    }
    It 'groups by server and database, and puts the server with a database over RPO first' {
        @($script:Model.Servers).Count | Should -Be 2
        $script:Model.Servers[0].Server | Should -Be 'SQLVM02'
        @($script:Model.Servers[0].Databases).Count | Should -Be 3
        $script:Model.Summary.Databases | Should -Be 6
    }
    It 'finds the broken log chain of Sales, where the log set with a missing stripe is' {
        $g = @($script:ByName['Sales'].Gaps | Where-Object Kind -EQ 'ChainBreak')
        $g.Count | Should -Be 1
        $g[0].From | Should -Be $script:BreakAt.AddMinutes(-15)
        $g[0].To | Should -BeGreaterThan $script:BreakAt
        $g[0].Detail | Should -Match 'incomplete \(missing stripes: 2\)'
        $script:ByName['Sales'].Status | Should -Be 'ChainBreak'
        $script:ByName['Sales'].IncompleteCount | Should -Be 1
        $script:Model.Summary.ChainBreaks | Should -Be 1
    }
    It 'still restores Sales to its newest log backup (newer fulls bridge the old break)' {
        $script:ByName['Sales'].NewestRestorePoint | Should -Be ([datetime]'2026-12-06T09:30:00')
        $script:ByName['Sales'].RpoMinutes | Should -Be 10
        $script:ByName['Sales'].OverRpo | Should -BeFalse
        $script:ByName['Sales'].RestorePath | Should -Be 'full + differential + 14 log'
    }
    It 'puts Orders (no log backup for 3 hours) over the RPO threshold, first in its server, with an open missed schedule' {
        $o = $script:ByName['Orders']
        $o.OverRpo | Should -BeTrue
        $o.Status | Should -Be 'OverRpo'
        $o.RpoMinutes | Should -Be 190
        $o.NewestRestorePoint | Should -Be ([datetime]'2026-12-06T06:30:00')
        $script:Model.Servers[0].Databases[0].Database | Should -Be 'Orders'
        @($o.Gaps | Where-Object { $_.Kind -eq 'MissedSchedule' -and $_.Open }).Count | Should -Be 1
        $script:Model.Summary.OverRpo | Should -Be 1
    }
    It 'reports the skipped log job of Stock as a missed schedule, not a chain break' {
        $g = @($script:ByName['Stock'].Gaps)
        $g.Count | Should -Be 1
        $g[0].Kind | Should -Be 'MissedSchedule'
        $g[0].Minutes | Should -Be 135
        $script:ByName['Stock'].ExpectedLogIntervalMinutes | Should -Be 15
    }
    It 'leaves healthy databases OK' {
        $script:ByName['HR'].Status | Should -Be 'OK'
        $script:ByName['Archive'].Status | Should -Be 'OK'
        @($script:ByName['HR'].Gaps).Count | Should -Be 0
    }
    It 'counts only the sets in the window, and a database without a full has no restore point (over RPO)' {
        $m = InModuleScope SqlUrlBackup -Parameters @{ C = $script:Catalog; Now = $script:Now } {
            param($C, $Now)
            $logsOnly = @($C | Where-Object { $_.Database -eq 'HR' -and $_.Type -eq 'log' })
            New-SqlUrlReportModel -Set @(ConvertTo-SqlUrlReportSet -InputObject $logsOnly) -Now $Now -Days 2 -RpoMinutes 60
        }
        $d = $m.Servers[0].Databases[0]
        $d.NewestRestorePoint | Should -BeNullOrEmpty
        $d.Status | Should -Be 'NoRestorePoint'
        $d.OverRpo | Should -BeTrue
        $d.LogCount | Should -Be (2 * 96)
    }
    It 'reads the contract''s snake_case names too, and refuses a set it cannot place' {
        InModuleScope SqlUrlBackup {
            $s = @(ConvertTo-SqlUrlReportSet -InputObject @([pscustomobject]@{ database = 'db'; server = 's'; type = 'log'; first_lsn = '100'; last_lsn = '200'; start = '2026-12-01T10:00:00'; finish = '2026-12-01T10:00:05'; stored_bytes = 5; stripes = 1; missing_stripes = @(); complete = $true; urls = @('https://a/b?x=1') }))
            $s[0].Type | Should -Be 'log'
            $s[0].FirstLsn | Should -Be ([decimal]100)
            $s[0].Finish | Should -Be ([datetime]'2026-12-01T10:00:05')
            { ConvertTo-SqlUrlReportSet -InputObject @([pscustomobject]@{ database = 'db'; type = 'snapshot'; finish = '2026-12-01T10:00:05' }) } | Should -Throw '*type*snapshot*'
        }
    }
}

Describe 'Export-SqlUrlBackupReport' {
    It 'has help with a synopsis, examples, inputs, outputs and every parameter described' {
        $help = Get-Help Export-SqlUrlBackupReport -Full
        $help.Synopsis | Should -Not -Match '^Export-SqlUrlBackupReport\s'
        @($help.Examples.Example).Count | Should -BeGreaterThan 2
        ($help.inputTypes | Out-String) | Should -Match 'Get-SqlUrlBackup'
        ($help.returnValues | Out-String) | Should -Match 'System.IO.FileInfo'
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        foreach ($p in (Get-Command Export-SqlUrlBackupReport).Parameters.Keys | Where-Object { $common -notcontains $_ }) {
            (($help.parameters.parameter | Where-Object name -EQ $p).description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }
    It 'writes one self-contained HTML file: no script, no external resource, names encoded, query strings masked' {
        $path = Join-Path $script:Out 'report.html'
        $f = $script:Catalog | Export-SqlUrlBackupReport @script:Common -Path $path -Force
        $f | Should -BeOfType ([System.IO.FileInfo])
        $html = Get-Content -Raw -LiteralPath $path
        $html | Should -Not -Match '<script'
        $html | Should -Not -Match '(src|href)\s*=\s*"(https?:)?//'
        $html | Should -Not -Match '@import|url\('
        $html | Should -Not -Match ('s' + 'ig=')
        $html | Should -Match ([regex]::Escape('?&lt;query string masked&gt;'))
        $html | Should -Match ([regex]::Escape('Q1 &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Sales&quot;'))
        $html | Should -Match '<details class="server" data-server="SQLVM02" open>'
    }
    It 'writes the same data as JSON with -AsJson' {
        $path = Join-Path $script:Out 'report.json'
        $null = $script:Catalog | Export-SqlUrlBackupReport @script:Common -AsJson -Path $path -Force
        $j = Get-Content -Raw -LiteralPath $path | ConvertFrom-Json
        $j.summary.databases | Should -Be 6
        $j.summary.overRpo | Should -Be 1
        $j.summary.chainBreaks | Should -Be 1
        $j.servers[0].databases[0].database | Should -Be 'Orders'
        $j.servers[0].databases[0].rpoMinutes | Should -Be 190
        (Get-Content -Raw -LiteralPath $path) | Should -Match '"newestRestorePoint":\s*"2026-12-06T06:30:00"'
        $sales = @($j.servers | ForEach-Object { $_.databases } | Where-Object database -EQ 'Sales')[0]
        @($sales.gaps | Where-Object kind -EQ 'ChainBreak').Count | Should -Be 1
        (Get-Content -Raw -LiteralPath $path) | Should -Not -Match ('s' + 'ig=')
    }
    It 'returns the page as a string without -Path, and filters by -ServerInstance and -Database' {
        $text = $script:Catalog | Export-SqlUrlBackupReport @script:Common -ServerInstance 'SQLVM01' -Database 'S*' -AsJson
        $j = $text | ConvertFrom-Json
        $j.summary.databases | Should -Be 1
        $j.servers[0].databases[0].database | Should -Be 'Sales'
    }
    It 'does not overwrite a file without -Force, and honours -WhatIf' {
        $path = Join-Path $script:Out 'exists.html'
        Set-Content -LiteralPath $path -Value 'keep'
        { $script:Catalog | Select-Object -First 20 | Export-SqlUrlBackupReport -Now $script:Now -Path $path } | Should -Throw -ErrorId 'SqlUrlBackup.FileExists,Export-SqlUrlBackupReport'
        $script:Catalog | Select-Object -First 20 | Export-SqlUrlBackupReport -Now $script:Now -Path $path -Force -WhatIf
        Get-Content -Raw -LiteralPath $path | Should -Match '^keep'
    }
    It 'refuses a set without a type with a clear error' {
        { [pscustomobject]@{ Database = 'x'; Finish = '2026-12-01T00:00:00' } | Export-SqlUrlBackupReport -Now $script:Now } | Should -Throw -ErrorId 'SqlUrlBackup.InvalidArgument,Export-SqlUrlBackupReport'
    }
    # -ContainerUrl (Get-SqlUrlBackup from the container, then the report) runs end to end against
    # Azurite in Catalog.Tests.ps1.
}

Describe 'The report in headless Chromium' {
    BeforeAll {
        $script:Chromium = Find-SqlUrlTestChromium
        $script:Page = Join-Path $script:Out 'browser.html'
        $null = $script:Catalog | Export-SqlUrlBackupReport @script:Common -Path $script:Page -Force
    }
    It 'renders one row per database, the gaps in the warning colour and the RPO values (DOM after load)' {
        if (-not $script:Chromium) {
            if ($env:SQLURL_REQUIRE_BROWSER -eq '1') { throw 'chromium is not installed (scripts/setup.sh installs it)' }
            Set-ItResult -Inconclusive -Because 'chromium is not installed (scripts/setup.sh installs it; SQLURL_REQUIRE_BROWSER=1 makes this a failure)'
            return
        }
        $dom = Invoke-SqlUrlTestChromium -Arguments @('--dump-dom', $script:Page)
        Set-Content -LiteralPath (Join-Path $script:Out 'browser.dom.html') -Value $dom
        $rows = [regex]::Matches($dom, '<tr class="(db[^"]*)" data-server="([^"]*)" data-database="([^"]*)" data-status="([^"]*)" data-rpo-minutes="([^"]*)">(.*?)</tr>', 'Singleline')
        $rows.Count | Should -Be 6
        $by = @{}
        foreach ($r in $rows) { $by[[System.Net.WebUtility]::HtmlDecode($r.Groups[3].Value)] = $r }
        $by.Keys | Should -Contain $script:EvilName -Because 'the browser parsed the encoded name back to the original text'
        $by['Orders'].Groups[1].Value | Should -Be 'db over-rpo'
        $by['Orders'].Groups[5].Value | Should -Be '190'
        $by['Orders'].Groups[6].Value | Should -Match '<td class="rpo">3 h 10 min</td>'
        $by['Sales'].Groups[6].Value | Should -Match '<td class="rpo">10 min</td>'
        $by['Sales'].Groups[4].Value | Should -Be 'ChainBreak'
        [regex]::Matches($by['Sales'].Groups[6].Value, '<rect class="gap chain-break"').Count | Should -Be 1
        [regex]::Matches($by['Stock'].Groups[6].Value, '<rect class="gap missed-schedule"').Count | Should -Be 1
        [regex]::Matches($by['HR'].Groups[6].Value, '<rect class="gap').Count | Should -Be 0
        [regex]::Matches($by['Sales'].Groups[6].Value, '<rect class="log incomplete"').Count | Should -Be 1
        # Order: Orders (over RPO) is the first database row of the page.
        $rows[0].Groups[3].Value | Should -Be 'Orders'
        # The injected name stayed text: the only <script> in the DOM would be one the page made.
        $dom | Should -Not -Match '<script'
        $dom | Should -Match '<td data-k="over-rpo" class="n warn">1</td>|<td class="n warn" data-k="over-rpo">1</td>'
    }
    It 'saves a screenshot under the test output' {
        if (-not $script:Chromium) { Set-ItResult -Inconclusive -Because 'chromium is not installed'; return }
        $png = Join-Path $script:Out 'report.png'
        Remove-Item -LiteralPath $png -ErrorAction SilentlyContinue
        $null = Invoke-SqlUrlTestChromium -Arguments @('--window-size=1380,900', "--screenshot=$png", $script:Page)
        $png | Should -Exist
        $bytes = [System.IO.File]::ReadAllBytes($png)
        $bytes.Length | Should -BeGreaterThan 20000
        [System.BitConverter]::ToString($bytes, 0, 8) | Should -Be '89-50-4E-47-0D-0A-1A-0A'
    }
}
