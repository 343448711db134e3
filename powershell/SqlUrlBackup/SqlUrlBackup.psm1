# SqlUrlBackup loader (source layout).
#
# build.ps1 merges Classes/, the loader part of this file (between the begin/end markers below) and
# Public/ into SqlUrlBackup.psm1, and Private/ into SqlUrlBackup.Private.ps1, under
# out/SqlUrlBackup/<version>/. Import that built module; this source file only explains how to get it.
if (Test-Path -LiteralPath (Join-Path $PSScriptRoot 'Public')) {
    throw "This is the SqlUrlBackup source folder. Build the module with 'pwsh ./build.ps1' at the repository root, then Import-Module ./out/SqlUrlBackup/<version>/SqlUrlBackup.psd1."
}

#begin-loader
# Import loads nothing else: Private/Initialize-SqlUrlInterop.ps1 loads the interop assembly,
# the native library and the default views (Format.ps1xml) on the first cmdlet call (import time: bench/import-time.ps1).
$script:SqlUrlNative = $null
$script:SqlUrlInteropReady = $false
$script:SqlUrlFormatReady = $false
$script:SqlUrlModuleRoot = $PSScriptRoot
$script:SqlUrlPrivateReady = $false
# The cmdlets (Public/) follow the loader in the built psm1.

# The private functions load with the first cmdlet call: build.ps1 makes every cmdlet's begin block
# start with this, and SqlUrlResourceBase's constructor calls it for the DSC resources. The file
# defines them as 'function script:<name>', so dot-sourced here they land in the module's scope.
function Import-SqlUrlPrivate {
    if ($script:SqlUrlPrivateReady) { return }
    . ([System.IO.Path]::Combine($script:SqlUrlModuleRoot, 'SqlUrlBackup.Private.ps1'))
    $script:SqlUrlPrivateReady = $true
}
#end-loader
