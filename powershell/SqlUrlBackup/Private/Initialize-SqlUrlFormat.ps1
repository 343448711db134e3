function Initialize-SqlUrlFormat {
    <#
    .SYNOPSIS
    Loads the default views (SqlUrlBackup.Format.ps1xml) into this session, once.

    .DESCRIPTION
    The views load with the first cmdlet call (from Initialize-SqlUrlInterop), not at import: a
    format file costs 40-90 ms of CPU the first time a session loads one (bench/import-time.ps1),
    and every object the module outputs comes after that first call. Update-FormatData skips a
    file the session already has, so a second import (-Force) or call adds nothing. A host that
    forbids format updates still gets the objects, with the generic views. Loading the views
    changes nothing on any server, so it ignores the calling cmdlet's -WhatIf and -Confirm (and
    $WhatIfPreference): a first call with -WhatIf loads them silently like any other.
    #>
    [CmdletBinding()]
    param()
    if ($script:SqlUrlFormatReady) { return }
    $script:SqlUrlFormatReady = $true
    try {
        Update-FormatData -AppendPath ([System.IO.Path]::Combine($script:SqlUrlModuleRoot, 'SqlUrlBackup.Format.ps1xml')) -WhatIf:$false -Confirm:$false -ErrorAction Stop
    }
    catch {
        Write-Verbose "SqlUrlBackup's default views were not loaded ($($_.Exception.Message)); objects show with PowerShell's generic views."
    }
}
