# Typed output objects. Each carries a PSTypeName that SqlUrlBackup.Format.ps1xml has a view for.
# Property names are PowerShell-style; values come from the contract's JSON (docs/json-contract.md).

function ConvertTo-SqlUrlDateTime {
    <#
    .SYNOPSIS
    A contract date (ISO 8601 string; PowerShell 7's ConvertFrom-Json may already have made it a DateTime) to [datetime].
    #>
    [CmdletBinding()]
    param([AllowNull()][object]$Value)
    if ($null -eq $Value -or ($Value -is [string] -and $Value -eq '')) { return $null }
    if ($Value -is [datetime]) { return $Value }
    $parsed = [datetime]::MinValue
    if ([datetime]::TryParse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture,
            [System.Globalization.DateTimeStyles]::RoundtripKind, [ref]$parsed)) { return $parsed }
    $null
}

function ConvertTo-SqlUrlPointInTime {
    <#
    .SYNOPSIS
    A [datetime] as the contract's point in time: Utc -> '...Z', Local -> with its offset,
    Unspecified -> as given (the server's local time). Milliseconds kept.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][datetime]$Value)
    $inv = [System.Globalization.CultureInfo]::InvariantCulture
    switch ($Value.Kind) {
        'Utc' { $Value.ToString('yyyy-MM-ddTHH:mm:ss.fff', $inv) + 'Z' }
        'Local' { $Value.ToString('yyyy-MM-ddTHH:mm:ss.fffzzz', $inv) }
        default { $Value.ToString('yyyy-MM-ddTHH:mm:ss.fff', $inv) }
    }
}

function ConvertTo-SqlUrlCredentialInfo {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ServerInstance, [Parameter(Mandatory = $true)][object]$Credential, [string]$Action)
    $o = [ordered]@{
        PSTypeName     = 'SqlUrlBackup.Credential'
        ServerInstance = $ServerInstance
        Name           = [string]$Credential.name
        Identity       = [string]$Credential.identity
        Kind           = [string]$Credential.kind
        CredentialId   = $Credential.credential_id
        CreateDate     = ConvertTo-SqlUrlDateTime $Credential.create_date
        ModifyDate     = ConvertTo-SqlUrlDateTime $Credential.modify_date
    }
    if ($Action) { $o.Action = $Action }
    [pscustomobject]$o
}

function ConvertTo-SqlUrlReadiness {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ServerInstance, [string]$Url, [Parameter(Mandatory = $true)][object]$Result)
    $checks = foreach ($c in @($Result.checks | Where-Object { $null -ne $_ })) {
        [pscustomobject]@{
            PSTypeName        = 'SqlUrlBackup.ReadinessCheck'
            ServerInstance    = $ServerInstance
            Name              = [string]$c.name
            Status            = [string]$c.status
            Evidence          = ConvertTo-SqlUrlUserWords ([string]$c.evidence)
            RecommendedAction = ConvertTo-SqlUrlUserWords ([string]$c.recommended_action)
        }
    }
    $probe = $null
    if ($null -ne $Result.PSObject.Properties['probe'] -and $null -ne $Result.probe) {
        $p = $Result.probe
        $steps = foreach ($st in @($p.steps | Where-Object { $null -ne $_ })) {
            $action = $null
            if ($null -ne $st.PSObject.Properties['error'] -and $null -ne $st.error) { $action = ConvertTo-SqlUrlUserWords ([string]$st.error.recommended_action) }
            [pscustomobject]@{
                PSTypeName        = 'SqlUrlBackup.ProbeStep'
                ServerInstance    = $ServerInstance
                Step              = [string]$st.step
                Status            = [string]$st.status
                Milliseconds      = $st.milliseconds
                Evidence          = ConvertTo-SqlUrlUserWords ([string]$st.evidence)
                RecommendedAction = $action
            }
        }
        $leftBehind = $null
        if ($null -ne $p.PSObject.Properties['left_behind']) { $leftBehind = [string]$p.left_behind }
        $probe = [pscustomobject]@{
            BlobUrl    = [string]$p.blob_url
            Passed     = [bool]$p.passed
            WhatIf     = [bool]$p.what_if
            LeftBehind = $leftBehind
            Statements = [string[]]@($p.statements | Where-Object { $_ })
            Steps      = @($steps)
        }
    }
    [pscustomobject]@{
        PSTypeName     = 'SqlUrlBackup.Readiness'
        ServerInstance = $ServerInstance
        Server         = [string]$Result.server
        ProductVersion = [string]$Result.product_version
        Url            = $Url
        Ready          = [bool]$Result.ready
        Failed         = @(@($checks | Where-Object { $_.Status -eq 'fail' } | ForEach-Object { $_.Name }) +
            @(if ($null -ne $probe) { $probe.Steps | Where-Object { $_.Status -eq 'fail' } | ForEach-Object { 'Probe:' + $_.Step } }))
        Checks         = @($checks)
        Probe          = $probe
    }
}

function ConvertTo-SqlUrlBackupResult {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ServerInstance, [Parameter(Mandatory = $true)][object]$Result)
    [pscustomobject]@{
        PSTypeName       = 'SqlUrlBackup.BackupResult'
        ServerInstance   = $ServerInstance
        Database         = [string]$Result.database
        Type             = [string]$Result.type
        Url              = [string[]]@($Result.urls | Where-Object { $_ })
        Stripes          = $Result.stripes
        StripeReason     = [string]$Result.stripe_reason
        Bytes            = $Result.bytes
        DurationSeconds  = $Result.duration_seconds
        ThroughputMBps   = $Result.throughput_mb_per_second
        FirstLsn         = [string]$Result.first_lsn
        LastLsn          = [string]$Result.last_lsn
        Checksum         = $Result.checksum
        Compressed       = $Result.compressed
        CopyOnly         = $Result.copy_only
        Warnings         = [string[]]@($Result.warnings | Where-Object { $_ } | ForEach-Object { ConvertTo-SqlUrlUserWords $_ })
        Message          = ConvertTo-SqlUrlUserWords ([string]$Result.message)
        Statements       = [string[]]@($Result.statements | Where-Object { $_ })
    }
}

function ConvertTo-SqlUrlRestoreResult {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ServerInstance, [Parameter(Mandatory = $true)][object]$Result)
    $files = foreach ($f in @($Result.files | Where-Object { $null -ne $_ })) {
        [pscustomobject]@{ LogicalName = [string]$f.logical_name; PhysicalName = [string]$f.physical_name }
    }
    $steps = foreach ($s in @($Result.steps | Where-Object { $null -ne $_ })) {
        [pscustomobject]@{ Url = [string]$s.url; BackupType = $s.backup_type; Statement = [string]$s.statement }
    }
    [pscustomobject]@{
        PSTypeName      = 'SqlUrlBackup.RestoreResult'
        ServerInstance  = $ServerInstance
        Database        = [string]$Result.database
        Url             = [string[]]@($Result.urls | Where-Object { $_ })
        Files           = @($files)
        Steps           = @($steps)
        DurationSeconds = $Result.duration_seconds
        StopAtServerLocal = ConvertTo-SqlUrlDateTime $Result.stop_at_server_local
        StopAtUtc       = ConvertTo-SqlUrlDateTime $Result.stop_at_utc
        Warnings        = [string[]]@($Result.warnings | Where-Object { $_ } | ForEach-Object { ConvertTo-SqlUrlUserWords $_ })
        Message         = ConvertTo-SqlUrlUserWords ([string]$Result.message)
        Statements      = [string[]]@($Result.statements | Where-Object { $_ })
    }
}

function ConvertTo-SqlUrlBackupHeader {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ServerInstance, [string[]]$Url, [Parameter(Mandatory = $true)][object]$Header)
    [pscustomobject]@{
        PSTypeName             = 'SqlUrlBackup.BackupHeader'
        ServerInstance         = $ServerInstance
        Url                    = $Url
        DatabaseName           = [string]$Header.database_name
        BackupType             = $Header.backup_type
        BackupTypeDescription  = [string]$Header.backup_type_description
        BackupName             = [string]$Header.backup_name
        BackupDescription      = [string]$Header.backup_description
        ServerName             = [string]$Header.server_name
        Position               = $Header.position
        FirstLsn               = [string]$Header.first_lsn
        LastLsn                = [string]$Header.last_lsn
        CheckpointLsn          = [string]$Header.checkpoint_lsn
        DatabaseBackupLsn      = [string]$Header.database_backup_lsn
        DifferentialBaseLsn    = [string]$Header.differential_base_lsn
        BackupStartDate        = ConvertTo-SqlUrlDateTime $Header.backup_start_date
        BackupFinishDate       = ConvertTo-SqlUrlDateTime $Header.backup_finish_date
        BackupSize             = $Header.backup_size
        CompressedBackupSize   = $Header.compressed_backup_size
        IsCopyOnly             = $Header.is_copy_only
        Compressed             = $Header.compressed
        RecoveryModel          = [string]$Header.recovery_model
        BackupSetGuid          = [string]$Header.backup_set_guid
    }
}

function ConvertTo-SqlUrlBackupFile {
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ServerInstance, [string[]]$Url, [Parameter(Mandatory = $true)][object]$File)
    [pscustomobject]@{
        PSTypeName     = 'SqlUrlBackup.BackupFile'
        ServerInstance = $ServerInstance
        Url            = $Url
        LogicalName    = [string]$File.logical_name
        PhysicalName   = [string]$File.physical_name
        Type           = [string]$File.type
        FileGroupName  = [string]$File.file_group_name
        Size           = $File.size
        FileId         = $File.file_id
    }
}

function ConvertTo-SqlUrlRetentionDecision {
    <#
    .SYNOPSIS
    One SqlUrlBackup.RetentionDecision from a retention result's deleted/kept entry.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ContainerUrl, [Parameter(Mandatory = $true)][object]$Decision, [Parameter(Mandatory = $true)][string]$Action)
    $finished = ConvertTo-SqlUrlUtcTime $Decision.last_modified
    [pscustomobject]@{
        PSTypeName   = 'SqlUrlBackup.RetentionDecision'
        ContainerUrl = $ContainerUrl
        Action       = $Action
        Database     = [string]$Decision.database
        Type         = [string]$Decision.type
        BackupSetId  = [string]$Decision.backup_set_id
        FinishedUtc  = $finished
        Reason       = [string]$Decision.reason
        Url          = [string[]]@($Decision.urls | Where-Object { $_ })
    }
}

function ConvertTo-SqlUrlUtcTime {
    <#
    .SYNOPSIS
    A contract UTC time ('...Z', or a [datetime] ConvertFrom-Json already made of it) as a [datetime] of kind Utc; $null stays $null.
    #>
    [CmdletBinding()]
    param([AllowNull()][object]$Value)
    if ($null -eq $Value -or '' -eq $Value) { return $null }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime() }
    [datetime]::Parse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::AdjustToUniversal -bor [System.Globalization.DateTimeStyles]::AssumeUniversal)
}

function ConvertTo-SqlUrlServerTime {
    <#
    .SYNOPSIS
    A contract server-local time ('2026-11-26T16:40:00.000', no zone) as a [datetime] of kind Unspecified; $null stays $null.
    #>
    [CmdletBinding()]
    param([AllowNull()][object]$Value)
    if ($null -eq $Value -or '' -eq $Value) { return $null }
    if ($Value -is [datetime]) { return [datetime]::new($Value.Ticks, [System.DateTimeKind]::Unspecified) }
    [datetime]::Parse([string]$Value, [System.Globalization.CultureInfo]::InvariantCulture, [System.Globalization.DateTimeStyles]::None)
}

function ConvertTo-SqlUrlBackupSet {
    <#
    .SYNOPSIS
    One SqlUrlBackup.BackupSet from a sqlurl_backup_list set.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ContainerUrl, [Parameter(Mandatory = $true)][object]$Set)
    $types = @{ full = 'Full'; differential = 'Differential'; log = 'Log' }
    $t = $types[[string]$Set.type]
    if (-not $t) { $t = [string]$Set.type }
    [pscustomobject]@{
        PSTypeName          = 'SqlUrlBackup.BackupSet'
        ContainerUrl        = $ContainerUrl
        Database            = [string]$Set.database
        ServerName          = [string]$Set.server
        Type                = $t
        Start               = ConvertTo-SqlUrlServerTime $Set.start
        Finish              = ConvertTo-SqlUrlServerTime $Set.finish
        BackupSetId         = [string]$Set.backup_set_id
        FirstLsn            = [string]$Set.first_lsn
        LastLsn             = [string]$Set.last_lsn
        CheckpointLsn       = [string]$Set.checkpoint_lsn
        DatabaseBackupLsn   = [string]$Set.database_backup_lsn
        DifferentialBaseLsn = [string]$Set.differential_base_lsn
        CopyOnly            = [bool]$Set.copy_only
        BackupSize          = $Set.backup_size
        StoredBytes         = [long]$Set.stored_bytes
        Stripes             = [int]$Set.stripes
        MissingStripes      = [int[]]@($Set.missing_stripes | Where-Object { $null -ne $_ })
        Complete            = [bool]$Set.complete
        Problems            = [string[]]@($Set.problems | Where-Object { $_ })
        Leased              = [bool]$Set.leased
        LastModifiedUtc     = ConvertTo-SqlUrlUtcTime $Set.last_modified
        Url                 = [string[]]@($Set.urls | Where-Object { $_ })
        # Metadata (written by this module) or HeaderOnly (another tool's backup, read by a server)
        Source              = if ([string]$Set.source -eq 'headeronly') { 'HeaderOnly' } else { 'Metadata' }
    }
}

function ConvertTo-SqlUrlDrillResult {
    <#
    .SYNOPSIS
    A DrillResult of the restore drill to a SqlUrlBackup.RestoreDrill object.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][string]$ServerInstance, [Parameter(Mandatory = $true)][object]$Result)
    $outcome = switch ([string]$Result.checkdb) { 'clean' { 'Clean' } 'corruption_found' { 'CorruptionFound' } default { 'NotRun' } }
    $messages = foreach ($m in @($Result.checkdb_messages | Where-Object { $null -ne $_ })) { 'Msg {0}: {1}' -f $m.number, $m.message }
    $files = foreach ($f in @($Result.files | Where-Object { $null -ne $_ })) {
        [pscustomobject]@{ LogicalName = [string]$f.logical_name; PhysicalName = [string]$f.physical_name }
    }
    [pscustomobject]@{
        PSTypeName      = 'SqlUrlBackup.RestoreDrill'
        ServerInstance  = $ServerInstance
        Database        = [string]$Result.database
        ScratchDatabase = [string]$Result.scratch_database
        Outcome         = $outcome
        BackupSets      = [int]$Result.backup_sets
        FullFinish      = ConvertTo-SqlUrlDateTime $Result.full_finish
        RestorePoint    = ConvertTo-SqlUrlDateTime $Result.restore_point
        RestoreSeconds  = $Result.restore_seconds
        CheckDbSeconds  = $Result.checkdb_seconds
        CheckDbMessages = [string[]]@($messages)
        Dropped         = [bool]$Result.dropped
        DropError       = if ($null -ne $Result.drop_error) { ConvertTo-SqlUrlUserWords ([string]$Result.drop_error.message) } else { $null }
        DryRun          = [bool]$Result.dry_run
        Url             = [string[]]@($Result.urls | Where-Object { $_ })
        Files           = @($files)
        Statements      = [string[]]@($Result.statements | Where-Object { $_ })
        Message         = ConvertTo-SqlUrlUserWords ([string]$Result.message)
        Error           = if ($null -ne $Result.error) { ConvertTo-SqlUrlUserWords ([string]$Result.error.message) } else { $null }
    }
}
