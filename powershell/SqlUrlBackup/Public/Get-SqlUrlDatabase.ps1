function Get-SqlUrlDatabase {
    <#
    .SYNOPSIS
    Lists the databases of SQL Server instances with what decides whether they can be backed up.

    .DESCRIPTION
    Reads sys.databases (read-only) and returns one object per database: name, id, state
    (ONLINE, RESTORING, OFFLINE, ...), recovery model (FULL, BULK_LOGGED, SIMPLE), read-only and
    system flags. -Database filters by names or wildcards. Use it to see what
    Backup-SqlUrlDatabase without -Database would cover: online user databases (and, for a log
    backup, only those not in SIMPLE recovery).

    .PARAMETER Database
    Names or wildcards (* and ?), case-insensitive. Default: every database.

    .INPUTS
    System.Management.Automation.PSObject. Objects with a ServerInstance (or SqlInstance,
    ComputerName) property.

    .OUTPUTS
    SqlUrlBackup.Database. One per database.

    .EXAMPLE
    Get-SqlUrlDatabase -ServerInstance SQLVM01 -UseManagedIdentity

    .EXAMPLE
    Get-SqlUrlDatabase -ServerInstance SQLVM01, SQLVM02 -Database 'Sales*' | Where-Object RecoveryModel -eq 'SIMPLE'

    .EXAMPLE
    Get-SqlUrlDatabase -ServerInstance SQLVM01 | Where-Object { -not $_.IsSystem -and $_.State -eq 'ONLINE' } | Backup-SqlUrlDatabase -ContainerUrl $container

    Backs up the listed databases (the objects bind by ServerInstance and Name).

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding()]
    [OutputType('SqlUrlBackup.Database')]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Position = 0)]
        [Alias('Name')]
        [string[]]$Database
    )
    process {
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $request = [ordered]@{ connection = $connection; databases = $null }
            if ($Database) { $request.databases = [string[]]$Database }
            $r = Invoke-SqlUrlNative -Function 'sqlurl_database_list' -Request $request -ServerInstance $server -TargetObject $server
            if (-not $r.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $r.ErrorRecord; continue }
            foreach ($d in @($r.Output.databases | Where-Object { $null -ne $_ })) {
                [pscustomobject]@{
                    PSTypeName     = 'SqlUrlBackup.Database'
                    ServerInstance = $server
                    Name           = [string]$d.name
                    DatabaseId     = $d.database_id
                    State          = [string]$d.state
                    RecoveryModel  = [string]$d.recovery_model
                    IsReadOnly     = [bool]$d.is_read_only
                    IsSystem       = [bool]$d.is_system
                }
            }
        }
    }
}
