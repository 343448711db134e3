<#
.SYNOPSIS
How many servers one Automation job (one worker process) backs up per minute: runs the runbook
examples/runbooks/Backup-SqlUrlFleet.ps1 as a job (child pwsh, managed-identity sign-in through a
fake IDENTITY_ENDPOINT) against -Servers simulators with -Databases databases each, backing up to
Azurite, and prints databases per minute. Asserts nothing.

.DESCRIPTION
The simulators move data as fast as the machine allows unless -ThroughputMBps is given, so the
figure is the module's and the job's own overhead per database (connect, token, plan, BACKUP,
header read-back): the ceiling a worker reaches when the backups themselves are fast. With real
servers add each database's own backup time (size / throughput).

.EXAMPLE
pwsh bench/runbook-fleet.ps1 -Servers 10 -Databases 3
#>
param(
    [ValidateRange(1, 200)][int]$Servers = 10,
    [ValidateRange(1, 50)][int]$Databases = 3,
    [ValidateRange(1, 4096)][int]$DataMB = 8,
    [double]$ThroughputMBps = 1e9,
    [ValidateRange(0, 64)][int]$Throttle = 0
)
$ErrorActionPreference = 'Stop'
$tests = Join-Path $PSScriptRoot '../tests/powershell'
. (Join-Path $tests 'TestHelpers.ps1')
. (Join-Path $tests 'RunbookHelpers.ps1')
$modulePath = Get-SqlUrlTestModulePath
$azurite = Get-SqlUrlAzurite
$container = New-SqlUrlTestContainer -Tag 'bench'
$containerUrl = "$script:SqlUrlTestAccountUrl/$container"
$principal = 'aa-bench@contoso.com'
$identity = Start-SqlUrlFakeIdentityEndpoint -Principal $principal
$bundle = Join-Path ([System.IO.Path]::GetTempPath()) ('sqlurl-bench-ca-' + [guid]::NewGuid().ToString('n').Substring(0, 8) + '.pem')
$sims = New-Object System.Collections.Generic.List[object]
try {
    $names = @(1..$Databases | ForEach-Object { "Db$_" })
    for ($i = 1; $i -le $Servers; $i++) {
        $sc = New-SqlUrlTestScenario -Database $names -DataMB $DataMB -ManagedIdentityCredential $containerUrl -ThroughputMBps $ThroughputMBps
        $sc.server_name = 'SQLVM{0:D3}' -f $i
        $sc.logins = @(@{ name = $principal; principal = $principal; sysadmin = $true; can_view_server_state = $true })
        $sims.Add((Start-SqlUrlSim -Scenario $sc))
    }
    $null = Join-SqlUrlCaBundle -Sim $sims.ToArray() -Path $bundle
    $env = @{
        IDENTITY_ENDPOINT = $identity.Endpoint; IDENTITY_HEADER = $identity.Header
        PSModulePath      = (Split-Path (Split-Path (Split-Path $modulePath))) + [System.IO.Path]::PathSeparator + $env:PSModulePath
    }
    $parameters = @{ ServerInstance = (@($sims.Server) -join ';'); ContainerUrl = $containerUrl; Database = ($names -join ';'); CertificateAuthorityFile = $bundle }
    if ($Throttle -gt 0) { $parameters.Throttle = $Throttle }
    $job = Invoke-SqlUrlRunbookJob -Path (Join-Path $PSScriptRoot '../examples/runbooks/Backup-SqlUrlFleet.ps1') -Parameters $parameters -Environment $env -TimeoutSeconds 3600
    $done = @($job.Output | Where-Object { $_ -isnot [string] -and $null -eq $_.ErrorId }).Count
    $load = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg).Split(' ')[0] } else { 'n/a' }
    '{0}: {1} servers x {2} databases ({3} MB each, throttle {4}): {5} backed up in {6:N1} s (whole job, incl. pwsh start and import) = {7:N0} databases/minute; load average {8}' -f $job.Status, $Servers, $Databases, $DataMB, $(if ($Throttle) { $Throttle } else { 'default' }), $done, $job.Seconds, ($done / ($job.Seconds / 60)), $load
    $job.Lines
}
finally {
    foreach ($s in $sims) { Stop-SqlUrlSim $s }
    Stop-SqlUrlFakeImds $identity
    Remove-Item -LiteralPath $bundle -ErrorAction SilentlyContinue
    Stop-SqlUrlAzurite $azurite
}
