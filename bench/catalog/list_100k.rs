//! Benchmark (issue 15): list a container of many backup blobs through the library's storage
//! client and group them into backup sets; prints the time and the process's peak memory.
//! Asserts nothing. Run with `bench/catalog/run.sh` (it seeds Azurite first, in another process,
//! so the peak memory printed here belongs to the listing alone).
//!
//! Usage: list_100k seed <container> <count> | list <container>
//! Environment: AZURITE_BLOB_ENDPOINT, AZURITE_CA (scripts/azurite.sh env), BENCH_SAS (an account
//! SAS for the dev account, made by run.sh).

use std::time::Instant;

use sqlurl::api::Secret;
use sqlurl::backup_catalog::{group, metadata};
use sqlurl::ops::inspect::BackupHeader;
use sqlurl::storage::{list, StorageAuth, StorageTarget};

fn env(k: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| panic!("{k} is not set"))
}

fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Metadata of blob i: databases of 96 logs a day, a full every 96 blobs, 2 stripes for fulls.
fn meta(i: u64) -> std::collections::BTreeMap<String, String> {
    let db = format!("db{:03}", i % 50);
    let n = i / 50;
    let kind = if n.is_multiple_of(96) { 1 } else { 2 };
    let h = BackupHeader {
        backup_type: kind,
        database_name: db,
        server_name: "SQLVM01".into(),
        first_lsn: (1000 + n * 100).to_string(),
        last_lsn: (1100 + n * 100).to_string(),
        checkpoint_lsn: (1000 + n * 100).to_string(),
        backup_finish_date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap().and_hms_opt(0, 0, 0).map(|t| t + chrono::Duration::minutes(15 * n as i64)),
        backup_set_guid: format!("00000000-0000-4000-8000-{:012}", i),
        ..Default::default()
    };
    metadata::to_metadata(&h, 1, 1)
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args: Vec<String> = std::env::args().collect();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let endpoint = env("AZURITE_BLOB_ENDPOINT");
    let ca = env("AZURITE_CA");
    let sas = env("BENCH_SAS");
    match args.get(1).map(String::as_str) {
        Some("seed") => {
            let container = &args[2];
            let count: u64 = args[3].parse().unwrap();
            // optional first index: resume a seed that stopped (PUT overwrites, so overlap is harmless)
            let from: u64 = args.get(4).map(|a| a.parse().unwrap()).unwrap_or(0);
            let pem = std::fs::read(&ca).unwrap();
            let http = reqwest::Client::builder().tls_certs_only([reqwest::Certificate::from_pem(&pem).unwrap()]).build().unwrap();
            let t0 = Instant::now();
            rt.block_on(async {
                let r = http.put(format!("{endpoint}/{container}?restype=container&{sas}")).header("x-ms-version", "2021-08-06").send().await.unwrap();
                assert!(r.status().is_success() || r.status().as_u16() == 409, "create container: {}", r.status());
                use futures_util::StreamExt;
                futures_util::stream::iter(from..count)
                    .map(|i| {
                        let http = http.clone();
                        let url = format!("{endpoint}/{container}/SQLVM01/db{:03}/b{i:07}.bak?{sas}", i % 50);
                        async move {
                            // Azurite resets connections under load: retry a few times
                            for attempt in 1..=5 {
                                let mut req = http.put(&url).header("x-ms-version", "2021-08-06").header("x-ms-blob-type", "BlockBlob").body(vec![0u8; 16]);
                                for (k, v) in meta(i) {
                                    req = req.header(format!("x-ms-meta-{k}"), v);
                                }
                                match req.send().await {
                                    Ok(r) if r.status().as_u16() == 201 => return,
                                    Ok(r) if attempt == 5 => panic!("blob {i}: HTTP {}", r.status()),
                                    Err(e) if attempt == 5 => panic!("blob {i}: {}", e.without_url()),
                                    _ => tokio::time::sleep(std::time::Duration::from_millis(200 * attempt)).await,
                                }
                            }
                        }
                    })
                    .buffer_unordered(16)
                    .collect::<Vec<_>>()
                    .await;
            });
            println!("seeded {count} blobs in {:.1} s", t0.elapsed().as_secs_f64());
        }
        Some("count") => {
            // the listing alone: every page is dropped after counting (what paging costs)
            let container = &args[2];
            let target = StorageTarget {
                container_url: format!("https://simacct.blob.core.windows.net/{container}"),
                endpoint: Some(endpoint),
                ca_file: Some(ca),
                auth: StorageAuth::Sas(Secret::new(sas)),
            };
            let t0 = Instant::now();
            let n = rt.block_on(list::list(&target, None, None, drop)).unwrap();
            println!("listed {n} blobs, pages dropped: {:.2} s; peak RSS {} MiB", t0.elapsed().as_secs_f64(), peak_kib() / 1024);
        }
        Some("list") => {
            let container = &args[2];
            let target = StorageTarget {
                container_url: format!("https://simacct.blob.core.windows.net/{container}"),
                endpoint: Some(endpoint),
                ca_file: Some(ca),
                auth: StorageAuth::Sas(Secret::new(sas)),
            };
            let before = peak_kib();
            let t0 = Instant::now();
            let mut g = group::Grouper::default();
            let mut pages = 0;
            let n = rt
                .block_on(list::list(&target, None, None, |p| {
                    pages += 1;
                    for b in p {
                        g.add(b);
                    }
                }))
                .unwrap();
            let listed = t0.elapsed().as_secs_f64();
            let cat = g.finish();
            let total = t0.elapsed().as_secs_f64();
            println!(
                "listed {n} blobs in {pages} pages: {listed:.2} s listing, {total:.2} s with grouping into {} sets ({} unknown); peak RSS {} MiB (before listing {} MiB)",
                cat.sets.len(),
                cat.unknown.len(),
                peak_kib() / 1024,
                before / 1024
            );
        }
        _ => eprintln!("usage: list_100k seed <container> <count> [from] | count <container> | list <container>"),
    }
}
