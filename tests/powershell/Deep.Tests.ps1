# Test-SqlUrlBackupReadiness -Deep (issue 18's library probe, exposed by the cmdlet): a real
# COPY_ONLY backup of [model] to a scratch blob in Azurite, VERIFYONLY, and the blob deleted
# through the library's storage access; -WhatIf plans only. Blobs listed with the independent REST client.
BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    Import-Module (Get-SqlUrlTestModulePath) -Force
    $script:Azurite = Get-SqlUrlAzurite
    $script:Sa = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
    $script:Container = New-SqlUrlTestContainer -Tag 'deep'
    $script:ContainerUrl = "$script:SqlUrlTestAccountUrl/$script:Container"
    $script:Sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales -ManagedIdentityCredential $script:ContainerUrl -Extra @{ trace_flags = @(4675) })
    $script:C = @{ ServerInstance = $script:Sim.Server; Credential = $script:Sa; CertificateAuthorityFile = $script:Sim.CaFile }
    $script:Storage = @{ StorageSasToken = (ConvertTo-SecureString (Get-SqlUrlAzuriteSas) -AsPlainText -Force); StorageEndpoint = $env:AZURITE_BLOB_ENDPOINT; StorageCertificateAuthorityFile = $env:AZURITE_CA }
}
AfterAll { Stop-SqlUrlSim $script:Sim; Stop-SqlUrlAzurite $script:Azurite }

Describe 'Test-SqlUrlBackupReadiness -Deep' {
    It '-WhatIf shows the probe plan and runs nothing' {
        $r = Test-SqlUrlBackupReadiness @script:C -ContainerUrl $script:ContainerUrl -Deep @script:Storage -WhatIf 6>$null
        $r.Probe.WhatIf | Should -BeTrue
        $r.Probe.Statements -join ' ' | Should -Match 'BACKUP DATABASE \[model\].*COPY_ONLY'
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'BACKUP DATABASE*' }) | Should -BeNullOrEmpty
    }

    It 'backs up [model] COPY_ONLY to a scratch blob, verifies it and deletes it; every step passes' {
        $r = Test-SqlUrlBackupReadiness @script:C -ContainerUrl $script:ContainerUrl -Deep @script:Storage -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        $r.Ready | Should -BeTrue
        $r.Probe.Passed | Should -BeTrue
        ($r.Probe.Steps | ForEach-Object { '{0}={1}' -f $_.Step, $_.Status }) | Should -Be @('backup=pass', 'verify=pass', 'delete=pass')
        $r.Probe.LeftBehind | Should -BeNullOrEmpty
        Get-SqlUrlTestBlob -Container $script:Container | Should -BeNullOrEmpty
        @(Get-SqlUrlSimStatement $script:Sim | Where-Object { $_ -like 'BACKUP DATABASE `[model`]*COPY_ONLY*' }).Count | Should -Be 1
        $steps = @(Test-SqlUrlBackupReadiness @script:C -ContainerUrl $script:ContainerUrl -Deep @script:Storage -Confirm:$false -Detailed | Where-Object { $_.PSObject.TypeNames[0] -eq 'SqlUrlBackup.ProbeStep' })
        $steps.Count | Should -Be 3
    }

    It 'without storage access the scratch blob is left and named in a warning' {
        $r = Test-SqlUrlBackupReadiness @script:C -ContainerUrl $script:ContainerUrl -Deep -Confirm:$false -WarningVariable w -WarningAction SilentlyContinue
        $r.Probe.LeftBehind | Should -Match 'sqlurl-probe/'
        ($w -join ' ') | Should -Match ([regex]::Escape($r.Probe.LeftBehind))
        { Test-SqlUrlBackupReadiness @script:C -ContainerUrl $script:ContainerUrl -VmCheck } | Should -Throw '*add -Deep*'
    }
}
