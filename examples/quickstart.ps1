<#
.SYNOPSIS
The whole SqlUrlBackup flow against the SQL Server simulator and Azurite, in one command.

.DESCRIPTION
Builds what is missing (the module with build.ps1, the simulator with cargo), starts Azurite
(scripts/azurite.sh) and the simulator on 127.0.0.1, imports the built module and runs:
credential -> readiness check -> backup of two databases with progress -> backup header ->
restore to a new name. Prints each step. Stops what it started.

.EXAMPLE
pwsh examples/quickstart.ps1
#>
[CmdletBinding()]
param(
    # Simulated backup speed in MB/s (lower = longer progress bars).
    [double]$ThroughputMBps = 400
)
$ErrorActionPreference = 'Stop'
$repo = (Resolve-Path (Join-Path $PSScriptRoot '..')).Path
# Plumbing shared with the Pester tests: start/stop sqlsim and Azurite, create a container.
. (Join-Path $repo 'tests/powershell/TestHelpers.ps1')

function Write-Step([string]$Text) { Write-Host ''; Write-Host "==> $Text" -ForegroundColor Cyan }

$manifest = Join-Path $repo ('out/SqlUrlBackup/{0}/SqlUrlBackup.psd1' -f (Import-PowerShellDataFile (Join-Path $repo 'powershell/SqlUrlBackup/SqlUrlBackup.psd1')).ModuleVersion)
if (-not (Test-Path -LiteralPath $manifest)) {
    Write-Step 'Building the module (pwsh ./build.ps1)'
    & (Join-Path $repo 'build.ps1')
}

$azurite = $null
$sim = $null
try {
    Write-Step 'Starting Azurite (scripts/azurite.sh start) and the SQL Server simulator'
    $azurite = Get-SqlUrlAzurite
    Write-Host "    Azurite blob endpoint: $($azurite.Endpoint)"
    $container = New-SqlUrlTestContainer -Tag 'quickstart'
    $containerUrl = "https://simacct.blob.core.windows.net/$container"
    # The simulator maps https://simacct.blob.core.windows.net onto Azurite, with the server's
    # managed identity holding Storage Blob Data Contributor there.
    $sim = Start-SqlUrlSim -Scenario (New-SqlUrlTestScenario -Database Sales, HR -DataMB 2000 -ThroughputMBps $ThroughputMBps)
    Write-Host "    SQL Server (simulated, SQL Server 2022 CU17 on an Azure VM): $($sim.Server)"

    Import-Module $manifest -Force
    $conn = @{
        ServerInstance           = $sim.Server
        Credential               = [pscredential]::new('sa', (ConvertTo-SecureString 'Sim-Passw0rd!' -AsPlainText -Force))
        CertificateAuthorityFile = $sim.CaFile   # TLS is on and validated; the simulator has its own test CA
    }

    Write-Step "New-SqlUrlCredential -Url $containerUrl   (managed identity)"
    New-SqlUrlCredential @conn -Url $containerUrl -WarningAction SilentlyContinue | Format-Table | Out-String | Write-Host

    Write-Step 'Test-SqlUrlBackupReadiness -EnableTraceFlag'
    $ready = Test-SqlUrlBackupReadiness @conn -Url $containerUrl -EnableTraceFlag -Confirm:$false
    $ready.Checks | Format-Table Name, Status, Evidence -Wrap | Out-String | Write-Host
    Write-Host "    Ready: $($ready.Ready)"

    Write-Step "'Sales', 'HR' | Backup-SqlUrlDatabase -ContainerUrl $containerUrl   (with progress)"
    $backups = @('Sales', 'HR' | Backup-SqlUrlDatabase @conn -ContainerUrl $containerUrl)
    $backups | Format-Table | Out-String -Width 200 | Write-Host
    Write-Host '    Blobs now in the container (listed with an independent REST client):'
    Get-SqlUrlTestBlob -Container $container | ForEach-Object { Write-Host "      $_" }

    $sales = $backups | Where-Object Database -eq 'Sales'
    Write-Step 'Get-SqlUrlBackupHeader (piped from the backup result)'
    $sales | Get-SqlUrlBackupHeader @conn | Format-Table | Out-String -Width 200 | Write-Host

    Write-Step 'Restore-SqlUrlDatabase -Database Sales_copy   (files relocated automatically)'
    $restored = $sales | Restore-SqlUrlDatabase @conn -Database 'Sales_copy'
    # The result's default view: a table with the files where the restore put them.
    $restored | Format-Table | Out-String -Width 120 | Write-Host
    Write-Host $restored.Message

    Write-Step 'Done: credential, readiness, backup with progress, header, restore to a new name.'
}
finally {
    Stop-SqlUrlSim $sim
    Stop-SqlUrlAzurite $azurite
}
