# 64 operations at once from ForEach-Object -Parallel runspaces (issue 14): every runspace
# imports the module itself (so the lazy interop load runs 64 times at once in one process),
# then runs a backup, a header read or a credential listing against one of four simulators.
# No crash, no error, and every result carries what only its own request could have produced
# (its database, its blob URL, its server's backup header, its server's credentials): no
# cross-talk between concurrent calls. Real simulators on 127.0.0.1 and Azurite; every wait is
# bounded; nothing here is timed.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    $script:Azurite = Get-SqlUrlAzurite
    $script:SaPassword = 'Sim-Passw0rd!'
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString $script:SaPassword -AsPlainText -Force))
    $script:Container = New-SqlUrlTestContainer -Tag 'parallel'
    $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
    $names = @(0..63 | ForEach-Object { 'P{0:D2}' -f $_ })
    $script:Sims = @(0..3 | ForEach-Object {
            # each server has its own marker credential and its own seed database, so a result
            # that came from another server's request is visible
            $sc = New-SqlUrlTestScenario -Database (@($names) + "Seed$_") -DataMB 8 -ManagedIdentityCredential $script:ContainerUrl, "$script:SqlUrlTestAccountUrl/marker-$_" -Extra @{ server_name = "PARSQL0$_" }
            Start-SqlUrlSim -Scenario $sc
        })
    $script:SeedUrls = @(0..3 | ForEach-Object {
            $s = $script:Sims[$_]
            (Backup-SqlUrlDatabase -ServerInstance $s.Server -Credential $script:Sa -CertificateAuthorityFile $s.CaFile -Database "Seed$_" -ContainerUrl $script:ContainerUrl -FileNameTemplate "seed/{server}/{database}.bak").Url[0]
        })
}

AfterAll {
    $script:Sims | ForEach-Object { Stop-SqlUrlSim $_ }
    Stop-SqlUrlAzurite $script:Azurite
}

Describe '64 operations from ForEach-Object -Parallel' {
    It 'each runspace imports the module and gets its own result, with no error and no cross-talk' {
        $requests = foreach ($i in 0..63) {
            $k = $i % 4
            [pscustomobject]@{
                Index = $i; Kind = @('backup', 'header', 'backup', 'credentials')[[Math]::Floor($i / 4) % 4]
                Server = $script:Sims[$k].Server; Ca = $script:Sims[$k].CaFile; ServerName = "PARSQL0$k"; SimIndex = $k
                Database = 'P{0:D2}' -f $i; SeedUrl = $script:SeedUrls[$k]
            }
        }
        # A fresh process, so that nothing has loaded the interop assembly or the native library
        # yet: the 64 runspaces' first cmdlet calls load them at the same time.
        $requestFile = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-parallel-' + [guid]::NewGuid().ToString('n') + '.json')
        $requests | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $requestFile
        $child = @"
`$ErrorActionPreference = 'Stop'; `$ProgressPreference = 'SilentlyContinue'
`$module = '$($script:ModulePath)'; `$password = '$($script:SaPassword)'; `$containerUrl = '$($script:ContainerUrl)'
Import-Module `$module
`$loadedBefore = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -eq 'SqlUrlBackup.Interop' }).Count
`$results = @(Get-Content -Raw -LiteralPath '$requestFile' | ConvertFrom-Json | ForEach-Object -ThrottleLimit 64 -TimeoutSeconds 600 -Parallel {
$(Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot 'ParallelRunspace.ps1'))
})
[pscustomobject]@{ InteropLoadedBefore = `$loadedBefore; Results = `$results } | ConvertTo-Json -Depth 6 -Compress
"@
        $run = Invoke-SqlUrlChildPwsh -Script $child
        Remove-Item -LiteralPath $requestFile -ErrorAction SilentlyContinue
        $run.ExitCode | Should -Be 0 -Because $run.Err
        $parsed = $run.Out | ConvertFrom-Json
        $parsed.InteropLoadedBefore | Should -Be 0 -Because 'the import alone loads nothing; the runspaces load the interop concurrently'
        $results = @($parsed.Results)
        $results.Count | Should -Be 64
        @($results.Index | Sort-Object -Unique).Count | Should -Be 64
        $errors = @($results | Where-Object Error | ForEach-Object { "#$($_.Index) $($_.Kind): $($_.Error)" })
        $errors | Should -BeNullOrEmpty
        foreach ($x in $results) {
            $r = $requests[$x.Index]
            $x.Kind | Should -Be $r.Kind
            switch ($x.Kind) {
                'backup' {
                    @($x.Result).Count | Should -Be 1 -Because "request #$($r.Index)"
                    $x.Result[0].Database | Should -Be $r.Database -Because "request #$($r.Index)"
                    @($x.Result[0].Url) | Should -Be @("$($script:ContainerUrl)/par/$($r.ServerName)/$($r.Database)_$($r.Index).bak") -Because "request #$($r.Index)"
                }
                'header' {
                    @($x.Result).Count | Should -Be 1 -Because "request #$($r.Index)"
                    $x.Result[0].DatabaseName | Should -Be "Seed$($r.SimIndex)" -Because "request #$($r.Index)"
                    $x.Result[0].ServerName | Should -Be $r.ServerName -Because "request #$($r.Index)"
                }
                'credentials' {
                    $markers = @($x.Result.Names | Where-Object { $_ -like '*/marker-*' })
                    $markers | Should -Be @("$($script:SqlUrlTestAccountUrl)/marker-$($r.SimIndex)") -Because "request #$($r.Index)"
                }
            }
        }
        # the simulators' own logs: each backup was sent to its own server, exactly once
        foreach ($k in 0..3) {
            $sent = @(Get-Content -LiteralPath $script:Sims[$k].StatementLog | Where-Object { $_ } | ForEach-Object { ($_ | ConvertFrom-Json).text } | Where-Object { $_ -like 'BACKUP DATABASE `[P*' })
            $want = @($requests | Where-Object { $_.Kind -eq 'backup' -and $_.SimIndex -eq $k } | ForEach-Object Database | Sort-Object)
            @($sent | ForEach-Object { if ($_ -match '^BACKUP DATABASE \[(P\d\d)\]') { $Matches[1] } } | Sort-Object) | Should -Be $want
        }
    }
}
