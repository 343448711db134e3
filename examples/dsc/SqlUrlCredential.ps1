<#
Example DSC configuration for SqlUrlBackup (Windows PowerShell 5.1 LCM, or Azure Machine
Configuration / Azure Automation State Configuration with PSDesiredStateConfiguration 2.0.7).
Not run by the tests (PSDesiredStateConfiguration is not available there); tests/powershell/
Dsc.Tests.ps1 parse-checks it and checks every property name against the resource classes.

What it does on each SQL Server node:
1. SqlUrlTraceFlag4675: trace flag 4675 on globally, so that a managed-identity credential on a
   server without a primary managed identity fails (37563) instead of silently being created.
   DBCC TRACEON does not survive a restart: each consistency run turns it on again; also add -T4675
   to the SQL Server startup parameters.
2. SqlUrlCredential 'Backups': the managed-identity credential for the backup container.
3. SqlUrlCredential 'Archive': a SAS credential; the SAS is the password of a PSCredential (user
   name ignored). SQL Server never returns a secret, so Test() cannot notice a rotated SAS: Force
   re-creates the credential on every consistency run (use it while you rotate SAS tokens).
4. SqlUrlCredential 'Legacy': a credential that must not exist.

The LCM runs as LocalSystem: without Credential it signs in with Windows authentication as the
computer account (NT AUTHORITY\SYSTEM needs sysadmin), which is the usual DSC setup. Credentials in
a MOF must be encrypted (ConfigurationData CertificateFile); PSDscAllowPlainTextPassword is for
test labs only.

Compile (Windows PowerShell 5.1, module installed under $env:ProgramFiles\WindowsPowerShell\Modules):
    . .\SqlUrlCredential.ps1
    $sas = Get-Credential -UserName 'SAS' -Message 'SAS token for the archive container'
    SqlUrlBackupServer -ConfigurationData $configData -ArchiveSas $sas -OutputPath C:\Dsc\SqlUrlBackup
    Start-DscConfiguration -Path C:\Dsc\SqlUrlBackup -Wait -Verbose
#>

Configuration SqlUrlBackupServer {
    param(
        [Parameter(Mandatory = $true)]
        [System.Management.Automation.PSCredential]
        $ArchiveSas,

        [System.String]
        $StorageAccountUrl = 'https://contosobackups.blob.core.windows.net'
    )

    Import-DscResource -ModuleName SqlUrlBackup

    Node $AllNodes.NodeName {
        SqlUrlTraceFlag4675 TraceFlag {
            ServerInstance = $Node.SqlInstance
            ContainerUrl   = "$StorageAccountUrl/backups"
            Ensure         = 'Present'
        }

        SqlUrlCredential Backups {
            ServerInstance = $Node.SqlInstance
            ContainerUrl   = "$StorageAccountUrl/backups"
            Ensure         = 'Present'
            Identity       = 'ManagedIdentity'
            Encrypt        = 'Mandatory'
            DependsOn      = '[SqlUrlTraceFlag4675]TraceFlag'
        }

        SqlUrlCredential Archive {
            ServerInstance        = $Node.SqlInstance
            ContainerUrl          = "$StorageAccountUrl/archive"
            Ensure                = 'Present'
            Identity              = 'SharedAccessSignature'
            SasToken              = $ArchiveSas
            Force                 = $true
            HostNameInCertificate = $Node.CertificateHostName
        }

        SqlUrlCredential Legacy {
            ServerInstance = $Node.SqlInstance
            ContainerUrl   = "$StorageAccountUrl/old-backups"
            Ensure         = 'Absent'
        }
    }
}

$configData = @{
    AllNodes = @(
        @{
            NodeName            = 'SQLVM01'
            SqlInstance         = 'SQLVM01'
            CertificateHostName = 'sqlvm01.contoso.com'
            # The public key that encrypts the SAS and passwords in the MOF (exported from the node).
            CertificateFile     = 'C:\Dsc\Certificates\SQLVM01.cer'
        }
    )
}
