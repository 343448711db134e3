# Issue 14, "Secrets" and "-WhatIf runs the real run's checks": every cmdlet and every DSC
# resource runs with marker values as SQL password, SAS token (as a parameter and pasted into
# URLs), access token and managed-identity client id; every stream (-Verbose -Debug, 2..6>&1),
# $Error with all properties, Get-Error, the serialized form of each error (what a job carries),
# a transcript, the DSC Get/Test/Set outputs and Reasons, and the simulator's statement log are
# searched for the markers. The markers are made at run time: no secret-shaped literal in the tree.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    $script:Module = Import-Module $script:ModulePath -Force -PassThru
    $script:Azurite = Get-SqlUrlAzurite
    $tag = [guid]::NewGuid().ToString('n')
    $script:Marker = [ordered]@{
        SqlPassword = 'PwMark' + $tag.Substring(0, 10)
        SasToken    = 'SasMark' + $tag.Substring(10, 10)
        AccessToken = 'TokMark' + $tag.Substring(20, 10)
        ClientId    = [guid]::NewGuid().ToString()
    }
    $script:SasQuery = 'sv=2022-11-02&ss=b&srt=co&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=' + $script:Marker.SasToken
    $script:Principal = 'app@contoso.com'
    $script:Container = New-SqlUrlTestContainer -Tag 'secrets'
    $script:Url = "$script:SqlUrlTestAccountUrl/$script:Container"
    $sc = New-SqlUrlTestScenario -Database Sales -ManagedIdentityCredential $script:Url -Extra @{ trace_flags = @(4675) }
    $sc.logins = @(
        @{ name = 'sa'; password = 'Sim-Passw0rd!'; sysadmin = $true; can_view_server_state = $true }
        @{ name = $script:Principal; principal = $script:Principal; sysadmin = $true; can_view_server_state = $true })
    $script:Sim = Start-SqlUrlSim -Scenario $sc
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
    # An access token the simulator accepts (it checks claims, not signatures) whose signature is the marker.
    $good = New-SqlUrlTestToken -Principal $script:Principal
    $script:Token = ($good.Split('.')[0..1] -join '.') + '.' + $script:Marker.AccessToken
    $script:Conn = @{
        Password = @{ ServerInstance = $script:Sim.Server; Credential = [pscredential]::new('sa', (ConvertTo-SecureString $script:Marker.SqlPassword -AsPlainText -Force)); CertificateAuthorityFile = $script:Sim.CaFile }
        Token    = @{ ServerInstance = $script:Sim.Server; AccessToken = $script:Token; CertificateAuthorityFile = $script:Sim.CaFile }
        Sa       = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    }
    $script:Transcript = Join-Path $script:Sim.Directory 'transcript.txt'
    $script:Captured = [System.Collections.Generic.List[string]]::new()

    # Everything a user, a log or a job could see of running $Body: all streams, then every error
    # in $Error with all its properties, Get-Error, its parts one by one and its serialized form.
    function Invoke-Captured([scriptblock]$Body) {
        $global:Error.Clear()
        $streams = & {
            $ErrorActionPreference = 'Continue'
            try { & $Body } catch { $_ }
        } 2>&1 3>&1 4>&1 5>&1 6>&1 | Out-String -Width 4096
        $errs = @($global:Error)
        $parts = foreach ($e in $errs) {
            if ($e -is [System.Management.Automation.ErrorRecord]) {
                $e | Get-Error | Out-String -Width 4096
                [string]$e.TargetObject
                $e.CategoryInfo.GetMessage()
                $e.CategoryInfo.TargetName
                [string]$e.ErrorDetails
                [string]$e.ErrorDetails.RecommendedAction
                $e.Exception.ToString()
                $e.Exception | Format-List * -Force | Out-String -Width 4096
                $e.InvocationInfo | Format-List * -Force | Out-String -Width 4096
                [System.Management.Automation.PSSerializer]::Serialize($e, 4)
            }
            else { $e | Format-List * -Force | Out-String -Width 4096 }
        }
        $text = $streams + ($errs | Format-List * -Force | Out-String -Width 4096) + ($parts -join "`n")
        $script:Captured.Add($text)
        $text
    }
    function Assert-NoMarker([string]$Text, [string]$Where) {
        foreach ($k in $script:Marker.Keys) {
            $at = $Text.IndexOf($script:Marker[$k])
            $context = if ($at -ge 0) { $Text.Substring([Math]::Max(0, $at - 300), [Math]::Min(400, $Text.Length - [Math]::Max(0, $at - 300))) } else { '' }
            $context = $context.Replace($script:Marker[$k], "<$k marker>")
            $at | Should -Be -1 -Because "the $k marker must not appear in $Where (found in: $context)"
        }
    }
    # Every cmdlet, with the given connection, container URL and blob URL.
    $script:EveryCmdlet = {
        param([hashtable]$C, [string]$ContainerUrl, [string]$BlobUrl)
        $common = @{ Verbose = $true; Debug = $true; ErrorAction = 'Continue' }
        $step = { param($Block) try { & $Block } catch { $_ } }
        & $step { Get-SqlUrlCredential @C @common }
        & $step { Get-SqlUrlDatabase @C @common }
        & $step { New-SqlUrlCredential @C @common -ContainerUrl $ContainerUrl -WhatIf }
        & $step { New-SqlUrlCredential @C @common -ContainerUrl $ContainerUrl -Force -Confirm:$false }
        & $step { Test-SqlUrlBackupReadiness @C @common -ContainerUrl $ContainerUrl }
        & $step { Test-SqlUrlBackupReadiness @C @common -ContainerUrl $ContainerUrl -EnableTraceFlag -WhatIf }
        & $step { Backup-SqlUrlDatabase @C @common -Database Sales -ContainerUrl $ContainerUrl -WhatIf }
        & $step { Backup-SqlUrlDatabase @C @common -Database Sales -ContainerUrl $ContainerUrl -Confirm:$false }
        & $step { Backup-SqlUrlDatabase @C @common -Database Sales -Url $BlobUrl -Confirm:$false }
        & $step { Get-SqlUrlBackupHeader @C @common -Url $BlobUrl }
        & $step { Get-SqlUrlBackupFileList @C @common -Url $BlobUrl }
        & $step { Test-SqlUrlBackup @C @common -Url $BlobUrl }
        & $step { Restore-SqlUrlDatabase @C @common -Url $BlobUrl -Database SalesCopy -WhatIf }
        & $step { Restore-SqlUrlDatabase @C @common -Url $BlobUrl -Database SalesCopy -Confirm:$false }
        & $step { Remove-SqlUrlCredential @C @common -ContainerUrl $ContainerUrl -WhatIf }
        & $step { Remove-SqlUrlCredential @C @common -ContainerUrl $ContainerUrl -Force -Confirm:$false }
    }
    $null = Start-Transcript -Path $script:Transcript -Force
}

AfterAll {
    try { $null = Stop-Transcript } catch { $null = $_ }
    Stop-SqlUrlSim $script:Sim
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'No secret in any stream, error, transcript, DSC output or server log' {
    It 'the SQL password (a failed login), through every cmdlet' {
        $text = Invoke-Captured { & $script:EveryCmdlet $script:Conn.Password $script:Url "$script:Url/pw.bak" }
        $text | Should -Match 'LoginFailed|Login failed'
        Assert-NoMarker $text 'the output of every cmdlet run with the marker password'
    }

    It 'the access token (a working login), through every cmdlet' {
        $text = Invoke-Captured { & $script:EveryCmdlet $script:Conn.Token $script:Url "$script:Url/token.bak" }
        $text | Should -Match ([regex]::Escape("$script:Url/token.bak"))
        Assert-NoMarker $text 'the output of every cmdlet run with the marker access token'
    }

    It 'a SAS pasted into every URL: refused, with the query string masked in every part of every error' {
        $text = Invoke-Captured { & $script:EveryCmdlet $script:Conn.Sa "$script:Url`?$script:SasQuery" "$script:Url/sas.bak?$script:SasQuery" }
        $text | Should -Match 'query'
        Assert-NoMarker $text 'the output of every cmdlet given a URL with a SAS'
        # each error's target names the URL without its query string
        $global:Error.Clear()
        $sa = $script:Conn.Sa
        $null = try { Backup-SqlUrlDatabase @sa -Database Sales -ContainerUrl "$script:Url`?$script:SasQuery" -Confirm:$false -ErrorAction Stop } catch { $_ }
        $null = try { Remove-SqlUrlCredential @sa -ContainerUrl "$script:Url`?$script:SasQuery" -Force -ErrorAction Stop } catch { $_ }
        $targets = @($global:Error | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] } | ForEach-Object { [string]$_.TargetObject })
        ($targets -join ' ') | Should -Not -Match ([regex]::Escape($script:Marker.SasToken))
    }

    It 'the SAS token as a parameter: New-SqlUrlCredential -SasToken, the backups through it, and -Deep -StorageSasToken / -StorageAccessToken' {
        $sas = ConvertTo-SecureString $script:SasQuery -AsPlainText -Force
        $tok = ConvertTo-SecureString $script:Token -AsPlainText -Force
        $C = $script:Conn.Sa
        $sasUrl = "$script:SqlUrlTestAccountUrl/$script:Container-sas"
        $storage = @{ StorageEndpoint = $env:AZURITE_BLOB_ENDPOINT; StorageCertificateAuthorityFile = $env:AZURITE_CA; Verbose = $true; Debug = $true; ErrorAction = 'Continue' }
        $text = Invoke-Captured {
            New-SqlUrlCredential @C -ContainerUrl $sasUrl -SasToken $sas -WhatIf -Verbose -Debug
            New-SqlUrlCredential @C -ContainerUrl $sasUrl -SasToken $sas -Force -Confirm:$false -Verbose -Debug -WarningAction Continue
            New-SqlUrlCredential @C -ContainerUrl $sasUrl -SasToken $sas -Verbose -Debug -ErrorAction Continue
            Get-SqlUrlCredential @C -Verbose -Debug | Format-List * -Force
            Backup-SqlUrlDatabase @C -Database Sales -ContainerUrl $sasUrl -Confirm:$false -Verbose -Debug -ErrorAction Continue
            Test-SqlUrlBackupReadiness @C -ContainerUrl $script:Url -Deep -StorageSasToken $sas @storage -Confirm:$false | Format-List * -Force
            Test-SqlUrlBackupReadiness @C -ContainerUrl $script:Url -Deep -StorageAccessToken $tok @storage -Confirm:$false | Format-List * -Force
            Test-SqlUrlBackupReadiness @C -ContainerUrl $script:Url -Deep -StorageSasToken $sas @storage -WhatIf
        }
        $text | Should -Match ([regex]::Escape($sasUrl))
        Assert-NoMarker $text 'the output of the SAS-token cmdlets'
    }

    It 'the managed-identity client id, with the identity endpoint answering and refusing (child pwsh)' {
        $imds = Start-SqlUrlFakeImds -Principal $script:Principal
        try {
            $script = @'
Import-Module $env:SQLURL_T_MODULE
$c = @{ ServerInstance = $env:SQLURL_T_SERVER; UseManagedIdentity = $true; ManagedIdentityClientId = $env:SQLURL_T_CLIENT; CertificateAuthorityFile = $env:SQLURL_T_CA; Verbose = $true; Debug = $true; ErrorAction = 'Continue' }
$Error.Clear()
& {
    Get-SqlUrlCredential @c
    Get-SqlUrlDatabase @c
    Backup-SqlUrlDatabase @c -Database Sales -ContainerUrl $env:SQLURL_T_URL -WhatIf
    Test-SqlUrlBackupReadiness @c -ContainerUrl $env:SQLURL_T_URL -Deep -StorageUseManagedIdentity -StorageEndpoint $env:AZURITE_BLOB_ENDPOINT -WhatIf
    Remove-SqlUrlCredential @c -ContainerUrl "$env:SQLURL_T_URL-none" -WhatIf
} 2>&1 3>&1 4>&1 5>&1 6>&1 | Out-String -Width 4096
$Error | Format-List * -Force | Out-String -Width 4096
foreach ($e in @($Error)) { if ($e -is [System.Management.Automation.ErrorRecord]) { $e | Get-Error | Out-String -Width 4096; [System.Management.Automation.PSSerializer]::Serialize($e, 4) } }
'@
            $envs = @{ SQLURL_T_MODULE = $script:ModulePath; SQLURL_T_SERVER = $script:Sim.Server; SQLURL_T_CA = $script:Sim.CaFile; SQLURL_T_CLIENT = $script:Marker.ClientId; SQLURL_T_URL = $script:Url; AZURITE_BLOB_ENDPOINT = $env:AZURITE_BLOB_ENDPOINT }
            $ok = Invoke-SqlUrlChildPwsh -Environment ($envs + @{ SQLURL_IMDS_ENDPOINT = $imds.Url }) -Script $script
            # the identity endpoint is a closed port: the failure must not carry the request URL's query (client_id=...)
            $probe = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
            $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
            $down = Invoke-SqlUrlChildPwsh -Environment ($envs + @{ SQLURL_IMDS_ENDPOINT = "http://127.0.0.1:$port/metadata/identity/oauth2/token" }) -Script $script
        }
        finally { Stop-SqlUrlFakeImds $imds }
        @($imds.Seen.ToArray()) -join ' ' | Should -Match ([regex]::Escape($script:Marker.ClientId)) -Because 'the client id went to the identity endpoint'
        $ok.Out | Should -Match 'Sales'
        $down.Out | Should -Match 'SqlUrlBackup\.'
        $script:Captured.Add($ok.Out + $ok.Err + $down.Out + $down.Err)
        Assert-NoMarker ($ok.Out + $ok.Err) 'the streams and errors of a managed-identity login'
        Assert-NoMarker ($down.Out + $down.Err) 'the streams and errors of a managed-identity login whose identity endpoint is down'
    }

    It 'the DSC resources: Get/Test/Set outputs, Reasons and errors, with a SAS in every URL and the marker password' {
        $sasUrl = "$script:Url`?$script:SasQuery"
        $blobSas = "$script:Url/dsc.bak?$script:SasQuery"
        $sasCred = [pscredential]::new('SAS', (ConvertTo-SecureString $script:SasQuery -AsPlainText -Force))
        $cases = @(
            @{ Class = 'SqlUrlCredential'; Property = @{ ContainerUrl = $sasUrl } }
            @{ Class = 'SqlUrlCredential'; Property = @{ ContainerUrl = "$script:Url-dsc"; Identity = 'SharedAccessSignature'; SasToken = $sasCred } }
            @{ Class = 'SqlUrlCredential'; Property = @{ ContainerUrl = "$script:Url-dsc"; Ensure = 'Absent' } }
            @{ Class = 'SqlUrlTraceFlag4675'; Property = @{ ContainerUrl = $sasUrl } }
            @{ Class = 'SqlUrlRestoredDatabase'; Property = @{ Database = 'DscCopy'; BackupUrl = @($blobSas) } }
            @{ Class = 'SqlUrlBackupReadiness'; Property = @{ ContainerUrl = $sasUrl } }
        )
        foreach ($credential in @($script:Sa, $script:Conn.Password.Credential)) {
            foreach ($case in $cases) {
                $r = & $script:Module ([scriptblock]::Create("[$($case.Class)]::new()"))
                $r.ServerInstance = $script:Sim.Server
                $r.Credential = $credential
                $r.CertificateAuthorityFile = $script:Sim.CaFile
                foreach ($k in $case.Property.Keys) { $r.$k = $case.Property[$k] }
                $text = Invoke-Captured {
                    try { $g = $r.Get(); $g | Format-List * -Force; $g.Reasons | Format-List * -Force } catch { $_ }
                    try { $r.Test() } catch { $_ }
                    try { $r.Set() } catch { $_ }
                }
                Assert-NoMarker $text ("{0} with {1}" -f $case.Class, (($case.Property.Keys | Sort-Object) -join ','))
            }
        }
    }

    It 'the simulator''s statement log and the transcript hold no marker' {
        # errors and verbose text straight to the host, so that the transcript holds them
        $pw = $script:Conn.Password; $sa = $script:Conn.Sa
        Get-SqlUrlCredential @pw -Verbose -ErrorAction Continue
        try { Backup-SqlUrlDatabase @sa -Database Sales -ContainerUrl "$script:Url`?$script:SasQuery" -Verbose -Confirm:$false } catch { Write-Host ($_ | Out-String) }
        $null = Stop-Transcript
        $log = if (Test-Path -LiteralPath $script:Sim.StatementLog) { Get-Content -Raw -LiteralPath $script:Sim.StatementLog } else { '' }
        $log | Should -Match 'CREATE CREDENTIAL'
        Assert-NoMarker $log 'the simulator''s statement log'
        $transcript = Get-Content -Raw -LiteralPath $script:Transcript
        $transcript | Should -Match 'query string'
        Assert-NoMarker $transcript 'the transcript'
        $script:Captured.Count | Should -BeGreaterThan 5
    }
}

Describe '-WhatIf runs the real run''s checks and shows the same error' {
    BeforeAll {
        $script:Long = 'n' * 129
        # Runs $Block (a cmdlet call without -WhatIf/-Confirm) once with -WhatIf and once for real;
        # returns the two ErrorRecords (or $null when none).
        function Get-BothErrors([scriptblock]$Block) {
            $global:Error.Clear()
            $sa = $script:Conn.Sa
            $whatIf = try { & $Block @{ WhatIf = $true; ErrorAction = 'Stop' } 6>$null | Out-Null; $null } catch { $_ }
            $real = try { & $Block @{ Confirm = $false; ErrorAction = 'Stop' } | Out-Null; $null } catch { $_ }
            $whatIf
            $real
        }
    }

    It '<Name>' -ForEach @(
        @{ Name = 'New-SqlUrlCredential, URL with a query string'; Block = { param($x) New-SqlUrlCredential @sa -ContainerUrl "$script:Url`?$script:SasQuery" @x } }
        @{ Name = 'New-SqlUrlCredential, http: URL'; Block = { param($x) New-SqlUrlCredential @sa -ContainerUrl ($script:Url -replace '^https:', 'http:') @x } }
        @{ Name = 'Remove-SqlUrlCredential, URL with a query string'; Block = { param($x) Remove-SqlUrlCredential @sa -ContainerUrl "$script:Url`?$script:SasQuery" -Force @x } }
        @{ Name = 'Remove-SqlUrlCredential, 129-character name'; Block = { param($x) Remove-SqlUrlCredential @sa -ContainerUrl $script:Long -Force @x } }
        @{ Name = 'Backup-SqlUrlDatabase, URL with a query string'; Block = { param($x) Backup-SqlUrlDatabase @sa -Database Sales -ContainerUrl "$script:Url`?$script:SasQuery" @x } }
        @{ Name = 'Backup-SqlUrlDatabase, http: URL'; Block = { param($x) Backup-SqlUrlDatabase @sa -Database Sales -ContainerUrl ($script:Url -replace '^https:', 'http:') @x } }
        @{ Name = 'Backup-SqlUrlDatabase, blob URL with a query string'; Block = { param($x) Backup-SqlUrlDatabase @sa -Database Sales -Url "$script:Url/w.bak?$script:SasQuery" @x } }
        @{ Name = 'Restore-SqlUrlDatabase, URL with a query string'; Block = { param($x) Restore-SqlUrlDatabase @sa -Url "$script:Url/w.bak?$script:SasQuery" -Database WhatIfCopy @x } }
        @{ Name = 'Restore-SqlUrlDatabase, http: URL'; Block = { param($x) Restore-SqlUrlDatabase @sa -Url ("$script:Url/w.bak" -replace '^https:', 'http:') -Database WhatIfCopy @x } }
        @{ Name = 'Restore-SqlUrlDatabase, 129-character database name'; Block = { param($x) Restore-SqlUrlDatabase @sa -Url "$script:Url/w.bak" -Database $script:Long @x } }
        @{ Name = 'Test-SqlUrlBackupReadiness -EnableTraceFlag, URL with a query string'; Block = { param($x) Test-SqlUrlBackupReadiness @sa -ContainerUrl "$script:Url`?$script:SasQuery" -EnableTraceFlag @x } }
        @{ Name = 'Test-SqlUrlBackupReadiness -EnableTraceFlag, http: URL'; Block = { param($x) Test-SqlUrlBackupReadiness @sa -ContainerUrl ($script:Url -replace '^https:', 'http:') -EnableTraceFlag @x } }
    ) {
        $whatIf, $real = Get-BothErrors $Block
        $real | Should -Not -BeNullOrEmpty -Because 'the real run refuses this input'
        $whatIf | Should -Not -BeNullOrEmpty -Because '-WhatIf must refuse what the real run refuses'
        $whatIf.FullyQualifiedErrorId | Should -Be $real.FullyQualifiedErrorId
        $whatIf.Exception.Message | Should -Be $real.Exception.Message
        $whatIf.Exception.Message.Contains($script:Marker.SasToken) | Should -BeFalse
        ([string]$whatIf.TargetObject).Contains($script:Marker.SasToken) | Should -BeFalse
    }
}

Describe 'Hide-SqlUrlSecret (the module''s one masking rule)' {
    It 'masks the query string of any URL and a bare signature, and leaves the rest' {
        $sig = 'sig=' + $script:Marker.SasToken
        $in = "Restore database https://a.blob.core.windows.net/c/x.bak?sv=1&$sig on s; also http://127.0.0.1:1/t?client_id=$($script:Marker.ClientId) and $sig"
        $out = & $script:Module { param($t) Hide-SqlUrlSecret -Text $t } $in
        $out | Should -Be 'Restore database https://a.blob.core.windows.net/c/x.bak?*** on s; also http://127.0.0.1:1/t?*** and sig=***'
        $arr = & $script:Module { param($t) Hide-SqlUrlSecret -Text $t } ([object[]]@("https://a/c?$sig", 'plain'))
        @($arr) -join '|' | Should -Be 'https://a/c?***|plain'
        & $script:Module { Hide-SqlUrlSecret -Text 42 } | Should -Be 42
        & $script:Module { Hide-SqlUrlSecret -Text $null } | Should -BeNullOrEmpty
    }
}
