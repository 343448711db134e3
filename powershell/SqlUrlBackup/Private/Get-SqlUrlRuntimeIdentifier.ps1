# Runs at import: kept to plain functions (no [CmdletBinding()], no switch, no pscustomobject),
# because every engine feature used for the first time in a session costs JIT time and the
# import must stay fast (bench/import-time.ps1).

function Get-SqlUrlRuntimeIdentifier {
    <#
    .SYNOPSIS
    Maps an operating system and process architecture to the module's runtimes/<rid>/native/<file>.

    .DESCRIPTION
    Pure: no I/O, no globals. Returns a hashtable with RuntimeIdentifier, FileName, RelativePath,
    Machine (what the ELF/PE header must say) and Supported (whether this module ships a library
    for it). The loader calls it with the current platform; the tests with every combination.

    .EXAMPLE
    Get-SqlUrlRuntimeIdentifier -Platform Linux -Architecture X64
    #>
    param(
        # Windows, Linux, MacOS (anything else is reported as unsupported).
        [string]$Platform,
        # The PROCESS architecture as RuntimeInformation names it: X64, Arm64, X86, Arm, ...
        [string]$Architecture
    )
    $os = $Platform.ToLowerInvariant()
    if ($os -eq 'windows') { $os = 'win' }
    elseif ($os -eq 'macos' -or $os -eq 'osx') { $os = 'osx' }
    $arch = $Architecture.ToLowerInvariant()
    if ($arch -eq 'amd64') { $arch = 'x64' }
    $file = 'libsqlurl.so'
    if ($os -eq 'win') { $file = 'sqlurl.dll' }
    elseif ($os -eq 'osx') { $file = 'libsqlurl.dylib' }
    $rid = $os + '-' + $arch
    @{
        RuntimeIdentifier = $rid
        FileName          = $file
        RelativePath      = 'runtimes/' + $rid + '/native/' + $file
        Machine           = $arch
        Supported         = ($rid -eq 'linux-x64' -or $rid -eq 'win-x64')
    }
}

function Get-SqlUrlCurrentPlatform {
    <#
    .SYNOPSIS
    The current OS and process architecture, in Windows PowerShell 5.1 and PowerShell 7.
    #>
    if ($PSVersionTable.PSEdition -ne 'Core') {
        # Windows PowerShell 5.1 runs only on Windows; PROCESSOR_ARCHITECTURE is the process's view
        # (AMD64 for a 64-bit process, also under x64 emulation on ARM64; x86 for a 32-bit one).
        return @{ Platform = 'Windows'; Architecture = [string]$env:PROCESSOR_ARCHITECTURE }
    }
    $platform = 'Unknown'
    if ($IsWindows) { $platform = 'Windows' } elseif ($IsLinux) { $platform = 'Linux' } elseif ($IsMacOS) { $platform = 'MacOS' }
    @{ Platform = $platform; Architecture = [string][System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture }
}
