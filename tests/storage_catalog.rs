//! Storage from the library (issue 15) against Azurite: listing a container page by page with
//! metadata, grouping it into backup sets and picking a chain, metadata written by the library,
//! and typed errors for a read-only SAS and a leased blob. Authentication: a passed-in Entra
//! token, a SAS, and the managed identity through a fake IMDS endpoint.
#![cfg(not(windows))]

#[path = "sqlsim/tests/backup_support/mod.rs"]
mod backup_support;
mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use backup_support::{account_sas, azurite, container_name, Blobs, ACCOUNT_URL};
use sqlurl::api::Secret;
use sqlurl::backup_catalog::{chain, group, metadata, retention, BlobEntry};
use sqlurl::errors::ErrorKind;
use sqlurl::ops::inspect::BackupHeader;
use sqlurl::storage::{list, StorageAuth, StorageTarget};

fn block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn target(container: &str, auth: StorageAuth) -> StorageTarget {
    common::azurite::ensure_azurite();
    let az = azurite();
    StorageTarget { container_url: format!("{ACCOUNT_URL}/{container}"), endpoint: Some(az.endpoint.clone()), ca_file: Some(az.ca.clone()), auth }
}

fn token() -> StorageAuth {
    StorageAuth::Token(Secret::new(common::identity::mint_jwt("catalog-tester", "https://storage.azure.com")))
}

fn hdr(t: i32, db: &str, guid: &str, first: u128, last: u128, finish_min: i64) -> BackupHeader {
    BackupHeader {
        backup_type: t,
        database_name: db.into(),
        server_name: "SQLVM01".into(),
        first_lsn: first.to_string(),
        last_lsn: last.to_string(),
        checkpoint_lsn: first.to_string(),
        backup_finish_date: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(finish_min)),
        backup_set_guid: guid.into(),
        ..Default::default()
    }
}

/// Writes the blobs of a small catalog: Sales full (2 stripes) + 2 logs, HR full with a stripe
/// missing, a foreign blob. Metadata is set by the library (as the backup operation will).
fn seed(blobs: &Blobs, c: &str) -> Vec<(String, BackupHeader, u32, u32)> {
    common::azurite::ensure_azurite();
    block(blobs.create_container(c));
    let full = hdr(1, "Sales", "11111111-0000-4000-8000-000000000001", 100, 200, 0);
    let log1 = hdr(2, "Sales", "11111111-0000-4000-8000-000000000002", 200, 300, 15);
    let log2 = hdr(2, "Sales", "11111111-0000-4000-8000-000000000003", 300, 400, 30);
    let hr = hdr(1, "HR", "11111111-0000-4000-8000-000000000004", 50, 60, 5);
    let v = vec![
        ("SQLVM01/Sales/Sales_full_1-of-2.bak".to_string(), full.clone(), 1, 2),
        ("SQLVM01/Sales/Sales_full_2-of-2.bak".to_string(), full, 2, 2),
        ("SQLVM01/Sales/Sales_log_1.bak".to_string(), log1, 1, 1),
        ("SQLVM01/Sales/Sales_log_2.bak".to_string(), log2, 1, 1),
        ("SQLVM01/HR/HR_full_1-of-2.bak".to_string(), hr, 1, 2),
    ];
    let writer = target(c, StorageAuth::Sas(Secret::new(account_sas("rwdlac"))));
    for (name, h, i, n) in &v {
        block(blobs.put(c, name, vec![7u8; 512]));
        block(list::set_metadata(&writer, name, &metadata::to_metadata(h, *i, *n))).expect("set metadata");
    }
    block(blobs.put(c, "other-tool/nightly.bak", vec![1u8; 100]));
    v
}

#[test]
fn list_page_by_page_group_and_pick_a_chain_with_a_token() {
    common::azurite::ensure_azurite();
    let blobs = Blobs::new();
    let c = container_name("cat");
    seed(&blobs, &c);
    let t = target(&c, token());
    let mut pages = Vec::new();
    let mut grouper = group::Grouper::default();
    let n = block(list::list(&t, None, Some(2), |page: Vec<BlobEntry>| {
        pages.push(page.len());
        for b in page {
            grouper.add(b);
        }
    }))
    .expect("list with a token");
    assert_eq!(n, 6);
    assert_eq!(pages, vec![2, 2, 2], "three pages of two");
    let cat = grouper.finish();
    assert_eq!(cat.sets.len(), 4, "{cat:#?}");
    assert_eq!(cat.unknown.len(), 1);
    assert!(cat.unknown[0].url.ends_with("/other-tool/nightly.bak"), "{:?}", cat.unknown);
    assert!(cat.unknown[0].url.starts_with(&format!("{ACCOUNT_URL}/{c}/")), "URLs are the backup URLs, not the endpoint's");
    let hr = cat.sets.iter().find(|s| s.header.database_name == "HR").unwrap();
    assert_eq!(hr.missing_stripes, vec![2]);
    let full = cat.sets.iter().find(|s| s.header.database_name == "Sales" && s.kind() == "full").unwrap();
    assert!(full.is_complete() && full.urls.len() == 2 && full.stored_bytes == 1024, "{full:#?}");
    assert!(full.last_modified.is_some());

    let ch = chain::pick(&cat, "sales", None).unwrap();
    let kinds: Vec<&str> = ch.steps.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, vec!["full", "log", "log"]);
    assert_eq!(ch.urls().len(), 4);
    assert!(chain::pick(&cat, "HR", None).unwrap_err().to_string().contains("stripes missing"));

    // a prefix lists one database's folder
    let n = block(list::list(&t, Some("SQLVM01/HR/"), None, |_| {})).unwrap();
    assert_eq!(n, 1);

    // retention over what was listed: everything is new, nothing goes
    let p = retention::plan(&cat, chrono::Utc::now() - chrono::Duration::days(7), &[], false);
    assert!(p.delete.is_empty(), "{:?}", p.delete);
}

#[test]
fn a_read_only_sas_lists_but_cannot_delete_or_write_metadata() {
    common::azurite::ensure_azurite();
    let blobs = Blobs::new();
    let c = container_name("ro");
    seed(&blobs, &c);
    let sas = account_sas("rl");
    let t = target(&c, StorageAuth::Sas(Secret::new(sas.clone())));
    let n = block(list::list(&t, None, None, |_| {})).expect("list with a read-only SAS");
    assert_eq!(n, 6);
    let e = block(list::delete(&t, "other-tool/nightly.bak")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StorageAccessDenied, "{e}");
    let m = e.to_string();
    assert!(m.contains("delete blobs from") && m.contains("d (delete)"), "{m}");
    let sig = sas.split("sig=").nth(1).unwrap();
    assert!(!m.contains(sig) && !m.contains("sig="), "the SAS leaked: {m}");
    let e = block(list::set_metadata(&t, "other-tool/nightly.bak", &BTreeMap::new())).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StorageAccessDenied, "{e}");
    // the blob is still there
    assert!(block(blobs.props(&c, "other-tool/nightly.bak")).is_some());
    // and with a full SAS it goes
    let rw = target(&c, StorageAuth::Sas(Secret::new(account_sas("rwdl"))));
    block(list::delete(&rw, "other-tool/nightly.bak")).expect("delete");
    assert!(block(blobs.props(&c, "other-tool/nightly.bak")).is_none());
}

#[test]
fn a_leased_blob_is_listed_as_leased_and_not_deleted() {
    common::azurite::ensure_azurite();
    let blobs = Blobs::new();
    let c = container_name("lease");
    seed(&blobs, &c);
    // take an infinite lease with plain REST (an independent client)
    let az = azurite();
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&std::fs::read(&az.ca).unwrap()).unwrap()])
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let url = format!("{}/{c}/SQLVM01/Sales/Sales_log_2.bak?comp=lease&{}", az.endpoint, account_sas("rwdl"));
    let r = block(async { http.put(url).header("x-ms-version", "2021-08-06").header("x-ms-lease-action", "acquire").header("x-ms-lease-duration", "-1").send().await }).unwrap();
    assert_eq!(r.status().as_u16(), 201);

    let t = target(&c, token());
    let mut all = Vec::new();
    block(list::list(&t, None, None, |p| all.extend(p))).unwrap();
    let leased: Vec<&str> = all.iter().filter(|b| b.leased).map(|b| b.name.as_str()).collect();
    assert_eq!(leased, vec!["SQLVM01/Sales/Sales_log_2.bak"]);
    let cat = group::group(all);
    // retention with everything expired and forced: the leased set is kept
    let p = retention::plan(&cat, chrono::Utc::now() + chrono::Duration::days(1), &["Sales".into()], true);
    let kept: Vec<&str> = p.keep.iter().map(|d| d.reason.as_str()).collect();
    assert_eq!(p.keep.len(), 1, "{kept:?}");
    assert!(kept[0].contains("lease"), "{kept:?}");
    // deleting it anyway is refused by the service: BlobLeased
    let rw = target(&c, StorageAuth::Sas(Secret::new(account_sas("rwdl"))));
    let e = block(list::delete(&rw, "SQLVM01/Sales/Sales_log_2.bak")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BlobLeased, "{e}");
}

#[test]
fn the_managed_identity_lists_through_the_identity_endpoint() {
    let fake = common::identity::FakeIdentity::start(common::identity::Answer::Token { principal: "vm-identity".into() });
    std::env::remove_var("IDENTITY_ENDPOINT");
    std::env::remove_var("IDENTITY_HEADER");
    std::env::set_var("SQLURL_IMDS_ENDPOINT", fake.imds_url());
    common::azurite::ensure_azurite();
    let blobs = Blobs::new();
    let c = container_name("mi");
    seed(&blobs, &c);
    let t = target(&c, StorageAuth::ManagedIdentity(Default::default()));
    let n = block(list::list(&t, None, None, |_| {})).expect("list with the managed identity");
    assert_eq!(n, 6);
    let seen = fake.seen();
    assert!(!seen.is_empty() && seen[0].target.contains("resource=https%3A%2F%2Fstorage.azure.com%2F"), "{:?}", seen.iter().map(|s| &s.target).collect::<Vec<_>>());
}

/// Through the C ABI: list, chain and retention over a container whose sets finished days ago
/// (their UTC finish time is in the metadata): retention deletes exactly the expired sets no kept
/// point needs, keeps the only full of another database, and never touches a foreign blob.
#[test]
fn catalog_calls_through_the_c_abi_list_chain_and_retention() {
    use common::ffi::call;
    use sqlurl::ffi::catalog::{sqlurl_backup_chain, sqlurl_backup_list, sqlurl_backup_retention};
    use sqlurl::ffi::SqlurlResult;

    common::azurite::ensure_azurite();
    let blobs = Blobs::new();
    let c = container_name("ret");
    block(blobs.create_container(&c));
    let days_ago = |d: i64| chrono::Utc::now() - chrono::Duration::days(d);
    let mut full_a = hdr(1, "Sales", "22222222-0000-4000-8000-00000000000a", 100, 200, 0);
    full_a.checkpoint_lsn = "100".into();
    let mut full_b = hdr(1, "Sales", "22222222-0000-4000-8000-00000000000b", 300, 400, 0);
    full_b.checkpoint_lsn = "350".into();
    let sets = vec![
        ("Sales/A_full.bak", full_a, 30),
        ("Sales/A_log1.bak", hdr(2, "Sales", "22222222-0000-4000-8000-0000000000a1", 200, 300, 0), 29),
        ("Sales/A_log2.bak", hdr(2, "Sales", "22222222-0000-4000-8000-0000000000a2", 300, 400, 0), 28),
        ("Sales/B_full.bak", full_b, 5),
        ("Sales/B_log1.bak", hdr(2, "Sales", "22222222-0000-4000-8000-0000000000b1", 400, 500, 0), 4),
        ("HR/HR_full.bak", hdr(1, "HR", "22222222-0000-4000-8000-0000000000c1", 50, 60, 0), 30),
    ];
    let writer = target(&c, StorageAuth::Sas(Secret::new(account_sas("rwdlac"))));
    for (name, mut h, d) in sets {
        h.backup_finish_date = Some(days_ago(d).naive_utc());
        block(blobs.put(&c, name, vec![3u8; 256]));
        let m = metadata::with_finish_utc(metadata::to_metadata(&h, 1, 1), days_ago(d));
        block(list::set_metadata(&writer, name, &m)).unwrap();
    }
    block(blobs.put(&c, "foreign/other.bak", vec![1u8; 10]));
    let az = azurite();
    let storage = serde_json::json!({"container_url": format!("{ACCOUNT_URL}/{c}"), "endpoint": az.endpoint, "ca_file": az.ca,
        "auth": {"kind": "sas", "sas": account_sas("rwdl")}});

    let (code, out) = call(sqlurl_backup_list, &serde_json::json!({"storage": storage, "database": "sales"}));
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["blobs_listed"], 7);
    assert_eq!(out["sets"].as_array().unwrap().len(), 5, "{out}");
    assert_eq!(out["unknown"].as_array().unwrap().len(), 1);
    assert!(!out.to_string().contains("sig="), "the SAS leaked");

    let (code, out) = call(sqlurl_backup_chain, &serde_json::json!({"storage": storage, "database": "Sales"}));
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    let urls: Vec<&str> = out["urls"].as_array().unwrap().iter().map(|u| u.as_str().unwrap()).collect();
    assert_eq!(urls, vec![format!("{ACCOUNT_URL}/{c}/Sales/B_full.bak"), format!("{ACCOUNT_URL}/{c}/Sales/B_log1.bak")]);

    // dry run (the default): nothing is deleted
    let req = serde_json::json!({"storage": storage, "retention_days": 7});
    let (code, out) = call(sqlurl_backup_retention, &req);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["dry_run"], true);
    let mut gone: Vec<String> = out["deleted"].as_array().unwrap().iter().map(|d| d["urls"][0].as_str().unwrap().rsplit('/').next().unwrap().to_string()).collect();
    gone.sort();
    assert_eq!(gone, vec!["A_full.bak", "A_log1.bak", "A_log2.bak"], "{out:#}");
    let hr = out["kept"].as_array().unwrap().iter().find(|d| d["database"] == "HR").unwrap();
    assert!(hr["reason"].as_str().unwrap().contains("only full"), "{hr}");
    assert_eq!(block(blobs.list(&c)).len(), 7);

    // for real
    let mut req = req;
    req["dry_run"] = serde_json::json!(false);
    let (code, out) = call(sqlurl_backup_retention, &req);
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    assert_eq!(out["failures"], serde_json::json!([]), "{out:#}");
    let mut left = block(blobs.list(&c));
    left.sort();
    assert_eq!(left, vec!["HR/HR_full.bak", "Sales/B_full.bak", "Sales/B_log1.bak", "foreign/other.bak"]);

    // a read-only SAS: the plan is made, every delete fails with the typed error, blobs stay
    let ro = serde_json::json!({"container_url": format!("{ACCOUNT_URL}/{c}"), "endpoint": az.endpoint, "ca_file": az.ca,
        "auth": {"kind": "sas", "sas": account_sas("rl")}});
    let (code, out) = call(sqlurl_backup_retention, &serde_json::json!({"storage": ro, "retention_days": 1, "force": true, "dry_run": false}));
    assert_eq!(code, SqlurlResult::SQLURL_OK, "{out}");
    let f = out["failures"].as_array().unwrap();
    assert!(!f.is_empty(), "{out:#}");
    assert_eq!(f[0]["error"]["kind"], "StorageAccessDenied", "{out:#}");
    assert_eq!(block(blobs.list(&c)).len(), 4);
}
