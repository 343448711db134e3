function Restore-SqlUrlDatabase {
    <#
    .SYNOPSIS
    Restores a database from Azure Blob Storage (RESTORE DATABASE ... FROM URL).

    .DESCRIPTION
    Restores one backup (all its stripes in -Url) or, with -Sequence, a chain of backups (full,
    differential, logs, in any order: the library orders them by LSN and checks the chain). By
    default the files are relocated to the server's default data and log paths, so restoring under
    a new name does not collide with the original database's files. Progress is shown with
    Write-Progress; Ctrl+C cancels the restore on the server.

    Restoring over an existing database needs -Replace, and then ConfirmImpact is High:
    PowerShell asks first unless -Confirm:$false or -Force is given. -WhatIf prints the RESTORE
    statements. The output of Backup-SqlUrlDatabase pipes in (its Url and ServerInstance).

    .PARAMETER Url
    The blob URLs of the backup (every stripe), or with -Sequence every backup of the chain.

    With -ContainerUrl and -Database (the catalog parameter set) the module picks the backups
    itself from the container's catalog (the blob metadata Backup-SqlUrlDatabase writes when given
    -Storage* access): the newest full backup before -PointInTime (default: the newest point the
    backups reach), the newest differential on it and the log chain to the point. A gap in the
    chain is reported (BackupChainBroken) before anything is restored; sets with a missing stripe
    are never used. -WhatIf prints the chain and every RESTORE statement. Then the sequence restore
    runs as with -Url -Sequence. Reading the container uses the module's own storage access
    (-StorageUseManagedIdentity, -StorageAccessToken or -StorageSasToken), not SQL Server's
    credential; SQL Server reads the backups with its own credential as always.

    .PARAMETER Database
    The name to restore as. Default: the database name in the backup header. With -ContainerUrl:
    the database whose backups to restore (and the name to restore as, unless -RestoreAs).

    .PARAMETER ContainerUrl
    Restore from the container's catalog: the container URL the backups of -Database are in.

    .PARAMETER PointInTime
    With -ContainerUrl: the point to restore to, in the server's local time (as backup headers
    and STOPAT read it), given without a time zone, e.g. '2026-11-26 16:40'. The chain ends at
    the first log backup that reaches it and the restore stops there (STOPAT). Default: the newest
    point the backups reach.

    .PARAMETER RestoreAs
    With -ContainerUrl: restore under this name instead of -Database.

    .PARAMETER StorageUseManagedIdentity
    With -ContainerUrl: read the container with the module's own storage access (not SQL Server's credential), the managed identity of the machine or Automation account this runs in.

    .PARAMETER StorageManagedIdentityClientId
    With -StorageUseManagedIdentity: the client id of a user-assigned managed identity.

    .PARAMETER StorageAccessToken
    With -ContainerUrl: the module's own storage access (not SQL Server's credential), a Microsoft Entra access token for https://storage.azure.com/ (string or SecureString).

    .PARAMETER StorageSasToken
    With -ContainerUrl: the module's own storage access (not SQL Server's credential), a SAS for the container (needs l and r).

    .PARAMETER StorageEndpoint
    With -ContainerUrl: the blob endpoint to read the catalog from instead of the account's (a private endpoint name or an emulator).

    .PARAMETER StorageCertificateAuthorityFile
    With -ContainerUrl: a PEM file with an extra certificate authority for the storage endpoint.

    .PARAMETER Sequence
    -Url lists several backups (full, differential, log) to restore in LSN order.

    .PARAMETER Replace
    Overwrite an existing database of that name (WITH REPLACE). Confirmation impact High.

    .PARAMETER NoRecovery
    Leave the database in RESTORING state (WITH NORECOVERY) so more backups can be applied.

    .PARAMETER StopAt
    Point-in-time restore: stop the log restore at this time (WITH STOPAT). A [datetime] of kind
    Utc (for example [datetime]::UtcNow, or a string ending in Z) or Local is converted to the
    server's local time by the library; a time without a kind (a plain '2026-11-26 16:40') is
    taken as the server's local time, as SQL Server reads STOPAT. Milliseconds are kept.

    .PARAMETER StopAtMark
    Stop at a marked transaction, including it (WITH STOPATMARK): the mark name, or 'lsn:<number>'.

    .PARAMETER StopBeforeMark
    Stop just before a marked transaction (WITH STOPBEFOREMARK): the mark name, or 'lsn:<number>'.

    .PARAMETER StopMarkAfter
    With -StopAtMark / -StopBeforeMark: the first mark of that name after this time (AFTER);
    the time is read as for -StopAt.

    .PARAMETER Checksum
    Verify page checksums while restoring (WITH CHECKSUM).

    .PARAMETER RelocateFile
    Explicit file moves: a hashtable of logical file name = physical path. Overrides automatic relocation for those files.

    .PARAMETER NoRelocate
    Keep the physical file paths stored in the backup instead of relocating to the default paths.

    .PARAMETER Force
    Do not ask for confirmation (with -Replace).

    .INPUTS
    System.String. Blob URLs; strings piped one by one are the blobs of ONE restore.

    SqlUrlBackup.BackupResult (or any object with Url and ServerInstance properties).

    .OUTPUTS
    SqlUrlBackup.RestoreResult. One per restored database, with its files and steps.

    .EXAMPLE
    Restore-SqlUrlDatabase -ServerInstance SQLVM01 -Url https://acct.blob.core.windows.net/backups/Sales_full.bak -Database Sales_copy

    Restores the backup as a new database Sales_copy; its files go to the default data/log paths.

    .EXAMPLE
    Restore-SqlUrlDatabase -ServerInstance SQLVM01 -Url $full, $diff, $log1, $log2 -Sequence -Database Sales -Replace -Force

    Restores a backup chain over the existing Sales database without asking.

    .EXAMPLE
    Restore-SqlUrlDatabase -ServerInstance SQLVM01 -Url $full, $log1, $log2 -Sequence -Database Sales_pit -StopAt ([datetime]::UtcNow.AddMinutes(-30))

    Restores to the state of half an hour ago (a UTC time, converted to the server's local time).

    .EXAMPLE
    Restore-SqlUrlDatabase -ServerInstance SQLVM01 -Url $full, $log1 -Sequence -Database Sales_mark -StopBeforeMark 'PriceUpdate'

    .EXAMPLE
    Restore-SqlUrlDatabase -ServerInstance SQLVM01 -ContainerUrl https://acct.blob.core.windows.net/backups -Database Sales -PointInTime '2026-11-26 16:40' -RestoreAs Sales_pit -StorageUseManagedIdentity -WhatIf

    Prints the chain the catalog picks for Sales at 16:40 server time and the RESTORE statements; restores nothing.

    .EXAMPLE
    Restore-SqlUrlDatabase -ServerInstance SQLVM01 -Url $url -Database Sales -Replace -WhatIf

    Prints the RESTORE statements that would run.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium', DefaultParameterSetName = 'Url')]
    [OutputType('SqlUrlBackup.RestoreResult')]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true, ParameterSetName = 'Url')]
        [Alias('Urls', 'BackupUrl')]
        [ValidateCount(1, 1024)]
        [string[]]$Url,

        [Parameter(ParameterSetName = 'Url')]
        [Parameter(Mandatory = $true, ParameterSetName = 'Catalog')]
        [Alias('NewName', 'TargetDatabase')]
        [string]$Database,

        [Parameter(Mandatory = $true, ParameterSetName = 'Catalog')]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,
        [Parameter(ParameterSetName = 'Catalog')]
        [datetime]$PointInTime,
        [Parameter(ParameterSetName = 'Catalog')]
        [string]$RestoreAs,
        [Parameter(ParameterSetName = 'Catalog')]
        [switch]$StorageUseManagedIdentity,
        [Parameter(ParameterSetName = 'Catalog')]
        [string]$StorageManagedIdentityClientId,
        [Parameter(ParameterSetName = 'Catalog')]
        [ValidateNotNull()]
        [object]$StorageAccessToken,
        [Parameter(ParameterSetName = 'Catalog')]
        [System.Security.SecureString]$StorageSasToken,
        [Parameter(ParameterSetName = 'Catalog')]
        [string]$StorageEndpoint,
        [Parameter(ParameterSetName = 'Catalog')]
        [string]$StorageCertificateAuthorityFile,

        [Parameter(ParameterSetName = 'Url')]
        [switch]$Sequence,
        [switch]$Replace,
        [switch]$NoRecovery,
        [Parameter(ParameterSetName = 'Url')]
        [datetime]$StopAt,
        [Parameter(ParameterSetName = 'Url')]
        [string]$StopAtMark,
        [Parameter(ParameterSetName = 'Url')]
        [string]$StopBeforeMark,
        [Parameter(ParameterSetName = 'Url')]
        [datetime]$StopMarkAfter,
        [switch]$Checksum,
        [hashtable]$RelocateFile,
        [switch]$NoRelocate,
        [switch]$Force
    )
    begin {
        $counter = @{ ProgressId = 100 }
        # Replacing a database is High impact: make ShouldProcess ask at the default $ConfirmPreference (High).
        $impact = [System.Management.Automation.ConfirmImpact]::Medium
        if ($Replace) {
            $impact = [System.Management.Automation.ConfirmImpact]::High
            if ([System.Management.Automation.ConfirmImpact]$ConfirmPreference -eq [System.Management.Automation.ConfirmImpact]::High) { $ConfirmPreference = 'Medium' }
        }
        # -Force skips the prompt, unless -Confirm was given explicitly (then the user asked to be asked).
        if ($Force -and -not $WhatIfPreference -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
        # Strings piped one by one are the blobs of ONE restore (the stripes of one backup, or with
        # -Sequence the backups of one chain): collected here and restored once in end. An object
        # (a backup result) carries all its stripes in .Url.
        $mediaSet = New-SqlUrlMediaSet
        $restore = {
            param([string[]]$Urls, [System.Collections.IDictionary]$Bound)
            foreach ($server in $ServerInstance) {
                $counter.ProgressId++
                $progressId = $counter.ProgressId
                try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $Bound -ServerInstance $server }
                catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
                $move = $null
                if ($RelocateFile) {
                    $move = [ordered]@{}
                    foreach ($k in $RelocateFile.Keys) { $move[[string]$k] = [string]$RelocateFile[$k] }
                }
                $request = [ordered]@{
                    connection = $connection
                    urls       = [string[]]$Urls
                    sequence   = [bool]$Sequence
                    database   = $null
                    replace    = [bool]$Replace
                    recovery   = -not $NoRecovery
                    stop_at    = $null
                    checksum   = [bool]$Checksum
                    move       = $move
                    relocate   = -not $NoRelocate
                    dry_run    = $false
                }
                if ($Database) { $request.database = $Database }
                # (PowerShell unwraps a nullable [datetime]: test for the parameter, never use .Value)
                if ($Bound.ContainsKey('StopAt')) { $request.stop_at = ConvertTo-SqlUrlPointInTime $StopAt }
                if ($StopAtMark) { $request.stop_at_mark = $StopAtMark }
                if ($StopBeforeMark) { $request.stop_before_mark = $StopBeforeMark }
                if ($Bound.ContainsKey('StopMarkAfter')) { $request.stop_mark_after = ConvertTo-SqlUrlPointInTime $StopMarkAfter }
                $target = if ($Database) { $Database } else { $Urls[0] }

                $action = if ($Replace) { "Restore over database $target (REPLACE)" } else { "Restore database $target" }
                if (Test-SqlUrlPreviewNeeded -Impact $impact) {
                    $request.dry_run = $true
                    $preview = Invoke-SqlUrlOperation -Function 'sqlurl_restore_start' -Request $request -ServerInstance $server -Activity 'Restore from URL (dry run)' -NoProgress -TargetObject $target
                    $request.dry_run = $false
                    $previewErrors = @()
                    if (-not $preview.Succeeded -or @($preview.Output.results | Where-Object { $null -ne $_ -and $null -ne $_.error }).Count -gt 0) {
                        $previewErrors = @((Resolve-SqlUrlOperationResult -Outcome $preview -ServerInstance $server -Database $target).Errors)
                    }
                    if ($previewErrors.Count -gt 0) { foreach ($er in $previewErrors) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $er }; continue }
                    $statements = @(Get-SqlUrlStatement -Output $preview.Output)
                    if ($statements.Count -gt 0) { $action = $statements -join [Environment]::NewLine }
                }
                if (-not $PSCmdlet.ShouldProcess((Hide-SqlUrlSecret -Text ('{0} on {1}' -f $target, $server)), (Hide-SqlUrlSecret -Text $action))) { continue }

                $outcome = Invoke-SqlUrlOperation -Function 'sqlurl_restore_start' -Request $request -ServerInstance $server `
                    -Activity ('Restore from URL on {0}' -f $server) -ProgressId $progressId -TargetObject $target
                $split = Resolve-SqlUrlOperationResult -Outcome $outcome -ServerInstance $server -Database $target
                foreach ($res in $split.Results) {
                    foreach ($w in @($res.warnings | Where-Object { $_ })) { Write-Warning ('{0} on {1}: {2}' -f $res.database, $server, (ConvertTo-SqlUrlUserWords $w)) }
                    ConvertTo-SqlUrlRestoreResult -ServerInstance $server -Result $res
                }
                foreach ($er in $split.Errors) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord (Update-SqlUrlErrorForCredential -ErrorRecord $er -Connection $connection -Url $Urls[0]) }
            }
        }
    }
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Catalog') {
            # The catalog picks the chain (full + differential + logs); a gap stops here, before any RESTORE.
            try { $storage = ConvertTo-SqlUrlStorageRequest -ContainerUrl $ContainerUrl -BoundParameters $PSBoundParameters -Required }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $ContainerUrl)) }
            $chainRequest = [ordered]@{ storage = $storage; database = $Database; point_in_time = $null }
            $catalogBound = @{}
            foreach ($k in $PSBoundParameters.Keys) { $catalogBound[$k] = $PSBoundParameters[$k] }
            if ($PSBoundParameters.ContainsKey('PointInTime')) {
                if ($PointInTime.Kind -ne [System.DateTimeKind]::Unspecified) {
                    $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -TargetObject $PointInTime -Message ("-PointInTime is the server's local time, as the backups' dates are: give it without a time zone, e.g. '{0}' (a {1} time cannot be placed on the server's clock without asking the server)." -f $PointInTime.ToString('yyyy-MM-dd HH:mm:ss', [System.Globalization.CultureInfo]::InvariantCulture), $PointInTime.Kind)))
                }
                $chainRequest.point_in_time = ConvertTo-SqlUrlPointInTime $PointInTime
                $StopAt = $PointInTime
                $catalogBound['StopAt'] = $PointInTime
            }
            $chain = Invoke-SqlUrlNative -Function 'sqlurl_backup_chain' -Request $chainRequest -TargetObject $Database
            if (-not $chain.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $chain.ErrorRecord; return }
            foreach ($sk in @($chain.Output.skipped | Where-Object { $_ })) { Write-Warning ('{0}: not used: {1}' -f $Database, (ConvertTo-SqlUrlUserWords $sk)) }
            foreach ($st in @($chain.Output.steps | Where-Object { $null -ne $_ })) {
                $line = 'Chain for {0}: {1} finished {2} (LSN {3} to {4}): {5}' -f $Database, $st.type, $st.finish, $st.first_lsn, $st.last_lsn, (@($st.urls) -join ', ')
                if ($WhatIfPreference) { Write-Host ('What if: {0}' -f $line) } else { Write-Verbose $line }
            }
            $Sequence = [switch]$true
            if ($RestoreAs) { $Database = $RestoreAs }
            & $restore ([string[]]@($chain.Output.urls)) $catalogBound
            return
        }
        if ($MyInvocation.ExpectingInput -and (Add-SqlUrlPipedUrl -MediaSet $mediaSet -InputObject $_ -Url $Url -BoundParameters $PSBoundParameters)) { return }
        & $restore $Url $PSBoundParameters
    }
    end {
        if ($mediaSet.Urls.Count -gt 0) { & $restore $mediaSet.Urls.ToArray() $mediaSet.Bound }
    }
}
