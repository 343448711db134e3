function Write-SqlUrlFleetProgress {
    <#
    .SYNOPSIS
    One parent progress record for the whole fleet and one child per database that is running.
    Returns the set of item indexes that now have a child record (so finished ones can be closed).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Activity,
        [Parameter(Mandatory = $true)][int]$Id,
        [AllowNull()][object]$Status,
        [Parameter(Mandatory = $true)][string[]]$ItemServer,
        [Parameter(Mandatory = $true)][AllowEmptyCollection()][System.Collections.Generic.HashSet[int]]$Shown,
        # distinct servers (computed once by the caller; counted here when not given)
        [int]$ServerCount = 0
    )
    if ($null -eq $Status) { return }
    # one pass over the items, no pipelines: this runs every poll, for fleets of hundreds of
    # databases (bench/fleet.ps1)
    $items = @($Status.items)
    if ($ServerCount -le 0) { $ServerCount = @($ItemServer | Select-Object -Unique).Count }
    $done = 0
    $runningItems = New-Object System.Collections.Generic.List[int]
    for ($i = 0; $i -lt $items.Count; $i++) {
        $item = $items[$i]
        if ($null -eq $item) { continue }
        $state = [string]$item.state
        if ($state -eq 'running') { $runningItems.Add($i) }
        elseif ($state -eq 'succeeded' -or $state -eq 'failed' -or $state -eq 'cancelled') { $done++ }
    }
    $percent = -1
    if ($null -ne $Status.percent_complete) { $percent = [int][math]::Min(100, [math]::Max(0, [double]$Status.percent_complete)) }
    $serverWord = if ($ServerCount -eq 1) { 'server' } else { 'servers' }
    $text = '{0} {1}: {2} of {3} databases done, {4} running' -f $ServerCount, $serverWord, $done, $items.Count, $runningItems.Count
    $p = @{ Activity = (Hide-SqlUrlSecret -Text $Activity); Id = $Id; Status = (Hide-SqlUrlSecret -Text $text); PercentComplete = $percent }
    if ($null -ne $Status.estimated_seconds_left) { $p.SecondsRemaining = [int][math]::Ceiling([double]$Status.estimated_seconds_left) }
    Write-Progress @p
    foreach ($i in @($Shown)) {
        if (-not $runningItems.Contains($i)) {
            Write-Progress -Activity ('{0} on {1}' -f $items[$i].database, $ItemServer[$i]) -Id ($Id + 1 + $i) -ParentId $Id -Completed
            $null = $Shown.Remove($i)
        }
    }
    foreach ($i in $runningItems) {
        $item = $items[$i]
        $ip = -1
        if ($null -ne $item.percent_complete) { $ip = [int][math]::Min(100, [math]::Max(0, [double]$item.percent_complete)) }
        $st = if ($ip -ge 0) { '{0}% complete' -f $ip } else { 'running' }
        Write-Progress -Activity ('{0} on {1}' -f $item.database, $ItemServer[$i]) -Id ($Id + 1 + $i) -ParentId $Id -Status $st -PercentComplete $ip
        $null = $Shown.Add($i)
    }
}

function Invoke-SqlUrlFleetBackup {
    <#
    .SYNOPSIS
    Runs ONE native backup operation over several servers (sqlurl_fleet_backup_start) and streams
    each database's result (or error) as soon as that database finishes.

    .DESCRIPTION
    Item i of the operation is the i-th database in target order; -ItemServer names its server.
    Progress: one parent record for the fleet and a child per running database. If the pipeline
    stops (Ctrl+C, Stop-Job, Select-Object -First downstream), the `finally` block cancels the
    whole operation on every server, waits a bounded time for the servers to acknowledge, and
    frees the handle. Returns nothing itself: results go to the pipeline, errors through -Cmdlet.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Request,
        [Parameter(Mandatory = $true)][string[]]$ItemServer,
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [string]$Activity = 'Backup to URL',
        [int]$ProgressId = 1,
        [ValidateRange(50, 5000)][int]$PollMilliseconds = 500,
        [ValidateRange(0, 600000)][int]$CancelWaitMilliseconds = 15000,
        # Return {Index, Server, Result} per item (the contract's result, error or not) and show no
        # progress: the -WhatIf / -Confirm preview of a dry run.
        [switch]$Raw
    )
    $native = Get-SqlUrlNativeLibrary
    Write-Verbose ('sqlurl_fleet_backup_start: {0} database(s) on {1} server(s)' -f $ItemServer.Count, @($ItemServer | Select-Object -Unique).Count)
    $startResult = $null
    $op = $native.Start('sqlurl_fleet_backup_start', (ConvertTo-SqlUrlRequestJson -Request $Request), [ref]$startResult)
    if ($null -eq $op) {
        $r = ConvertFrom-SqlUrlNativeResult -Result $startResult -ServerInstance (@($ItemServer | Select-Object -Unique) -join ", ") -TargetObject $null
        if ($null -ne $r.ErrorRecord) { Write-SqlUrlError -Cmdlet $Cmdlet -ErrorRecord $r.ErrorRecord }
        return
    }
    $emitted = New-Object 'bool[]' $ItemServer.Count
    # per item: its server's connection, to fit a storage error's remedy to the credential in use
    $itemConnection = @(foreach ($t in @($Request.targets)) { foreach ($db in @($t.databases)) { $t.connection } })
    $storageUrl = if ($Request.options.container_url) { [string]$Request.options.container_url } else { [string]@($Request.options.urls)[0] }
    $shown = New-Object 'System.Collections.Generic.HashSet[int]'
    $emit = {
        param($Index, $Result)
        if ($emitted[$Index] -or $null -eq $Result) { return }
        $emitted[$Index] = $true
        $server = $ItemServer[$Index]
        if ($Raw) { [pscustomobject]@{ Index = $Index; Server = $server; Result = $Result } }
        elseif ($null -ne $Result.error) {
            $rec = New-SqlUrlErrorRecord -ErrorObject $Result.error -ResultCode 3 -ServerInstance $server -TargetObject ([string]$Result.database)
            if ($Index -lt $itemConnection.Count) { $rec = Update-SqlUrlErrorForCredential -ErrorRecord $rec -Connection $itemConnection[$Index] -Url $storageUrl }
            $Cmdlet.WriteError($rec)
        }
        else {
            foreach ($w in @($Result.warnings | Where-Object { $_ })) { Write-Warning ('{0} on {1}: {2}' -f $Result.database, $server, (ConvertTo-SqlUrlUserWords $w)) }
            ConvertTo-SqlUrlBackupResult -ServerInstance $server -Result $Result
        }
    }
    $final = $null
    $serverCount = @($ItemServer | Select-Object -Unique).Count
    try {
        # -PaceToReader: reading a status costs time in proportion to the items (see Wait-SqlUrlNativeOperation)
        Wait-SqlUrlNativeOperation -Operation $op -ServerInstance $ItemServer[0] -PollMilliseconds $PollMilliseconds -PaceToReader -CancelWaitMilliseconds $CancelWaitMilliseconds | ForEach-Object {
            $r = $_
            $status = $r.Output
            if ($null -ne $status -and $null -ne $status.PSObject.Properties['items']) {
                $items = @($status.items)
                for ($i = 0; $i -lt $items.Count -and $i -lt $ItemServer.Count; $i++) {
                    if ($emitted[$i] -or $null -eq $items[$i]) { continue }
                    if ($null -ne $items[$i].PSObject.Properties['result']) { & $emit $i $items[$i].result }
                }
            }
            if (-not $r.Pending) { $final = $r }
            elseif (-not $Raw) { Write-SqlUrlFleetProgress -Activity $Activity -Id $ProgressId -Status $status -ItemServer $ItemServer -Shown $shown -ServerCount $serverCount }
        }
    }
    finally {
        try {
            foreach ($i in @($shown)) { Write-Progress -Activity 'database' -Id ($ProgressId + 1 + $i) -ParentId $ProgressId -Completed }
            Write-Progress -Activity $Activity -Id $ProgressId -Completed
        }
        catch { $null = $_ }
    }
    $results = @()
    if ($null -ne $final.Output -and $null -ne $final.Output.PSObject.Properties['results']) { $results = @($final.Output.results) }
    for ($i = 0; $i -lt $results.Count -and $i -lt $ItemServer.Count; $i++) { & $emit $i $results[$i] }
    if ($results.Count -eq 0 -and $null -ne $final.ErrorRecord) { Write-SqlUrlError -Cmdlet $Cmdlet -ErrorRecord $final.ErrorRecord }
}
