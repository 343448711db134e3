//! Independent TDS clients agree with tiberius: FreeTDS `tsql` and python-tds log in without
//! TLS, run `SELECT @@VERSION` and a failing statement, and see the same message number and
//! text; a python-tds `cursor.cancel()` during a long statement is acknowledged.
//!
//! These tools are required: a missing tool FAILS the test with what to install.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

const MISSING_TABLE_TEXT: &str = "Invalid object name 'dbo.NoSuchTable'.";

fn require(tool: &str, install: &str) {
    let ok = Command::new("sh").arg("-c").arg(format!("command -v {tool}")).stdout(Stdio::null()).status().map(|s| s.success()).unwrap_or(false);
    assert!(ok, "`{tool}` is not installed: {install}");
}

/// Run a command with a hard time limit (the tools must not hang CI).
async fn run_limited(mut cmd: tokio::process::Command, limit: Duration) -> std::process::Output {
    cmd.kill_on_drop(true).stdout(Stdio::piped()).stderr(Stdio::piped()).stdin(Stdio::piped());
    let child = cmd.spawn().expect("spawn");
    tokio::time::timeout(limit, child.wait_with_output()).await.expect("the client did not finish in time").expect("wait")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn freetds_tsql_logs_in_and_sees_sql_server_messages() {
    require("tsql", "apt-get install freetds-bin");
    let sim = sqlsim::start(scenario()).await.unwrap();
    // What tiberius sees, for comparison.
    let mut c = sa(&sim).await;
    let (n, class, state, text) = batch_err(&mut c, "SELECT * FROM dbo.NoSuchTable").await;
    assert_eq!((n, class, state, text.as_str()), (208, 16, 1, MISSING_TABLE_TEXT));

    let dir = std::env::temp_dir().join(format!("sqlsim-freetds-{}-{}", std::process::id(), sim.port()));
    std::fs::create_dir_all(&dir).unwrap();
    let conf = dir.join("freetds.conf");
    std::fs::write(&conf, "[global]\n\ttds version = 7.4\n\tencryption = off\n").unwrap();
    let mut cmd = tokio::process::Command::new("tsql");
    cmd.args(["-H", "127.0.0.1", "-p", &sim.port().to_string(), "-U", "sa", "-P", SA_PASSWORD]).env("FREETDSCONF", &conf);
    let mut child = cmd.kill_on_drop(true).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn tsql");
    {
        use tokio::io::AsyncWriteExt;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"SELECT @@VERSION\ngo\nSELECT * FROM dbo.NoSuchTable\ngo\nexit\n").await.unwrap();
    }
    let out = tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.expect("tsql finished").unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stdout.contains("Microsoft SQL Server 2022 (RTM-CU17) (KB5048038) - 16.0.4175.1 (X64)"), "stdout: {stdout}\nstderr: {stderr}");
    let all = format!("{stdout}\n{stderr}");
    assert!(all.contains("Msg 208 (severity 16, state 1) from SQLVM01"), "{all}");
    assert!(all.contains(&format!("\"{MISSING_TABLE_TEXT}\"")), "{all}");
    let log = sim.statement_log();
    assert!(log.iter().any(|s| s.text == "SELECT * FROM dbo.NoSuchTable" && s.kind == "batch"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_tds_logs_in_errors_and_cancels() {
    require("python3", "install Python 3");
    let probe = Command::new("python3").args(["-c", "import pytds"]).output().expect("python3");
    assert!(probe.status.success(), "python-tds is not installed: pip install python-tds ({})", String::from_utf8_lossy(&probe.stderr));
    let sim = sqlsim::start(scenario()).await.unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/clients/pytds_check.py");
    let mut cmd = tokio::process::Command::new("python3");
    cmd.args([script, &sim.port().to_string(), "sa", SA_PASSWORD]);
    let out = run_limited(cmd, Duration::from_secs(60)).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "pytds_check.py failed\nstdout: {stdout}\nstderr: {stderr}");
    let steps: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let step = |name: &str| steps.iter().find(|s| s["step"] == name).unwrap_or_else(|| panic!("no step {name}: {stdout}")).clone();
    assert!(step("version")["value"].as_str().unwrap().starts_with("Microsoft SQL Server 2022 (RTM-CU17)"));
    let v = step("variant");
    assert_eq!((v["version"].as_str(), v["edition"].as_i64()), (Some("16.0.4175.1"), Some(3)), "sql_variant decoded: {v}");
    let e = step("error");
    assert_eq!(e["number"], 208, "{e}");
    assert_eq!(e["severity"], 16, "{e}");
    assert_eq!(e["state"], 1, "{e}");
    assert_eq!(e["text"], MISSING_TABLE_TEXT, "{e}");
    let c = step("cancel");
    assert!(c["seconds"].as_f64().unwrap() < 15.0, "the 20 s WAITFOR was cancelled: {c}");
    assert_eq!(c["followup"], 42);
    // The server really received the WAITFOR and stopped it.
    assert!(sim.statement_log().iter().any(|s| s.text == "WAITFOR DELAY '00:00:20'"));
    assert!(sim.state.requests().is_empty());
}
