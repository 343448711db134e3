# Import loads nothing: the interop assembly, the native library and the default views
# (Initialize-SqlUrlFormat) are loaded by the first cmdlet call that needs them (bench/import-time.ps1 measures what the import costs). A DSC run or
# runbook that only imports pays for neither.

function Initialize-SqlUrlInterop {
    <#
    .SYNOPSIS
    Loads SqlUrlBackup.Interop (once per session) and checks that it is this module's version.

    .DESCRIPTION
    .NET cannot unload an assembly: when an older or newer SqlUrlBackup was imported earlier in this
    process, its interop assembly stays and would be used with this module's PowerShell code. That
    is refused with a message that says to start a new session.
    #>
    [CmdletBinding()]
    param()
    if ($script:SqlUrlInteropReady) { return }
    $type = 'SqlUrlBackup.Interop.SqlUrlNative' -as [type]
    if ($null -eq $type) {
        try {
            # Assembly.LoadFrom, not Add-Type -Path: Add-Type costs about 600 ms on first use.
            $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($script:SqlUrlModuleRoot, 'SqlUrlBackup.Interop.dll'))
        }
        catch {
            # Fallback for a PowerShell that cannot load the prebuilt .NET Standard 2.0 assembly (or a
            # build without one): compile the same source now. Slower (about a second).
            Write-Verbose "SqlUrlBackup.Interop.dll did not load ($($_.Exception.Message)); compiling Interop/*.cs instead."
            Add-Type -LiteralPath ([System.IO.Directory]::GetFiles([System.IO.Path]::Combine($script:SqlUrlModuleRoot, 'Interop'), '*.cs'))
        }
        $type = 'SqlUrlBackup.Interop.SqlUrlNative' -as [type]
    }
    $want = $ExecutionContext.SessionState.Module.Version
    $have = $type.Assembly.GetName().Version
    if ($null -ne $want -and ($have.Major -ne $want.Major -or $have.Minor -ne $want.Minor -or $have.Build -ne $want.Build)) {
        throw [System.InvalidOperationException]::new(("This PowerShell session already holds SqlUrlBackup.Interop {0} (from '{1}'), loaded by an earlier import of another SqlUrlBackup version; .NET cannot unload it and module {2} cannot work with it. Start a new PowerShell session (or a new runbook job / DSC run) and import SqlUrlBackup {2} there." -f
                $have.ToString(3), $type.Assembly.Location, $want.ToString(3)))
    }
    $script:SqlUrlInteropReady = $true
    Initialize-SqlUrlFormat
}

function Get-SqlUrlNativeLibrary {
    <#
    .SYNOPSIS
    The native library (SqlUrlBackup.Interop.SqlUrlNative), loaded on the first call.
    #>
    [CmdletBinding()]
    param()
    if ($null -eq $script:SqlUrlNative) {
        Initialize-SqlUrlInterop
        try {
            # SQLURL_NATIVE_LIBRARY: load a specific build instead of the packaged one (library development).
            $script:SqlUrlNative = [SqlUrlBackup.Interop.SqlUrlNative]::LoadForModule($script:SqlUrlModuleRoot, $env:SQLURL_NATIVE_LIBRARY)
        }
        catch {
            $inner = $_.Exception
            while ($null -ne $inner.InnerException -and $inner -is [System.Management.Automation.MethodInvocationException]) { $inner = $inner.InnerException }
            throw [System.InvalidOperationException]::new($inner.Message, $inner)
        }
    }
    $script:SqlUrlNative
}
