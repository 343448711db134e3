<#
Example DSC configuration: a reporting copy of Sales that must exist on a second server. When it is
missing, it is restored once from the given backup (full + logs, to a point in time), its files
relocated to the server's default data and log paths. An existing database is never replaced:
once restored (or created by anyone else) the resource only reports it.

BackupUrl lists the blobs explicitly: restoring "the latest backup of Sales in this container as of
time T" needs a backup catalog, which SqlUrlBackup does not have yet. The server reads the blobs
with its own credential for the container (SqlUrlCredential), never with a SAS in the URL.

Not run by the tests (no PSDesiredStateConfiguration there): tests/powershell/Dsc.Tests.ps1
parse-checks it and checks every property name against the resource classes.

Compile (Windows PowerShell 5.1):
    . .\SqlUrlRestoredDatabase.ps1
    SqlUrlReportingCopy -OutputPath C:\Dsc\SqlUrlReportingCopy
    Start-DscConfiguration -Path C:\Dsc\SqlUrlReportingCopy -Wait -Verbose
#>

Configuration SqlUrlReportingCopy {
    param(
        [System.String]
        $ContainerUrl = 'https://contosobackups.blob.core.windows.net/backups'
    )

    Import-DscResource -ModuleName SqlUrlBackup

    Node 'SQLVM02' {
        SqlUrlCredential Backups {
            ServerInstance = 'SQLVM02'
            ContainerUrl   = $ContainerUrl
            Ensure         = 'Present'
            Identity       = 'ManagedIdentity'
        }

        SqlUrlRestoredDatabase SalesReporting {
            ServerInstance = 'SQLVM02'
            Database       = 'Sales_Reporting'
            BackupUrl      = @(
                "$ContainerUrl/SQLVM01/Sales/FULL/SQLVM01_Sales_FULL_20261205_220000.bak"
                "$ContainerUrl/SQLVM01/Sales/LOG/SQLVM01_Sales_LOG_20261206_001500.trn"
                "$ContainerUrl/SQLVM01/Sales/LOG/SQLVM01_Sales_LOG_20261206_003000.trn"
            )
            Sequence       = $true
            StopAt         = '2026-12-06T00:25:00'
            Checksum       = $true
            DependsOn      = '[SqlUrlCredential]Backups'
        }
    }
}
