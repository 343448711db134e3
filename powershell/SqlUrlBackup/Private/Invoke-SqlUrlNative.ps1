function ConvertTo-SqlUrlRequestJson {
    <#
    .SYNOPSIS
    Serialises a request hashtable to the compact JSON the library reads. The result may hold secrets.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory = $true)][System.Collections.IDictionary]$Request)
    # -Depth: Windows PowerShell 5.1 stops at 2 levels by default and would flatten `connection.auth`.
    ConvertTo-Json -InputObject $Request -Depth 20 -Compress
}

function ConvertFrom-SqlUrlNativeResult {
    <#
    .SYNOPSIS
    Turns a NativeCallResult (code + JSON) into {Succeeded, Pending, Code, Output, ErrorRecord}.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][object]$Result,
        [string]$ServerInstance,
        [object]$TargetObject
    )
    $output = $null
    $parseError = $null
    if ($Result.Json) {
        try { $output = ConvertFrom-Json -InputObject $Result.Json }
        catch { $parseError = $_.Exception.Message }
    }
    $code = [int]$Result.Code
    $record = $null
    if ($null -ne $parseError) {
        $record = New-SqlUrlErrorRecord -ErrorObject ([pscustomobject]@{
                kind = 'Internal'; category = 'InvalidResult'
                message = "The native library returned JSON this module cannot read: $parseError"
                recommended_action = 'Use the library version that ships with this module version.'
            }) -ResultCode 9 -ServerInstance $ServerInstance -TargetObject $TargetObject
        $code = 9
    }
    elseif ($code -ne 0 -and $code -ne 10) {
        $record = New-SqlUrlErrorRecord -ErrorObject $output -ResultCode $code -ServerInstance $ServerInstance -TargetObject $TargetObject
    }
    elseif ($null -ne $output -and $null -ne $output.PSObject.Properties['error'] -and $null -ne $output.error) {
        $record = New-SqlUrlErrorRecord -ErrorObject $output -ResultCode 9 -ServerInstance $ServerInstance -TargetObject $TargetObject
    }
    [pscustomobject]@{
        Succeeded   = $null -eq $record
        Pending     = $code -eq 10
        Code        = $code
        Output      = $output
        ErrorRecord = $record
    }
}

function Invoke-SqlUrlNative {
    <#
    .SYNOPSIS
    Calls one JSON-in/JSON-out export of the native library for one server.

    .DESCRIPTION
    Never writes the request (it holds secrets) to any stream. A library without the export is a
    NotSupported error, not a crash.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$Function,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$Request,
        [string]$ServerInstance,
        [object]$TargetObject
    )
    $native = Get-SqlUrlNativeLibrary
    Write-Verbose ("{0} on {1}" -f $Function, $ServerInstance)
    try {
        $result = $native.Call($Function, (ConvertTo-SqlUrlRequestJson -Request $Request))
    }
    catch [System.EntryPointNotFoundException] {
        $result = [pscustomobject]@{ Code = 7; Json = (ConvertTo-Json -Compress -InputObject @{
                    contract_version = 1; error = @{ kind = 'NotSupported'; category = 'NotImplemented'; message = $_.Exception.Message
                        recommended_action = 'Install a module version whose native library provides this function.' }
                }) }
    }
    ConvertFrom-SqlUrlNativeResult -Result $result -ServerInstance $ServerInstance -TargetObject $TargetObject
}

function Get-SqlUrlStatement {
    <#
    .SYNOPSIS
    Every T-SQL statement an output lists: .statements, .results[].statements, .results[].steps[].statement.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowNull()][object]$Output)
    if ($null -eq $Output) { return }
    foreach ($s in @($Output.statements)) { if ($s) { [string]$s } }
    foreach ($r in @($Output.results)) {
        if ($null -eq $r) { continue }
        $own = @($r.statements | Where-Object { $_ })
        foreach ($s in $own) { [string]$s }
        if ($own.Count -eq 0) { foreach ($step in @($r.steps)) { if ($step -and $step.statement) { [string]$step.statement } } }
    }
}

function Test-SqlUrlPreviewNeeded {
    <#
    .SYNOPSIS
    True when ShouldProcess will show something (-WhatIf, or a confirmation prompt at this impact):
    then the cmdlet first asks the library for a dry run so that the message can show the T-SQL.
    Reads the CALLER's $WhatIfPreference / $ConfirmPreference through dynamic scoping.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory = $true)][System.Management.Automation.ConfirmImpact]$Impact)
    if ($WhatIfPreference) { return $true }
    $pref = [System.Management.Automation.ConfirmImpact]$ConfirmPreference
    ($pref -ne [System.Management.Automation.ConfirmImpact]::None) -and ($Impact -ge $pref)
}

function Invoke-SqlUrlInspection {
    <#
    .SYNOPSIS
    Runs one inspection export (header, file list, verify) for the blobs of ONE backup on every
    server; returns {Server, Result} per server. Bad connection parameters are terminating
    errors of -Cmdlet.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][System.Management.Automation.PSCmdlet]$Cmdlet,
        [Parameter(Mandatory = $true)][ValidateSet('sqlurl_backup_header', 'sqlurl_backup_filelist', 'sqlurl_backup_verify')][string]$Function,
        [Parameter(Mandatory = $true)][string[]]$ServerInstance,
        [Parameter(Mandatory = $true)][string[]]$Url,
        [Parameter(Mandatory = $true)][System.Collections.IDictionary]$BoundParameters
    )
    foreach ($server in $ServerInstance) {
        try { $connection = ConvertTo-SqlUrlConnection -BoundParameters $BoundParameters -ServerInstance $server }
        catch { $Cmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $server)) }
        $r = Invoke-SqlUrlNative -Function $Function -Request ([ordered]@{ connection = $connection; urls = [string[]]$Url }) -ServerInstance $server -TargetObject ($Url -join ', ')
        if ($null -ne $r.ErrorRecord) { $r.ErrorRecord = Update-SqlUrlErrorForCredential -ErrorRecord $r.ErrorRecord -Connection $connection -Url $Url[0] }
        [pscustomobject]@{ Server = $server; Result = $r }
    }
}
