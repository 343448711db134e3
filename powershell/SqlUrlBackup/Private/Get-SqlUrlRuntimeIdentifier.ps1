function Get-SqlUrlRuntimeIdentifier {
    <#
    .SYNOPSIS
    Maps an operating system and process architecture to the module's runtimes/<rid>/native/<file>.

    .DESCRIPTION
    Pure: no I/O, no globals. Returns the runtime identifier, the library file name and whether this
    module ships a library for it. The loader calls it with the current platform and architecture;
    the tests call it with every combination.

    .EXAMPLE
    Get-SqlUrlRuntimeIdentifier -Platform Linux -Architecture X64
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        # Windows, Linux, MacOS (anything else is reported as unsupported).
        [Parameter(Mandatory = $true)][string]$Platform,
        # The PROCESS architecture as RuntimeInformation names it: X64, Arm64, X86, Arm, ...
        [Parameter(Mandatory = $true)][string]$Architecture
    )
    $os = switch ($Platform) {
        'Windows' { 'win' }
        'Linux' { 'linux' }
        'MacOS' { 'osx' }
        'OSX' { 'osx' }
        default { $Platform.ToLowerInvariant() }
    }
    $arch = switch ($Architecture) {
        'X64' { 'x64' }
        'AMD64' { 'x64' }
        'Arm64' { 'arm64' }
        'X86' { 'x86' }
        'Arm' { 'arm' }
        default { $Architecture.ToLowerInvariant() }
    }
    $file = switch ($os) {
        'win' { 'sqlurl.dll' }
        'osx' { 'libsqlurl.dylib' }
        default { 'libsqlurl.so' }
    }
    $rid = '{0}-{1}' -f $os, $arch
    [pscustomobject]@{
        RuntimeIdentifier = $rid
        FileName          = $file
        RelativePath      = 'runtimes/{0}/native/{1}' -f $rid, $file
        # The architecture name the interop layer compares against the ELF/PE header.
        Machine           = $arch
        Supported         = @('linux-x64', 'win-x64') -contains $rid
    }
}

function Get-SqlUrlCurrentPlatform {
    <#
    .SYNOPSIS
    The current OS and process architecture, in Windows PowerShell 5.1 and PowerShell 7.
    #>
    [CmdletBinding()]
    param()
    if ($PSVersionTable.PSEdition -ne 'Core') {
        # Windows PowerShell 5.1 runs only on Windows; PROCESSOR_ARCHITECTURE is the process's view.
        $arch = switch ($env:PROCESSOR_ARCHITECTURE) {
            'AMD64' { 'X64' }
            'ARM64' { 'Arm64' }
            'x86' { 'X86' }
            default { [string]$env:PROCESSOR_ARCHITECTURE }
        }
        return [pscustomobject]@{ Platform = 'Windows'; Architecture = $arch }
    }
    $platform = if ($IsWindows) { 'Windows' } elseif ($IsLinux) { 'Linux' } elseif ($IsMacOS) { 'MacOS' } else { 'Unknown' }
    [pscustomobject]@{
        Platform     = $platform
        Architecture = [string][System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture
    }
}
