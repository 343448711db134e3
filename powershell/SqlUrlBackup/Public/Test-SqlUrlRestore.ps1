function Test-SqlUrlRestore {
    <#
    .SYNOPSIS
    The restore drill: restores the newest backups of each database on a test server under a
    scratch name, runs DBCC CHECKDB on the copy, drops it, and reports the result.

    .DESCRIPTION
    For each -Database, the container's catalog (the blob metadata Backup-SqlUrlDatabase writes;
    read with the module's own -Storage* access, as Get-SqlUrlBackup does) picks the newest chain
    that restores it: the newest full, the newest differential on it and the logs after it (to
    -PointInTime when given) — the same planner as Restore-SqlUrlDatabase -ContainerUrl. The chain
    is restored on the TEST server -ServerInstance as SqlUrlDrill_<database>_<8 hex> with every
    file moved to the server's default data and log paths under that name (never onto the source
    database's files), checked with DBCC CHECKDB (...) WITH NO_INFOMSGS, ALL_ERRORMSGS, and
    dropped with DROP DATABASE. The copy is dropped ALWAYS: also when the restore or CHECKDB
    failed or the drill was stopped (Ctrl+C); a drop that fails is reported (Dropped = $false,
    DropError). Several databases run at once, at most -Throttle.

    The test server needs a credential for the container (New-SqlUrlCredential) and room for the
    copies. Run it against a test server, not production: it creates and drops databases there.

    One SqlUrlBackup.RestoreDrill object per database: Outcome (Clean, CorruptionFound, NotRun),
    the backup sets used and the full's finish time, the restore point reached, restore and
    CHECKDB durations, CHECKDB's messages, Dropped. A database whose copy is corrupt or whose drill
    failed is also a non-terminating error (SqlUrlBackup.DatabaseCorrupt, BackupChainBroken, ...).
    This is dbatools' Test-DbaLastBackup for backups in Blob Storage.

    .PARAMETER ContainerUrl
    The container URL, e.g. https://acct.blob.core.windows.net/backups.

    .PARAMETER Database
    The databases whose backups to drill (names as in the backups).

    .PARAMETER PointInTime
    Restore to this point instead of the newest one, in the server's local time (as the backups'
    dates are), without a time zone, e.g. '2026-11-26 16:40'.

    .PARAMETER Prefix
    Only blobs under this prefix of the container (e.g. SQLVM01/).

    .PARAMETER Throttle
    Databases drilled at once (1-16, default 2).

    .INPUTS
    System.String. Test server names by property name (ServerInstance).

    .OUTPUTS
    SqlUrlBackup.RestoreDrill

    .EXAMPLE
    Test-SqlUrlRestore -ContainerUrl https://acct.blob.core.windows.net/backups -StorageUseManagedIdentity -Database Sales, HR -ServerInstance SQLTEST01 -UseManagedIdentity

    Restores the newest chain of Sales and of HR on SQLTEST01, checks each copy and drops it.

    .EXAMPLE
    Test-SqlUrlRestore -ContainerUrl $container -StorageUseManagedIdentity -Database Sales -ServerInstance SQLTEST01 -PointInTime '2026-11-26 16:40' -WhatIf

    Prints the chain picked for Sales at 16:40 server time, the scratch name and the statements; sends nothing to the server.

    .EXAMPLE
    $dbs = (Get-SqlUrlBackup -ContainerUrl $container -StorageUseManagedIdentity -Type Full).Database | Sort-Object -Unique
    Test-SqlUrlRestore -ContainerUrl $container -StorageUseManagedIdentity -Database $dbs -ServerInstance SQLTEST01 -Throttle 4 |
        Where-Object Outcome -ne 'Clean'

    Drills every database that has a full backup in the container, four at a time, and shows the ones that did not pass.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SqlUrlBackup.RestoreDrill')]
    param(
        #SqlUrlConnectionParameters
        #SqlUrlStorageParameters
        [Parameter(Mandatory = $true)]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,

        [Parameter(Mandatory = $true)]
        [ValidateCount(1, 1024)]
        [ValidateNotNullOrEmpty()]
        [string[]]$Database,

        [datetime]$PointInTime,
        [string]$Prefix,
        [ValidateRange(1, 16)]
        [int]$Throttle = 2
    )
    process {
        try { $storage = ConvertTo-SqlUrlStorageRequest -ContainerUrl $ContainerUrl -BoundParameters $PSBoundParameters -Required }
        catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $ContainerUrl)) }
        if ($PSBoundParameters.ContainsKey('PointInTime') -and $PointInTime.Kind -ne [System.DateTimeKind]::Unspecified) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -TargetObject $PointInTime -Message "-PointInTime is the server's local time, as the backups' dates are: give it without a time zone, e.g. '2026-11-26 16:40'."))
        }
        foreach ($server in $ServerInstance) {
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $PSBoundParameters -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $request = [ordered]@{ connection = $connection; storage = $storage; databases = [string[]]$Database; point_in_time = $null; prefix = $null; throttle = $Throttle; dry_run = $false }
            if ($PSBoundParameters.ContainsKey('PointInTime')) { $request.point_in_time = ConvertTo-SqlUrlPointInTime $PointInTime }
            if ($Prefix) { $request.prefix = $Prefix }
            $action = 'Restore the newest backups of {0} under scratch names, run DBCC CHECKDB, drop the copies' -f ($Database -join ', ')
            if (Test-SqlUrlPreviewNeeded -Impact ([System.Management.Automation.ConfirmImpact]::Medium)) {
                # the request's checks (the connection's too), then the plan from the catalog alone: nothing is sent to the server
                if (-not (Assert-SqlUrlRequestValid -Cmdlet $PSCmdlet -Function 'sqlurl_restore_drill_start' -Request $request -ServerInstance $server -TargetObject ($Database -join ', '))) { continue }
                $request.dry_run = $true
                $preview = Invoke-SqlUrlOperation -Function 'sqlurl_restore_drill_start' -Request $request -ServerInstance $server -Activity 'Restore drill (plan)' -NoProgress -TargetObject ($Database -join ', ')
                $request.dry_run = $false
                $lines = foreach ($p in @($preview.Output.results | Where-Object { $null -ne $_ })) {
                    if ($null -ne $p.error) { '{0}: {1}' -f $p.database, (ConvertTo-SqlUrlUserWords ([string]$p.error.message)); continue }
                    '{0}: restore {1} backup set(s) (full finished {2}) to {3} as [{4}] with every file relocated, then {5}' -f $p.database, $p.backup_sets, $p.full_finish, $p.restore_point, $p.scratch_database, (@($p.statements) -join '; ')
                }
                if (@($lines).Count -gt 0) { $action = @($lines) -join [Environment]::NewLine }
                if ($WhatIfPreference) { foreach ($l in @($lines)) { Write-Host (Hide-SqlUrlSecret -Text ('Drill plan on {0}: {1}' -f $server, $l)) } }
            }
            if (-not $PSCmdlet.ShouldProcess((Hide-SqlUrlSecret -Text ('{0} (test server)' -f $server)), (Hide-SqlUrlSecret -Text $action))) { continue }
            # each database's object as soon as its drill is done; the errors when all are
            $emit = {
                param($res)
                if ($null -eq $res.scratch_database) { return }
                foreach ($w in @($res.warnings | Where-Object { $_ })) { Write-Warning ('{0} on {1}: {2}' -f $res.database, $server, (ConvertTo-SqlUrlUserWords $w)) }
                ConvertTo-SqlUrlDrillResult -ServerInstance $server -Result $res
            }
            $outcome = $null
            Invoke-SqlUrlOperation -Function 'sqlurl_restore_drill_start' -Request $request -ServerInstance $server -Activity ('Restore drill on {0}' -f $server) -TargetObject ($Database -join ', ') -OnItemResult $emit |
                ForEach-Object { if ($_.PSObject.TypeNames[0] -eq 'SqlUrlBackup.RestoreDrill') { $_ } else { $outcome = $_ } }
            foreach ($er in (Resolve-SqlUrlOperationResult -Outcome $outcome -ServerInstance $server -Database $Database).Errors) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $er }
        }
    }
}
