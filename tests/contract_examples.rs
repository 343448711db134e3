//! Every JSON example of docs/json-contract.md parses into the library's typed request / result
//! and serialises back to the same JSON (issue 13: the contract is typed, and the document and the
//! types cannot drift apart).
//!
//! The examples are written for people, so before parsing: `// comments` are removed, `{...}`
//! (an elided connection) becomes the document's own connection example, a trailing `, ...` in a
//! list is dropped, and a `"..."` placeholder for a date becomes a date. Serialised back, a
//! secret reads `***` (never the value), and a type may add fields an abbreviated example left
//! out; every field the example shows must come back with the same value.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use sqlurl::api::{
    envelope, ConnectionRequest, CredentialCreate, CredentialCreated, CredentialList, CredentialRemove, ErrorEnvelope,
    ServerCheck, ServerCheckResult,
};

fn doc() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json-contract.md")).unwrap()
}

/// The ```json blocks, in order.
fn json_blocks(doc: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find("```json\n") {
        let body = &rest[i + 8..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    out
}

/// Inline examples of requests: `{"connection": {...}, ...}` in single backticks.
fn inline_requests(doc: &str) -> Vec<String> {
    doc.split('`').filter(|s| s.starts_with("{\"connection\": {...},")).map(str::to_string).collect()
}

/// Removes `//` comments outside string literals.
fn strip_comments(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let mut in_str = false;
        let mut escaped = false;
        let mut cut = line.len();
        let b = line.as_bytes();
        for i in 0..b.len() {
            let c = b[i];
            if in_str {
                if escaped {
                    escaped = false;
                } else if c == b'\\' {
                    escaped = true;
                } else if c == b'"' {
                    in_str = false;
                }
            } else if c == b'"' {
                in_str = true;
            } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
                cut = i;
                break;
            }
        }
        out.push_str(&line[..cut]);
        out.push('\n');
    }
    out
}

fn normalise(example: &str, connection: &str) -> Value {
    let mut t = strip_comments(example).replace("{...}", connection).replace(", ...]", "]");
    for key in ["create_date", "modify_date", "backup_start_date", "backup_finish_date"] {
        t = t.replace(&format!("\"{key}\": \"...\""), &format!("\"{key}\": \"2026-11-26T16:40:00\""));
    }
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("example is not JSON after normalising ({e}):\n{t}"))
}

/// Secrets serialise as `***`.
fn mask_secrets(v: &mut Value) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if matches!(k.as_str(), "password" | "token" | "secret") && x.is_string() {
                    *x = "***".into();
                } else {
                    mask_secrets(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(mask_secrets),
        _ => {}
    }
}

/// Every field of `example` is in `actual` with an equal value (numbers compared as f64).
fn assert_shows(example: &Value, actual: &Value, path: &str) {
    match (example, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, v) in e {
                let got = a.get(k).unwrap_or_else(|| panic!("{path}.{k} is in the example but not in the serialised type:\n{actual:#}"));
                assert_shows(v, got, &format!("{path}.{k}"));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            assert_eq!(e.len(), a.len(), "{path}: list length");
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                assert_shows(x, y, &format!("{path}[{i}]"));
            }
        }
        (Value::Number(x), Value::Number(y)) => assert_eq!(x.as_f64(), y.as_f64(), "{path}"),
        (x, y) => assert_eq!(x, y, "{path}"),
    }
}

/// Parses `example` as `T`, serialises it back (through `out`), and compares.
fn round_trip<T: DeserializeOwned + Serialize>(name: &str, example: &Value, out: impl Fn(&T) -> Value) {
    let typed: T = serde_json::from_value(example.clone()).unwrap_or_else(|e| panic!("{name}: the example does not parse: {e}\n{example:#}"));
    let back = out(&typed);
    let mut expected = example.clone();
    mask_secrets(&mut expected);
    assert_shows(&expected, &back, name);
}

fn request<T: DeserializeOwned + Serialize>(name: &str, example: &Value) {
    round_trip::<T>(name, example, |t| serde_json::to_value(t).unwrap());
}

fn result<T: DeserializeOwned + Serialize>(name: &str, example: &Value) {
    // results carry contract_version through the C boundary's envelope
    let mut body = example.clone();
    assert_eq!(body.as_object_mut().unwrap().remove("contract_version"), Some(Value::from(1)), "{name}: contract_version");
    round_trip::<T>(name, &body, |t| envelope(t));
    let _ = example;
}

#[test]
fn every_json_example_of_the_contract_round_trips_through_the_types() {
    let doc = doc();
    let blocks = json_blocks(&doc);
    assert!(blocks.len() >= 10, "the contract's ```json examples: {}", blocks.len());
    // the connection example (the block that is only a connection), used for every `{...}`
    let conn_block = blocks.iter().find(|b| b.trim_start().starts_with("{\n  \"connection\"")).expect("the connection example");
    let connection = normalise(conn_block, "null")["connection"].to_string();
    for b in &blocks {
        let v = normalise(b, &connection);
        let has = |k: &str| v.get(k).is_some();
        if has("error") {
            round_trip::<ErrorEnvelope>("error envelope", &v, |t| serde_json::to_value(t).unwrap());
        } else if has("connection") && v.as_object().unwrap().len() == 1 {
            request::<ConnectionRequest>("connection", &v["connection"]);
        } else if has("identity") {
            request::<CredentialCreate>("CredentialCreate", &v);
        } else if has("action") {
            result::<CredentialCreated>("CredentialCreated", &v);
        } else if has("checks") {
            result::<ServerCheckResult>("ServerCheckResult", &v);
        } else if has("container_url") {
            request::<sqlurl::ops::backup::BackupRequest>("Backup", &v);
        } else if has("targets") && has("options") {
            request::<sqlurl::ops::fleet::FleetBackupRequest>("FleetBackup", &v);
        } else if has("targets") {
            request::<sqlurl::ops::databases::ResolveRequest>("DatabasesResolve", &v);
        } else if has("storage") && has("databases") {
            request::<sqlurl::ops::drill::RestoreDrillRequest>("RestoreDrill", &v);
        } else if has("sequence") {
            request::<sqlurl::ops::restore::RestoreRequest>("Restore", &v);
        } else if has("function") {
            // `request` is carried as JSON (checked by the named function's type): no masking
            let typed: sqlurl::ops::validate::ValidateRequest = serde_json::from_value(v.clone()).expect("Validate parses");
            assert_shows(&v, &serde_json::to_value(&typed).unwrap(), "Validate");
        } else if has("state") {
            result::<sqlurl::operation::OperationStatus>("OperationStatus", &v);
        } else if has("closed") {
            result::<sqlurl::api::PoolCleared>("PoolCleared", &v);
        } else if has("blob_url") && has("steps") {
            request::<sqlurl::api::ProbeResult>("ProbeResult", &v);
        } else {
            panic!("a ```json example this test does not know; add its type here:\n{v:#}");
        }
    }

    let inline = inline_requests(&doc);
    assert!(inline.len() >= 5, "inline request examples: {inline:?}");
    for ex in &inline {
        let v = normalise(ex, &connection);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        if keys.contains(&"enable_trace_flag") || keys.contains(&"deep") {
            request::<ServerCheck>("ServerCheck", &v);
        } else if keys.contains(&"name") {
            request::<CredentialRemove>("CredentialRemove", &v);
        } else if keys.contains(&"urls") {
            request::<sqlurl::ops::inspect::InspectRequest>("Inspect", &v);
        } else if keys.contains(&"databases") {
            request::<sqlurl::ops::databases::ListRequest>("DatabaseList", &v);
        } else {
            request::<CredentialList>("CredentialList", &v);
        }
    }
}

#[test]
fn results_and_errors_serialise_from_types() {
    // an error envelope made by the library parses as the typed envelope
    let e = sqlurl::Error::invalid("bad");
    let v = sqlurl::api::error_envelope(&e);
    let typed: ErrorEnvelope = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(typed.error.kind, sqlurl::ErrorKind::InvalidArgument);
    assert_eq!(serde_json::to_value(&typed).unwrap(), v);
}
