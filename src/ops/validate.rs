//! `sqlurl_validate`: every check a function makes before it sends anything, without
//! connecting, so a caller's dry run (PowerShell's `-WhatIf`) refuses exactly what the real call
//! refuses, with the same error.
//!
//! Request: `{"function": "sqlurl_backup_start", "request": {...that function's request...}}`.
//! Result: `{"function": ..., "valid": true}`; an invalid request is the error (and result code)
//! the function itself would return before connecting.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::api::{ConnectionRequest, CredentialCreate, CredentialList, CredentialRemove, ServerCheck};
use crate::errors::{Error, Result};
use crate::ops::{backup, credential, databases, drill, fleet, inspect, restore};

/// The ValidateRequest of the JSON contract.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidateRequest {
    /// The C function whose request this is, e.g. `sqlurl_backup_start`.
    pub function: String,
    pub request: serde_json::Value,
}

/// The ValidateResult of the JSON contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidateResult {
    pub function: String,
    pub valid: bool,
}

fn parse<T: DeserializeOwned>(v: &serde_json::Value) -> Result<T> {
    serde_json::from_value(v.clone()).map_err(|e| Error::invalid(format!("The request is not valid: {e}")))
}

/// The connections of a request, checked as the function would before connecting.
async fn check_connections<'a>(conns: impl IntoIterator<Item = &'a ConnectionRequest>) -> Result<()> {
    for c in conns {
        crate::connect::check(c).await?;
    }
    Ok(())
}

/// The request's own checks; returns its connections.
fn check_request(function: &str, v: &serde_json::Value) -> Result<Vec<ConnectionRequest>> {
    Ok(match function {
        "sqlurl_backup_start" => {
            let mut r: backup::BackupRequest = parse(v)?;
            r.normalise_urls();
            r.validate()?;
            vec![r.connection]
        }
        "sqlurl_restore_start" => {
            let r: restore::RestoreRequest = parse(v)?;
            r.validate()?;
            vec![r.connection]
        }
        "sqlurl_fleet_backup_start" => parse::<fleet::FleetBackupRequest>(v)?.backup_requests()?.into_iter().map(|r| r.connection).collect(),
        "sqlurl_credential_create" => {
            let r: CredentialCreate = parse(v)?;
            credential::plan_create(&r, false)?;
            vec![r.connection]
        }
        "sqlurl_credential_list" => {
            let r: CredentialList = parse(v)?;
            credential::list_filter(&r)?;
            vec![r.connection]
        }
        "sqlurl_credential_remove" => {
            let r: CredentialRemove = parse(v)?;
            credential::check_remove(&r)?;
            vec![r.connection]
        }
        "sqlurl_server_check" => {
            let r: ServerCheck = parse(v)?;
            if let Some(u) = &r.url {
                crate::url::parse_container_url(u)?;
            }
            vec![r.connection]
        }
        "sqlurl_backup_header" | "sqlurl_backup_filelist" | "sqlurl_backup_verify" => {
            let r: inspect::InspectRequest = parse(v)?;
            inspect::check(&r)?;
            vec![r.connection]
        }
        "sqlurl_databases_resolve" => databases::check_resolve(&parse(v)?)?,
        "sqlurl_database_list" => vec![parse::<databases::ListRequest>(v)?.connection],
        "sqlurl_restore_drill_start" => {
            let r: drill::RestoreDrillRequest = parse(v)?;
            r.validate()?;
            vec![r.connection]
        }
        other => return Err(Error::invalid(format!("function '{other}' is not a sqlurl_* function that takes a request."))),
    })
}

/// `sqlurl_validate`: the request's checks, then its connections' checks (no packet is sent).
pub async fn validate(req: ValidateRequest) -> Result<ValidateResult> {
    let conns = check_request(&req.function, &req.request)?;
    check_connections(&conns).await?;
    Ok(ValidateResult { function: req.function, valid: true })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(function: &str, request: serde_json::Value) -> Result<ValidateResult> {
        crate::runtime::block_on(validate(ValidateRequest { function: function.into(), request }))
    }

    fn conn() -> serde_json::Value {
        serde_json::json!({"server": "127.0.0.1,1", "auth": {"kind": "sql", "user": "sa", "password": "x"}})
    }

    #[test]
    fn a_valid_request_is_valid_without_a_server() {
        let r = run("sqlurl_backup_start", serde_json::json!({"connection": conn(), "databases": ["Sales"], "container_url": "https://acct.blob.core.windows.net/backups"})).unwrap();
        assert!(r.valid);
        assert!(run("sqlurl_credential_remove", serde_json::json!({"connection": conn(), "name": "https://acct.blob.core.windows.net/backups"})).unwrap().valid);
    }

    #[test]
    fn an_invalid_request_gets_the_functions_own_error() {
        let cases = [
            ("sqlurl_backup_start", serde_json::json!({"connection": conn(), "databases": ["Sales"], "container_url": "http://acct.blob.core.windows.net/backups"}), "container_url"),
            ("sqlurl_backup_start", serde_json::json!({"connection": conn(), "databases": [" "], "container_url": "https://acct.blob.core.windows.net/backups"}), "white space"),
            ("sqlurl_restore_start", serde_json::json!({"connection": conn(), "urls": ["https://acct.blob.core.windows.net/ctr/x.bak?sv=1&sig=SECRET"]}), "query"),
            ("sqlurl_credential_create", serde_json::json!({"connection": conn(), "url": "https://acct.blob.core.windows.net/backups/", "identity": "managed_identity"}), "'/'"),
            ("sqlurl_credential_remove", serde_json::json!({"connection": conn(), "name": "https://acct.blob.core.windows.net/backups?sv=1&sig=SECRET"}), "query string"),
            ("sqlurl_backup_header", serde_json::json!({"connection": conn(), "urls": []}), "URLs"),
            ("sqlurl_server_check", serde_json::json!({"connection": {"server": " ", "auth": {"kind": "integrated"}}}), "server"),
            ("sqlurl_credential_list", serde_json::json!({"connection": conn(), "url": "https://acct.blob.core.windows.net/ctr", "extra": 1}), "extra"),
            ("sqlurl_restore_drill_start", serde_json::json!({"connection": conn(), "storage": {"container_url": "https://acct.blob.core.windows.net/ctr", "auth": {"kind": "managed_identity"}}, "databases": ["a"], "throttle": 17}), "throttle"),
            ("sqlurl_nonexistent", serde_json::json!({}), "sqlurl_nonexistent"),
        ];
        for (f, req, needle) in cases {
            let e = run(f, req).unwrap_err();
            assert!(e.to_string().contains(needle), "{f}: {e}");
            assert!(!e.to_string().contains("SECRET"), "{e}");
            assert!(matches!(e, Error::InvalidArgument(_) | Error::InvalidUrl(_)), "{e:?}");
        }
    }
}
