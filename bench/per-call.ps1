<#
.SYNOPSIS
Per-call cost of Get-SqlUrlCredential over validated TLS, cold and pooled, and where the
PowerShell side spends it (issue 14). Prints medians; asserts nothing.

.DESCRIPTION
Run by bench/per-call.sh against a simulator it started (or give -Server / -CaFile / -Password of
any server). Measures with in-process stopwatches, in one process:
- Get-SqlUrlCredential, pooled (the library reuses the logged-in connection);
- Get-SqlUrlCredential, cold (sqlurl_pool_clear before each call, outside the stopwatch);
- the native call alone ($native.Call: P/Invoke + C ABI + library), pooled;
- the module's JSON work (request ConvertTo-Json + result ConvertFrom-Json).
The cmdlet minus the native call minus the JSON work is parameter binding, connection building
and output objects.

.EXAMPLE
pwsh bench/per-call.ps1 -Server 127.0.0.1,14331 -CaFile /tmp/ca.pem -Password 'Sim-Passw0rd!'
#>
param(
    [Parameter(Mandatory = $true)][string]$Server,
    [Parameter(Mandatory = $true)][string]$CaFile,
    [Parameter(Mandatory = $true)][string]$Password,
    [int]$Runs = 200,
    [string]$ModulePath = (Get-ChildItem -Path (Join-Path $PSScriptRoot '../out/SqlUrlBackup') -Filter SqlUrlBackup.psd1 -Recurse | Select-Object -First 1).FullName
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$mod = Get-Module SqlUrlBackup
& $mod { Import-SqlUrlPrivate }   # the private functions load with the first cmdlet call otherwise
$cred = [pscredential]::new('sa', (ConvertTo-SecureString $Password -AsPlainText -Force))
$params = @{ ServerInstance = $Server; Credential = $cred; CertificateAuthorityFile = $CaFile }

# The same library the module loaded (dlopen returns the loaded copy): sqlurl_pool_clear.
$lib = Get-ChildItem -Path (Split-Path $ModulePath) -Filter 'libsqlurl.so' -Recurse | Select-Object -First 1
Add-Type -TypeDefinition @"
using System;
using System.Runtime.InteropServices;
public static class SqlUrlPoolBench {
    [DllImport("$($lib.FullName)")] public static extern int sqlurl_pool_clear(out IntPtr outJson);
    [DllImport("$($lib.FullName)")] public static extern void sqlurl_string_free(IntPtr s);
    public static void Clear() { IntPtr p; sqlurl_pool_clear(out p); sqlurl_string_free(p); }
}
"@

function Get-Median([double[]]$v) { $s = $v | Sort-Object; $s[[int][math]::Floor($s.Count / 2)] }
function Measure-Ms([scriptblock]$Body, [scriptblock]$Before = {}) {
    & $Before; $null = & $Body   # warm-up
    $sw = [System.Diagnostics.Stopwatch]::new()
    $t = foreach ($i in 1..$Runs) { & $Before; $sw.Restart(); $null = & $Body; $sw.Stop(); $sw.Elapsed.TotalMilliseconds }
    Get-Median $t
}

$pooled = Measure-Ms { Get-SqlUrlCredential @params }
$cold = Measure-Ms { Get-SqlUrlCredential @params } { [SqlUrlPoolBench]::Clear() }
$native, $request, $json = & $mod {
    param($p)
    $n = Get-SqlUrlNativeLibrary
    $c = ConvertTo-SqlUrlConnection -BoundParameters $p -ServerInstance $p.ServerInstance
    $r = [ordered]@{ connection = $c; url = $null }
    $n, $r, (ConvertTo-SqlUrlRequestJson -Request $r)
} $params
$nativeMs = Measure-Ms { $native.Call('sqlurl_credential_list', $json) }
$resultJson = $native.Call('sqlurl_credential_list', $json).Json
$jsonMs = Measure-Ms { & $mod { param($r, $j) $null = ConvertTo-SqlUrlRequestJson -Request $r; ConvertFrom-Json -InputObject $j } $request $resultJson }
[SqlUrlPoolBench]::Clear()

'{0,9:N3} ms  Get-SqlUrlCredential, cold (pool cleared before each call)' -f $cold
'{0,9:N3} ms  Get-SqlUrlCredential, pooled' -f $pooled
'{0,9:N3} ms  native call alone (P/Invoke + C ABI + library), pooled' -f $nativeMs
'{0,9:N3} ms  module JSON (request ConvertTo-Json + result ConvertFrom-Json)' -f $jsonMs
'{0,9:N3} ms  rest of the cmdlet (binding, connection object, output objects) = pooled - native - JSON' -f ($pooled - $nativeMs - $jsonMs)
