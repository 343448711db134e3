//! Start the SQL Server simulator (tests/sqlsim) on 127.0.0.1 for a test, on its own runtime,
//! and build connection JSON for it.
#![allow(dead_code)]

use serde_json::{json, Value};
use sqlsim::scenario::{CredentialSeed, Login, Scenario};

pub const SA_PASSWORD: &str = "Sim-Passw0rd!";
pub const CONTAINER: &str = "https://acct.blob.core.windows.net/backups";

/// A running simulator. Dropping it stops the simulator, then its runtime.
pub struct Sim {
    pub handle: sqlsim::SimHandle,
    rt: tokio::runtime::Runtime,
}

impl Sim {
    pub fn start(scenario: Scenario) -> Sim {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let handle = rt.block_on(sqlsim::start(scenario)).expect("start sqlsim");
        Sim { handle, rt }
    }

    pub fn server(&self) -> String {
        format!("127.0.0.1,{}", self.handle.port())
    }

    pub fn ca(&self) -> String {
        self.handle.ca_pem_path.display().to_string()
    }

    /// Connection JSON: validated TLS with the simulator's CA, this auth.
    pub fn conn_with(&self, auth: Value) -> Value {
        json!({"server": self.server(), "auth": auth, "ca_file": self.ca(), "connect_timeout_s": 10, "command_timeout_s": 10})
    }

    /// Connection JSON for 127.0.0.1,`port` (e.g. a relay in front of this simulator): validated
    /// TLS with the simulator's CA, this auth, 5 s to connect.
    pub fn conn_via(&self, port: u16, auth: Value) -> Value {
        json!({"server": format!("127.0.0.1,{port}"), "auth": auth, "ca_file": self.ca(), "connect_timeout_s": 5, "command_timeout_s": 10})
    }

    /// Connection JSON as `sa`.
    pub fn conn(&self) -> Value {
        self.conn_with(json!({"kind": "sql", "user": "sa", "password": SA_PASSWORD}))
    }

    /// The text of every statement the simulator received, in order.
    pub fn statements(&self) -> Vec<String> {
        self.handle.statement_log().into_iter().map(|s| s.text).collect()
    }
}

/// A login that is not sysadmin.
pub fn login(name: &str, password: &str, backup_operator: bool) -> Login {
    Login { name: name.into(), password: Some(password.into()), principal: None, sysadmin: false, backup_operator, can_view_server_state: false, ..Login::default() }
}

/// An Entra principal (token login).
pub fn principal(name: &str, sysadmin: bool) -> Login {
    Login { name: name.into(), password: None, principal: Some(name.into()), sysadmin, backup_operator: false, can_view_server_state: false, ..Login::default() }
}

pub fn credential(name: &str, identity: &str) -> CredentialSeed {
    CredentialSeed { name: name.into(), identity: identity.into(), secret: None }
}

/// The stock scenario plus trace flag 4675 and a managed-identity credential for CONTAINER.
pub fn ready_scenario() -> Scenario {
    Scenario { trace_flags: vec![4675], credentials: vec![credential(CONTAINER, "Managed Identity")], ..Scenario::default() }
}
