function Backup-SqlUrlDatabase {
    <#
    .SYNOPSIS
    Backs up databases to Azure Blob Storage (BACKUP DATABASE/LOG ... TO URL).

    .DESCRIPTION
    Backs up one or more databases per server as one operation: the native library runs up to
    -Throttle databases at a time, stripes large backups over several blobs, and names the blobs
    from -FileNameTemplate under -ContainerUrl. Progress (percent, time left, database) is shown
    with Write-Progress from the server's sys.dm_exec_requests. Ctrl+C (or stopping the pipeline)
    cancels the backup on the server. A database that fails is a non-terminating error with its
    own ErrorId; the others still back up. Database names can come from the pipeline.

    .PARAMETER Database
    The databases to back up. Accepts pipeline input (strings, or objects with a Database or Name property).

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
    Overwrite existing blobs of the same name (WITH FORMAT). Otherwise an existing blob is error BlobExists.

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

    .EXAMPLE
    Backup-SqlUrlDatabase -ServerInstance SQLVM01 -Database Sales, HR -ContainerUrl https://acct.blob.core.windows.net/backups

    .EXAMPLE
    'Sales', 'HR' | Backup-SqlUrlDatabase -ServerInstance SQLVM01 -UseManagedIdentity -ContainerUrl https://acct.blob.core.windows.net/backups -Type Log

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
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ValueFromPipelineByPropertyName = $true)]
        [Alias('Name', 'DatabaseName')]
        [ValidateNotNullOrEmpty()]
        [string[]]$Database,

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
        [int]$Throttle = 4
    )
    begin {
        $work = New-Object System.Collections.Generic.List[object]
        $bound = $null
        if ($EncryptionAlgorithm -and -not $ServerCertificate) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message '-EncryptionAlgorithm needs -ServerCertificate.'))
        }
        if ($ServerCertificate -and -not $EncryptionAlgorithm) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message '-ServerCertificate needs -EncryptionAlgorithm.'))
        }
    }
    process {
        if ($null -eq $bound) { $bound = @{}; foreach ($k in $PSBoundParameters.Keys) { $bound[$k] = $PSBoundParameters[$k] } }
        foreach ($server in $ServerInstance) {
            foreach ($db in $Database) { $work.Add([pscustomobject]@{ Server = $server; Database = $db }) }
        }
    }
    end {
        if ($work.Count -eq 0) { return }
        if ($PSCmdlet.ParameterSetName -eq 'Url' -and @($work | Select-Object -ExpandProperty Database -Unique).Count -gt 1) {
            $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message '-Url takes the blobs of ONE database; use -ContainerUrl to back up several.'))
        }
        $servers = @($work | ForEach-Object { $_.Server } | Select-Object -Unique)
        $progressId = 0
        foreach ($server in $servers) {
            $progressId++
            $databases = @($work | Where-Object { $_.Server -eq $server } | ForEach-Object { $_.Database } | Select-Object -Unique)
            try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $bound -ServerInstance $server }
            catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
            $request = [ordered]@{
                connection         = $connection
                databases          = [string[]]$databases
                type               = $Type.ToLowerInvariant()
                urls               = $null
                container_url      = $null
                file_name_template = $null
                stripes            = $null
                copy_only          = [bool]$CopyOnly
                compression        = $null
                checksum           = -not $NoChecksum
                overwrite          = [bool]$Overwrite
                description        = $null
                name               = $null
                encryption         = $null
                max_transfer_size  = $MaxTransferSize
                block_size         = $BlockSize
                throttle           = $Throttle
                dry_run            = $false
            }
            if ($PSCmdlet.ParameterSetName -eq 'Url') { $request.urls = [string[]]$Url } else { $request.container_url = $ContainerUrl }
            if ($FileNameTemplate) { $request.file_name_template = $FileNameTemplate }
            if ($bound.ContainsKey('Stripes')) { $request.stripes = $Stripes }
            if ($bound.ContainsKey('Compression')) { $request.compression = [bool]$Compression }
            if ($Description) { $request.description = $Description }
            if ($BackupSetName) { $request.name = $BackupSetName }
            if ($EncryptionAlgorithm) { $request.encryption = [ordered]@{ algorithm = $EncryptionAlgorithm; server_certificate = $ServerCertificate } }

            # -WhatIf / -Confirm: ask the library for the statements, then confirm per database.
            $statementsByDb = @{}
            if (Test-SqlUrlPreviewNeeded -Impact Low) {
                $request.dry_run = $true
                $preview = Invoke-SqlUrlOperation -Function 'sqlurl_backup_start' -Request $request -ServerInstance $server -Activity 'Backup to URL (dry run)' -NoProgress
                $request.dry_run = $false
                if (-not $preview.Succeeded -and @($preview.Output.results).Count -eq 0) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $preview.ErrorRecord; continue }
                foreach ($entry in @($preview.Output.results | Where-Object { $null -ne $_ })) {
                    $statementsByDb[[string]$entry.database] = @($entry.statements | Where-Object { $_ }) -join [Environment]::NewLine
                }
                if ($statementsByDb.Count -eq 0) {
                    $all = @(Get-SqlUrlStatement -Output $preview.Output) -join [Environment]::NewLine
                    foreach ($db in $databases) { $statementsByDb[$db] = $all }
                }
            }
            $approved = @(foreach ($db in $databases) {
                    $action = $statementsByDb[$db]
                    if (-not $action) { $action = "Back up database $db ($Type) to URL" }
                    if ($PSCmdlet.ShouldProcess(('{0} on {1}' -f $db, $server), $action)) { $db }
                })
            if ($approved.Count -eq 0) { continue }
            $request.databases = [string[]]$approved

            $outcome = Invoke-SqlUrlOperation -Function 'sqlurl_backup_start' -Request $request -ServerInstance $server `
                -Activity ('Backup to URL on {0}' -f $server) -ProgressId $progressId -TargetObject ($approved -join ', ')
            $split = Resolve-SqlUrlOperationResult -Outcome $outcome -ServerInstance $server -Database $approved
            foreach ($res in $split.Results) { ConvertTo-SqlUrlBackupResult -ServerInstance $server -Result $res }
            foreach ($er in $split.Errors) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $er }
        }
    }
}
