<#
Example DSC configuration: trace flag 4675 on every SQL Server node, now and after restarts.

SqlUrlTraceFlag4675 turns the flag on globally (DBCC TRACEON(4675, -1)) and checks it on every
consistency run, so that CREATE CREDENTIAL ... IDENTITY = 'Managed Identity' fails (37563) instead
of silently succeeding on a server without a primary managed identity. DBCC TRACEON does not survive
a restart and SqlUrlBackup cannot read or set startup parameters (Get() reports StartupParameter =
'Unknown'): SqlServerDsc's SqlTraceFlag adds -T4675 to the startup parameters (it restarts the
service only when RestartService is $true).

Ensure offers 'Present' only (the module has no DBCC TRACEOFF operation): remove the resource
and turn the flag off by hand if needed.

Not run by the tests (no PSDesiredStateConfiguration there): tests/powershell/Dsc.Tests.ps1
parse-checks it and checks every SqlUrlBackup property name against the resource classes.

Compile (Windows PowerShell 5.1, SqlUrlBackup and SqlServerDsc under $env:ProgramFiles\WindowsPowerShell\Modules):
    . .\SqlUrlTraceFlag4675.ps1
    SqlUrlTraceFlag -OutputPath C:\Dsc\SqlUrlTraceFlag
    Start-DscConfiguration -Path C:\Dsc\SqlUrlTraceFlag -Wait -Verbose
#>

Configuration SqlUrlTraceFlag {
    param(
        [System.String[]]
        $NodeName = 'localhost',

        [System.String]
        $ContainerUrl = 'https://contosobackups.blob.core.windows.net/backups'
    )

    Import-DscResource -ModuleName SqlUrlBackup
    Import-DscResource -ModuleName SqlServerDsc

    Node $NodeName {
        # On now (the LCM runs as LocalSystem: Windows authentication, NT AUTHORITY\SYSTEM needs sysadmin).
        SqlUrlTraceFlag4675 TraceFlagNow {
            ServerInstance = 'localhost'
            ContainerUrl   = $ContainerUrl
            Ensure         = 'Present'
        }

        # On after a restart: -T4675 in the startup parameters (SqlServerDsc).
        SqlTraceFlag TraceFlagAtStartup {
            ServerName          = 'localhost'
            InstanceName        = 'MSSQLSERVER'
            TraceFlagsToInclude = @(4675)
            RestartService      = $false
        }
    }
}
