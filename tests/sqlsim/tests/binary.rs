//! The `sqlsim` binary: first stdout line, CA line, scenario files, statement log file.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use tiberius::{AuthMethod, EncryptionLevel};

struct Child(std::process::Child);
impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn example_scenarios_parse() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        let text = std::fs::read_to_string(&p).unwrap();
        let _: sqlsim::scenario::Scenario = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        n += 1;
    }
    assert!(n >= 2);
    // Unknown fields are refused, so a typo in a scenario cannot pass silently.
    assert!(serde_json::from_str::<sqlsim::scenario::Scenario>(r#"{"host_platfrom":"Linux"}"#).is_err());
}

#[tokio::test]
async fn binary_prints_address_and_ca_then_serves() {
    let dir = std::env::temp_dir().join(format!("sqlsim-bin-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("stmts.jsonl");
    let ca = dir.join("ca.pem");
    let scenario = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/default.json");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_sqlsim"))
            .args(["--listen", "127.0.0.1:0", "--scenario", scenario, "--ca-out"])
            .arg(&ca)
            .arg("--statement-log")
            .arg(&log)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap(),
    );
    let mut out = BufReader::new(child.0.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    let mut second = String::new();
    out.read_line(&mut second).unwrap();
    let addr = first.trim().strip_prefix("listening ").unwrap_or_else(|| panic!("first line: {first:?}"));
    let port: u16 = addr.rsplit(':').next().unwrap().parse().unwrap();
    assert!(addr.starts_with("127.0.0.1:"));
    assert_eq!(second.trim(), format!("ca {}", ca.display()));

    let mut cfg = tiberius::Config::new();
    cfg.host("localhost");
    cfg.port(port);
    cfg.encryption(EncryptionLevel::Required);
    cfg.authentication(AuthMethod::sql_server("sa", SA_PASSWORD));
    cfg.trust_cert_ca(ca.display().to_string());
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let mut c = tiberius::Client::connect(cfg, tokio_util::compat::TokioAsyncWriteCompatExt::compat_write(tcp)).await.unwrap();
    let rows = batch(&mut c, "DBCC TRACESTATUS(4675) WITH NO_INFOMSGS; SELECT name FROM sys.databases WHERE database_id = 5").await.unwrap();
    assert_eq!(rows[0][0].get::<i32, _>("Global"), Some(1), "trace flags from the scenario file");
    assert_eq!(str_col(&rows[1][0], 0), "Sales");
    drop(c);
    let text = std::fs::read_to_string(&log).unwrap();
    let line: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(line["login"], "sa");
    assert_eq!(line["kind"], "batch");
    assert!(line["text"].as_str().unwrap().starts_with("DBCC TRACESTATUS(4675)"));
    drop(child);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn binary_refuses_a_bad_scenario_and_a_non_loopback_address() {
    let dir = std::env::temp_dir().join(format!("sqlsim-bad-{}.json", std::process::id()));
    std::fs::write(&dir, "{\"nope\": 1}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sqlsim")).args(["--scenario"]).arg(&dir).output().unwrap();
    let _ = std::fs::remove_file(&dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown field"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = Command::new(env!("CARGO_BIN_EXE_sqlsim")).args(["--listen", "0.0.0.0:0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only listens on loopback"));
}
