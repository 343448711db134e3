# SqlUrlBackup loader (source layout).
#
# build.ps1 merges Classes/, Private/ and Public/ into ONE SqlUrlBackup.psm1 under
# out/SqlUrlBackup/<version>/ and appends the part of this file between #begin-loader and
# #end-loader. Import that built module; this source file only explains how to get it.
if (Test-Path -LiteralPath (Join-Path $PSScriptRoot 'Public')) {
    throw "This is the SqlUrlBackup source folder. Build the module with 'pwsh ./build.ps1' at the repository root, then Import-Module ./out/SqlUrlBackup/<version>/SqlUrlBackup.psd1."
}

#begin-loader
$script:SqlUrlNative = $null

function Import-SqlUrlNativeLibrary {
    <#
    .SYNOPSIS
    Loads the interop assembly and the native library for this OS and process architecture.
    (A plain function on purpose: see Private/Get-SqlUrlRuntimeIdentifier.ps1 on import speed.)
    #>
    param([string]$ModuleRoot)

    $platform = Get-SqlUrlCurrentPlatform
    $rid = Get-SqlUrlRuntimeIdentifier -Platform $platform.Platform -Architecture $platform.Architecture
    # .NET calls, not Test-Path/Join-Path: the first Test-Path in a session costs 150+ ms.
    $libraryPath = [System.IO.Path]::Combine($ModuleRoot, $rid.RelativePath)
    if ($env:SQLURL_NATIVE_LIBRARY) {
        # For developing the library: load a specific build instead of the packaged one.
        $libraryPath = $env:SQLURL_NATIVE_LIBRARY
    }
    elseif (-not $rid.Supported -or -not [System.IO.File]::Exists($libraryPath)) {
        $why = if ($rid.Supported) { 'the file is missing (rebuild with build.ps1)' } else { 'this module ships no library for that platform' }
        throw ("SqlUrlBackup cannot load its native library for {0} ({1}, {2} process): looked for '{3}', but {4}. Supported: linux-x64, win-x64." -f
            $rid.RuntimeIdentifier, $platform.Platform, $platform.Architecture, $libraryPath, $why)
    }

    if (-not ('SqlUrlBackup.Interop.SqlUrlNative' -as [type])) {
        $assembly = [System.IO.Path]::Combine($ModuleRoot, 'SqlUrlBackup.Interop.dll')
        $loaded = $false
        if ([System.IO.File]::Exists($assembly)) {
            try {
                # Assembly.LoadFrom, not Add-Type -Path: Add-Type costs about 600 ms on first use.
                $null = [System.Reflection.Assembly]::LoadFrom($assembly)
                $loaded = $true
            }
            catch {
                Write-Verbose "SqlUrlBackup.Interop.dll did not load ($($_.Exception.Message)); compiling Interop/*.cs instead."
            }
        }
        if (-not $loaded) {
            # Fallback for a PowerShell that cannot load the prebuilt .NET Standard 2.0 assembly
            # (or a build without one): compile the same source now. Slower (about a second).
            $sources = @(Get-ChildItem -LiteralPath (Join-Path $ModuleRoot 'Interop') -Filter '*.cs' -ErrorAction SilentlyContinue | ForEach-Object { $_.FullName })
            if ($sources.Count -eq 0) { throw "SqlUrlBackup: neither '$assembly' nor Interop/*.cs is present in '$ModuleRoot'." }
            Add-Type -LiteralPath $sources
        }
    }

    try {
        [SqlUrlBackup.Interop.SqlUrlNative]::Load($libraryPath, $platform.Platform -eq 'Windows', $rid.Machine)
    }
    catch {
        $inner = $_.Exception
        while ($inner -is [System.Management.Automation.MethodInvocationException] -and $null -ne $inner.InnerException) { $inner = $inner.InnerException }
        throw ("SqlUrlBackup cannot load its native library for {0}: {1}" -f $rid.RuntimeIdentifier, $inner.Message)
    }
}

$script:SqlUrlNative = Import-SqlUrlNativeLibrary -ModuleRoot $PSScriptRoot
#end-loader
