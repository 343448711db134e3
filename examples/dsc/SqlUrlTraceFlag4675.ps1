<#
Example DSC configuration: trace flag 4675 on every SQL Server node, now and after restarts.

SqlUrlTraceFlag4675 turns the flag on globally (DBCC TRACEON(4675, -1)) and checks it on every
consistency run, so that CREATE CREDENTIAL ... IDENTITY = 'Managed Identity' fails (37563) instead
of silently succeeding on a server without a primary managed identity. DBCC TRACEON does not survive
a restart: Get() reports whether -T4675 is a startup parameter (StartupParameter, read from
sys.dm_server_registry) but SqlUrlBackup does not change startup parameters: SqlServerDsc's
SqlTraceFlag adds -T4675 (it restarts the service only when RestartService is $true).

Ensure = 'Absent' turns the flag off (DBCC TRACEOFF(4675, -1)); pair it with SqlTraceFlag
TraceFlagsToExclude = 4675, or the next restart turns it on again.

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
