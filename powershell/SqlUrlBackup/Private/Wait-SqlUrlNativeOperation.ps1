function Wait-SqlUrlNativeOperation {
    <#
    .SYNOPSIS
    Waits on a started native operation until it ends and writes each status it reads (converted:
    {Succeeded, Code, Output, ErrorRecord, Pending}) to the pipeline, the last one final.

    .DESCRIPTION
    The one wait loop of Invoke-SqlUrlOperation and Invoke-SqlUrlFleetBackup: they pipe it into
    ForEach-Object, which streams results and shows progress before the next wait. If the
    pipeline stops before the operation ended (Ctrl+C, Stop-Job, Select-Object -First downstream,
    an error upstream), the `finally` block cancels the operation on the server(s), waits a
    bounded time for them to acknowledge (Windows PowerShell 5.1 has no `clean {}` block) and
    frees the handle; the handle is freed in every case.
    With -PaceToReader the next wait is at least three times what reading the last status took
    (JSON parse and the caller's handling: about 0.1-0.3 s for 500 databases on a loaded machine),
    so watching a large fleet takes at most about a quarter of a core from the backups it watches;
    the wait returns at once when the operation ends and lasts 2 s at most.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Operation,
        [Parameter(Mandatory = $true)][string]$ServerInstance,
        [object]$TargetObject,
        [ValidateRange(50, 5000)][int]$PollMilliseconds = 500,
        [switch]$PaceToReader,
        [ValidateRange(0, 600000)][int]$CancelWaitMilliseconds = 15000
    )
    $ended = $false
    $reading = New-Object System.Diagnostics.Stopwatch
    try {
        while (-not $ended) {
            $waitMs = $PollMilliseconds
            if ($PaceToReader) { $waitMs = [math]::Min(2000, [math]::Max($PollMilliseconds, 3 * $reading.ElapsedMilliseconds)) }
            $w = $Operation.Wait([uint32]$waitMs)
            $reading.Restart()
            $r = ConvertFrom-SqlUrlNativeResult -Result $w -ServerInstance $ServerInstance -TargetObject $TargetObject
            $ended = -not $r.Pending
            # the caller's ForEach-Object handles it here, before the next wait
            $r
            $reading.Stop()
        }
    }
    finally {
        if (-not $ended) {
            # The pipeline is stopping: stop the work on the server(s), not just this loop.
            Stop-SqlUrlNativeOperation -Operation $Operation -CancelWaitMilliseconds $CancelWaitMilliseconds
        }
        $Operation.Dispose()
    }
}
