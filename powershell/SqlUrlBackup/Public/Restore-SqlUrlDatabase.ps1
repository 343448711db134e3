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

    .PARAMETER Database
    The name to restore as. Default: the database name in the backup header.

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
    Restore-SqlUrlDatabase -ServerInstance SQLVM01 -Url $url -Database Sales -Replace -WhatIf

    Prints the RESTORE statements that would run.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Medium')]
    [OutputType('SqlUrlBackup.RestoreResult')]
    param(
        #SqlUrlConnectionParameters
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Urls', 'BackupUrl')]
        [ValidateCount(1, 1024)]
        [string[]]$Url,

        [Alias('NewName', 'TargetDatabase')]
        [string]$Database,

        [switch]$Sequence,
        [switch]$Replace,
        [switch]$NoRecovery,
        [datetime]$StopAt,
        [string]$StopAtMark,
        [string]$StopBeforeMark,
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
        if ($MyInvocation.ExpectingInput -and (Add-SqlUrlPipedUrl -MediaSet $mediaSet -InputObject $_ -Url $Url -BoundParameters $PSBoundParameters)) { return }
        & $restore $Url $PSBoundParameters
    }
    end {
        if ($mediaSet.Urls.Count -gt 0) { & $restore $mediaSet.Urls.ToArray() $mediaSet.Bound }
    }
}
