//! `sqlsim --listen 127.0.0.1:0 --scenario FILE [--ca-out PATH] [--statement-log FILE]`
//!
//! Prints `listening 127.0.0.1:PORT` as the first line of standard output, then `ca <path>`,
//! and serves until killed.

use std::io::Write;
use std::path::PathBuf;

use sqlsim::scenario::Scenario;
use sqlsim::StartOptions;

fn usage() -> ! {
    eprintln!("usage: sqlsim [--listen 127.0.0.1:0] [--scenario FILE] [--ca-out PATH] [--statement-log FILE]");
    std::process::exit(2);
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let mut opts = StartOptions::default();
    let mut scenario_path: Option<PathBuf> = None;
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--listen" => {
                let v = val();
                opts.listen = Some(v.parse().unwrap_or_else(|e| {
                    eprintln!("sqlsim: --listen {v}: {e}");
                    std::process::exit(2)
                }))
            }
            "--scenario" => scenario_path = Some(PathBuf::from(val())),
            "--ca-out" => opts.ca_out = Some(PathBuf::from(val())),
            "--statement-log" => opts.statement_log = Some(PathBuf::from(val())),
            "-h" | "--help" => usage(),
            other => {
                eprintln!("sqlsim: unknown argument {other}");
                usage()
            }
        }
    }
    let scenario: Scenario = match &scenario_path {
        None => Scenario::default(),
        Some(p) => {
            let text = std::fs::read_to_string(p).unwrap_or_else(|e| {
                eprintln!("sqlsim: cannot read scenario {}: {e}", p.display());
                std::process::exit(2)
            });
            serde_json::from_str(&text).unwrap_or_else(|e| {
                eprintln!("sqlsim: scenario {}: {e}", p.display());
                std::process::exit(2)
            })
        }
    };
    let sim = match sqlsim::start_with(scenario, opts).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("sqlsim: {e}");
            std::process::exit(1);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening {}", sim.addr);
    let _ = writeln!(out, "ca {}", sim.ca_pem_path.display());
    let _ = out.flush();
    drop(out);
    // Serve until killed (SIGTERM/SIGINT end the process).
    let _ = tokio::signal::ctrl_c().await;
    drop(sim);
}
