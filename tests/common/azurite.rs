//! Azurite for a test process (shared by the integration tests that include
//! `tests/sqlsim/tests/backup_support`).
#![allow(dead_code)]

/// Azurite for this process. The shared helper finds the repository from the simulator crate's
/// directory; from this crate we start it here (`scripts/azurite.sh start`, bounded inside the
/// script, reuses a running instance) and hand its address over through the environment
/// variables the helper reads first (`AZURITE_BLOB_ENDPOINT`, `AZURITE_CA`, as CI sets them).
pub fn ensure_azurite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var("AZURITE_BLOB_ENDPOINT").map(|v| !v.is_empty()).unwrap_or(false) && std::env::var("AZURITE_CA").is_ok() {
            return;
        }
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let status = std::process::Command::new(root.join("scripts/azurite.sh")).arg("start").status().expect("run scripts/azurite.sh start");
        assert!(status.success(), "scripts/azurite.sh start failed");
        let dir = std::env::var("AZURITE_DIR").map(std::path::PathBuf::from).unwrap_or_else(|_| root.join(".tmp/azurite"));
        let text = std::fs::read_to_string(dir.join("azurite.env")).expect("azurite.env");
        for line in text.lines() {
            if let Some((k, v)) = line.trim_start_matches("export ").split_once('=') {
                if k == "AZURITE_BLOB_ENDPOINT" || k == "AZURITE_CA" {
                    std::env::set_var(k, v);
                }
            }
        }
    });
}
