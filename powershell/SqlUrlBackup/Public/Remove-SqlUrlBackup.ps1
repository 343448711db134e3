function Remove-SqlUrlBackup {
    <#
    .SYNOPSIS
    Enforces backup retention in a Blob Storage container: deletes expired backup sets, keeps what
    a kept restore point needs.

    .DESCRIPTION
    Reads the container as a catalog of backup sets (the blob metadata Backup-SqlUrlDatabase writes
    when given -Storage* access) and deletes the sets that finished more than -RetentionDays days
    ago. Never deleted: a set that a kept set's restore chain needs (the full and differentials that
    kept logs build on), every set of a database whose kept chain cannot be built (a gap), a set with
    a blob under an active lease (a backup in progress), the only full backup of a database (unless
    -IncludeLastFull), and blobs without our metadata (written by other tools).

    This cmdlet talks only to Blob Storage, with the module's own storage access (-StorageUseManagedIdentity,
    -StorageAccessToken or -StorageSasToken): not SQL Server's credential, and no server is needed.
    Deleting needs the Storage Blob Data Contributor role (or a SAS with d and l).

    ConfirmImpact is High: PowerShell asks before deleting unless -Force or -Confirm:$false.
    -WhatIf plans without deleting anything and outputs the plan. The output is one object per
    backup set: Action (Deleted, WouldDelete, Kept or Failed), the set and the reason.

    .PARAMETER ContainerUrl
    The container URL, e.g. https://acct.blob.core.windows.net/backups.

    .PARAMETER RetentionDays
    Keep backups that finished within this many days (1 or more).

    .PARAMETER Database
    Only sets of these databases (case-insensitive). Default: every database in the container.

    .PARAMETER Prefix
    Only blobs under this prefix of the container (e.g. SQLVM01/).

    .PARAMETER IncludeLastFull
    Also delete the only full backup of a database when it has expired (by default it is kept).

    .PARAMETER Force
    Do not ask for confirmation.

    .INPUTS
    None.

    .OUTPUTS
    SqlUrlBackup.RetentionDecision. One per backup set considered.

    .EXAMPLE
    Remove-SqlUrlBackup -ContainerUrl https://acct.blob.core.windows.net/backups -RetentionDays 14 -StorageUseManagedIdentity -WhatIf

    Shows what a 14-day retention would delete and what it keeps, and why; deletes nothing.

    .EXAMPLE
    Remove-SqlUrlBackup -ContainerUrl https://acct.blob.core.windows.net/backups -RetentionDays 14 -Database Sales -StorageUseManagedIdentity -Force | Where-Object Action -eq 'Deleted'

    Deletes Sales' expired backup sets without asking (for a scheduled runbook).

    .LINK
    about_SqlUrlBackup
    #>
    [CmdletBinding(SupportsShouldProcess = $true, ConfirmImpact = 'High')]
    [OutputType('SqlUrlBackup.RetentionDecision')]
    param(
        #SqlUrlNoConnectionParameters
        #SqlUrlStorageParameters
        [Parameter(Mandatory = $true, Position = 0)]
        [Alias('Url')]
        [ValidateNotNullOrEmpty()]
        [string]$ContainerUrl,

        [Parameter(Mandatory = $true)]
        [ValidateRange(1, 36500)]
        [int]$RetentionDays,

        [Alias('Name')]
        [string[]]$Database,

        [string]$Prefix,
        [switch]$IncludeLastFull,
        [switch]$Force
    )
    begin {
        if ($Force -and -not $WhatIfPreference -and -not $PSBoundParameters.ContainsKey('Confirm')) { $ConfirmPreference = 'None' }
    }
    process {
        try { $storage = ConvertTo-SqlUrlStorageRequest -ContainerUrl $ContainerUrl -BoundParameters $PSBoundParameters -Required }
        catch { $PSCmdlet.ThrowTerminatingError((New-SqlUrlParameterErrorRecord -Message $_.Exception.Message -TargetObject $ContainerUrl)) }
        $request = [ordered]@{ storage = $storage; retention_days = $RetentionDays; databases = @(); force = [bool]$IncludeLastFull; dry_run = $true }
        if ($Database) { $request.databases = [string[]]$Database }
        if ($Prefix) { $request.prefix = $Prefix }

        # Plan first (a dry run): it is the -WhatIf output and the text of the confirmation.
        $plan = Invoke-SqlUrlNative -Function 'sqlurl_backup_retention' -Request $request -TargetObject $ContainerUrl
        if (-not $plan.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $plan.ErrorRecord; return }
        $toDelete = @($plan.Output.deleted | Where-Object { $null -ne $_ })
        $kept = @($plan.Output.kept | Where-Object { $null -ne $_ })
        $lines = @($toDelete | ForEach-Object { '{0} {1} {2} ({3}): {4}' -f $_.database, $_.type, $_.backup_set_id, $_.last_modified, (@($_.urls) -join ', ') })
        $action = if ($toDelete.Count -eq 0) { 'nothing to delete' } else { "Delete $($toDelete.Count) backup set(s) finished before $($plan.Output.cutoff):" + [Environment]::NewLine + ($lines -join [Environment]::NewLine) }

        if ($toDelete.Count -eq 0 -or -not $PSCmdlet.ShouldProcess($ContainerUrl, $action)) {
            # -WhatIf, a declined prompt or nothing expired: the plan is the output, nothing was deleted.
            $what = if ($toDelete.Count -eq 0) { 'Deleted' } else { 'WouldDelete' }
            foreach ($d in $toDelete) { ConvertTo-SqlUrlRetentionDecision -ContainerUrl $ContainerUrl -Decision $d -Action $what }
            foreach ($d in $kept) { ConvertTo-SqlUrlRetentionDecision -ContainerUrl $ContainerUrl -Decision $d -Action 'Kept' }
            return
        }
        $request.dry_run = $false
        $done = Invoke-SqlUrlNative -Function 'sqlurl_backup_retention' -Request $request -TargetObject $ContainerUrl
        if (-not $done.Succeeded) { Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $done.ErrorRecord; return }
        $failedUrls = @($done.Output.failures | Where-Object { $null -ne $_ } | ForEach-Object { [string]$_.url })
        foreach ($d in @($done.Output.deleted | Where-Object { $null -ne $_ })) { ConvertTo-SqlUrlRetentionDecision -ContainerUrl $ContainerUrl -Decision $d -Action 'Deleted' }
        foreach ($d in @($done.Output.kept | Where-Object { $null -ne $_ })) {
            $a = if (@($d.urls | Where-Object { $failedUrls -contains $_ }).Count -gt 0) { 'Failed' } else { 'Kept' }
            ConvertTo-SqlUrlRetentionDecision -ContainerUrl $ContainerUrl -Decision $d -Action $a
        }
        foreach ($f in @($done.Output.failures | Where-Object { $null -ne $_ })) {
            # the library's typed error for this blob (StorageAccessDenied naming the role, BlobLeased, ...)
            $er = New-SqlUrlErrorRecord -ErrorObject $f.error -ResultCode 8 -TargetObject $f.url
            Write-SqlUrlError -Cmdlet $PSCmdlet -ErrorRecord $er
        }
    }
}
