# SqlUrlBackup loader (source layout).
#
# build.ps1 merges Classes/, Private/ and Public/ into ONE SqlUrlBackup.psm1 under
# out/SqlUrlBackup/<version>/ and appends the loader part of this file (between the begin/end
# markers below). Import that built module; this source file only explains how to get it.
if (Test-Path -LiteralPath (Join-Path $PSScriptRoot 'Public')) {
    throw "This is the SqlUrlBackup source folder. Build the module with 'pwsh ./build.ps1' at the repository root, then Import-Module ./out/SqlUrlBackup/<version>/SqlUrlBackup.psd1."
}

#begin-loader
# Import loads nothing else: Private/Initialize-SqlUrlInterop.ps1 loads the interop assembly and
# the native library on the first cmdlet call (import time: bench/import-time.ps1).
$script:SqlUrlNative = $null
$script:SqlUrlInteropReady = $false
$script:SqlUrlModuleRoot = $PSScriptRoot
#end-loader
