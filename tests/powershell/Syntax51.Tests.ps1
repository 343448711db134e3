# Windows PowerShell 5.1 cannot run here, so this test keeps the module code inside what 5.1 can
# parse and run: it parses every module source file and the merged psm1 with the PowerShell 7
# parser and fails on syntax 5.1 lacks, and on PowerShell 7-only commands or parameters.
BeforeDiscovery {
    $repo = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $src = Join-Path $repo 'powershell/SqlUrlBackup'
    # (the DSC classes are one file, Classes/SqlUrlDscResources.ps1, that parses on its own)
    $files = @(Get-ChildItem -LiteralPath $src -Recurse -Include '*.ps1', '*.psm1', '*.psd1' | ForEach-Object { $_.FullName })
    # The runbooks: Azure Automation also offers a Windows PowerShell 5.1 runtime.
    $files += @(Get-ChildItem -LiteralPath (Join-Path $repo 'examples/runbooks') -Filter '*.ps1' -ErrorAction SilentlyContinue | ForEach-Object { $_.FullName })
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $built = foreach ($f in 'SqlUrlBackup.psm1', 'SqlUrlBackup.Private.ps1') { Join-Path (Split-Path (Get-SqlUrlTestModulePath)) $f }
    $script:ModuleFiles = @(@($files) + @($built) | ForEach-Object {
            $name = if ($_.StartsWith($repo)) { $_.Substring($repo.Length + 1) } else { $_ }
            @{ File = $_; Name = $name }
        })
}

BeforeAll {
    function Find-Ps7OnlySyntax {
        param([string]$File)
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($File, [ref]$tokens, [ref]$errors)
        $found = New-Object System.Collections.Generic.List[string]
        foreach ($e in $errors) { $found.Add("parse error: $($e.Message) (line $($e.Extent.StartLineNumber))") }
        $nodes = $ast.FindAll({ $true }, $true)
        foreach ($n in $nodes) {
            $line = $n.Extent.StartLineNumber
            $type = $n.GetType().Name
            if ($type -eq 'TernaryExpressionAst') { $found.Add("ternary ?: (line $line)") }
            if ($type -eq 'PipelineChainAst') { $found.Add("&& / || pipeline chain (line $line)") }
            if ($n -is [System.Management.Automation.Language.BinaryExpressionAst] -and [string]$n.Operator -eq 'QuestionQuestion') { $found.Add("?? operator (line $line)") }
            if ($n -is [System.Management.Automation.Language.AssignmentStatementAst] -and [string]$n.Operator -eq 'QuestionQuestionEquals') { $found.Add("??= operator (line $line)") }
            if ($n -is [System.Management.Automation.Language.MemberExpressionAst] -and $n.NullConditional) { $found.Add("?. operator (line $line)") }
            if ($n -is [System.Management.Automation.Language.IndexExpressionAst] -and $n.NullConditional) { $found.Add("?[] operator (line $line)") }
            if ($n -is [System.Management.Automation.Language.ScriptBlockAst] -and $null -ne $n.CleanBlock) { $found.Add("clean {} block (line $line)") }
            if ($n -is [System.Management.Automation.Language.CommandAst]) {
                $name = $n.GetCommandName()
                $params = @($n.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } | ForEach-Object { $_.ParameterName })
                # Commands that Windows PowerShell 5.1 does not have.
                if (@('Join-String', 'Get-Error', 'Test-Json', 'ConvertFrom-Markdown', 'Show-Markdown', 'Get-Uptime', 'Start-ThreadJob',
                        'Remove-Alias', 'Remove-Service', 'Get-ExperimentalFeature', 'Enable-ExperimentalFeature', 'Clear-RecycleBin') -contains $name) {
                    $found.Add("7-only command $name (line $line)")
                }
                # Parameters that 5.1's versions of these commands lack.
                $sevenOnly = @{
                    'ForEach-Object'  = @('Parallel', 'ThrottleLimit', 'AsJob', 'TimeoutSeconds', 'UseNewRunspace')
                    'ConvertFrom-Json' = @('AsHashtable', 'Depth', 'NoEnumerate', 'DateKind')
                    'ConvertTo-Json'  = @('EscapeHandling', 'AsArray')
                    'Get-Content'     = @('AsByteStream')
                    'Set-Content'     = @('AsByteStream')
                    'Add-Content'     = @('AsByteStream')
                    'Invoke-RestMethod' = @('SkipCertificateCheck', 'Authentication', 'Token', 'StatusCodeVariable', 'ResponseHeadersVariable', 'SkipHttpErrorCheck', 'MaximumRetryCount')
                    'Invoke-WebRequest' = @('SkipCertificateCheck', 'Authentication', 'Token', 'SkipHttpErrorCheck', 'MaximumRetryCount')
                    'Select-String'   = @('Raw', 'NoEmphasis')
                    'Split-Path'      = @('LeafBase', 'Extension')
                    'Test-Connection' = @('TcpPort', 'TargetName')
                    'Import-PowerShellDataFile' = @('SkipLimitCheck')
                    'Get-ChildItem'   = @('FollowSymlink')
                    'Sort-Object'     = @('Top', 'Bottom', 'Stable')
                    'Select-Object'   = @('SkipIndex')
                    'Get-Date'        = @('AsUTC', 'UnixTimeSeconds')
                    'Start-Process'   = @('Environment')
                    'New-Guid'        = @('Empty')
                }
                if ($name -and $sevenOnly.ContainsKey($name)) {
                    foreach ($p in $params) {
                        foreach ($bad in $sevenOnly[$name]) {
                            if ($bad -like "$p*" -and $p.Length -ge 2) { $found.Add("7-only parameter $name -$p (line $line)") }
                        }
                    }
                }
                # Encodings that 5.1 does not know by that name (utf8NoBOM, utf8BOM, ansi).
                if (@('Set-Content', 'Add-Content', 'Out-File', 'Get-Content', 'Export-Csv', 'Import-Csv') -contains $name) {
                    $i = [array]::IndexOf(@($n.CommandElements | ForEach-Object { if ($_ -is [System.Management.Automation.Language.CommandParameterAst]) { $_.ParameterName } else { '' } }), 'Encoding')
                    if ($i -ge 0 -and $i + 1 -lt $n.CommandElements.Count -and @('utf8NoBOM', 'utf8BOM', 'ansi') -contains [string]$n.CommandElements[$i + 1].Extent.Text) {
                        $found.Add("7-only encoding name (line $line)")
                    }
                }
            }
            # PowerShell 7 automatic variables used without a 5.1 guard are checked by review;
            # $IsWindows/$IsLinux are only read after a PSEdition check (Get-SqlUrlCurrentPlatform).
        }
        $found.ToArray()
    }
}

Describe 'Windows PowerShell 5.1 compatibility of <Name>' -ForEach $script:ModuleFiles {
    It 'parses and uses no PowerShell 7-only syntax, commands or parameters' {
        $found = @(Find-Ps7OnlySyntax -File $File)
        $found | Should -BeNullOrEmpty -Because ($found -join '; ')
    }
}

Describe 'The 5.1 syntax checker itself' {
    It 'finds <What>' -ForEach @(
        @{ What = 'a ternary'; Code = '$a = $b ? 1 : 2' }
        @{ What = '??'; Code = '$a = $b ?? 1' }
        @{ What = '??='; Code = '$a ??= 1' }
        @{ What = '?.'; Code = '${a}?.Name' }
        @{ What = '&&'; Code = 'Get-Date && Get-Date' }
        @{ What = '-Parallel'; Code = '1..2 | ForEach-Object -Parallel { $_ }' }
        @{ What = 'clean {}'; Code = 'function f { process { 1 } clean { 2 } }' }
        @{ What = 'Join-String'; Code = '1, 2 | Join-String' }
        @{ What = 'ConvertFrom-Json -AsHashtable'; Code = '"{}" | ConvertFrom-Json -AsHashtable' }
    ) {
        $f = Join-Path ([System.IO.Path]::GetTempPath()) ("syntax51-" + [guid]::NewGuid().ToString('n') + '.ps1')
        Set-Content -LiteralPath $f -Value $Code
        try { @(Find-Ps7OnlySyntax -File $f).Count | Should -BeGreaterThan 0 } finally { Remove-Item -LiteralPath $f }
    }
    It 'accepts 5.1 code' {
        $f = Join-Path ([System.IO.Path]::GetTempPath()) ("syntax51-" + [guid]::NewGuid().ToString('n') + '.ps1')
        Set-Content -LiteralPath $f -Value 'if ($a) { 1 } else { 2 }; $x = [ordered]@{ a = 1 }; ConvertTo-Json -InputObject $x -Depth 5 -Compress'
        try { @(Find-Ps7OnlySyntax -File $f).Count | Should -Be 0 } finally { Remove-Item -LiteralPath $f }
    }
}
