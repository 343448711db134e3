<#
.SYNOPSIS
Builds the SqlUrlBackup module: the native library, the interop assembly and the module folder.

.DESCRIPTION
1. cargo build --release -p sqlurl (skip with -SkipCargo, or give -LibraryPath).
2. Compiles Interop/*.cs into SqlUrlBackup.Interop.dll against .NET Standard 2.0 with the Roslyn
   compiler that ships inside pwsh, so the one assembly loads in PowerShell 7 and Windows
   PowerShell 5.1.
3. Merges Public/*.ps1 (with the common connection parameters expanded from
   Build/ConnectionParameters.ps1), Classes/ and the loader into SqlUrlBackup.psm1, and
   Private/*.ps1 into SqlUrlBackup.Private.ps1 (loaded by the first cmdlet call).
4. Lays out out/SqlUrlBackup/<version>/ with the manifest, format, help, the interop assembly and
   runtimes/<rid>/native/<library>, and writes out/SqlUrlBackup.zip for Azure Automation (which
   needs the Windows library: without it the build fails unless -LinuxOnly or -NoZip is given).
The interop assembly carries the module version; the module refuses a different one that an
earlier import left loaded in the same process.

.EXAMPLE
pwsh ./build.ps1

.EXAMPLE
pwsh ./build.ps1 -SkipCargo -WindowsLibraryPath C:\build\sqlurl.dll

.EXAMPLE
pwsh ./build.ps1 -LinuxOnly

A local build for tests and development: Linux library only, no Azure Automation zip.
#>
[CmdletBinding()]
param(
    # Do not run cargo; use the library already in target/release (or -LibraryPath).
    [switch]$SkipCargo,
    # The Linux library to package (default: target/release/libsqlurl.so).
    [string]$LibraryPath,
    # The Windows x64 library to package (default: target/x86_64-pc-windows-gnu/release/sqlurl.dll when it exists).
    [string]$WindowsLibraryPath,
    # Where to lay out the module (default: out/ under the repository root).
    [string]$OutputRoot,
    # Skip the zip for Azure Automation.
    [switch]$NoZip,
    # A local Linux-only build (tests, development loops): no Windows library is needed or packaged,
    # and no Azure Automation zip is written (a zip without the Windows library cannot run there).
    [switch]$LinuxOnly
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$repo = $PSScriptRoot
$src = Join-Path $repo 'powershell/SqlUrlBackup'
if (-not $OutputRoot) { $OutputRoot = Join-Path $repo 'out' }
$manifest = Import-PowerShellDataFile (Join-Path $src 'SqlUrlBackup.psd1')
$version = $manifest.ModuleVersion
$moduleRoot = Join-Path $OutputRoot 'SqlUrlBackup'
$dest = Join-Path $moduleRoot $version
$sw = [Diagnostics.Stopwatch]::StartNew()

function Write-Step([string]$Message) { Write-Host ("build: {0} ({1:n1} s)" -f $Message, $sw.Elapsed.TotalSeconds) }

# --- 1. native library -------------------------------------------------------------------------
if (-not $LibraryPath) {
    if (-not $SkipCargo) {
        Write-Step 'cargo build --release -p sqlurl'
        & cargo build --release -p sqlurl --manifest-path (Join-Path $repo 'Cargo.toml')
        if ($LASTEXITCODE -ne 0) { throw "cargo build failed with exit code $LASTEXITCODE" }
    }
    $targetDir = if ($env:CARGO_TARGET_DIR) { $env:CARGO_TARGET_DIR } else { Join-Path $repo 'target' }
    $LibraryPath = Join-Path $targetDir 'release/libsqlurl.so'
    # -LinuxOnly packages no Windows library, even when an earlier cross build left one in target/.
    if (-not $WindowsLibraryPath -and -not $LinuxOnly) {
        $candidate = Join-Path $targetDir 'x86_64-pc-windows-gnu/release/sqlurl.dll'
        if (Test-Path -LiteralPath $candidate) { $WindowsLibraryPath = $candidate }
    }
}
if ($LinuxOnly) {
    if ($WindowsLibraryPath) { throw '-LinuxOnly and -WindowsLibraryPath exclude each other.' }
    $NoZip = $true
}
elseif (-not $WindowsLibraryPath -and -not $NoZip) {
    # Most users run Windows, and Azure Automation runs the zip on Windows: never write a zip
    # without runtimes/win-x64.
    throw ("The Windows library is missing (looked for target/x86_64-pc-windows-gnu/release/sqlurl.dll), so the Azure Automation zip " +
        "would not work on Windows. Build it with scripts/windows/build-dll.sh or give -WindowsLibraryPath; for a local Linux-only " +
        "build (tests, development) pass -LinuxOnly, which writes no zip.")
}
if (-not (Test-Path -LiteralPath $LibraryPath)) { throw "The Linux native library was not found at '$LibraryPath'." }
if ($WindowsLibraryPath -and -not (Test-Path -LiteralPath $WindowsLibraryPath)) {
    throw "The Windows native library was not found at '$WindowsLibraryPath'."
}

# --- 2. lay out the folder ---------------------------------------------------------------------
if (Test-Path -LiteralPath $dest) { Remove-Item -LiteralPath $dest -Recurse -Force }
$null = New-Item -ItemType Directory -Force -Path $dest, (Join-Path $dest 'en-US'), (Join-Path $dest 'Interop')

# --- 3. interop assembly (.NET Standard 2.0, compiled with pwsh's own Roslyn) -------------------
Write-Step 'compile SqlUrlBackup.Interop.dll (netstandard2.0)'
$refDir = $env:SQLURL_NETSTANDARD_REF
if (-not $refDir) {
    foreach ($c in @((Join-Path $repo '../shared/tools/ref/netstandard2.0'), '/work/shared/tools/ref/netstandard2.0')) {
        if (Test-Path -LiteralPath (Join-Path $c 'netstandard.dll')) { $refDir = $c; break }
    }
}
$csFiles = @(Get-ChildItem -LiteralPath (Join-Path $src 'Interop') -Filter '*.cs' | Sort-Object Name)
# The assembly carries the module version (checked by Initialize-SqlUrlInterop); the same file ships
# for the Add-Type fallback.
$versionSource = "[assembly: System.Reflection.AssemblyVersion(""$version"")]`n[assembly: System.Reflection.AssemblyInformationalVersion(""$version"")]`n"
$assemblyPath = Join-Path $dest 'SqlUrlBackup.Interop.dll'
if ($refDir -and ('Microsoft.CodeAnalysis.CSharp.CSharpCompilation' -as [type])) {
    $trees = @(foreach ($f in $csFiles) {
        [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree]::ParseText((Get-Content -Raw -LiteralPath $f.FullName), $null, $f.FullName, [Text.Encoding]::UTF8)
    }) + @([Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree]::ParseText($versionSource, $null, 'AssemblyVersion.cs', [Text.Encoding]::UTF8))
    $refs = [Microsoft.CodeAnalysis.MetadataReference[]]@(
        [Microsoft.CodeAnalysis.MetadataReference]::CreateFromFile((Join-Path $refDir 'netstandard.dll')))
    $options = [Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions]::new([Microsoft.CodeAnalysis.OutputKind]::DynamicallyLinkedLibrary).
        WithOptimizationLevel([Microsoft.CodeAnalysis.OptimizationLevel]::Release).
        WithPlatform([Microsoft.CodeAnalysis.Platform]::AnyCpu)
    $compilation = [Microsoft.CodeAnalysis.CSharp.CSharpCompilation]::Create('SqlUrlBackup.Interop', [Microsoft.CodeAnalysis.SyntaxTree[]]@($trees), $refs, $options)
    $fs = [IO.File]::Create($assemblyPath)
    try { $emit = $compilation.Emit($fs) } finally { $fs.Dispose() }
    if (-not $emit.Success) {
        Remove-Item -LiteralPath $assemblyPath -ErrorAction SilentlyContinue
        $diag = ($emit.Diagnostics | Where-Object { $_.Severity -eq 'Error' } | ForEach-Object { $_.ToString() }) -join [Environment]::NewLine
        throw "Compiling the interop assembly failed:$([Environment]::NewLine)$diag"
    }
}
else {
    # Fallback documented in the README: the module compiles Interop/*.cs with Add-Type at import.
    Write-Warning "No .NET Standard 2.0 reference (set SQLURL_NETSTANDARD_REF) or no Roslyn in this PowerShell: the module will compile its interop code at import (slower)."
}
# The C# source ships too: the import-time fallback for a PowerShell that cannot load the assembly.
foreach ($f in $csFiles) { Copy-Item -LiteralPath $f.FullName -Destination (Join-Path $dest 'Interop') }
[IO.File]::WriteAllText((Join-Path $dest 'Interop/AssemblyVersion.cs'), $versionSource)

# --- 4. merge the module into its psm1 and functions file ----------------------------------------------------
Write-Step 'merge SqlUrlBackup.psm1'
$template = Get-Content -Raw -LiteralPath (Join-Path $src 'Build/ConnectionParameters.ps1')
$m = [regex]::Match($template, '(?s)#begin-connection-parameters\r?\n(.*?)\r?\n\s*#end-connection-parameters')
if (-not $m.Success) { throw 'Build/ConnectionParameters.ps1 lacks the #begin/#end-connection-parameters markers.' }
$connectionParameters = $m.Groups[1].Value.TrimEnd()
# #SqlUrlOptionalConnectionParameters: the same parameters with -ServerInstance optional and not
# bound from the pipeline (Get-SqlUrlBackup reads other tools' blobs through a server when given one).
$mandatoryServer = '[Parameter(Mandatory = $true, ValueFromPipelineByPropertyName = $true)]'
if (-not $connectionParameters.Contains($mandatoryServer)) { throw "Build/ConnectionParameters.ps1: -ServerInstance no longer carries $mandatoryServer; update the optional variant in build.ps1." }
$optionalConnectionParameters = $connectionParameters.Replace($mandatoryServer, '[Parameter()]')
$template = Get-Content -Raw -LiteralPath (Join-Path $src 'Build/StorageParameters.ps1')
$m = [regex]::Match($template, '(?s)#begin-storage-parameters\r?\n(.*?)\r?\n\s*#end-storage-parameters')
if (-not $m.Success) { throw 'Build/StorageParameters.ps1 lacks the #begin/#end-storage-parameters markers.' }
$storageParameters = $m.Groups[1].Value.TrimEnd()

# Private functions and the loader ship without comments: the parser's time at import grows with
# the text (bench/import-time.ps1), and their comments are for readers of the source. Public
# functions keep theirs: comment-based help and parameter help live there.
function Remove-ScriptComment([string]$Text, [string]$Name) {
    $tokens = $null; $errors = $null
    $null = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$tokens, [ref]$errors)
    if ($errors.Count -gt 0) { throw "$Name does not parse: $($errors[0].Message) at line $($errors[0].Extent.StartLineNumber)" }
    $sbText = [Text.StringBuilder]::new($Text)
    $comments = @($tokens | Where-Object { $_.Kind -eq 'Comment' -and $_.Text -notmatch '^#(region|endregion|requires)\b' })
    for ($i = $comments.Count - 1; $i -ge 0; $i--) {
        $c = $comments[$i]
        $null = $sbText.Remove($c.Extent.StartOffset, $c.Extent.EndOffset - $c.Extent.StartOffset)
    }
    # Drop the lines that held only a comment (not when a here-string could hold blank lines).
    if (@($tokens | Where-Object { $_.Kind -eq 'HereStringExpandable' -or $_.Kind -eq 'HereStringLiteral' }).Count -gt 0) { return $sbText.ToString() }
    (($sbText.ToString() -split '\r?\n') | Where-Object { $_.Trim() -ne '' }) -join [Environment]::NewLine
}

# Two files. SqlUrlBackup.psm1 (the RootModule) holds the DSC classes (the DSC engine finds them
# only there), the loader and the cmdlets (Public/). Private/ goes into SqlUrlBackup.Private.ps1,
# which the first cmdlet call loads (Import-SqlUrlPrivate, in the loader; its functions are defined
# as 'function script:<name>' so that they land in the module's scope). Measured with
# bench/import-time.ps1 (cold pwsh processes): the cmdlets in the psm1 import 10-30 ms faster than
# the same text dot-sourced from a file of its own, which costs its own script lookup and ~230 more
# JIT-compiled methods; the private functions were 60 % of what the rest cost.
$header = "# SqlUrlBackup $version - generated by build.ps1 from powershell/SqlUrlBackup; edit the sources, not this file."

# The one function a Public/ file defines (its FunctionDefinitionAst), which must have no dynamicparam block.
function Get-PublicFunctionAst([string]$Text, [string]$Name) {
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($Text, [ref]$null, [ref]$errors)
    if ($errors.Count -gt 0) { throw "$Name does not parse: $($errors[0].Message) at line $($errors[0].Extent.StartLineNumber)" }
    $fn = @($ast.EndBlock.Statements | Where-Object { $_ -is [System.Management.Automation.Language.FunctionDefinitionAst] })
    if ($fn.Count -ne 1) { throw "$Name must define exactly one function." }
    if ($null -ne $fn[0].Body.DynamicParamBlock) { throw "$Name has a dynamicparam block: teach build.ps1 (Add-PrivateImport, Split-PublicBody) to keep it in the psm1 and load the private functions before it." }
    $fn[0]
}

# Every public function starts with Import-SqlUrlPrivate: first statement of its begin block (one
# is added before process when it has none).
function Add-PrivateImport([string]$Text, [string]$Name) {
    $body = (Get-PublicFunctionAst -Text $Text -Name $Name).Body
    if ($null -ne $body.BeginBlock) {
        $at = $Text.IndexOf('{', $body.BeginBlock.Extent.StartOffset) + 1
        return $Text.Insert($at, [Environment]::NewLine + '        Import-SqlUrlPrivate')
    }
    if ($null -ne $body.ProcessBlock) {
        return $Text.Insert($body.ProcessBlock.Extent.StartOffset, 'begin { Import-SqlUrlPrivate }' + [Environment]::NewLine + '    ')
    }
    if ($null -ne $body.ParamBlock) {
        return $Text.Insert($body.ParamBlock.Extent.EndOffset, [Environment]::NewLine + '    Import-SqlUrlPrivate')
    }
    throw "$Name has neither a param block nor a begin or process block."
}

# The cmdlets' code loads with the private functions. In the psm1 each public function keeps its
# help, attributes and param block (Get-Help, Get-Command and tab completion see all of them at
# import), and each of its begin/process/end blocks dot-sources a script block of the same code
# from SqlUrlBackup.Private.ps1 ($script:SqlUrlCmdletBody['<name>/<block>']). Dot-sourced, the code
# runs in the function's own scope: its parameters, $PSCmdlet, $_ and the variables one block sets
# for the next are the function's own. A dot-sourced script block gets $PSBoundParameters and
# $MyInvocation of its own, so one that uses them starts by taking the function's back from
# $PSCmdlet (the same objects). Measured with bench/import-time.ps1: the parser then meets only the
# param blocks at import, 15-20 ms less than the whole cmdlets.
function Split-PublicBody([string]$Text, [string]$Name, [Text.StringBuilder]$Bodies) {
    $fn = Get-PublicFunctionAst -Text $Text -Name $Name
    $body = $fn.Body
    $cut = New-Object System.Collections.Generic.List[object]
    foreach ($block in @($body.BeginBlock, $body.ProcessBlock, $body.EndBlock)) {
        if ($null -eq $block -or $block.Statements.Count -eq 0) { continue }
        if ($null -ne $block.Traps -and $block.Traps.Count -gt 0) { throw "$Name has a trap in its $($block.BlockKind) block: build.ps1 (Split-PublicBody) cannot move it." }
        # $input and $args of a dot-sourced script block are its own (empty), not the function's.
        $own = @($block.FindAll({ param($n) $n -is [System.Management.Automation.Language.VariableExpressionAst] -and $n.VariablePath.UserPath -in 'input', 'args' }, $true) | Where-Object {
                $p = $_.Parent
                while ($p -isnot [System.Management.Automation.Language.ScriptBlockAst]) { $p = $p.Parent }
                $p -eq $body
            })
        if ($own.Count -gt 0) { throw "$Name uses `$$($own[0].VariablePath.UserPath) in its $($block.BlockKind) block (line $($own[0].Extent.StartLineNumber)): build.ps1 (Split-PublicBody) cannot move that code out of the function; bind the input to a parameter instead." }
        if ($block.Unnamed) {
            $start = $block.Statements[0].Extent.StartOffset
            $end = $block.Statements[$block.Statements.Count - 1].Extent.EndOffset
        }
        else {
            $start = $Text.IndexOf('{', $block.Extent.StartOffset) + 1
            $end = $block.Extent.EndOffset - 1
        }
        $key = '{0}/{1}' -f $fn.Name, $block.BlockKind.ToString().ToLowerInvariant()
        $code = $Text.Substring($start, $end - $start).Trim()
        $null = $Bodies.AppendLine("`$script:SqlUrlCmdletBody['$key'] = {")
        if ($code -match '[$@]PSBoundParameters\b') { $null = $Bodies.AppendLine('$PSBoundParameters = $PSCmdlet.MyInvocation.BoundParameters') }
        if ($code -match '\$MyInvocation\b') { $null = $Bodies.AppendLine('$MyInvocation = $PSCmdlet.MyInvocation') }
        $null = $Bodies.AppendLine($code).AppendLine('}')
        $cut.Add(@{ Start = $start; End = $end; Key = $key })
    }
    for ($i = $cut.Count - 1; $i -ge 0; $i--) {
        $c = $cut[$i]
        $Text = $Text.Remove($c.Start, $c.End - $c.Start).Insert($c.Start, "`n        . `$script:SqlUrlCmdletBody['$($c.Key)']`n    ")
    }
    $Text
}

$texts = @{ Public = [Text.StringBuilder]::new(); Private = [Text.StringBuilder]::new() }
$bodies = [Text.StringBuilder]::new()
$null = $bodies.AppendLine('$script:SqlUrlCmdletBody = @{}')
foreach ($folder in 'Private', 'Public') {
    $sb = $texts[$folder]
    if ($folder -eq 'Private') { $null = $sb.AppendLine($header) }
    foreach ($f in (Get-ChildItem -LiteralPath (Join-Path $src $folder) -Filter '*.ps1' | Sort-Object Name)) {
        $text = Get-Content -Raw -LiteralPath $f.FullName
        if ($folder -eq 'Public') {
            # A cmdlet that never connects to a SQL Server (it works on objects or storage only)
            # says so with #SqlUrlNoConnectionParameters instead.
            if ($text -notmatch '(?m)^\s*#SqlUrl(No|Optional)?ConnectionParameters\s*$') {
                throw "$($f.Name) has neither a #SqlUrlConnectionParameters, #SqlUrlOptionalConnectionParameters nor a #SqlUrlNoConnectionParameters marker in its param block."
            }
            $text = [regex]::Replace($text, '(?m)^\s*#SqlUrlConnectionParameters\s*$', { param($x) $connectionParameters })
            $text = [regex]::Replace($text, '(?m)^\s*#SqlUrlOptionalConnectionParameters\s*$', { param($x) $optionalConnectionParameters })
            $text = [regex]::Replace($text, '(?m)^\s*#SqlUrlStorageParameters\s*$', { param($x) $storageParameters })
            $text = Split-PublicBody -Text $text -Name "Public/$($f.Name)" -Bodies $bodies
            $text = Add-PrivateImport -Text $text -Name "Public/$($f.Name)"
        }
        else {
            $text = Remove-ScriptComment -Text $text -Name "$folder/$($f.Name)"
            $text = [regex]::Replace($text, '(?m)^function\s+(?!script:)', 'function script:')
        }
        $null = $sb.AppendLine("#region $folder/$($f.Name)").AppendLine($text.TrimEnd()).AppendLine('#endregion').AppendLine()
    }
}
$null = $texts.Private.AppendLine('#region the cmdlets'' code (Public/, Split-PublicBody)').AppendLine((Remove-ScriptComment -Text $bodies.ToString() -Name 'the cmdlets'' code').TrimEnd()).AppendLine('#endregion')

# The DSC classes (one file: a derived class parses only with its base class in the same text),
# stripped of comments, then the loader.
$sb = [Text.StringBuilder]::new()
$null = $sb.AppendLine($header)
$text = Remove-ScriptComment -Text (Get-Content -Raw -LiteralPath (Join-Path $src 'Classes/SqlUrlDscResources.ps1')) -Name 'Classes/SqlUrlDscResources.ps1'
$null = $sb.AppendLine($text.TrimEnd()).AppendLine()
$loader = Get-Content -Raw -LiteralPath (Join-Path $src 'SqlUrlBackup.psm1')
$lm = [regex]::Match($loader, '(?s)#begin-loader\r?\n(.*?)#end-loader')
if (-not $lm.Success) { throw 'SqlUrlBackup.psm1 lacks the #begin-loader/#end-loader markers.' }
$null = $sb.AppendLine('#region loader').AppendLine((Remove-ScriptComment -Text $lm.Groups[1].Value -Name 'loader').TrimEnd()).AppendLine('#endregion').AppendLine()
$null = $sb.Append($texts.Public.ToString())
$psm1 = $sb.ToString()

# Both files must parse (in this PowerShell) before they ship; UTF-8 with BOM: Windows PowerShell
# 5.1 reads BOM-less files as the ANSI code page.
$utf8Bom = [Text.UTF8Encoding]::new($true)
foreach ($out in @(@{ Name = 'SqlUrlBackup.psm1'; Text = $psm1 }, @{ Name = 'SqlUrlBackup.Private.ps1'; Text = $texts.Private.ToString() })) {
    $tokens = $null; $errors = $null
    $null = [System.Management.Automation.Language.Parser]::ParseInput($out.Text, [ref]$tokens, [ref]$errors)
    if ($errors.Count -gt 0) { throw "The merged $($out.Name) does not parse: $($errors[0].Message) at line $($errors[0].Extent.StartLineNumber)" }
    [IO.File]::WriteAllText((Join-Path $dest $out.Name), $out.Text, $utf8Bom)
}

foreach ($file in 'SqlUrlBackup.psd1', 'SqlUrlBackup.Format.ps1xml') {
    Copy-Item -LiteralPath (Join-Path $src $file) -Destination $dest
}
Copy-Item -LiteralPath (Join-Path $src 'en-US/about_SqlUrlBackup.help.txt') -Destination (Join-Path $dest 'en-US')

# --- 5. native libraries under runtimes/<rid>/native ------------------------------------------
$linuxDir = Join-Path $dest 'runtimes/linux-x64/native'
$null = New-Item -ItemType Directory -Force -Path $linuxDir
Copy-Item -LiteralPath $LibraryPath -Destination (Join-Path $linuxDir 'libsqlurl.so')
if ($WindowsLibraryPath) {
    $winDir = Join-Path $dest 'runtimes/win-x64/native'
    $null = New-Item -ItemType Directory -Force -Path $winDir
    Copy-Item -LiteralPath $WindowsLibraryPath -Destination (Join-Path $winDir 'sqlurl.dll')
    Write-Step "packaged win-x64 library from $WindowsLibraryPath"
}
else {
    Write-Step 'no Windows library: linux-x64 only (no Azure Automation zip)'
}

# --- 6. zip for Azure Automation: zip name = folder name = manifest name ------------------------
if (-not $NoZip) {
    $zip = Join-Path $OutputRoot 'SqlUrlBackup.zip'
    if (Test-Path -LiteralPath $zip) { Remove-Item -LiteralPath $zip -Force }
    Add-Type -AssemblyName System.IO.Compression.FileSystem
    [IO.Compression.ZipFile]::CreateFromDirectory($moduleRoot, $zip, [IO.Compression.CompressionLevel]::Optimal, $true)
    Write-Step "wrote $zip"
}
elseif ($LinuxOnly) {
    # A zip left by an earlier full build would not match this module: remove it.
    $zip = Join-Path $OutputRoot 'SqlUrlBackup.zip'
    if (Test-Path -LiteralPath $zip) { Remove-Item -LiteralPath $zip -Force; Write-Step "removed the stale $zip (-LinuxOnly writes none)" }
}
Write-Step "module ready: $dest"
