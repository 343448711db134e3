function Backup-SqlUrlDatabase {
    <#
    .SYNOPSIS
    Backs up databases to Azure Blob Storage (BACKUP DATABASE/LOG ... TO URL).

    .DESCRIPTION
    Backs up databases of one or many servers as ONE native operation. Without -Database it backs
    up every online user database of each server: never tempdb, system databases (master, model,
    msdb) only with -IncludeSystemDatabase, and master only as a full backup. -ExcludeDatabase
    takes names or wildcards. A log backup skips databases in SIMPLE recovery with a warning that
    names them; databases that cannot be backed up now (RESTORING, OFFLINE, ...) are reported as
    warnings, not attempted.

    Several servers run in parallel: -Throttle databases per server and -ServerThrottle servers
    at once. Blobs are striped for large databases and named from -FileNameTemplate under
    -ContainerUrl. Progress shows one line for the fleet and one per running database (percent
    and time left from sys.dm_exec_requests). Each result is written as soon as its database
    finishes. Ctrl+C (or stopping the pipeline) cancels every backup still running, on every
    server. A server that cannot be reached is one error and the others go on; a database that
    fails is a non-terminating error with its own ErrorId.

    Input binds from the pipeline: database names, objects with SqlInstance/ComputerName/
    ServerInstance and Name/Database properties (Get-DbaDatabase output), or a CSV with
    ServerInstance,Database columns (Import-Csv).

    With one of -StorageUseManagedIdentity, -StorageAccessToken or -StorageSasToken (the
    module's own storage access, not SQL Server's credential) every blob of a backup that succeeded
    gets catalog metadata (database, type, LSNs, backup set id, stripe x-of-y, times, from RESTORE
    HEADERONLY) for Get-SqlUrlBackup, Remove-SqlUrlBackup and Restore-SqlUrlDatabase -ContainerUrl.
    A failure to write it is a warning; the backup stands. A failed backup never gets it.

    .PARAMETER Database
    The databases to back up (names or wildcards). Default: every online user database of each
    server. Accepts pipeline input (strings, or objects with a Database or Name property).

    .PARAMETER ExcludeDatabase
    Databases to leave out: names or wildcards (* and ?), case-insensitive.

    .PARAMETER IncludeSystemDatabase
    Also back up master (full backups only), model and msdb when no -Database is given. tempdb is never backed up.

    .PARAMETER ServerThrottle
    How many servers back up at the same time (default 4). -Throttle limits databases per server,
    so at most ServerThrottle x Throttle backups run at once. A server holds a slot while any of
    its databases runs and gives it back when none does; the server that has waited longest gets
    it next, so with -Throttle 1 the servers take turns and no slot idles while databases are left.

    .PARAMETER ContainerUrl
    The container URL, for example https://acct.blob.core.windows.net/backups. A credential for it
    must exist (New-SqlUrlCredential).

    .PARAMETER Url
    Explicit blob URLs (1-64 stripes) for a single database instead of -ContainerUrl.

    .PARAMETER Type
    Full (default), Differential or Log.

    .PARAMETER FileNameTemplate
    Blob name template under the container. Default "{server}/{database}/{database}_{type}_{timestamp}{stripe}.bak".

    .PARAMETER Stripes
    Number of blobs per backup (1-64). Default: chosen from the database size.

    .PARAMETER CopyOnly
    A copy-only backup that does not affect the backup chain.

    .PARAMETER Compression
    Force compression on (-Compression) or off (-Compression:$false). Default: the server default.

    .PARAMETER NoChecksum
    Do not use WITH CHECKSUM (on by default).

    .PARAMETER Overwrite
    Overwrite existing blobs of the same name (WITH FORMAT). Otherwise an existing blob is error
    BlobExists. Replacing backups is High impact: PowerShell asks first unless -Force or
    -Confirm:$false is given.

    .PARAMETER Force
    Do not ask for confirmation (with -Overwrite). An explicit -Confirm still asks.

    .PARAMETER Description
    Backup set description.

    .PARAMETER BackupSetName
    Backup set name.

    .PARAMETER EncryptionAlgorithm
    Encrypt the backup (AES_128, AES_192, AES_256, TRIPLE_DES_3KEY); needs -ServerCertificate.

    .PARAMETER ServerCertificate
    The server certificate that encrypts the backup.

    .PARAMETER MaxTransferSize
    MAXTRANSFERSIZE in bytes (default 4 MB, which URL backups need for large databases).

    .PARAMETER BlockSize
    BLOCKSIZE in bytes (default 64 KB).

    .PARAMETER Throttle
    How many databases of one server back up at the same time (default 4).

    .INPUTS
    System.String. Database names.

    System.Management.Automation.PSObject. Objects with SqlInstance (or ServerInstance,
    ComputerName) and Name (or Database) properties: Get-DbaDatabase output, Import-Csv rows.

    .OUTPUTS
    SqlUrlBackup.BackupResult. One per database, written as soon as that database finishes.

    .EXAMPLE
    Backup-SqlUrlDatabase -ServerInstance SQLVM01 -Database Sales, HR -ContainerUrl https://acct.blob.core.windows.net/backups

    .EXAMPLE
    'Sales', 'HR' | Backup-SqlUrlDatabase -ServerInstance SQLVM01 -UseManagedIdentity -ContainerUrl https://acct.blob.core.windows.net/backups -Type Log

    .EXAMPLE
    Backup-SqlUrlDatabase -ServerInstance SQLVM01, SQLVM02, SQLVM03 -UseManagedIdentity -ContainerUrl https://acct.blob.core.windows.net/backups -Type Log -ExcludeDatabase 'Staging*'

    Log backups of every online user database on three servers, in parallel; SIMPLE databases
    are skipped with a warning that names them.

    .EXAMPLE
    Get-DbaDatabase -SqlInstance SQLVM01, SQLVM02 -ExcludeSystem | Backup-SqlUrlDatabase -UseManagedIdentity -ContainerUrl https://acct.blob.core.windows.net/backups

    .EXAMPLE
    Import-Csv .\databases.csv | Backup-SqlUrlDatabase -UseManagedIdentity -ContainerUrl https://acct.blob.core.windows.net/backups

    databases.csv has the columns ServerInstance,Database.

    .EXAMPLE
    Backup-SqlUrlDatabase -ServerInstance SQLVM01 -Database Sales -ContainerUrl https://acct.blob.core.windows.net/backups -WhatIf

    Prints the BACKUP DATABASE statement without running it.

    .EXAMPLE
    Backup-SqlUrlDatabase -ServerInstance SQLVM01 -Database Sales -ContainerUrl $url | Restore-SqlUrlDatabase -ServerInstance SQLVM02 -Database Sales_copy

    Backs up Sales and restores the backup on another server under a new name.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'Low', DefaultParameterSetName = 'Container')]
    [OutputType('SqlUrlBackup.BackupResult')]
    param(
        #SqlUrlConnectionParameters
        #SqlUrlStorageParameters
        [Parameter(Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name', 'DatabaseName')]
        [ValidateNotNullOrEmpty()]
        [string[]]$Database,

        [string[]]$ExcludeDatabase,

        [switch]$IncludeSystemDatabase,

        [Parameter(Mandatory = $true, ParameterSetName = 'Container')]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,

        [Parameter(Mandatory = $true, ParameterSetName = 'Url')]
        [ValidateCount(1, 64)]
        [string[]]$Url,

        [ValidateSet('Full', 'Differential', 'Log')]
        [string]$Type = 'Full',

        [Parameter(ParameterSetName = 'Container')]
        [string]$FileNameTemplate,

        [Parameter(ParameterSetName = 'Container')]
        [ValidateRange(1, 64)]
        [int]$Stripes,

        [switch]$CopyOnly,
        [switch]$Compression,
        [switch]$NoChecksum,
        [switch]$Overwrite,
        [string]$Description,
        [string]$BackupSetName,

        [ValidateSet('AES_128', 'AES_192', 'AES_256', 'TRIPLE_DES_3KEY')]
        [string]$EncryptionAlgorithm,
        [string]$ServerCertificate,

        [ValidateRange(65536, 4194304)]
        [int]$MaxTransferSize = 4194304,
        [ValidateSet(512, 1024, 2048, 4096, 8192, 16384, 32768, 65536)]
        [int]$BlockSize = 65536,
        [ValidateRange(1, 64)]
        [int]$Throttle = 4,
        [ValidateRange(1, 64)]
        [int]$ServerThrottle = 4,

        [switch]$Force
    )
    begin {
        # (server, database-or-$null) pairs in arrival order; $null = the whole server
        $work = New-Object System.Collections.Generic.List[object]
        $bound = $null
        if ($EncryptionAlgorithm -and -not $ServerCertificate) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message '-EncryptionAlgorithm needs -ServerCertificate.'))
        }
        if ($ServerCertificate -and -not $EncryptionAlgorithm) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message '-ServerCertificate needs -EncryptionAlgorithm.'))
        }
        # -Overwrite (WITH FORMAT replaces existing blobs) is High impact: make ShouldProcess ask at
        # the default $ConfirmPreference (High), as Restore-SqlUrlDatabase -Replace does.
        $impact = [System.Management.Automation.ConfirmImpact]::Low
        if ($Overwrite) {
            $impact = [System.Management.Automation.ConfirmImpact]::High
            if ([System.Management.Automation.ConfirmImpact]$ConfirmPreference -eq [System.Management.Automation.ConfirmImpact]::High) { $ConfirmPreference = 'Low' }
        }
        # -Force skips the prompt, unless -Confirm was given explicitly (then the user asked to be asked).
        if ($Force -and -not $WhatIfPreference -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        if ($null -eq $bound) { $bound = @{}; foreach ($k in $PSBoundParameters.Keys) { $bound[$k] = $PSBoundParameters[$k] } }
        foreach ($server in $ServerInstance) {
            if ($Database) { foreach ($db in $Database) { $work.Add([pscustomobject]@{ Server = $server; Database = $db }) } }
            else { $work.Add([pscustomobject]@{ Server = $server; Database = $null }) }
        }
    }
    end {
        if ($work.Count -eq 0) { return }
        if ($PSCmdlet.ParameterSetName -eq 'Url') {
            $dbs = @($work | ForEach-Object { $_.Database } | Select-Object -Unique)
            $srv = @($work | ForEach-Object { $_.Server } | Select-Object -Unique)
            if ($dbs.Count -ne 1 -or $null -eq $dbs[0] -or $srv.Count -ne 1) {
                $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message '-Url takes the blobs of ONE database on ONE server; name it with -Database, or use -ContainerUrl to back up several.'))
            }
        }
        # one target per server (case-insensitive), in arrival order
        $targets = New-Object System.Collections.Generic.List[object]
        $byName = @{}
        foreach ($w in $work) {
            $key = $w.Server.ToLowerInvariant()
            if (-not $byName.ContainsKey($key)) {
                try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $bound -ServerInstance $w.Server }
                catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $w.Server)) }
                $t = [pscustomobject]@{ Server = $w.Server; Connection = $connection; Whole = $false; Names = New-Object System.Collections.Generic.List[string] }
                $byName[$key] = $t
                $targets.Add($t)
            }
            $t = $byName[$key]
            if ($null -eq $w.Database) { $t.Whole = $true }
            elseif (-not ($t.Names -contains $w.Database)) { $t.Names.Add($w.Database) }
        }

        # which databases each server backs up (in parallel; an unreachable server is one error)
        $resolveRequest = [ordered]@{
            targets        = @(foreach ($t in $targets) {
                    $names = $null
                    if (-not $t.Whole) { $names = [string[]]$t.Names }
                    [ordered]@{ connection = $t.Connection; databases = $names }
                })
            exclude        = [string[]]@($ExcludeDatabase | Where-Object { $_ })
            include_system = [bool]$IncludeSystemDatabase
            type           = $Type.ToLowerInvariant()
        }
        $resolved = Invoke-SqlUrlNative -Function 'sqlurl_databases_resolve' -Request $resolveRequest -ServerInstance ($targets[0].Server)
        if (-not $resolved.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $resolved.ErrorRecord; return }
        $answers = @($resolved.Output.servers)
        $plan = New-Object System.Collections.Generic.List[object]
        for ($i = 0; $i -lt $targets.Count; $i++) {
            $t = $targets[$i]; $a = $answers[$i]
            if ($null -ne $a.error) {
                Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord (New-SqlUrlErrorRecord -ErrorObject $a.error -ResultCode 4 -ServerInstance $t.Server -TargetObject $t.Server)
                continue
            }
            Write-SqlUrlSkippedDatabase -ServerInstance $t.Server -Skipped @($a.skipped) -Type $Type
            $dbs = @($a.databases | Where-Object { $_ })
            if ($dbs.Count -eq 0) { Write-Warning ('{0}: no database to back up ({1}).' -f $t.Server, $Type); continue }
            $plan.Add([pscustomobject]@{ Server = $t.Server; Connection = $t.Connection; Databases = [string[]]$dbs })
        }
        if ($plan.Count -eq 0) { return }

        $options = [ordered]@{
            type               = $Type.ToLowerInvariant()
            copy_only          = [bool]$CopyOnly
            checksum           = -not $NoChecksum
            overwrite          = [bool]$Overwrite
            max_transfer_size  = $MaxTransferSize
            block_size         = $BlockSize
            throttle           = $Throttle
            dry_run            = $false
        }
        if ($PSCmdlet.ParameterSetName -eq 'Url') { $options.urls = [string[]]$Url } else { $options.container_url = $ContainerUrl }
        if ($FileNameTemplate) { $options.file_name_template = $FileNameTemplate }
        if ($bound.ContainsKey('Stripes')) { $options.stripes = $Stripes }
        if ($bound.ContainsKey('Compression')) { $options.compression = [bool]$Compression }
        if ($Description) { $options.description = $Description }
        if ($BackupSetName) { $options.name = $BackupSetName }
        if ($EncryptionAlgorithm) { $options.encryption = [ordered]@{ algorithm = $EncryptionAlgorithm; server_certificate = $ServerCertificate } }
        # catalog metadata on the written blobs, with the module's own storage access (issue 15)
        $storageContainer = if ($PSCmdlet.ParameterSetName -eq 'Url') { [regex]::Replace([string]@($Url)[0], '^(https?://[^/?#]+/[^/?#]+).*$', '$1') } else { $ContainerUrl }
        try { $storage = ConvertTo-SqlUrlStorageRequest -ContainerUrl $storageContainer -BoundParameters $bound }
        catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message)) }
        if ($null -ne $storage) { $options.storage = $storage }
        $fleetRequest = [ordered]@{ targets = $null; server_throttle = $ServerThrottle; options = $options }
        $toTargets = {
            param($Plan)
            @(foreach ($p in $Plan) { [ordered]@{ connection = $p.Connection; databases = [string[]]$p.Databases } })
        }
        $toItemServer = {
            param($Plan)
            [string[]]@(foreach ($p in $Plan) { foreach ($db in $p.Databases) { $p.Server } })
        }

        # -WhatIf / -Confirm: ask the library for the statements (a dry run of the same fleet), then confirm per database.
        # The preview runs the real run's checks (sqlurl_validate) and reports a database the real
        # run would refuse as the same error instead of a "What if" line.
        $statements = @{}
        $refused = @{}
        if (Test-SqlUrlPreviewNeeded -Impact $impact) {
            $fleetRequest.targets = @(& $toTargets $plan)
            if (-not (Assert-SqlUrlRequestValid -Cmdlet $PSCmdlet -Function 'sqlurl_fleet_backup_start' -Request $fleetRequest -ServerInstance $plan[0].Server)) { return }
            $options.dry_run = $true
            foreach ($entry in @(Invoke-SqlUrlFleetBackup -Request $fleetRequest -ItemServer (& $toItemServer $plan) -Cmdlet $PSCmdlet -Raw)) {
                $key = '{0}|{1}' -f $entry.Server, $entry.Result.database
                if ($null -eq $entry.Result.error) {
                    $statements[$key] = @($entry.Result.statements | Where-Object { $_ }) -join [Environment]::NewLine
                }
                else {
                    $refused[$key] = $true
                    Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord (New-SqlUrlErrorRecord -ErrorObject $entry.Result.error -ResultCode 3 -ServerInstance $entry.Server -TargetObject ([string]$entry.Result.database))
                }
            }
            $options.dry_run = $false
        }
        $approved = New-Object System.Collections.Generic.List[object]
        foreach ($p in $plan) {
            $ok = @(foreach ($db in $p.Databases) {
                    if ($refused['{0}|{1}' -f $p.Server, $db]) { continue }
                    $action = $statements['{0}|{1}' -f $p.Server, $db]
                    if (-not $action) { $action = "Back up database $db ($Type) to URL" }
                    if ($PSCmdlet.ShouldProcess(('{0} on {1}' -f $db, $p.Server), (Hide-SqlUrlSecret -Text $action))) { $db }
                })
            if ($ok.Count -gt 0) { $approved.Add([pscustomobject]@{ Server = $p.Server; Connection = $p.Connection; Databases = [string[]]$ok }) }
        }
        if ($approved.Count -eq 0) { return }
        $fleetRequest.targets = @(& $toTargets $approved)
        Invoke-SqlUrlFleetBackup -Request $fleetRequest -ItemServer (& $toItemServer $approved) -Cmdlet $PSCmdlet -Activity 'Backup to URL'
    }
}
