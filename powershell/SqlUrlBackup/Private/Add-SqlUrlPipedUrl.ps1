function New-SqlUrlMediaSet {
    <#
    .SYNOPSIS
    A collector for URL strings piped one by one: together they are the blobs of ONE backup (one
    media set), read once in the cmdlet's end block. See Add-SqlUrlPipedUrl.
    #>
    [CmdletBinding()]
    param()
    [pscustomobject]@{ Urls = New-Object System.Collections.Generic.List[string]; Bound = $null }
}

function Add-SqlUrlPipedUrl {
    <#
    .SYNOPSIS
    Adds -Url to the media set when the pipeline object is a string (returns $true: the caller
    waits for end); returns $false for anything else (a backup result carries all its stripes and
    is read at once). The first string's bound parameters are kept for the read in end.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory = $true)][object]$MediaSet,
        [AllowNull()][object]$InputObject,
        [string[]]$Url,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$BoundParameters
    )
    if ($InputObject -isnot [string]) { return $false }
    $MediaSet.Urls.AddRange([string[]]$Url)
    if ($null -eq $MediaSet.Bound) {
        $MediaSet.Bound = @{}
        foreach ($k in $BoundParameters.Keys) { $MediaSet.Bound[$k] = $BoundParameters[$k] }
    }
    $true
}

function Stop-SqlUrlNativeOperation {
    <#
    .SYNOPSIS
    The cancel path of a stopping pipeline: asks the library to stop the operation (ATTENTION on
    every server), waits a bounded time for the servers to acknowledge, never throws.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory = $true)][object]$Operation, [int]$CancelWaitMilliseconds = 15000)
    try {
        [void]$Operation.Cancel()
        $deadline = [DateTime]::UtcNow.AddMilliseconds($CancelWaitMilliseconds)
        while ([DateTime]::UtcNow -lt $deadline) {
            if ($Operation.Wait([uint32]250).Code -ne 10) { break }
        }
    }
    catch {
        # Nothing can be reported from a stopping pipeline; freeing the handle cancels too.
        $null = $_
    }
}
