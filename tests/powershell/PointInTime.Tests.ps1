# Point in time and marks from PowerShell (issue 12's library side, exposed here): -StopAt of
# every [datetime] kind, -StopAtMark / -StopBeforeMark, result warnings as Write-Warning.
# The simulator runs at UTC+2 so a UTC time must reach it as server-local time.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    # The private functions load with the first cmdlet call; these tests call some directly.
    & (Get-Module SqlUrlBackup) { Import-SqlUrlPrivate }
    $script:Azurite = Get-SqlUrlAzurite
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
}

AfterAll {
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'ConvertTo-SqlUrlPointInTime' {
    It 'sends Utc with Z, Local with its offset, Unspecified as given, with milliseconds' {
        $m = Get-Module SqlUrlBackup
        $utc = [datetime]::new(2026, 11, 26, 16, 40, 5, 123, [System.DateTimeKind]::Utc)
        & $m { param($d) ConvertTo-SqlUrlPointInTime $d } $utc | Should -Be '2026-11-26T16:40:05.123Z'
        $plain = [datetime]::new(2026, 11, 26, 16, 40, 5, 123, [System.DateTimeKind]::Unspecified)
        & $m { param($d) ConvertTo-SqlUrlPointInTime $d } $plain | Should -Be '2026-11-26T16:40:05.123'
        $local = [datetime]::new(2026, 11, 26, 16, 40, 5, 123, [System.DateTimeKind]::Local)
        & $m { param($d) ConvertTo-SqlUrlPointInTime $d } $local | Should -Match '^2026-11-26T16:40:05\.123[+-]\d\d:\d\d$'
    }
}

Describe 'Restore to a point in time and to a mark' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'pit'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $script:Offset = 120
        # the mark committed between the full and the log backup (server-local time)
        $script:Full0 = [datetime]::UtcNow
        $markLocal = $script:Full0.AddSeconds(2).AddMinutes($script:Offset).ToString('yyyy-MM-ddTHH:mm:ss.fff', [cultureinfo]::InvariantCulture)
        $sc = New-SqlUrlTestScenario -Database Sales -ManagedIdentityCredential $script:ContainerUrl -Extra @{
            utc_offset_minutes = $script:Offset; marks = @(@{ database = 'Sales'; name = 'PriceUpdate'; time = $markLocal }) }
        $script:Sim = Start-SqlUrlSim -Scenario $sc
        $script:C = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
        $script:Full = Backup-SqlUrlDatabase @script:C -Database Sales -ContainerUrl $script:ContainerUrl -FileNameTemplate '{database}_full{stripe}.bak'
        Start-Sleep -Milliseconds 3000
        $script:Middle = [datetime]::UtcNow
        Start-Sleep -Milliseconds 1500
        $script:Log = Backup-SqlUrlDatabase @script:C -Database Sales -ContainerUrl $script:ContainerUrl -Type Log -FileNameTemplate '{database}_log{stripe}.bak'
        $script:Urls = @($script:Full.Url) + @($script:Log.Url)
        function Get-LastRestore { @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'RESTORE LOG*' })[-1] }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It '-StopAt with a UTC [datetime] reaches the server as its local time, with milliseconds' {
        $r = Restore-SqlUrlDatabase @script:C -Url $script:Urls -Sequence -Database Sales_utc -StopAt $script:Middle
        $r.Database | Should -Be 'Sales_utc'
        $local = $script:Middle.AddMinutes($script:Offset).ToString('yyyy-MM-ddTHH:mm:ss.fff', [cultureinfo]::InvariantCulture)
        $r.StopAtServerLocal.ToString('yyyy-MM-ddTHH:mm:ss.fff', [cultureinfo]::InvariantCulture) | Should -Be $local
        $r.StopAtUtc.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fff', [cultureinfo]::InvariantCulture) | Should -Be $script:Middle.ToString('yyyy-MM-ddTHH:mm:ss.fff', [cultureinfo]::InvariantCulture)
        Get-LastRestore | Should -BeLike "*STOPAT = N'$local*"
    }

    It '-StopAt without a kind is the server''s local time, sent as given' {
        $local = $script:Middle.AddMinutes($script:Offset)
        $plain = [datetime]::new($local.Ticks, [System.DateTimeKind]::Unspecified)
        $r = Restore-SqlUrlDatabase @script:C -Url $script:Urls -Sequence -Database Sales_plain -StopAt $plain
        $r.StopAtServerLocal.ToString('yyyy-MM-ddTHH:mm:ss.fff', [cultureinfo]::InvariantCulture) | Should -Be $plain.ToString('yyyy-MM-ddTHH:mm:ss.fff', [cultureinfo]::InvariantCulture)
    }

    It '-StopBeforeMark restores to just before the marked transaction' {
        $r = Restore-SqlUrlDatabase @script:C -Url $script:Urls -Sequence -Database Sales_mark -StopBeforeMark 'PriceUpdate'
        $r.Database | Should -Be 'Sales_mark'
        Get-LastRestore | Should -BeLike "*STOPBEFOREMARK = N'PriceUpdate'*"
    }

    It 'a mark the log does not hold: the whole log is applied and the server''s 4322 is a warning' {
        $r = Restore-SqlUrlDatabase @script:C -Url $script:Urls -Sequence -Database Sales_nomark -StopAtMark 'NoSuchMark' -WarningVariable w -WarningAction SilentlyContinue
        $r.Warnings.Count | Should -BeGreaterThan 0
        ($w -join ' ') | Should -Match 'Sales_nomark'
        Get-LastRestore | Should -BeLike "*STOPATMARK = N'NoSuchMark'*"
    }
}
