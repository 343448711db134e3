//! Helpers shared by the simulator's integration tests.
#![allow(dead_code)]

use std::time::Duration;

use sqlsim::scenario::{Database, Login, Scenario};
use sqlsim::SimHandle;
use tiberius::{AuthMethod, Client, Config, EncryptionLevel};
use tokio::net::TcpStream;
use tokio_util::compat::{Compat, TokioAsyncWriteCompatExt};

pub type Tds = Client<Compat<TcpStream>>;

pub const SA_PASSWORD: &str = "Sim-Passw0rd!";

/// A scenario with a user database, a non-sysadmin login and an Entra principal.
pub fn scenario() -> Scenario {
    let mut sc = Scenario::default();
    sc.databases.push(Database { name: "Sales".into(), ..Database::default() });
    // A stock login: no CREATE DATABASE, no VIEW SERVER STATE.
    sc.logins.push(Login { name: "reader".into(), password: Some("R3ader-pw".into()), create_database: Some(false), ..Login::default() });
    sc.logins.push(Login {
        name: "app@contoso.com".into(),
        principal: Some("app@contoso.com".into()),
        sysadmin: true,
        ..Login::default()
    });
    sc
}

pub fn config(sim: &SimHandle, enc: EncryptionLevel, auth: AuthMethod) -> Config {
    let mut c = Config::new();
    c.host("localhost");
    c.port(sim.port());
    c.encryption(enc);
    c.authentication(auth);
    c.trust_cert_ca(sim.ca_pem_path.display().to_string());
    c
}

pub async fn connect_with(sim: &SimHandle, cfg: Config) -> tiberius::Result<Tds> {
    let tcp = TcpStream::connect(sim.addr).await?;
    tcp.set_nodelay(true)?;
    tokio::time::timeout(Duration::from_secs(20), Client::connect(cfg, tcp.compat_write()))
        .await
        .expect("login did not finish within 20 s")
}

pub async fn connect(sim: &SimHandle, enc: EncryptionLevel) -> Tds {
    connect_with(sim, config(sim, enc, AuthMethod::sql_server("sa", SA_PASSWORD))).await.expect("sa login")
}

pub async fn sa(sim: &SimHandle) -> Tds {
    connect(sim, EncryptionLevel::Required).await
}

/// Run a batch and return all result sets.
pub async fn batch(c: &mut Tds, sql: &str) -> tiberius::Result<Vec<Vec<tiberius::Row>>> {
    c.simple_query(sql).await?.into_results().await
}

/// Run a parameterised statement (sp_executesql) and return its first result set.
pub async fn query(c: &mut Tds, sql: &str, params: &[&dyn tiberius::ToSql]) -> tiberius::Result<Vec<tiberius::Row>> {
    c.query(sql, params).await?.into_first_result().await
}

/// Run a batch expected to fail; return (number, class, state, message).
pub async fn batch_err(c: &mut Tds, sql: &str) -> (u32, u8, u8, String) {
    match batch(c, sql).await {
        Ok(r) => panic!("expected `{sql}` to fail, got {} result sets", r.len()),
        Err(tiberius::error::Error::Server(e)) => (e.code(), e.class(), e.state(), e.message().to_string()),
        Err(e) => panic!("expected a server error for `{sql}`, got {e}"),
    }
}

pub fn str_col(row: &tiberius::Row, idx: usize) -> String {
    row.get::<&str, _>(idx).map(|s| s.to_string()).unwrap_or_else(|| panic!("column {idx} is NULL or not a string"))
}

pub fn token(claims: serde_json::Value) -> String {
    sqlsim::auth::make_token(&claims)
}
