# The selection itself is SqlUrlBackup.Interop.RuntimeSelection (Interop/SqlUrlNative.cs), so
# that the import runs it without PowerShell; these wrappers expose it to the module and tests.

function Get-SqlUrlRuntimeIdentifier {
    <#
    .SYNOPSIS
    Maps an operating system and process architecture to the module's runtimes/<rid>/native/<file>.

    .DESCRIPTION
    Pure: no I/O, no globals. Returns RuntimeIdentifier, FileName, RelativePath, Machine (what the
    ELF/PE header must say) and Supported (whether this module ships a library for it).

    .EXAMPLE
    Get-SqlUrlRuntimeIdentifier -Platform Linux -Architecture X64
    #>
    param(
        # Windows, Linux, MacOS (anything else is reported as unsupported).
        [string]$Platform,
        # The PROCESS architecture as RuntimeInformation names it: X64, Arm64, X86, Arm, ...
        [string]$Architecture
    )
    Initialize-SqlUrlInterop
    [SqlUrlBackup.Interop.RuntimeSelection]::Select($Platform, $Architecture)
}

function Get-SqlUrlCurrentPlatform {
    <#
    .SYNOPSIS
    The current OS and process architecture (Windows PowerShell 5.1 and PowerShell 7).
    #>
    Initialize-SqlUrlInterop
    @{
        Platform     = [SqlUrlBackup.Interop.RuntimeSelection]::CurrentPlatform()
        Architecture = [SqlUrlBackup.Interop.RuntimeSelection]::CurrentArchitecture()
    }
}
