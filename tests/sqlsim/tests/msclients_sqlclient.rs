//! Microsoft.Data.SqlClient 7.1.1 (the client behind the SqlServer module and dbatools), run as
//! `sqlclient-run` in its own .NET process, against the simulator: logins at every encryption
//! level with real certificate validation, and every supported statement compared column by
//! column and value by value with tiberius' view of the same batch. If the simulator's answer to
//! either client drifts, these tests fail.
//!
//! The Entra access token, pool reset and `SqlCommand.Cancel()` are covered through
//! System.Data.SqlClient in `tests/powershell/SqlClient.Tests.ps1` (`sqlclient-run` has no way to
//! pass `SqlConnection.AccessToken`, and each run is one connection).

mod backup_support;
mod common;
mod msclients_support;

use std::path::Path;

use msclients_support::*;
use serde_json::Value;
use sqlsim::scenario::{CredentialSeed, DbFile, Database, Scenario};
use tiberius::{AuthMethod, EncryptionLevel};

const PW: &str = common::SA_PASSWORD;

fn sa_cs(sim: &sqlsim::SimHandle, host: &str, encrypt: &str, extra: &str) -> String {
    conn_str(host, sim.port(), "sa", PW, encrypt, extra)
}

fn assert_connected(what: &str, r: &MdsRun) {
    assert_eq!(r.exit, 0, "{what}: sqlclient-run failed: {:#?}\n{}", r.events, r.stderr);
    let c = r.connected().unwrap_or_else(|| panic!("{what}: no `connected` line: {:#?}", r.events));
    // LOGINACK 16.0 build 4175 → SqlConnection.ServerVersion; ENVCHANGE database and packet size.
    assert_eq!(c["serverVersion"], "16.00.4175", "{what}");
    assert_eq!(c["database"], "master", "{what}");
    assert_eq!(c["packetSize"], 8000, "{what}");
    let sets = r.result_sets();
    assert_eq!(sets.len(), 1, "{what}: {:#?}", r.events);
    assert_eq!(sets[0]["rows"][0][0], 1, "{what}");
}

fn assert_refused(what: &str, r: &MdsRun, text: &str) {
    assert_eq!(r.exit, 2, "{what}: expected no connection: {:#?}", r.events);
    assert!(r.connected().is_none(), "{what}");
    let errs = r.errors();
    assert!(errs.iter().any(|e| e.3.contains(text)), "{what}: expected an error containing {text:?}, got {errs:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logins_at_every_encryption_level_with_real_certificate_validation() {
    let sim = sqlsim::start(common::scenario()).await.unwrap();
    let other = sqlsim::start(common::scenario()).await.unwrap(); // its CA is the "wrong" one
    let ca: &Path = &sim.ca_pem_path;
    let wrong: &Path = &other.ca_pem_path;
    let q = "SELECT 1 AS one";

    // Optional: login-only TLS (the client drops TLS after the first LOGIN7 packet).
    assert_connected("Optional", &mds(&[&sa_cs(&sim, "127.0.0.1", "Optional", ""), q], None).await);
    // Mandatory + TrustServerCertificate: full TLS, no validation.
    assert_connected(
        "Mandatory+TSC",
        &mds(&[&sa_cs(&sim, "127.0.0.1", "Mandatory", "TrustServerCertificate=true"), q], None).await,
    );
    // Mandatory, validated: .NET on Linux trusts the roots OpenSSL is told about; SSL_CERT_FILE
    // (for this process only) holds just the simulator's CA. The name is checked too.
    for host in ["localhost", "127.0.0.1"] {
        assert_connected(&format!("Mandatory, CA trusted, {host}"), &mds(&[&sa_cs(&sim, host, "Mandatory", ""), q], Some(ca)).await);
    }
    // ... and it really validates: another CA, or the machine's own roots, are refused.
    let r = mds(&[&sa_cs(&sim, "localhost", "Mandatory", ""), q], Some(wrong)).await;
    assert_refused("Mandatory, wrong CA", &r, "error occurred during the pre-login handshake");
    let r = mds(&[&sa_cs(&sim, "localhost", "Mandatory", ""), q], None).await;
    assert_refused("Mandatory, machine roots only", &r, "error occurred during the pre-login handshake");
    // Strict (TDS 8.0): TLS first, always validated.
    assert_connected("Strict, CA trusted", &mds(&[&sa_cs(&sim, "localhost", "Strict", ""), q], Some(ca)).await);
    let r = mds(&[&sa_cs(&sim, "localhost", "Strict", ""), q], Some(wrong)).await;
    assert_refused("Strict, wrong CA", &r, "before login");

    // Connection options a DBA's tools use: initial catalog (ENVCHANGE database), packet size
    // (ENVCHANGE packet size), MARS requested (the server answers MARS off: no SMUX), read-only
    // intent (AZURESQLSUPPORT requested; not acknowledged by SQL Server 2022).
    let opts = [
        ("Initial Catalog=Sales", "Sales", 8000),
        ("Packet Size=4096", "master", 4096),
        ("Packet Size=32767", "master", 32767),
        ("MultipleActiveResultSets=true", "master", 8000),
        ("ApplicationIntent=ReadOnly", "master", 8000),
    ];
    for (extra, db, size) in opts {
        let r = mds(&[&sa_cs(&sim, "127.0.0.1", "Optional", extra), "SELECT DB_NAME() AS d"], None).await;
        assert_eq!(r.exit, 0, "{extra}: {:#?}", r.events);
        let c = r.connected().unwrap();
        assert_eq!((c["database"].as_str(), c["packetSize"].as_i64()), (Some(db), Some(size)), "{extra}");
        assert_eq!(r.result_sets()[0]["rows"][0][0], db, "{extra}: DB_NAME()");
    }
    // A database that does not exist: 4060 then 18456 (no retry: ConnectRetryCount=0, since
    // SqlClient treats 4060 as transient and would wait ConnectRetryInterval = 10 s).
    let r = mds(&[&sa_cs(&sim, "127.0.0.1", "Optional", "Initial Catalog=NoSuchDb;ConnectRetryCount=0"), q], None).await;
    assert_eq!(r.exit, 2);
    assert_eq!(
        r.errors(),
        vec![
            (4060, 11, 1, "Cannot open database \"NoSuchDb\" requested by the login. The login failed.".to_string()),
            (18456, 14, 1, "Login failed for user 'sa'.".to_string())
        ]
    );

    // Another SQL login.
    let r = mds(&[&conn_str("127.0.0.1", sim.port(), "reader", "R3ader-pw", "Optional", ""), "SELECT SUSER_SNAME() AS who"], None).await;
    assert_eq!(r.exit, 0, "{:#?}", r.events);

    // Wrong password: 18456, class 14, state 1, as SQL Server tells the client; same as tiberius.
    let r = mds(&[&conn_str("127.0.0.1", sim.port(), "sa", "not-the-password", "Mandatory", "TrustServerCertificate=true"), q], None).await;
    assert_eq!(r.exit, 2);
    let errs = r.errors();
    assert_eq!(errs, vec![(18456, 14, 1, "Login failed for user 'sa'.".to_string())]);
    let t = common::connect_with(
        &sim,
        common::config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("sa", "not-the-password")),
    )
    .await;
    match t {
        Err(tiberius::error::Error::Server(e)) => {
            assert_eq!((e.code() as i64, e.class() as i64, e.state() as i64, e.message().to_string()), errs[0].clone())
        }
        other => panic!("tiberius: expected 18456, got {other:?}"),
    }
    // The password never reaches the simulator's statement log or the client's output.
    assert!(!format!("{:?}{}", r.events, r.stderr).contains("not-the-password"));
}

/// Split one multi-batch `sqlclient-run` output into the result sets of each successful batch.
fn per_batch(r: &MdsRun) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for e in &r.events {
        match e["kind"].as_str() {
            Some("resultset") => cur.push(serde_json::json!({"columns": e["columns"], "rows": e["rows"]})),
            Some("done") => out.push(std::mem::take(&mut cur)),
            Some("error") => panic!("unexpected error: {e}"),
            _ => {}
        }
    }
    out
}

fn catalog_scenario() -> Scenario {
    let mut sc = common::scenario();
    sc.databases.push(Database {
        name: "Big".into(),
        recovery_model: "SIMPLE".into(),
        files: vec![
            DbFile { logical_name: "Big".into(), physical_name: "F:\\data\\Big.mdf".into(), file_type: "ROWS".into(), size_mb: 1024 },
            DbFile { logical_name: "Big_2".into(), physical_name: "F:\\data\\Big_2.ndf".into(), file_type: "ROWS".into(), size_mb: 512 },
            DbFile { logical_name: "Big_log".into(), physical_name: "G:\\log\\Big_log.ldf".into(), file_type: "LOG".into(), size_mb: 64 },
        ],
        ..Database::default()
    });
    sc.credentials.push(CredentialSeed {
        name: "https://acct.blob.core.windows.net/sas".into(),
        identity: "SHARED ACCESS SIGNATURE".into(),
        secret: Some("sv=2022-11-02&sig=SEEDSECRET".into()),
    });
    sc.credentials.push(CredentialSeed {
        name: "https://acct.blob.core.windows.net/mi".into(),
        identity: "Managed Identity".into(),
        secret: None,
    });
    sc
}

/// Every statement the simulator supports for the module's checks, as both clients see it.
const STATEMENTS: &[(&str, &[&str])] = &[
    ("SELECT @@VERSION", &[]),
    ("SELECT @@VERSION AS version, @@SERVERNAME AS server_name", &[]),
    (
        "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS v,
                CAST(SERVERPROPERTY('ProductUpdateLevel') AS nvarchar(128)) AS cu,
                CAST(SERVERPROPERTY('ProductUpdateReference') AS nvarchar(128)) AS kb,
                CAST(SERVERPROPERTY('ProductLevel') AS nvarchar(128)) AS lvl,
                CAST(SERVERPROPERTY('Edition') AS nvarchar(128)) AS ed,
                CAST(SERVERPROPERTY('EngineEdition') AS int) AS ee,
                CAST(SERVERPROPERTY('IsClustered') AS int) AS fci,
                CONVERT(nvarchar(4000), SERVERPROPERTY('InstanceDefaultDataPath')) AS datapath,
                CAST(SERVERPROPERTY('InstanceDefaultLogPath') AS nvarchar(4000)) AS logpath,
                CAST(SERVERPROPERTY('NoSuchProperty') AS nvarchar(10)) AS missing",
        &[],
    ),
    ("SELECT * FROM sys.databases", &[]),
    ("SELECT name, database_id, state_desc, recovery_model_desc FROM sys.databases WHERE database_id > 4 ORDER BY name", &[]),
    ("SELECT * FROM sys.master_files", &[]),
    ("SELECT f.name, f.physical_name, f.type_desc, f.size FROM sys.master_files f WHERE f.database_id = 6 ORDER BY f.file_id", &[]),
    ("SELECT * FROM sys.credentials", &[]),
    ("SELECT * FROM sys.dm_os_host_info", &[]),
    ("SELECT host_platform FROM sys.dm_os_host_info; SELECT CAST(SERVERPROPERTY('IsClustered') AS int) AS c", &[]),
    ("SELECT * FROM sys.dm_exec_requests", &["session_id", "start_time", "total_elapsed_time"]),
    ("DBCC TRACESTATUS(-1)", &[]),
    ("DBCC TRACESTATUS(4675, -1)", &[]),
    ("DBCC TRACESTATUS(3226)", &[]),
    ("SELECT IS_SRVROLEMEMBER('sysadmin') AS sa, HAS_PERMS_BY_NAME(NULL, NULL, 'VIEW SERVER STATE') AS vss", &[]),
    // SERVERPROPERTY without CAST is sql_variant, as in SQL Server.
    ("SELECT SERVERPROPERTY('ProductVersion') AS pv, SERVERPROPERTY('EngineEdition') AS ee, SERVERPROPERTY('NoSuch') AS missing", &[]),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supported_statements_look_the_same_to_sqlclient_and_tiberius() {
    let sim = sqlsim::start(catalog_scenario()).await.unwrap();
    let mut t = common::sa(&sim).await;
    common::batch(&mut t, "DBCC TRACEON(4675, -1)").await.unwrap();
    common::batch(&mut t, "DBCC TRACEON(3226, -1)").await.unwrap();

    let cs = sa_cs(&sim, "localhost", "Mandatory", "");
    let mut args: Vec<&str> = vec![&cs];
    args.extend(STATEMENTS.iter().map(|(s, _)| *s));
    let r = mds(&args, Some(&sim.ca_pem_path)).await;
    assert_eq!(r.exit, 0, "{:#?}\n{}", r.events, r.stderr);
    let got = per_batch(&r);
    assert_eq!(got.len(), STATEMENTS.len(), "{:#?}", r.events);
    for ((sql, volatile), m) in STATEMENTS.iter().zip(&got) {
        let tib = tiberius_sets(&mut t, sql).await.unwrap_or_else(|e| panic!("tiberius: `{sql}` failed: {e:?}"));
        assert!(!m.is_empty(), "`{sql}` returned no result set to SqlClient");
        assert_same_sets(sql, m, &tib, volatile);
    }
    // A few values pinned, so both clients agreeing on something wrong also fails.
    let v = &got[0][0];
    assert_eq!(v["columns"][0]["type"], "nvarchar");
    assert!(v["rows"][0][0].as_str().unwrap().starts_with("Microsoft SQL Server 2022 (RTM-CU17) (KB5048038) - 16.0.4175.1 (X64)"));
    let p = &got[2][0]["rows"][0];
    assert_eq!(p[0], "16.0.4175.1");
    assert_eq!(p[5], 3);
    assert_eq!(p[7], "F:\\data\\");
    assert!(p[9].is_null());
    let dbs: Vec<&str> = got[3][0]["rows"].as_array().unwrap().iter().map(|r| r[0].as_str().unwrap()).collect();
    for want in ["master", "tempdb", "model", "msdb", "Sales", "Big"] {
        assert!(dbs.contains(&want), "sys.databases lacks {want}: {dbs:?}");
    }
    let files = &got[6][0]["rows"];
    assert_eq!(files.as_array().unwrap().len(), 3);
    // file_id 2 is the log, as in SQL Server; the second data file is 3.
    assert_eq!(files[1][1], "G:\\log\\Big_log.ldf");
    assert_eq!(files[2][1], "F:\\data\\Big_2.ndf");
    assert_eq!(files[0][3], 1024 * 128);
    let creds = got[7][0]["rows"].as_array().unwrap();
    assert_eq!(creds.len(), 2);
    assert!(!r.events.iter().any(|e| e.to_string().contains("SEEDSECRET")), "a credential secret reached SqlClient");
    let tf = &got[12][0];
    assert_eq!(tf["columns"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect::<Vec<_>>(), ["TraceFlag", "Status", "Global", "Session"]);
    assert_eq!(tf["rows"][0], serde_json::json!([4675, 1, 1, 0]));
    let v = &got[15][0];
    assert_eq!(v["columns"][0]["type"], "sql_variant");
    assert_eq!(v["rows"][0], serde_json::json!(["16.0.4175.1", 3, null]));
    // DBCC's 2528 arrives as an INFO message to SqlClient.
    assert!(r.infos().iter().any(|(n, _)| *n == 2528), "{:#?}", r.infos());
}

/// One failing batch: all errors SqlClient reports (number, class, state, text).
async fn mds_errors(cs: &str, sql: &str, ca: &Path) -> Vec<(i64, i64, i64, String)> {
    let r = mds(&[cs, sql], Some(ca)).await;
    assert_eq!(r.exit, 1, "`{sql}` should fail: {:#?}", r.events);
    r.errors()
}

async fn assert_same_error(t: &mut common::Tds, cs: &str, ca: &Path, sql: &str) -> Vec<(i64, i64, i64, String)> {
    let m = mds_errors(cs, sql, ca).await;
    let tib = tiberius_sets(t, sql).await.expect_err("tiberius: should fail");
    assert!(!m.is_empty());
    // tiberius surfaces the first error of a request; SqlClient all of them, in order.
    assert_eq!(m[0], (tib.0 as i64, tib.1 as i64, tib.2 as i64, tib.3.clone()), "`{sql}`: SqlClient vs tiberius");
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_arrive_with_sql_server_numbers_in_both_clients() {
    let sc = Scenario { primary_managed_identity: false, ..common::scenario() };
    let sim = sqlsim::start(sc).await.unwrap();
    let mut t = common::sa(&sim).await;
    let cs = sa_cs(&sim, "localhost", "Mandatory", "");
    let ca = sim.ca_pem_path.clone();
    common::batch(&mut t, "DBCC TRACEON(4675, -1)").await.unwrap();

    // 37563: trace flag 4675 on and no primary managed identity.
    let m = assert_same_error(&mut t, &cs, &ca, "CREATE CREDENTIAL [https://a.blob.core.windows.net/c] WITH IDENTITY = 'Managed Identity'").await;
    assert_eq!((m[0].0, m[0].1, m[0].2), (37563, 16, 2));
    assert_eq!(
        m[0].3,
        "The primary managed identity is not selected for this server. Enable the primary managed identity for Microsoft Entra authentication for this server. For more information see (https://aka.ms/sql-server-managed-identity-doc)."
    );
    // Unsupported statement: a clear error, not a fake success.
    let m = assert_same_error(&mut t, &cs, &ca, "CREATE TABLE dbo.t (a int)").await;
    assert_eq!((m[0].0, m[0].1), (50000, 16));
    assert!(m[0].3.contains("not supported"), "{m:?}");
    // 208 and a syntax error.
    let m = assert_same_error(&mut t, &cs, &ca, "SELECT * FROM dbo.NoSuchTable").await;
    assert_eq!(m, vec![(208, 16, 1, "Invalid object name 'dbo.NoSuchTable'.".to_string())]);
    // A non-sysadmin's DBCC TRACEON: 2571 class 14.
    let rcs = conn_str("localhost", sim.port(), "reader", "R3ader-pw", "Mandatory", "");
    let mut rt = common::connect_with(&sim, common::config(&sim, EncryptionLevel::Required, AuthMethod::sql_server("reader", "R3ader-pw")))
        .await
        .unwrap();
    let m = assert_same_error(&mut rt, &rcs, &ca, "DBCC TRACEON(4675, -1)").await;
    assert_eq!(m, vec![(2571, 14, 3, "User 'reader' does not have permission to run DBCC TRACEON.".to_string())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_restore_errors_and_streamed_stats_messages() {
    use backup_support::*;
    let blobs = Blobs::new();
    let c = container_name("mds");
    blobs.create_container(&c).await;
    let nocred = container_name("mdsnocred");
    blobs.create_container(&nocred).await;
    let mut sc = backup_support::scenario(&c, "Contributor", vec![db("Src", "FULL", 16), db("Slow", "FULL", 400)]);
    // 400 MB at 100 MB/s: about four seconds of virtual transfer, time for ten 3211 messages.
    sc.throughput_mb_per_s = 100.0;
    let sim = sqlsim::start(sc).await.unwrap();
    let ca = sim.ca_pem_path.clone();
    let cs = sa_cs(&sim, "localhost", "Mandatory", "");
    let mut t = common::sa(&sim).await;

    // 3201 + 3013: no credential for the container.
    let sql = format!("BACKUP DATABASE [Src] TO URL = N'{}'", blob_url(&nocred, "x.bak"));
    let m = assert_same_error(&mut t, &cs, &ca, &sql).await;
    assert_eq!(m.len(), 2, "{m:#?}");
    assert_eq!((m[0].0, m[0].1), (3201, 16));
    assert_eq!(
        m[0].3,
        format!("Cannot open backup device '{}'. Operating system error 50(The request is not supported.).", blob_url(&nocred, "x.bak"))
    );
    assert_eq!((m[1].0, m[1].1, m[1].3.as_str()), (3013, 16, "BACKUP DATABASE is terminating abnormally."));
    assert!(blobs.list(&nocred).await.is_empty());

    // 1834 + 3156 (per file), 3119, 3013: a new database from Src's backup without MOVE.
    let full = blob_url(&c, "src.bak");
    let r = mds(&[&cs, &format!("BACKUP DATABASE [Src] TO URL = N'{full}' WITH FORMAT")], Some(&ca)).await;
    assert_eq!(r.exit, 0, "{:#?}", r.events);
    // The RESTORE … ONLY result sets (numeric LSNs, GUIDs, bit, datetime, bigint, …) and a few
    // more statements: the same to both clients.
    let more: Vec<String> = vec![
        format!("RESTORE HEADERONLY FROM URL = N'{full}'"),
        format!("RESTORE FILELISTONLY FROM URL = N'{full}'"),
        format!("RESTORE LABELONLY FROM URL = N'{full}'"),
        "SELECT SUSER_SNAME() AS who, DB_NAME() AS db, @@SPID AS spid".to_string(),
    ];
    let mut args: Vec<&str> = vec![&cs];
    args.extend(more.iter().map(|s| s.as_str()));
    let r = mds(&args, Some(&ca)).await;
    assert_eq!(r.exit, 0, "{:#?}", r.events);
    let got = per_batch(&r);
    assert_eq!(got.len(), more.len());
    for (sql, m) in more.iter().zip(&got) {
        let tib = tiberius_sets(&mut t, sql).await.unwrap_or_else(|e| panic!("tiberius: `{sql}` failed: {e:?}"));
        assert!(!m.is_empty(), "`{sql}`: no result set");
        assert_same_sets(sql, m, &tib, &["spid"]);
    }
    let h = &got[0][0];
    let col = |name: &str| h["columns"].as_array().unwrap().iter().position(|c| c["name"] == name).unwrap_or_else(|| panic!("HEADERONLY lacks {name}"));
    assert_eq!(h["rows"][0][col("DatabaseName")], "Src");
    assert_eq!(h["rows"][0][col("BackupType")], 1);
    assert_eq!(h["columns"][col("FirstLSN")]["type"], "decimal");
    let files: Vec<&str> = got[1][0]["rows"].as_array().unwrap().iter().map(|r| r[0].as_str().unwrap()).collect();
    assert_eq!(files, ["Src", "Src_log"]);

    let m = assert_same_error(&mut t, &cs, &ca, &format!("RESTORE DATABASE [Copy] FROM URL = N'{full}'")).await;
    let nums: Vec<i64> = m.iter().map(|e| e.0).collect();
    assert_eq!(nums, vec![1834, 3156, 1834, 3156, 3119, 3013], "{m:#?}");
    assert_eq!(m[0].3, "The file 'F:\\data\\Src.mdf' cannot be overwritten.  It is being used by database 'Src'.");
    assert_eq!((m[1].1, m[1].2), (16, 4));
    assert_eq!(m[1].3, "File 'Src' cannot be restored to 'F:\\data\\Src.mdf'. Use WITH MOVE to identify a valid location for the file.");
    assert_eq!(m[5].3, "RESTORE DATABASE is terminating abnormally.");

    // STATS = 10 with FireInfoMessageEventOnUserErrors: the first 3211 reaches SqlClient while the
    // backup is still running on the server and nothing is committed in Azurite yet.
    let slow = blob_url(&c, "slow.bak");
    let sql = format!("BACKUP DATABASE [Slow] TO URL = N'{slow}' WITH FORMAT, STATS = 10");
    let mut live = MdsLive::spawn(&["--stream-info", &cs_with_tsc(&cs), &sql]);
    let mut infos: Vec<Value> = Vec::new();
    let mut checked_while_running = false;
    let mut done = false;
    while let Some(e) = live.next().await {
        match e["kind"].as_str() {
            Some("info") => {
                if e["number"] == 3211 && !checked_while_running {
                    let reqs = tiberius_sets(&mut t, "SELECT command, percent_complete FROM sys.dm_exec_requests WHERE command = 'BACKUP DATABASE'")
                        .await
                        .unwrap();
                    assert_eq!(reqs[0]["rows"].as_array().unwrap().len(), 1, "the backup is still running when 3211 arrives: {reqs:?}");
                    assert!(blobs.props(&c, "slow.bak").await.is_none(), "nothing committed while the backup runs");
                    checked_while_running = true;
                }
                infos.push(e);
            }
            Some("done") => done = true,
            Some("error") => panic!("backup failed: {e}"),
            _ => {}
        }
    }
    assert_eq!(live.wait().await, 0);
    assert!(done && checked_while_running);
    let texts: Vec<(i64, String)> = infos.iter().map(|e| (e["number"].as_i64().unwrap(), e["message"].as_str().unwrap().to_string())).collect();
    let pcts: Vec<&str> = texts.iter().filter(|(n, _)| *n == 3211).map(|(_, s)| s.as_str()).collect();
    let want: Vec<String> = (1..=10).map(|i| format!("{} percent processed.", i * 10)).collect();
    assert_eq!(pcts, want, "{texts:#?}");
    let after: Vec<i64> = texts.iter().skip_while(|(n, _)| *n == 3211).map(|(n, _)| *n).collect();
    assert!(after.contains(&4035) && after.last() == Some(&3014), "then 4035 …, 3014: {texts:#?}");
    assert!(texts.iter().any(|(n, s)| *n == 4035 && s.starts_with("Processed ") && s.contains("for database 'Slow', file 'Slow' on file 1.")));
    assert!(texts.last().unwrap().1.starts_with("BACKUP DATABASE successfully processed "));
    // Each info event carries a timestamp; they are printed in arrival order.
    let ts: Vec<i64> = infos.iter().map(|e| e["t_ms"].as_i64().unwrap()).collect();
    assert!(ts.windows(2).all(|w| w[0] <= w[1]));
    println!("3211 arrival times (ms since sqlclient-run started): {ts:?}");
    let p = blobs.props(&c, "slow.bak").await.expect("committed after 3014");
    assert_eq!(p.lease_state, "available");
}

fn cs_with_tsc(cs: &str) -> String {
    // The live run has no SSL_CERT_FILE: trust the simulator's certificate explicitly instead.
    format!("{cs}TrustServerCertificate=true;")
}

/// The comparison itself fails on drift: another SQL type, another value, another column name,
/// or a missing row (so the tests above cannot pass by comparing nothing).
#[test]
fn the_comparison_detects_drift() {
    use serde_json::json;
    let base = json!({"columns": [{"name": "a", "type": "int"}, {"name": "d", "type": "datetime"}], "rows": [[1, "2024-01-02T03:04:05.123"]]});
    assert_same_sets("same", std::slice::from_ref(&base), std::slice::from_ref(&base), &[]);
    // datetime: both clients round 1/300 s to the millisecond.
    let near = json!({"columns": base["columns"], "rows": [[1, "2024-01-02T03:04:05.1233333"]]});
    assert_same_sets("rounding", std::slice::from_ref(&base), &[near], &[]);
    let drifts = [
        json!({"columns": [{"name": "a", "type": "bigint"}, {"name": "d", "type": "datetime"}], "rows": [[1, "2024-01-02T03:04:05.123"]]}),
        json!({"columns": [{"name": "b", "type": "int"}, {"name": "d", "type": "datetime"}], "rows": [[1, "2024-01-02T03:04:05.123"]]}),
        json!({"columns": base["columns"], "rows": [[2, "2024-01-02T03:04:05.123"]]}),
        json!({"columns": base["columns"], "rows": [[1, "2024-01-02T03:04:06.123"]]}),
        json!({"columns": base["columns"], "rows": [[null, "2024-01-02T03:04:05.123"]]}),
        json!({"columns": base["columns"], "rows": []}),
    ];
    for d in drifts {
        let r = std::panic::catch_unwind(|| assert_same_sets("drift", std::slice::from_ref(&base), std::slice::from_ref(&d), &[]));
        assert!(r.is_err(), "not detected: {d}");
    }
    assert!(std::panic::catch_unwind(|| assert_same_sets("count", std::slice::from_ref(&base), &[], &[])).is_err());
    // LSN-sized integers (numeric(25,0)) compare exactly, not as floats.
    let lsn = |v: u64| json!({"columns": [{"name": "FirstLSN", "type": "decimal"}], "rows": [[v]]});
    assert_same_sets("lsn", &[lsn(42_000_000_001_000_001)], &[lsn(42_000_000_001_000_001)], &[]);
    assert!(std::panic::catch_unwind(|| assert_same_sets("lsn", &[lsn(42_000_000_001_000_001)], &[lsn(42_000_000_001_000_002)], &[])).is_err());
}
