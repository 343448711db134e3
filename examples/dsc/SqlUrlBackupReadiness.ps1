<#
Example audit configuration for Azure Machine Configuration (assign it as Audit to hundreds of SQL
VMs): reports, per VM, every failed readiness check of backing up to URL with the managed identity
(version, platform, failover cluster, trace flag 4675, credential, BACKUP permission) as Reasons
(Code 'SqlUrlBackupReadiness:SqlUrlBackupReadiness:<Check>', Phrase = evidence + recommended action).

No secrets in the package: the resource signs in to SQL Server with the VM's managed identity
(UseManagedIdentity; create the Entra login first: CREATE LOGIN [<vm name>] FROM EXTERNAL PROVIDER,
plus VIEW SERVER STATE). On Windows it can instead use Windows authentication as LocalSystem: leave
UseManagedIdentity out.

Build the package (PowerShell 7, GuestConfiguration + PSDesiredStateConfiguration 2.0.7, SqlUrlBackup
on $env:PSModulePath): see the README section "DSC and Azure Automation".
    . .\SqlUrlBackupReadiness.ps1
    SqlUrlBackupAudit -OutputPath .\SqlUrlBackupAudit
    New-GuestConfigurationPackage -Name SqlUrlBackupAudit -Configuration .\SqlUrlBackupAudit\localhost.mof -Type Audit -Force
Not run by the tests: tests/powershell/Dsc.Tests.ps1 parse-checks it and checks every property name.
#>

Configuration SqlUrlBackupAudit {
    Import-DscResource -ModuleName SqlUrlBackup

    Node localhost {
        SqlUrlBackupReadiness BackupToUrl {
            ServerInstance     = 'localhost'
            ContainerUrl       = 'https://contosobackups.blob.core.windows.net/backups'
            UseManagedIdentity = $true
            IncludeWarning     = $true
        }
    }
}
