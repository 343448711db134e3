# Used by the DSC resources (Classes/); a private function like the others, loaded with the first
# cmdlet call or resource (Import-SqlUrlPrivate).
function Get-SqlUrlDscBackupReadiness {
    # SqlUrlBackupReadiness.Get(): the readiness check (Test-SqlUrlBackupReadiness), every failed
    # check (with IncludeWarning also warn and unknown) as a Reason; a server that cannot be
    # reached or refuses the login is one Reason, Connection.
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Resource)
    if ([string]::IsNullOrWhiteSpace($Resource.ContainerUrl)) {
        throw [System.ArgumentException]::new('SqlUrlBackupReadiness: ContainerUrl is empty; give the container URL the server backs up to, e.g. https://account.blob.core.windows.net/backups.')
    }
    $state = [SqlUrlBackupReadiness]::new()
    Copy-SqlUrlDscConnection -From $Resource -To $state
    $state.ContainerUrl = Hide-SqlUrlSecret -Text $Resource.ContainerUrl
    $state.IncludeWarning = $Resource.IncludeWarning
    $state.Deep = $Resource.Deep
    $state.StorageUseManagedIdentity = $Resource.StorageUseManagedIdentity
    $state.StorageEndpoint = $Resource.StorageEndpoint
    $state.StorageCertificateAuthorityFile = $Resource.StorageCertificateAuthorityFile
    $state.VmCheck = $Resource.VmCheck
    $conn = ConvertTo-SqlUrlDscConnectionParameter -Resource $Resource
    if ($Resource.Deep) {
        $conn.Deep = $true
        $conn.Confirm = $false
        if ($Resource.StorageUseManagedIdentity) { $conn.StorageUseManagedIdentity = $true }
        if ($null -ne $Resource.StorageSasCredential) { $conn.StorageSasToken = $Resource.StorageSasCredential.Password }
        if (-not [string]::IsNullOrWhiteSpace($Resource.StorageEndpoint)) { $conn.StorageEndpoint = $Resource.StorageEndpoint }
        if (-not [string]::IsNullOrWhiteSpace($Resource.StorageCertificateAuthorityFile)) { $conn.StorageCertificateAuthorityFile = $Resource.StorageCertificateAuthorityFile }
        if ($Resource.VmCheck) { $conn.VmCheck = $true }
    }
    elseif ($Resource.StorageUseManagedIdentity -or $null -ne $Resource.StorageSasCredential -or $Resource.VmCheck) {
        throw [System.ArgumentException]::new('SqlUrlBackupReadiness: StorageUseManagedIdentity, StorageSasCredential and VmCheck belong to Deep; set Deep = $true.')
    }
    $result = $null
    $why = @()
    try {
        $result = Test-SqlUrlBackupReadiness @conn -Url $Resource.ContainerUrl -ErrorAction Stop -WarningAction SilentlyContinue
    }
    catch {
        $e = $_
        $id = [string]$e.FullyQualifiedErrorId
        # A bad property (contradictory authentication, bad URL) is the caller's error, not a finding.
        if ($e.Exception -is [System.ArgumentException] -or $id -like 'SqlUrlBackup.InvalidArgument*' -or $id -like 'SqlUrlBackup.InvalidUrl*' -or $id -like 'SqlUrlBackup.Parameter*') {
            throw $Resource.NewError("checking readiness of '$($Resource.ServerInstance)'", $e)
        }
        $err = New-SqlUrlDscError -Activity "Connecting to '$($Resource.ServerInstance)' for the readiness check" -ErrorRecord $e
        $why += $Resource.NewReason('Connection', $err.Exception.Message)
        $state.Ready = $false
        $state.Reasons = [SqlUrlBackupReason[]]$why
        return $state
    }
    if ($null -eq $result) {
        throw $Resource.NewError("checking readiness of '$($Resource.ServerInstance)'", 'Test-SqlUrlBackupReadiness returned no result.')
    }
    $state.Ready = [bool]$result.Ready
    $state.ProductVersion = [string]$result.ProductVersion
    $all = @($result.Checks | Where-Object { $null -ne $_ })
    $state.Checks = [string[]]@($all | ForEach-Object { '{0}: {1}' -f $_.Name, $_.Status })
    foreach ($c in $all) {
        $status = [string]$c.Status
        if ($status -eq 'fail' -or ($Resource.IncludeWarning -and ($status -eq 'warn' -or $status -eq 'unknown'))) {
            $phrase = '{0} ({1}): {2}.' -f $c.Name, $status, ([string]$c.Evidence).TrimEnd('.')
            if (-not [string]::IsNullOrWhiteSpace([string]$c.RecommendedAction)) { $phrase += ' Recommended action: ' + ([string]$c.RecommendedAction).Trim() }
            $why += $Resource.NewReason([string]$c.Name, $phrase)
        }
    }
    $probe = $result.Probe
    if ($null -ne $probe) {
        foreach ($step in @($probe.Steps | Where-Object { $null -ne $_ })) {
            $status = [string]$step.Status
            if ($status -eq 'fail' -or ($Resource.IncludeWarning -and ($status -eq 'warn' -or $status -eq 'unknown'))) {
                $phrase = 'Deep check, step {0} ({1}): {2}.' -f $step.Step, $status, ([string]$step.Evidence).TrimEnd('.')
                if (-not [string]::IsNullOrWhiteSpace([string]$step.RecommendedAction)) { $phrase += ' Recommended action: ' + ([string]$step.RecommendedAction).Trim() }
                $stepName = [string]$step.Step
                $why += $Resource.NewReason('Probe' + $stepName.Substring(0, 1).ToUpperInvariant() + $stepName.Substring(1).Replace('_', ''), (Hide-SqlUrlSecret -Text $phrase))
            }
        }
        if (-not [string]::IsNullOrWhiteSpace([string]$probe.LeftBehind)) {
            $why += $Resource.NewReason('ProbeLeftBehind', (Hide-SqlUrlSecret -Text ('The deep check could not delete its scratch blob {0}. Recommended action: delete it, and give StorageUseManagedIdentity or StorageSasCredential (with delete permission) so that the check removes it.' -f $probe.LeftBehind)))
        }
    }
    $state.Reasons = [SqlUrlBackupReason[]]$why
    $state
}
