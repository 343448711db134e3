function Write-SqlUrlSkippedDatabase {
    <#
    .SYNOPSIS
    Reports the databases a backup leaves out (sqlurl_databases_resolve's `skipped`) as warnings:
    one warning naming all SIMPLE-recovery databases of a log backup, one per other database.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$ServerInstance,
        [AllowEmptyCollection()][object[]]$Skipped,
        [string]$Type
    )
    $entries = @($Skipped | Where-Object { $null -ne $_ })
    $simple = @($entries | Where-Object { [string]$_.reason -eq 'simple_recovery' } | ForEach-Object { [string]$_.database })
    if ($simple.Count -gt 0) {
        Write-Warning ('{0}: log backups skip databases in SIMPLE recovery, which have no log backups: {1}. Back them up with -Type Full or Differential, or switch them to the FULL recovery model.' -f $ServerInstance, ($simple -join ', '))
    }
    foreach ($s in @($entries | Where-Object { [string]$_.reason -ne 'simple_recovery' })) {
        Write-Warning ('{0}: {1} was not backed up: {2}' -f $ServerInstance, $s.database, $s.message)
    }
}
