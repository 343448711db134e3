# Backups as a catalog (issue 15) from PowerShell: Backup-SqlUrlDatabase writes blob metadata with
# the module's own storage access; Remove-SqlUrlBackup enforces retention over it; Restore-SqlUrlDatabase
# -ContainerUrl -Database picks the chain. Real backups by the simulator into Azurite; the blobs'
# ages are moved into the past by rewriting their sqlurl_finish_utc metadata with an independent
# REST client (curl), since a test cannot wait ten days.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    $script:Azurite = Get-SqlUrlAzurite
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
    # the module's storage access: an account SAS for Azurite, built at run time
    $script:S = Get-SqlUrlTestStorageAccess
    function script:Get-BlobPath([string]$Url) { $Url.Substring($script:SqlUrlTestAccountUrl.Length + 1) }
    function script:Invoke-BlobCurl([string]$Method, [string]$Path, [string]$Query, [string[]]$Header = @(), [switch]$Head) {
        $url = '{0}/{1}?{2}&{3}' -f $env:AZURITE_BLOB_ENDPOINT.TrimEnd('/'), $Path, $Query, (Get-SqlUrlAzuriteSas)
        $ca = @('-s', '--max-time', '30', '--cacert', $env:AZURITE_CA, '-X', $Method, '-H', 'x-ms-version: 2021-08-06', '-H', 'Content-Length: 0', '-w', "`n%{http_code}")
        if ($Head) { $ca += '-D'; $ca += '-' }
        foreach ($h in $Header) { $ca += '-H'; $ca += $h }
        $out = @(& curl @ca $url)
        [pscustomobject]@{ Status = [int]$out[-1]; Lines = $out }
    }
    function script:Set-BackupAge([string[]]$Url, [int]$DaysAgo) {
        # rewrite sqlurl_finish_utc (keeping every other metadata pair) as if the set finished days ago
        $when = [datetime]::UtcNow.AddDays(-$DaysAgo).ToString('yyyy-MM-ddTHH:mm:ssZ', [cultureinfo]::InvariantCulture)
        foreach ($u in $Url) {
            $p = Get-BlobPath $u
            $r = Invoke-BlobCurl -Method GET -Path $p -Query 'comp=metadata' -Head
            $r.Status | Should -Be 200
            $meta = @($r.Lines | Where-Object { $_ -match '^x-ms-meta-' } | ForEach-Object { $_.Trim() })
            $meta.Count | Should -BeGreaterThan 5 -Because "Backup-SqlUrlDatabase wrote the catalog metadata on $u"
            $h = @($meta | Where-Object { $_ -notmatch '^x-ms-meta-sqlurl_finish_utc:' }) + "x-ms-meta-sqlurl_finish_utc: $when"
            (Invoke-BlobCurl -Method PUT -Path $p -Query 'comp=metadata' -Header $h).Status | Should -Be 200
        }
    }
    function script:New-Backup([string]$Database, [string]$Type, [string]$Name) {
        $r = Backup-SqlUrlDatabase @script:C @script:S -Database $Database -Type $Type -ContainerUrl $script:ContainerUrl -FileNameTemplate "$Name{stripe}.bak" -WarningVariable w -WarningAction SilentlyContinue
        @($w).Count | Should -Be 0 -Because "writing the metadata of $Name should not warn: $($w -join ' ')"
        Start-Sleep -Milliseconds 1100
        $r
    }
}

AfterAll {
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'Remove-SqlUrlBackup: retention over real backups with catalog metadata' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'retention'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $sc = New-SqlUrlTestScenario -Database Sales, Hr -DataMB 8 -ManagedIdentityCredential $script:ContainerUrl
        $script:Sim = Start-SqlUrlSim -Scenario $sc
        $script:C = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
        $b = [ordered]@{}
        # Sales: an old full under a lease (a backup in progress), an expired chain, a current chain
        foreach ($x in @(('Sales', 'Full', 'sales_full0'), ('Sales', 'Full', 'sales_full1'), ('Sales', 'Differential', 'sales_diff1'), ('Sales', 'Log', 'sales_log1'),
                ('Hr', 'Full', 'hr_full1'), ('Hr', 'Log', 'hr_log1'),
                ('Sales', 'Full', 'sales_full2'), ('Sales', 'Log', 'sales_log2'), ('Hr', 'Log', 'hr_log2'))) {
            $b[$x[2]] = New-Backup -Database $x[0] -Type $x[1] -Name $x[2]
        }
        $script:B = $b
        Set-BackupAge -Url $b.sales_full0.Url -DaysAgo 12
        foreach ($n in 'sales_full1', 'sales_diff1', 'sales_log1', 'hr_full1', 'hr_log1') { Set-BackupAge -Url $b[$n].Url -DaysAgo 10 }
        $script:Leased = Get-BlobPath @($b.sales_full0.Url)[0]
        (Invoke-BlobCurl -Method PUT -Path $script:Leased -Query 'comp=lease' -Header @('x-ms-lease-action: acquire', 'x-ms-lease-duration: -1')).Status | Should -Be 201
        $script:AllBlobs = @(Get-SqlUrlTestBlob -Container $script:Container)
    }
    AfterAll {
        Invoke-BlobCurl -Method PUT -Path $script:Leased -Query 'comp=lease' -Header @('x-ms-lease-action: break', 'x-ms-lease-break-period: 0') | Out-Null
        Stop-SqlUrlSim $script:Sim
    }

    It '-WhatIf plans and deletes nothing' {
        $plan = @(Remove-SqlUrlBackup -ContainerUrl $script:ContainerUrl -RetentionDays 7 @script:S -WhatIf)
        @($plan | Where-Object Action -eq 'WouldDelete').Count | Should -Be 3
        @($plan | Where-Object Action -eq 'Deleted').Count | Should -Be 0
        @(Get-SqlUrlTestBlob -Container $script:Container).Count | Should -Be $script:AllBlobs.Count
    }

    It 'a read-only SAS lists and plans; each refused delete is a typed error naming the permission, the set is reported Failed and nothing is lost' {
        $ro = Get-SqlUrlTestStorageAccess -Permissions 'rl'
        $sas = [System.Net.NetworkCredential]::new('', $ro.StorageSasToken).Password
        @(Get-SqlUrlBackup -ContainerUrl $script:ContainerUrl @ro).Count | Should -Be 9
        $out = @(Remove-SqlUrlBackup -ContainerUrl $script:ContainerUrl -RetentionDays 7 @ro -Force -ErrorAction SilentlyContinue -ErrorVariable e)
        @($out | Where-Object Action -eq 'Failed').Count | Should -Be 3
        @($out | Where-Object Action -eq 'Deleted').Count | Should -Be 0
        $e.Count | Should -Be 3
        $e | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.StorageAccessDenied*' }
        ($e | Out-String) + ($out | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape(($sas -split 'sig=')[1]))
        @(Get-SqlUrlTestBlob -Container $script:Container).Count | Should -Be $script:AllBlobs.Count
    }

    It 'deletes exactly the expired sets, keeps what kept points need, skips the leased blob, and says why' {
        $out = @(Remove-SqlUrlBackup -ContainerUrl $script:ContainerUrl -RetentionDays 7 @script:S -Force)
        $out | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.RetentionDecision' }
        $deleted = @($out | Where-Object Action -eq 'Deleted')
        ($deleted.Url | ForEach-Object { ($_ -split '/')[-1] } | Sort-Object) | Should -Be @('sales_diff1.bak', 'sales_full1.bak', 'sales_log1.bak')
        foreach ($d in $deleted) { $d.FinishedUtc | Should -BeLessThan ([datetime]::UtcNow.AddDays(-7)) }
        $kept = @($out | Where-Object Action -eq 'Kept')
        ($kept.Url | ForEach-Object { ($_ -split '/')[-1] } | Sort-Object) | Should -Be @('hr_full1.bak', 'hr_log1.bak', 'hr_log2.bak', 'sales_full0.bak', 'sales_full2.bak', 'sales_log2.bak')
        ($kept | Where-Object { $_.Url -like '*sales_full0.bak' }).Reason | Should -Match 'lease'
        foreach ($old in 'hr_full1.bak', 'hr_log1.bak') { ($kept | Where-Object { $_.Url -like "*/$old" }).Reason | Should -Not -BeNullOrEmpty }
        $left = @(Get-SqlUrlTestBlob -Container $script:Container | Sort-Object)
        $left | Should -Be @('hr_full1.bak', 'hr_log1.bak', 'hr_log2.bak', 'sales_full0.bak', 'sales_full2.bak', 'sales_log2.bak')
    }

    It 'a second run finds nothing more to delete' {
        $out = @(Remove-SqlUrlBackup -ContainerUrl $script:ContainerUrl -RetentionDays 7 @script:S -Force)
        @($out | Where-Object Action -ne 'Kept').Count | Should -Be 0
    }

    It 'without storage access it is a parameter error, not a silent no-op' {
        { Remove-SqlUrlBackup -ContainerUrl $script:ContainerUrl -RetentionDays 7 -Force -ErrorAction Stop } | Should -Throw '*-StorageUseManagedIdentity*'
    }
}

Describe 'Restore-SqlUrlDatabase -ContainerUrl -Database: the catalog picks the chain' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'catrestore'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $sc = New-SqlUrlTestScenario -Database Sales, Hr, Ops -DataMB 8 -ManagedIdentityCredential $script:ContainerUrl -Extra @{ utc_offset_minutes = 0 }
        $script:Sim = Start-SqlUrlSim -Scenario $sc
        $script:C = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
        $script:B = [ordered]@{}
        foreach ($x in @(('Sales', 'Full', 'sales_full'), ('Sales', 'Log', 'sales_log1'))) { $script:B[$x[2]] = New-Backup -Database $x[0] -Type $x[1] -Name $x[2] }
        $script:BeforeDiff = [datetime]::new([datetime]::UtcNow.Ticks, [System.DateTimeKind]::Unspecified)  # server-local (offset 0)
        Start-Sleep -Milliseconds 1100
        foreach ($x in @(('Sales', 'Differential', 'sales_diff'), ('Sales', 'Log', 'sales_log2'),
                ('Hr', 'Full', 'hr_full'), ('Hr', 'Log', 'hr_log1'), ('Hr', 'Log', 'hr_log2'), ('Hr', 'Log', 'hr_log3'))) {
            $script:B[$x[2]] = New-Backup -Database $x[0] -Type $x[1] -Name $x[2]
        }
        # striped sets of a third database: one complete, one that lost a stripe; and a foreign blob
        $r = Backup-SqlUrlDatabase @script:C @script:S -Database Ops -ContainerUrl $script:ContainerUrl -Stripes 2 -FileNameTemplate 'ops_full2{stripe}.bak'
        $script:OpsTwo = @($r.Url)
        $r = Backup-SqlUrlDatabase @script:C @script:S -Database Ops -ContainerUrl $script:ContainerUrl -Stripes 3 -FileNameTemplate 'ops_full3{stripe}.bak'
        $script:OpsThree = @($r.Url)
        (Invoke-BlobCurl -Method DELETE -Path (Get-BlobPath $script:OpsThree[1]) -Query '').Status | Should -Be 202
        (Invoke-BlobCurl -Method PUT -Path "$script:Container/foreign/other-tool.bak" -Query '' -Header @('x-ms-blob-type: BlockBlob')).Status | Should -Be 201
        # a gap: Hr's second log is lost
        (Invoke-BlobCurl -Method DELETE -Path (Get-BlobPath @($script:B.hr_log2.Url)[0]) -Query '').Status | Should -Be 202
        function script:Get-Restores { @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'RESTORE DATABASE*' -or $_ -like 'RESTORE LOG*' }) }
        function script:Get-File([string]$Statement) { [regex]::Match($Statement, "URL = N'[^']*/([^'/]+)'").Groups[1].Value }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'Get-SqlUrlBackup lists one object per set: stripes grouped, a missing stripe flagged, a foreign blob as unknown' {
        $sets = @(Get-SqlUrlBackup -ContainerUrl $script:ContainerUrl @script:S -WarningVariable w -WarningAction SilentlyContinue)
        $sets | ForEach-Object { $_.PSObject.TypeNames[0] | Should -Be 'SqlUrlBackup.BackupSet' }
        @($sets | Where-Object Database -eq 'Sales').Count | Should -Be 4
        @($sets | Where-Object Database -eq 'Hr').Count | Should -Be 3
        ($w -join ' ') | Should -Match '1 blob\(s\) carry no catalog metadata'
        $two = @($sets | Where-Object { $_.Url -contains $script:OpsTwo[0] })
        $two.Count | Should -Be 1
        $two[0].Stripes | Should -Be 2
        $two[0].Complete | Should -BeTrue
        ($two[0].Url | Sort-Object) | Should -Be ($script:OpsTwo | Sort-Object)
        $three = @($sets | Where-Object { $_.Url -contains $script:OpsThree[0] })
        $three[0].Complete | Should -BeFalse
        $three[0].MissingStripes | Should -Be @(2)
        $full = @($sets | Where-Object { $_.Database -eq 'Sales' -and $_.Type -eq 'Full' })[0]
        $full.Finish | Should -BeOfType [datetime]
        $full.FirstLsn | Should -Match '^\d+$'
        $full.Url | Should -Be @($script:B.sales_full.Url)
        $u = @(Get-SqlUrlBackup -ContainerUrl $script:ContainerUrl @script:S -IncludeUnknown | Where-Object { $_.PSObject.TypeNames[0] -eq 'SqlUrlBackup.UnknownBlob' })
        $u.Count | Should -Be 1
        $u[0].Url | Should -BeLike '*/foreign/other-tool.bak'
    }

    It 'Get-SqlUrlBackup filters by database and type' {
        $logs = @(Get-SqlUrlBackup -ContainerUrl $script:ContainerUrl @script:S -Database sales -Type Log -WarningAction SilentlyContinue)
        ($logs.Url | ForEach-Object { ($_ -split '/')[-1] } | Sort-Object) | Should -Be @('sales_log1.bak', 'sales_log2.bak')
    }

    It 'Get-SqlUrlBackup output pipes into Export-SqlUrlBackupReport -AsJson' {
        $j = Get-SqlUrlBackup -ContainerUrl $script:ContainerUrl @script:S -WarningAction SilentlyContinue | Export-SqlUrlBackupReport -AsJson | ConvertFrom-Json
        $dbs = @($j.servers | ForEach-Object { $_.databases } | ForEach-Object { $_.database } | Sort-Object)
        $dbs | Should -Be @('Hr', 'Ops', 'Sales')
        # and Export-SqlUrlBackupReport -ContainerUrl reads the catalog itself, with the storage access in -CatalogParameter
        $j2 = Export-SqlUrlBackupReport -ContainerUrl $script:ContainerUrl -CatalogParameter $script:S -AsJson -WarningAction SilentlyContinue | ConvertFrom-Json
        @($j2.servers | ForEach-Object { $_.databases } | ForEach-Object { $_.database } | Sort-Object) | Should -Be $dbs
    }

    It '-WhatIf prints the chain and restores nothing' {
        $n = (Get-Restores).Count
        $info = & { Restore-SqlUrlDatabase @script:C @script:S -ContainerUrl $script:ContainerUrl -Database Sales -RestoreAs Sales_whatif -WhatIf } 6>&1 | Out-String
        $info | Should -Match 'Chain for Sales: full'
        $info | Should -Match 'sales_diff\.bak'
        (Get-Restores).Count | Should -Be $n
    }

    It 'restores the newest point: full, differential, then the log after it (the exact RESTORE sequence)' {
        $n = (Get-Restores).Count
        $r = Restore-SqlUrlDatabase @script:C @script:S -ContainerUrl $script:ContainerUrl -Database Sales -RestoreAs Sales_cat
        $r.Database | Should -Be 'Sales_cat'
        $new = @(Get-Restores | Select-Object -Skip $n)
        ($new | ForEach-Object { Get-File $_ }) | Should -Be @('sales_full.bak', 'sales_diff.bak', 'sales_log2.bak')
        $new[0] | Should -BeLike 'RESTORE DATABASE `[Sales_cat`]*NORECOVERY*'
        $new[2] | Should -BeLike 'RESTORE LOG `[Sales_cat`]*'
    }

    It 'a point before the differential takes the full and the logs, and stops at the point' {
        $n = (Get-Restores).Count
        $null = Restore-SqlUrlDatabase @script:C @script:S -ContainerUrl $script:ContainerUrl -Database Sales -RestoreAs Sales_pit -PointInTime $script:BeforeDiff
        $new = @(Get-Restores | Select-Object -Skip $n)
        ($new | ForEach-Object { Get-File $_ }) | Should -Be @('sales_full.bak', 'sales_log1.bak', 'sales_log2.bak')
        $new[-1] | Should -BeLike ("*STOPAT = N'{0}*" -f $script:BeforeDiff.ToString('yyyy-MM-ddTHH:mm:ss', [cultureinfo]::InvariantCulture))
    }

    It 'refuses a chain with a gap before anything is restored' {
        $n = (Get-Restores).Count
        $out = @(Restore-SqlUrlDatabase @script:C @script:S -ContainerUrl $script:ContainerUrl -Database Hr -RestoreAs Hr_gap -ErrorAction SilentlyContinue -ErrorVariable e)
        $out.Count | Should -Be 0
        $e[0].FullyQualifiedErrorId | Should -BeLike 'SqlUrlBackup.BackupChainBroken*'
        (Get-Restores).Count | Should -Be $n
    }

    It 'refuses a -PointInTime with a time zone (the catalog dates are server-local)' {
        { Restore-SqlUrlDatabase @script:C @script:S -ContainerUrl $script:ContainerUrl -Database Sales -RestoreAs X -PointInTime ([datetime]::UtcNow) -ErrorAction Stop } | Should -Throw "*server's local time*"
    }

    It 'Get-SqlUrlBackup -ServerInstance reads blobs of other tools with RESTORE HEADERONLY and lists them as sets; a blob it cannot read stays unknown with the reason' {
        # a backup without -Storage* access carries no metadata, as another tool's would
        $foreign = Backup-SqlUrlDatabase @script:C -Database Ops -ContainerUrl $script:ContainerUrl -FileNameTemplate 'othertool_ops{stripe}.bak'
        $before = @(Get-SqlUrlSimStatement $script:Sim).Count
        $all = @(Get-SqlUrlBackup -ContainerUrl $script:ContainerUrl @script:S @script:C -IncludeUnknown -WarningVariable w -WarningAction SilentlyContinue)
        $read = @($all | Where-Object { $_.PSObject.TypeNames[0] -eq 'SqlUrlBackup.BackupSet' -and $_.Source -eq 'HeaderOnly' })
        $read.Count | Should -Be 1
        $read[0].Url | Should -Be @($foreign.Url)
        $read[0].Database | Should -Be 'Ops'
        $read[0].Type | Should -Be 'Full'
        $read[0].Complete | Should -BeTrue
        $read[0].FirstLsn | Should -Match '^\d+$'
        @($all | Where-Object { $_.PSObject.TypeNames[0] -eq 'SqlUrlBackup.BackupSet' -and $_.Source -eq 'Metadata' }).Count | Should -BeGreaterThan 5
        $u = @($all | Where-Object { $_.PSObject.TypeNames[0] -eq 'SqlUrlBackup.UnknownBlob' })
        $u.Count | Should -Be 1
        $u[0].Url | Should -BeLike '*/foreign/other-tool.bak'
        $u[0].Reason | Should -Match 'RESTORE HEADERONLY on .* could not read it'
        @(Get-SqlUrlSimStatement $script:Sim | Select-Object -Skip $before | Where-Object { $_ -like 'RESTORE HEADERONLY*' }).Count | Should -Be 2
        # without a server both stay unknown
        $plain = @(Get-SqlUrlBackup -ContainerUrl $script:ContainerUrl @script:S -IncludeUnknown | Where-Object { $_.PSObject.TypeNames[0] -eq 'SqlUrlBackup.UnknownBlob' })
        $plain.Count | Should -Be 2
        # and the filters apply to what the server read
        @(Get-SqlUrlBackup -ContainerUrl $script:ContainerUrl @script:S @script:C -Database Ops -WarningAction SilentlyContinue | Where-Object Source -eq 'HeaderOnly').Count | Should -Be 1
    }
}
