//! The deep readiness check's probe (issue 18): prove the storage path with a real backup, safely.
//!
//! `BACKUP DATABASE [model] … WITH COPY_ONLY` (it never touches any backup chain) to a scratch blob
//! `sqlurl-probe/<uuid>.bak` under the container, `RESTORE VERIFYONLY` of it, then the blob is
//! deleted through the library's own storage access — also when a later step failed. A blob that
//! cannot be removed is named in the result. Each step reports its time and, on failure, the
//! classified error with its remedy.

use std::time::Instant;

use crate::api::{CheckStatus, ProbeResult, ProbeStep};
use crate::api_catalog::StorageRequest;
use crate::connect::{execute, Client};
use crate::tsql::probe::{probe_backup, probe_blob_url, probe_verify, PROBE_PREFIX};
use crate::url::ContainerUrl;

fn step(name: &str, started: Instant, outcome: std::result::Result<String, crate::Error>) -> ProbeStep {
    let milliseconds = started.elapsed().as_millis() as u64;
    match outcome {
        Ok(evidence) => ProbeStep { step: name.into(), status: CheckStatus::Pass, milliseconds, evidence, error: None },
        Err(e) => ProbeStep { step: name.into(), status: CheckStatus::Fail, milliseconds, evidence: e.to_string(), error: Some(e.to_json()) },
    }
}

/// The probe's plan: blob URL and statements (what `what_if` shows; nothing runs).
pub fn plan(url: &ContainerUrl) -> (String, Vec<String>) {
    let blob = probe_blob_url(&url.url, &uuid::Uuid::new_v4());
    let statements = vec![probe_backup(&blob).masked().to_string(), probe_verify(&blob).masked().to_string()];
    (blob, statements)
}

/// Run the probe on `client` (the readiness checks passed). `storage` deletes the blob.
pub async fn run(client: &mut Client, url: &ContainerUrl, storage: Option<&StorageRequest>, what_if: bool) -> ProbeResult {
    let (blob, statements) = plan(url);
    if what_if {
        return ProbeResult { blob_url: blob, statements, steps: vec![], passed: false, left_behind: None, what_if: true };
    }
    let mut steps = Vec::new();
    let t = Instant::now();
    let backup = execute(client, &probe_backup(&blob)).await.map(|_| "BACKUP DATABASE [model] WITH COPY_ONLY wrote the scratch blob".to_string());
    let backed_up = backup.is_ok();
    steps.push(step("backup", t, backup));
    if backed_up {
        let t = Instant::now();
        let verify = execute(client, &probe_verify(&blob)).await.map(|_| "RESTORE VERIFYONLY read the scratch blob back: the backup set is valid".to_string());
        steps.push(step("verify", t, verify));
    }
    // Remove the scratch blob whatever happened (a failed backup deletes its own blob, but a
    // leftover under a lease or a committed blob must not stay).
    let t = Instant::now();
    let left_behind = match storage {
        None => {
            steps.push(ProbeStep {
                step: "delete".into(),
                status: CheckStatus::Warn,
                milliseconds: 0,
                evidence: format!("no storage access given: the probe blob {blob} was not deleted"),
                error: None,
            });
            backed_up.then(|| blob.clone())
        }
        Some(s) => {
            let target = s.target();
            let name = blob.strip_prefix(&format!("{}/", url.url)).unwrap_or(&blob).to_string();
            debug_assert!(name.starts_with(PROBE_PREFIX));
            match crate::storage::list::delete(&target, &name).await {
                Ok(()) => {
                    steps.push(step("delete", t, Ok(format!("deleted the probe blob {name}"))));
                    None
                }
                // Nothing there (the backup failed and cleaned up after itself): nothing to remove.
                Err(e) if !backed_up && e.kind() == crate::errors::ErrorKind::BackupBlobNotFound => {
                    steps.push(step("delete", t, Ok("no probe blob to delete (the backup wrote none)".into())));
                    None
                }
                Err(e) => {
                    steps.push(step("delete", t, Err(e)));
                    Some(blob.clone())
                }
            }
        }
    };
    let passed = !steps.iter().any(|s| s.status == CheckStatus::Fail) && steps.iter().any(|s| s.step == "verify" && s.status == CheckStatus::Pass);
    ProbeResult { blob_url: blob, statements, steps, passed, left_behind, what_if: false }
}

/// The VM-side check: this machine's managed identity (the one SQL Server uses, chosen by
/// `client_id` when user-assigned) lists the container — the role seen from the storage side,
/// without SQL Server. `unknown` (skipped, with the reason) where there is no IMDS or the
/// process runs in Automation / App Service (`IDENTITY_ENDPOINT`: not the VM's identity).
pub async fn vm_identity_step(url: &ContainerUrl, storage: Option<&StorageRequest>, client_id: Option<&str>) -> ProbeStep {
    use crate::identity::{IdentitySelector, TokenSource};
    use crate::storage::{StorageAuth, StorageTarget, STORAGE_RESOURCE};
    let t = Instant::now();
    let skipped = |why: String| ProbeStep { step: "vm_identity".into(), status: CheckStatus::Unknown, milliseconds: t.elapsed().as_millis() as u64, evidence: why, error: None };
    if let TokenSource::AppService { .. } = TokenSource::from_env() {
        return skipped("skipped: IDENTITY_ENDPOINT is set (Azure Automation / App Service), so this is not the VM's identity".into());
    }
    let sel = IdentitySelector { client_id: client_id.map(str::to_string), ..Default::default() };
    if let Err(e) = crate::identity::acquire_token(STORAGE_RESOURCE, &sel).await {
        let text = e.to_string();
        if text.contains("cannot connect") || text.contains("timed out") {
            return skipped(format!("skipped: no managed-identity endpoint here (not an Azure VM): {text}"));
        }
        return step("vm_identity", t, Err(e));
    }
    let target = StorageTarget {
        container_url: url.url.clone(),
        endpoint: storage.and_then(|s| s.endpoint.clone()),
        ca_file: storage.and_then(|s| s.ca_file.clone()),
        auth: StorageAuth::ManagedIdentity(sel),
    };
    let outcome = crate::storage::list::list(&target, Some(PROBE_PREFIX), Some(1), |_| {})
        .await
        .map(|_| format!("this VM's managed identity can list {} (Storage Blob Data Reader or more)", url.url));
    step("vm_identity", t, outcome)
}
