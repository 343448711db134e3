# SqlUrlBackup loader (source layout).
#
# build.ps1 merges Classes/, Private/ and Public/ into ONE SqlUrlBackup.psm1 under
# out/SqlUrlBackup/<version>/ and appends the loader part of this file (between the begin/end
# markers below). Import that built module; this source file only explains how to get it.
if (Test-Path -LiteralPath (Join-Path $PSScriptRoot 'Public')) {
    throw "This is the SqlUrlBackup source folder. Build the module with 'pwsh ./build.ps1' at the repository root, then Import-Module ./out/SqlUrlBackup/<version>/SqlUrlBackup.psd1."
}

#begin-loader
# Kept tiny on purpose: platform detection, path checks and loading are C#
# (SqlUrlNative.LoadForModule); the import runs these few PowerShell statements only.
$script:SqlUrlNative = $null
if (-not ('SqlUrlBackup.Interop.SqlUrlNative' -as [type])) {
    try {
        # Assembly.LoadFrom, not Add-Type -Path: Add-Type costs about 600 ms on first use.
        $null = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, 'SqlUrlBackup.Interop.dll'))
    }
    catch {
        # Fallback for a PowerShell that cannot load the prebuilt .NET Standard 2.0 assembly (or a
        # build without one): compile the same source now. Slower (about a second).
        Write-Verbose "SqlUrlBackup.Interop.dll did not load ($($_.Exception.Message)); compiling Interop/*.cs instead."
        Add-Type -LiteralPath ([System.IO.Directory]::GetFiles([System.IO.Path]::Combine($PSScriptRoot, 'Interop'), '*.cs'))
    }
}
try {
    # SQLURL_NATIVE_LIBRARY: load a specific build instead of the packaged one (library development).
    $script:SqlUrlNative = [SqlUrlBackup.Interop.SqlUrlNative]::LoadForModule($PSScriptRoot, $env:SQLURL_NATIVE_LIBRARY)
}
catch {
    $inner = $_.Exception
    while ($null -ne $inner.InnerException -and $inner -is [System.Management.Automation.MethodInvocationException]) { $inner = $inner.InnerException }
    throw $inner.Message
}
#end-loader
