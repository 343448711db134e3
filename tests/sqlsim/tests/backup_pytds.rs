//! python-tds (an independent TDS client) runs one BACKUP … WITH STATS = 10 against sqlsim +
//! Azurite and reports each INFO/ERROR token the moment it parses it. The test proves the 3211
//! messages stream: when python-tds has parsed "30 percent processed.", the backup is still
//! running on the server (its `sys.dm_exec_requests` row is below 100 %) and no blob is committed
//! in Azurite yet. It also shows the full failure sequence (4208 then 3013) that tiberius hides.

mod backup_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use backup_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_tds_sees_stats_messages_stream_before_the_end() {
    let have_pytds = Command::new("python3").args(["-c", "import pytds"]).status().map(|s| s.success()).unwrap_or(false);
    assert!(have_pytds, "python-tds is required (scripts/setup.sh installs it: pip install python-tds)");

    let blobs = Blobs::new();
    let c = container_name("pytds");
    blobs.create_container(&c).await;
    let mut sc = scenario(&c, "Contributor", vec![db("Slow", "FULL", 96), db("Simple", "SIMPLE", 8)]);
    sc.throughput_mb_per_s = 32.0; // ~3 s
    let sim = sqlsim::start(sc).await.expect("start sqlsim");
    let url = blob_url(&c, "py.bak");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/backup_pytds.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .args(["127.0.0.1", &sim.port().to_string(), "sa", "Sim-Passw0rd!"])
        .arg(format!("BACKUP DATABASE [Slow] TO URL = N'{url}' WITH STATS = 10"))
        .arg(format!("BACKUP LOG [Simple] TO URL = N'{}'", blob_url(&c, "simple.trn")))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn python3");
    let stdout = child.stdout.take().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                if tx.send(v).is_err() {
                    break;
                }
            }
        }
    });

    let mut streamed = Vec::new();
    let mut checked_mid_flight = false;
    let mut done = None;
    let mut failed = None;
    while let Some(v) = tokio::time::timeout(Duration::from_secs(60), rx.recv()).await.expect("python-tds keeps talking") {
        match v["event"].as_str() {
            Some("msg") => {
                let text = v["text"].as_str().unwrap_or_default().to_string();
                if done.is_none() {
                    streamed.push((v["number"].as_u64().unwrap(), text.clone()));
                }
                if text == "30 percent processed." {
                    // python-tds has this message while the server is still working.
                    let running = sim.state.requests().into_iter().find(|r| r.command == "BACKUP DATABASE");
                    let r = running.expect("the backup is still running when python-tds sees 30 percent");
                    assert!(r.percent_complete < 100.0, "percent_complete {}", r.percent_complete);
                    assert!(blobs.props(&c, "py.bak").await.is_none(), "nothing committed yet");
                    checked_mid_flight = true;
                }
            }
            Some("done") => done = Some(v.clone()),
            Some("failed") => {
                failed = Some(v.clone());
                break;
            }
            _ => {}
        }
    }
    let status = child.wait().expect("python3 exit");
    assert!(status.success(), "python-tds script failed: {status}");
    assert!(checked_mid_flight, "saw 30 percent while running; streamed: {streamed:?}");
    let percents: Vec<&str> = streamed.iter().filter(|m| m.0 == 3211).map(|m| m.1.as_str()).collect();
    let expected: Vec<String> = (1..=10).map(|i| format!("{} percent processed.", i * 10)).collect();
    assert_eq!(percents, expected);
    let done = done.expect("backup statement returned");
    let numbers: Vec<u64> = done["numbers"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    assert_eq!(numbers.iter().filter(|n| **n == 3211).count(), 10);
    assert_eq!(&numbers[numbers.len() - 3..], &[4035, 4035, 3014]);
    assert!(blobs.props(&c, "py.bak").await.is_some(), "committed at the end");
    let failed = failed.expect("failing statement reported");
    let numbers: Vec<u64> = failed["numbers"].as_array().unwrap().iter().map(|n| n.as_u64().unwrap()).collect();
    assert_eq!(numbers, vec![4208, 3013]);
}
