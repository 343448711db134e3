@{
    RootModule           = 'SqlUrlBackup.psm1'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0c5f43-4a3e-4f5e-9d6b-2b7c1c2e8a11'
    Author               = 'SqlUrlBackup contributors'
    CompanyName          = 'SqlUrlBackup'
    Copyright            = '(c) SqlUrlBackup contributors. MIT License.'
    Description          = 'Back up and restore SQL Server databases to Azure Blob Storage (BACKUP TO URL) with the server''s managed identity. Cmdlets over a native library (libsqlurl / sqlurl.dll).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    # No FormatsToProcess: the default views load with the first cmdlet call (Private/Initialize-SqlUrlFormat.ps1).
    FunctionsToExport    = @(
        'New-SqlUrlCredential',
        'Get-SqlUrlCredential',
        'Get-SqlUrlBackup',
        'Remove-SqlUrlCredential',
        'Remove-SqlUrlBackup',
        'Test-SqlUrlBackupReadiness',
        'Backup-SqlUrlDatabase',
        'Restore-SqlUrlDatabase',
        'Get-SqlUrlBackupHeader',
        'Get-SqlUrlBackupFileList',
        'Test-SqlUrlBackup',
        'Get-SqlUrlDatabase',
        'Export-SqlUrlBackupReport'
    )
    # '*' (a script module has no cmdlets, so it exports nothing more): with no wildcard in any of
    # Cmdlets/Functions/AliasesToExport, PSDesiredStateConfiguration 2.0.7 drops the class-based
    # DSC resources (PowerShell/PowerShell #12054, SqlServerDsc #2109).
    CmdletsToExport      = '*'
    DscResourcesToExport = @('SqlUrlCredential', 'SqlUrlTraceFlag4675', 'SqlUrlRestoredDatabase', 'SqlUrlBackupReadiness')
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('SQLServer', 'Backup', 'Restore', 'Azure', 'BlobStorage', 'ManagedIdentity', 'BackupToUrl', 'Windows', 'Linux', 'PSEdition_Desktop', 'PSEdition_Core')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'First release: credentials, readiness check, backup/restore to URL, header, file list, verify.'
        }
    }
}
