function Export-SqlUrlBackupReport {
    <#
    .SYNOPSIS
    Writes a one-file HTML report (or JSON) of the backup estate: per server and database a timeline of
    full, differential and log backup sets, log chain breaks and missed schedules, the newest restore
    point and the recovery point objective (RPO) now.

    .DESCRIPTION
    Takes the catalog's backup sets (the objects Get-SqlUrlBackup emits) from the pipeline, or with
    -ContainerUrl reads the catalog itself by calling Get-SqlUrlBackup. The HTML page is
    self-contained (inline CSS and SVG, no script, no font, no network: it works from a mail
    attachment) and is written in plain PowerShell so the module gains no dependency and the
    cmdlet runs in Windows PowerShell 5.1 too.

    On top: a summary table (servers, databases, databases over the RPO threshold, log chain breaks,
    missed log schedules, incomplete sets) and the list of databases needing attention. Below: one
    collapsible section per server (open when a database needs attention) with one row per
    database, databases over -RpoMinutes first. Each row shows the status, the newest restore point,
    the RPO now and an SVG timeline of the window: full and differential sets, log sets (grouped per
    time slot), chain breaks (red) and missed schedules (orange), incomplete sets outlined in red,
    the retention horizon (dashed line, with -RetentionDays) and the newest restore point (green
    mark). Hovering an element shows its details: type, times and duration, size, stripes, URL (any
    query string, such as a SAS token, is masked). Every name from the catalog is HTML-encoded.

    A log chain break is a log backup whose first LSN lies beyond the previous log backup's last
    LSN. A missed schedule is a stretch without log backup longer than twice the expected interval
    (-LogIntervalMinutes, or the median interval of the database's own log backups). The newest
    restore point follows the newest complete full backup, its newest differential and the
    unbroken log backups after them; RPO now is the time from it to -Now (the catalog's times are
    the servers' local times: give -Now in that time zone when it differs from this machine's).

    .PARAMETER InputObject
    Backup sets from Get-SqlUrlBackup (or objects with the same properties; the contract's
    snake_case names are read too).

    .PARAMETER ContainerUrl
    Read the catalog of this container with Get-SqlUrlBackup instead of taking sets from the pipeline.

    .PARAMETER CatalogParameter
    More parameters for Get-SqlUrlBackup with -ContainerUrl (storage credential, endpoint, ...),
    as a hashtable that is splatted.

    .PARAMETER ServerInstance
    Only these servers (the server name the backups carry; wildcards allowed).

    .PARAMETER Database
    Only these databases (wildcards allowed).

    .PARAMETER Days
    The window of the timeline, in days back from -Now. Default 14. Restore points and chain
    checks use every set given, also older ones.

    .PARAMETER RpoMinutes
    The recovery point objective: databases whose newest restore point is older are marked and
    sorted first. Default 60.

    .PARAMETER RetentionDays
    Draw the retention horizon this many days back from -Now (0: not drawn).

    .PARAMETER LogIntervalMinutes
    The log backup schedule, for missed-schedule detection (0: each database's median interval).

    .PARAMETER Now
    The report's "now" (default: the current local time).

    .PARAMETER Path
    The file to write. Without -Path the HTML (or JSON) text is written to the pipeline.

    .PARAMETER AsJson
    Write the same data as JSON (for dashboards) instead of HTML.

    .PARAMETER Force
    Overwrite an existing file.

    .EXAMPLE
    Get-SqlUrlBackup -ContainerUrl https://acct.blob.core.windows.net/backups | Export-SqlUrlBackupReport -Path .\backups.html -RpoMinutes 30 -RetentionDays 14

    Reads the container's catalog and writes the report; databases whose newest restore point is
    older than 30 minutes come first.

    .EXAMPLE
    Export-SqlUrlBackupReport -ContainerUrl https://acct.blob.core.windows.net/backups -ServerInstance SQLVM01 -Days 7 -Path .\sqlvm01.html

    Calls Get-SqlUrlBackup itself and reports the last week of the server SQLVM01.

    .EXAMPLE
    Get-SqlUrlBackup -ContainerUrl $container | Export-SqlUrlBackupReport -AsJson -Path .\backups.json

    The same data as JSON for a dashboard.

    .EXAMPLE
    $sets = Get-SqlUrlBackup -ContainerUrl $container
    Send-MailMessage -Subject 'Backups' -BodyAsHtml -Body ($sets | Export-SqlUrlBackupReport -RpoMinutes 60) ...

    Without -Path the page comes back as a string (for a mail body or a web page).

    .INPUTS
    System.Management.Automation.PSObject
    Backup sets, as Get-SqlUrlBackup emits them.

    .OUTPUTS
    System.IO.FileInfo
    The file written, with -Path.

    .OUTPUTS
    System.String
    The HTML page (or JSON text), without -Path.

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(DefaultParameterSetName = 'InputObject', SupportsShouldProcess = $true)]
    [OutputType([System.IO.FileInfo], [string])]
    param(
        #SqlUrlNoConnectionParameters
        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'InputObject')]
        [AllowNull()]
        [object[]]$InputObject,

        [Parameter(Mandatory = $true, ParameterSetName = 'Container')]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,

        [Parameter(ParameterSetName = 'Container')]
        [hashtable]$CatalogParameter,

        [SupportsWildcards()]
        [string[]]$ServerInstance,

        [SupportsWildcards()]
        [string[]]$Database,

        [ValidateRange(1, 366)]
        [int]$Days = 14,

        [ValidateRange(1, 525600)]
        [int]$RpoMinutes = 60,

        [ValidateRange(0, 3660)]
        [int]$RetentionDays = 0,

        [ValidateRange(0, 10080)]
        [int]$LogIntervalMinutes = 0,

        [datetime]$Now = [datetime]::Now,

        [string]$Path,

        [switch]$AsJson,

        [switch]$Force
    )
    begin {
        $collected = New-Object System.Collections.Generic.List[object]
    }
    process {
        if ($PSCmdlet.ParameterSetName -eq 'InputObject') {
            foreach ($o in @($InputObject)) { if ($null -ne $o) { $collected.Add($o) } }
        }
    }
    end {
        if ($PSCmdlet.ParameterSetName -eq 'Container') {
            $catalog = Get-Command -Name 'Get-SqlUrlBackup' -CommandType Function, Cmdlet -ErrorAction SilentlyContinue | Select-Object -First 1
            if ($null -eq $catalog) {
                $e = [System.Management.Automation.ErrorRecord]::new(
                    [System.NotSupportedException]::new('Export-SqlUrlBackupReport -ContainerUrl reads the catalog with Get-SqlUrlBackup, which this build of the module does not have.'),
                    'SqlUrlBackup.NotSupported', [System.Management.Automation.ErrorCategory]::NotImplemented, $ContainerUrl)
                $e.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($e.Exception.Message)
                $e.ErrorDetails.RecommendedAction = 'Update the SqlUrlBackup module, or pipe backup set objects (with Database, Type, FirstLsn, LastLsn, Start, Finish, ...) into Export-SqlUrlBackupReport.'
                $PSCmdlet.ThrowTerminatingError($e)
            }
            $splat = @{}
            if ($CatalogParameter) { foreach ($k in $CatalogParameter.Keys) { $splat[[string]$k] = $CatalogParameter[$k] } }
            $splat['ContainerUrl'] = $ContainerUrl
            foreach ($o in @(& $catalog @splat)) { if ($null -ne $o) { $collected.Add($o) } }
        }

        try { $sets = @(ConvertTo-SqlUrlReportSet -InputObject $collected.ToArray()) }
        catch {
            $e = [System.Management.Automation.ErrorRecord]::new([System.ArgumentException]::new($_.Exception.Message), 'SqlUrlBackup.InvalidArgument',
                [System.Management.Automation.ErrorCategory]::InvalidData, $null)
            $e.ErrorDetails = [System.Management.Automation.ErrorDetails]::new($_.Exception.Message)
            $e.ErrorDetails.RecommendedAction = 'Pipe the backup sets Get-SqlUrlBackup emits (each with a database, a type and a finish time).'
            $PSCmdlet.ThrowTerminatingError($e)
        }
        if ($ServerInstance) { $sets = @($sets | Where-Object { $s = $_; @($ServerInstance | Where-Object { $s.Server -like $_ }).Count -gt 0 }) }
        if ($Database) { $sets = @($sets | Where-Object { $s = $_; @($Database | Where-Object { $s.Database -like $_ }).Count -gt 0 }) }
        if ($sets.Count -eq 0) { Write-Warning 'No backup sets to report: the report will be empty.' }

        $model = New-SqlUrlReportModel -Set $sets -Now $Now -Days $Days -RpoMinutes $RpoMinutes -RetentionDays $RetentionDays -LogIntervalMinutes $LogIntervalMinutes
        $text = if ($AsJson) { ConvertTo-SqlUrlReportJson -Model $model } else { ConvertTo-SqlUrlReportHtml -Model $model }
        if (-not $Path) { return $text }

        $full = $PSCmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath($Path)
        if ((Test-Path -LiteralPath $full) -and -not $Force) {
            $e = [System.Management.Automation.ErrorRecord]::new([System.IO.IOException]::new("The file '$full' exists."), 'SqlUrlBackup.FileExists',
                [System.Management.Automation.ErrorCategory]::ResourceExists, $full)
            $e.ErrorDetails = [System.Management.Automation.ErrorDetails]::new("The file '$full' exists.")
            $e.ErrorDetails.RecommendedAction = 'Give another -Path, or -Force to overwrite it.'
            $PSCmdlet.ThrowTerminatingError($e)
        }
        if ($PSCmdlet.ShouldProcess($full, 'Write backup report')) {
            [System.IO.File]::WriteAllText($full, $text, (New-Object System.Text.UTF8Encoding $false))
            Get-Item -LiteralPath $full
        }
    }
}
