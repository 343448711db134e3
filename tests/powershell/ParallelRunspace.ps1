# The body of one ForEach-Object -Parallel runspace of Parallel.Tests.ps1 (pasted into the child
# script there; $using: values come from that script): imports the module, runs its request and
# returns the fields that show whose result it is.
$r = $_
$out = [pscustomobject]@{ Index = $r.Index; Kind = $r.Kind; Result = @(); Error = $null }
try {
    Import-Module $using:module -ErrorAction Stop
    $cred = [pscredential]::new('sa', (ConvertTo-SecureString $using:password -AsPlainText -Force))
    $c = @{ ServerInstance = $r.Server; Credential = $cred; CertificateAuthorityFile = $r.Ca; ErrorAction = 'Stop' }
    $out.Result = @(switch ($r.Kind) {
            'backup' { Backup-SqlUrlDatabase @c -Database $r.Database -ContainerUrl $using:containerUrl -FileNameTemplate "par/{server}/{database}_$($r.Index).bak" | ForEach-Object { [pscustomobject]@{ Database = $_.Database; Url = @($_.Url) } } }
            'header' { Get-SqlUrlBackupHeader @c -Url $r.SeedUrl | ForEach-Object { [pscustomobject]@{ DatabaseName = $_.DatabaseName; ServerName = $_.ServerName } } }
            'credentials' { [pscustomobject]@{ Names = @(Get-SqlUrlCredential @c | ForEach-Object Name) } }
        })
}
catch { $out.Error = "$($_.FullyQualifiedErrorId): $_" }
$out
