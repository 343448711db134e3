//! Issue 12 through python-tds (a TDS client we did not write; `clients/pytds_fidelity.py`):
//! transaction-manager requests (python-tds' default mode, autocommit off), and the complete
//! message sequences tiberius hides — 3250 + 3013 for an 8 MB MAXTRANSFERSIZE (no blob, checked
//! with the independent REST client), 262 + 3013 without CREATE DATABASE, INFO 4322 for a STOPAT
//! past the end of the log.

mod backup_support;

use std::process::Command;

use backup_support::*;
use sqlsim::scenario::Login;

fn have_pytds() -> bool {
    Command::new("python3").args(["-c", "import pytds"]).status().map(|s| s.success()).unwrap_or(false)
}

/// Run the script; one JSON value per output line.
fn pytds(sim: &sqlsim::SimHandle, user: &str, password: &str, mode: &str, sqls: &[String]) -> Vec<serde_json::Value> {
    assert!(have_pytds(), "python-tds is required (scripts/setup.sh installs it: pip install python-tds)");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/pytds_fidelity.py");
    let out = Command::new("python3")
        .arg(script)
        .args([&sim.port().to_string(), user, password, mode])
        .args(sqls)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.status.success(), "pytds_fidelity.py failed\nstdout: {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr));
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

fn numbers(v: &serde_json::Value) -> Vec<u64> {
    v["messages"].as_array().unwrap().iter().map(|m| m["number"].as_u64().unwrap()).collect()
}

fn text_of(v: &serde_json::Value, number: u64) -> String {
    v["messages"].as_array().unwrap().iter().find(|m| m["number"] == number).map(|m| m["text"].as_str().unwrap().to_string()).unwrap_or_default()
}

/// python-tds with autocommit off sends TM BEGIN right after login, then COMMIT / ROLLBACK with
/// "begin a new one"; the simulator answers with the transaction descriptor ENVCHANGEs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_tds_default_mode_transaction_manager_requests() {
    let sim = sqlsim::start(sqlsim::scenario::Scenario::default()).await.unwrap();
    let out = pytds(&sim, "sa", "Sim-Passw0rd!", "tm", &[]);
    let step = |s: &str| out.iter().find(|v| v["step"] == s).unwrap_or_else(|| panic!("no step {s}: {out:?}")).clone();
    let c = step("connected");
    assert_eq!(c["autocommit"], false);
    assert_ne!(c["tran"].as_u64().unwrap(), 0, "BEGIN answered with a descriptor");
    assert_eq!(step("query")["login"], "sa");
    assert_eq!(step("query")["trancount"], 1, "@@TRANCOUNT inside the TM transaction");
    let cm = step("commit");
    assert_ne!(cm["after"].as_u64().unwrap(), 0, "COMMIT with begin-new gives a new descriptor");
    assert_ne!(cm["after"], cm["before"]);
    assert_eq!(step("query2")["db"], "master");
    let rb = step("rollback");
    assert_eq!((rb["after"].as_u64(), rb["trancount"].as_u64()), (Some(0), Some(0)), "rolled back, none open: {rb}");
    step("closed");
    assert!(sim.disconnects().is_empty(), "{:?}", sim.disconnects());
}

/// The complete sequences: 3250 then 3013 for MAXTRANSFERSIZE = 8 MB (no blob), 262 then 3013
/// without CREATE DATABASE, and 4322 (class 10) for STOPAT after the end of the log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_tds_sees_3250_262_and_4322_sequences() {
    let blobs = Blobs::new();
    let c = container_name("pyfid");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "Contributor", vec![db("Py", "FULL", 16)]);
    sc.logins.push(Login { name: "nocreate".into(), password: Some("No-Create1!".into()), create_database: Some(false), ..Login::default() });
    let sim = sqlsim::start(sc).await.unwrap();
    let u = |n: &str| blob_url(&c, n);
    let later = (chrono::Utc::now().naive_utc() + chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M:%S").to_string();
    let out = pytds(
        &sim,
        "sa",
        "Sim-Passw0rd!",
        "run",
        &[
            format!("BACKUP DATABASE Py TO URL = N'{}' WITH MAXTRANSFERSIZE = 8388608", u("big.bak")),
            format!("BACKUP DATABASE Py TO URL = N'{}'", u("f.bak")),
            format!("BACKUP LOG Py TO URL = N'{}'", u("l.trn")),
            format!("RESTORE DATABASE Py2 FROM URL = N'{}' WITH MOVE 'Py' TO 'F:\\data\\Py2.mdf', MOVE 'Py_log' TO 'G:\\log\\Py2_log.ldf', NORECOVERY", u("f.bak")),
            format!("RESTORE LOG Py2 FROM URL = N'{}' WITH STOPAT = '{later}', RECOVERY", u("l.trn")),
        ],
    );
    assert_eq!(out[0]["step"], "failed");
    assert_eq!(numbers(&out[0]), vec![3250, 3013]);
    assert_eq!(text_of(&out[0], 3250), "The value '8388608' is not within range for the MAXTRANSFERSIZE parameter.");
    assert_eq!(text_of(&out[0], 3013), "BACKUP DATABASE is terminating abnormally.");
    assert!(blobs.props(&c, "big.bak").await.is_none() && !blobs.list(&c).await.contains(&"big.bak".to_string()), "no blob for the refused backup");
    for v in &out[1..] {
        assert_eq!(v["step"], "ok", "{v}");
    }
    let last = &out[4];
    let info = last["messages"].as_array().unwrap().iter().find(|m| m["number"] == 4322).unwrap_or_else(|| panic!("no 4322: {last}"));
    assert_eq!(info["class"], 10);
    assert!(info["text"].as_str().unwrap().starts_with("This backup set contains records that were logged before the designated point in time."));
    assert!(!numbers(last).contains(&4323));

    let out = pytds(&sim, "nocreate", "No-Create1!", "run", &[format!("RESTORE HEADERONLY FROM URL = N'{}'", u("f.bak"))]);
    assert_eq!(out[0]["step"], "failed");
    assert_eq!(numbers(&out[0]), vec![262, 3013]);
    assert_eq!(text_of(&out[0], 262), "CREATE DATABASE permission denied in database 'master'.");
    assert_eq!(out[0]["messages"][0]["class"], 14);
    assert_eq!(text_of(&out[0], 3013), "RESTORE HEADERONLY is terminating abnormally.");
}

/// The server's time zone through python-tds: SYSDATETIMEOFFSET() decodes (DATETIMEOFFSET on
/// the wire) with the scenario's +02:00, two hours ahead of GETUTCDATE().
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_tds_reads_sysdatetimeoffset_with_the_server_offset() {
    let sim = sqlsim::start(sqlsim::scenario::Scenario { utc_offset_minutes: 120, ..Default::default() }).await.unwrap();
    let out = pytds(
        &sim,
        "sa",
        "Sim-Passw0rd!",
        "run",
        &["SELECT SYSDATETIMEOFFSET(), GETUTCDATE(), GETDATE(), DATEPART(TZOFFSET, SYSDATETIMEOFFSET())".to_string()],
    );
    assert_eq!(out[0]["step"], "ok", "{}", out[0]);
    let row: Vec<String> = out[0]["rows"][0].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert!(row[0].ends_with("+02:00"), "{row:?}");
    let parse = |s: &str| chrono::NaiveDateTime::parse_from_str(&s[..19], "%Y-%m-%d %H:%M:%S").unwrap();
    let (off, utc, local) = (parse(&row[0]), parse(&row[1]), parse(&row[2]));
    assert!(((local - utc).num_minutes() - 120).abs() <= 1, "{row:?}");
    assert!((off - local).num_seconds().abs() <= 5, "{row:?}");
    assert_eq!(row[3], "120");
}
