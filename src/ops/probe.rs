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
    let passed = steps.iter().all(|s| s.status == CheckStatus::Pass) && steps.iter().any(|s| s.step == "verify");
    ProbeResult { blob_url: blob, statements, steps, passed, left_behind, what_if: false }
}
