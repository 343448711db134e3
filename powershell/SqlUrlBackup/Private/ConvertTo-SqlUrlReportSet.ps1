# The names a catalog set's fields go by: the PowerShell names of Get-SqlUrlBackup's objects and the
# contract's snake_case names (docs/json-contract.md, "Catalog"). Hashtable keys are case-insensitive.
$script:SqlUrlReportSetFieldNames = @{
    server = 'Server'; servername = 'Server'; serverinstance = 'Server'
    database = 'Database'; databasename = 'Database'
    type = 'Type'; kind = 'Type'; backuptype = 'Type'
    backupsetid = 'BackupSetId'; backup_set_id = 'BackupSetId'; backupsetguid = 'BackupSetId'
    firstlsn = 'FirstLsn'; first_lsn = 'FirstLsn'
    lastlsn = 'LastLsn'; last_lsn = 'LastLsn'
    checkpointlsn = 'CheckpointLsn'; checkpoint_lsn = 'CheckpointLsn'
    databasebackuplsn = 'DatabaseBackupLsn'; database_backup_lsn = 'DatabaseBackupLsn'
    differentialbaselsn = 'DifferentialBaseLsn'; differential_base_lsn = 'DifferentialBaseLsn'
    start = 'Start'; starttime = 'Start'; backupstartdate = 'Start'
    finish = 'Finish'; finishtime = 'Finish'; backupfinishdate = 'Finish'
    copyonly = 'CopyOnly'; copy_only = 'CopyOnly'; iscopyonly = 'CopyOnly'
    backupsize = 'BackupSize'; backup_size = 'BackupSize'
    storedbytes = 'StoredBytes'; stored_bytes = 'StoredBytes'
    stripes = 'Stripes'; stripecount = 'Stripes'
    missingstripes = 'MissingStripes'; missing_stripes = 'MissingStripes'
    complete = 'Complete'; iscomplete = 'Complete'
    problems = 'Problems'
    leased = 'Leased'
    urls = 'Urls'; url = 'Urls'
}

# Backup types: the catalog's words and RESTORE HEADERONLY's BackupType letters (D, I, L).
$script:SqlUrlReportSetTypes = @{ full = 'full'; database = 'full'; d = 'full'; differential = 'differential'; diff = 'differential'; i = 'differential'; log = 'log'; l = 'log' }

function ConvertTo-SqlUrlReportSet {
    <#
    .SYNOPSIS
    Backup sets of the catalog (objects Get-SqlUrlBackup emits, or the contract's JSON sets with
    snake_case names) as the flat, typed records the backup report works on.

    .DESCRIPTION
    Reads each field under its PowerShell name or its contract name (Database/database,
    Type/Kind/type, FirstLsn/first_lsn, Finish/FinishTime/finish, ...). LSNs become [decimal]
    (25 digits fit), dates [datetime] (server-local, as the catalog gives them), the type one of
    full, differential, log. A set without a database, a type or a finish time cannot be placed
    on a timeline: the function throws, naming what is missing. Takes an array (one call for
    thousands of sets: a function call per set would dominate the report's run time).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory = $true)][AllowEmptyCollection()][object[]]$InputObject)

    $names = $script:SqlUrlReportSetFieldNames
    $inv = [System.Globalization.CultureInfo]::InvariantCulture
    $integer = [System.Globalization.NumberStyles]::Integer
    foreach ($o in $InputObject) {
        if ($null -eq $o) { continue }
        $f = @{}
        foreach ($p in $o.PSObject.Properties) {
            $k = $names[$p.Name]
            if ($null -ne $k -and $null -ne $p.Value -and -not $f.ContainsKey($k)) { $f[$k] = $p.Value }
        }
        foreach ($k in @('FirstLsn', 'LastLsn', 'CheckpointLsn', 'DatabaseBackupLsn', 'DifferentialBaseLsn')) {
            $d = [decimal]0
            if ($f.ContainsKey($k) -and [decimal]::TryParse([string]$f[$k], $integer, $inv, [ref]$d)) { $f[$k] = $d } else { $f[$k] = $null }
        }
        foreach ($k in @('Start', 'Finish')) {
            $v = $f[$k]
            if ($v -is [datetimeoffset]) { $f[$k] = $v.DateTime }
            elseif ($v -isnot [datetime]) {
                $parsed = [datetime]::MinValue
                if ($null -ne $v -and [datetime]::TryParse([string]$v, $inv, [System.Globalization.DateTimeStyles]::None, [ref]$parsed)) { $f[$k] = $parsed } else { $f[$k] = $null }
            }
        }
        $typeText = [string]$f['Type']
        $type = $script:SqlUrlReportSetTypes[$typeText]
        if (-not $f['Finish']) { $f['Finish'] = $f['Start'] }
        $missing = @()
        if (-not $f['Database']) { $missing += 'database' }
        if (-not $type) { $missing += "type ('$typeText' is not full, differential or log)" }
        if (-not $f['Finish']) { $missing += 'finish time' }
        if ($missing.Count -gt 0) { throw "A backup set without $($missing -join ', ') cannot be placed in the report (set id: '$($f['BackupSetId'])')." }
        if (-not $f['Start']) { $f['Start'] = $f['Finish'] }

        # foreach statements, not pipelines: this runs once per set, thousands of times.
        $urls = [System.Collections.Generic.List[string]]::new()
        foreach ($u in @($f['Urls'])) { if ($null -ne $u) { $urls.Add([string]$u) } }
        $missingStripes = [System.Collections.Generic.List[int]]::new()
        foreach ($m in @($f['MissingStripes'])) { if ($null -ne $m) { $missingStripes.Add([int]$m) } }
        $problems = [System.Collections.Generic.List[string]]::new()
        foreach ($p in @($f['Problems'])) { if ($null -ne $p) { $problems.Add([string]$p) } }
        $complete = if ($f.ContainsKey('Complete')) { [bool]$f['Complete'] } else { $missingStripes.Count -eq 0 }
        $stripes = if ($f.ContainsKey('Stripes')) { [int]$f['Stripes'] } else { [math]::Max(1, $urls.Count) }
        [pscustomobject]@{
            Server              = [string]$f['Server']
            Database            = [string]$f['Database']
            Type                = $type
            BackupSetId         = [string]$f['BackupSetId']
            FirstLsn            = $f['FirstLsn']
            LastLsn             = $f['LastLsn']
            CheckpointLsn       = $f['CheckpointLsn']
            DatabaseBackupLsn   = $f['DatabaseBackupLsn']
            DifferentialBaseLsn = $f['DifferentialBaseLsn']
            Start               = $f['Start']
            Finish              = $f['Finish']
            CopyOnly            = [bool]$f['CopyOnly']
            BackupSize          = $(if ($f.ContainsKey('BackupSize')) { [int64]$f['BackupSize'] } else { $null })
            StoredBytes         = $(if ($f.ContainsKey('StoredBytes')) { [int64]$f['StoredBytes'] } else { [int64]0 })
            Stripes             = $stripes
            MissingStripes      = $missingStripes.ToArray()
            Complete            = $complete
            Problems            = $problems.ToArray()
            Leased              = [bool]$f['Leased']
            Urls                = $urls.ToArray()
        }
    }
}
