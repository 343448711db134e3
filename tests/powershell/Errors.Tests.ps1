# Errors in the user's words (issue 19): parameter names instead of JSON fields, own ErrorIds and
# remedies for common server errors, storage remedies that fit the credential in use.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ModulePath = Get-SqlUrlTestModulePath
    Import-Module $script:ModulePath -Force
    # The private functions load with the first cmdlet call; these tests call some directly.
    & (Get-Module SqlUrlBackup) { Import-SqlUrlPrivate }
    $script:Module = Get-Module SqlUrlBackup
    $script:Azurite = Get-SqlUrlAzurite
    $script:SaPassword = 'Sim-Passw0rd!'
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString $script:SaPassword -AsPlainText -Force))
    function New-Record([hashtable]$ErrorObject, [string]$CredentialKind) {
        & $script:Module { param($o, $k) New-SqlUrlErrorRecord -ErrorObject ([pscustomobject]$o) -ResultCode 3 -ServerInstance 'S1' -CredentialKind $k } $ErrorObject $CredentialKind
    }
}

AfterAll {
    Stop-SqlUrlAzurite $script:Azurite
}

Describe 'Messages name the cmdlet parameters, not the JSON contract' {
    It 'rewrites <Field> as <Parameter>' -ForEach @(
        @{ Field = 'container_url'; Text = 'give either urls or container_url, not both.'; Parameter = '-ContainerUrl'; Also = '-Url' }
        @{ Field = 'connect_timeout_s'; Text = 'Check the network path to the server (name resolution, firewall, NSG) or raise connect_timeout_s.'; Parameter = '-ConnectTimeout'; Also = '-ConnectTimeout' }
        @{ Field = 'ca_file'; Text = 'trust_server_certificate and ca_file exclude each other: either validate against a CA or trust any certificate.'; Parameter = '-CertificateAuthorityFile'; Also = '-TrustServerCertificate' }
        @{ Field = 'host_name_in_certificate'; Text = 'Connect with the name the certificate was issued for, or set host_name_in_certificate to that name.'; Parameter = '-HostNameInCertificate'; Also = '-HostNameInCertificate' }
        @{ Field = 'stripes'; Text = 'stripes must be between 1 and 64; got 65.'; Parameter = '-Stripes'; Also = '-Stripes' }
        @{ Field = 'client_id'; Text = 'Give at most one of client_id, object_id and resource_id to select the managed identity.'; Parameter = '-ManagedIdentityClientId'; Also = '-ManagedIdentityClientId' }
        @{ Field = 'stop_at'; Text = 'stop_at needs a log backup to stop in: give the log backups too (with sequence: true)'; Parameter = '-StopAt'; Also = '-Sequence' }
    ) {
        $out = & $script:Module { param($t) ConvertTo-SqlUrlUserWords $t } $Text
        $out | Should -Match ([regex]::Escape($Parameter))
        $out | Should -Match ([regex]::Escape($Also))
        $out | Should -Not -MatchExactly ([regex]::Escape($Field))
        $out | Should -Not -Match '\b[a-z]+_[a-z_]+\b' -Because 'no snake_case contract field is left'
    }

    It 'an error record carries the rewritten message and action; the C ABI words stay in the library' {
        $r = New-Record @{ kind = 'ConnectionTimeout'; category = 'OperationTimeout'; message = 'Connecting timed out after 15 s (connect_timeout_s).'; recommended_action = 'raise connect_timeout_s.' }
        $r.ErrorDetails.Message | Should -Match '-ConnectTimeout'
        $r.ErrorDetails.RecommendedAction | Should -Be 'raise -ConnectTimeout.'
        $r.Exception.Message | Should -Not -Match 'connect_timeout_s'
    }

    It 'drops explanations of the driver from messages' {
        $out = & $script:Module { ConvertTo-SqlUrlUserWords 'BACKUP DATABASE successfully processed 1 bytes in 1.000 seconds (1.000 MB/sec) to 1 URL(s). (Measured by SqlUrlBackup: the server''s own completion message is not passed on by the driver.)' }
        $out | Should -Be 'BACKUP DATABASE successfully processed 1 bytes in 1.000 seconds (1.000 MB/sec) to 1 URL(s).'
    }
}

Describe 'Common server errors have their own ErrorId and remedy' {
    It '<Number> is SqlUrlBackup.<Kind> and its remedy names <Needle>' -ForEach @(
        @{ Number = 911; LibraryKind = 'SqlError'; Kind = 'DatabaseNotFound'; Needle = 'Get-SqlUrlDatabase' }
        @{ Number = 4208; LibraryKind = 'SimpleRecoveryModel'; Kind = 'SimpleRecoveryModel'; Needle = 'SET RECOVERY FULL' }
        @{ Number = 3101; LibraryKind = 'DatabaseInUse'; Kind = 'DatabaseInUse'; Needle = '-Replace' }
        @{ Number = 3154; LibraryKind = 'DifferentDatabaseInBackup'; Kind = 'DifferentDatabaseInBackup'; Needle = '-Database <NewName>' }
        @{ Number = 3159; LibraryKind = 'TailLogNotBackedUp'; Kind = 'TailLogNotBackedUp'; Needle = '-Type Log' }
        @{ Number = 3271; LibraryKind = 'BlobExists'; Kind = 'BlobExists'; Needle = '-Overwrite' }
    ) {
        $r = New-Record @{ kind = $LibraryKind; category = 'InvalidOperation'; message = "SQL Server error ${Number}: ..."; recommended_action = 'library words'; sql = @(@{ number = $Number }) }
        $r.FullyQualifiedErrorId | Should -Be "SqlUrlBackup.$Kind"
        $r.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape($Needle))
        if ($Number -eq 911) { [string]$r.CategoryInfo.Category | Should -Be 'ObjectNotFound' }
    }

    It 'OS error 5 with a SAS credential points at the SAS, with a managed identity at the role' {
        $o = @{ kind = 'StorageAccessDenied'; category = 'PermissionDenied'; os_error = 5; sql = @(@{ number = 3201 })
            message = 'SQL Server error 3201: Cannot open backup device. Operating system error 5(Access is denied.). This means either the managed identity lacks the Storage Blob Data Contributor role on the storage account, or the network path to the storage account is blocked.'
            recommended_action = 'Operating system error 5 means either the primary managed identity lacks the Storage Blob Data Contributor role on the storage account, or the network path is blocked: check both.' }
        $sas = New-Record $o 'sas'
        $sas.ErrorDetails.RecommendedAction | Should -Match 'rwdl'
        $sas.ErrorDetails.RecommendedAction | Should -Match 'expired'
        $sas.ErrorDetails.RecommendedAction | Should -Match 'sip='
        $sas.ErrorDetails.RecommendedAction | Should -Not -Match 'Contributor'
        $sas.ErrorDetails.Message | Should -Not -Match 'managed identity'
        $mi = New-Record $o 'managed_identity'
        $mi.ErrorDetails.RecommendedAction | Should -Match 'Storage Blob Data Contributor'
    }
}

Describe 'Against the simulator' {
    BeforeAll {
        $script:Container = New-SqlUrlTestContainer -Tag 'errors'
        $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
        $sc = New-SqlUrlTestScenario -Database Sales
        $sc.databases += @{ name = 'Busy'; recovery_model = 'FULL'; in_use = $true }
        $script:Sim = Start-SqlUrlSim -Scenario $sc
        $script:C = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    }
    AfterAll { Stop-SqlUrlSim $script:Sim }

    It 'a SAS without write permission: access denied with the SAS remedy, not the managed identity role' {
        $sas = ConvertTo-SecureString (Get-SqlUrlAzuriteSas -Permissions 'rl') -AsPlainText -Force
        $null = New-SqlUrlCredential @script:C -ContainerUrl $script:ContainerUrl -SasToken $sas -WarningAction SilentlyContinue
        Backup-SqlUrlDatabase @script:C -Database Sales -ContainerUrl $script:ContainerUrl -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.StorageAccessDenied,Backup-SqlUrlDatabase'
        $e[0].Exception.OsError | Should -Be 5
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'rwdl'
        $e[0].ErrorDetails.RecommendedAction | Should -Not -Match 'Contributor'
        $e[0].ErrorDetails.Message | Should -Match 'SAS credential'
        # the same for a header read of that container (a different code path)
        Get-SqlUrlBackupHeader @script:C -Url "$script:ContainerUrl/x.bak" -ErrorAction SilentlyContinue -ErrorVariable e2 | Should -BeNullOrEmpty
        if ($e2[0].Exception.Kind -eq 'StorageAccessDenied') { $e2[0].ErrorDetails.RecommendedAction | Should -Match 'rwdl' }
    }

    It 'an unknown database is SqlUrlBackup.DatabaseNotFound' {
        $null = New-SqlUrlCredential @script:C -ContainerUrl $script:ContainerUrl -SasToken (ConvertTo-SecureString (Get-SqlUrlAzuriteSas) -AsPlainText -Force) -Force -WarningAction SilentlyContinue
        Backup-SqlUrlDatabase @script:C -Database NoSuchDb -ContainerUrl $script:ContainerUrl -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.DatabaseNotFound,Backup-SqlUrlDatabase'
        $e[0].Exception.SqlErrorNumbers | Should -Contain 911
        $e[0].ErrorDetails.RecommendedAction | Should -Match 'Get-SqlUrlDatabase'
    }

    It 'a database in use during RESTORE ... REPLACE is SqlUrlBackup.DatabaseInUse with a remedy naming -Replace' {
        $b = Backup-SqlUrlDatabase @script:C -Database Busy -ContainerUrl $script:ContainerUrl
        Restore-SqlUrlDatabase @script:C -Url $b.Url -Database Busy -Replace -Force -ErrorAction SilentlyContinue -ErrorVariable e | Should -BeNullOrEmpty
        $e[0].FullyQualifiedErrorId | Should -Be 'SqlUrlBackup.DatabaseInUse,Restore-SqlUrlDatabase'
        $e[0].ErrorDetails.RecommendedAction | Should -Match '-Replace'
    }

    It 'a bad parameter combination is reported with parameter names' {
        { Backup-SqlUrlDatabase @script:C -Database Sales -ContainerUrl 'http://not-https/c' -ErrorAction Stop } | Should -Throw
        $err = $null
        try { Backup-SqlUrlDatabase @script:C -Database Sales -ContainerUrl 'http://not-https/c' -ErrorAction Stop } catch { $err = $_ }
        "$($err.ErrorDetails.Message) $($err.ErrorDetails.RecommendedAction)" | Should -Not -Match 'container_url'
    }
}
