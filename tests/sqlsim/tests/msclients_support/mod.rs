//! Shared by the `msclients_*` tests: run Microsoft.Data.SqlClient through `sqlclient-run` (a
//! separate .NET process printing JSON lines) and put tiberius' view of the same batch into the
//! same JSON shape, so the two can be compared column by column and value by value.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use chrono::NaiveDateTime;
use futures_util::TryStreamExt;
use serde_json::{json, Value};
use tiberius::{ColumnData, ColumnType, FromSqlOwned, QueryItem};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

/// `sqlclient-run` (Microsoft.Data.SqlClient 7.1.1): `$SQLCLIENT_RUN`, else
/// `shared/tools/sqlclient-run/sqlclient-run` in a folder above this crate (the project's
/// `../shared/tools`).
pub fn sqlclient_run() -> PathBuf {
    if let Ok(p) = std::env::var("SQLCLIENT_RUN") {
        if !p.is_empty() {
            return PathBuf::from(p);
        }
    }
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for dir in manifest.ancestors() {
        let c = dir.join("shared/tools/sqlclient-run/sqlclient-run");
        if c.is_file() {
            return c;
        }
    }
    panic!(
        "sqlclient-run not found: set SQLCLIENT_RUN or provide ../shared/tools/sqlclient-run/sqlclient-run \
         (see shared/tools/README.md); these tests check Microsoft's own client and cannot run without it"
    );
}

/// What one `sqlclient-run` invocation printed.
#[derive(Debug)]
pub struct MdsRun {
    pub exit: i32,
    pub events: Vec<Value>,
    pub stderr: String,
}

impl MdsRun {
    pub fn of_kind(&self, kind: &str) -> Vec<&Value> {
        self.events.iter().filter(|e| e["kind"] == kind).collect()
    }
    pub fn connected(&self) -> Option<&Value> {
        self.events.iter().find(|e| e["kind"] == "connected")
    }
    /// (number, class, state, message) of every `error` event.
    pub fn errors(&self) -> Vec<(i64, i64, i64, String)> {
        self.of_kind("error")
            .into_iter()
            .map(|e| {
                (
                    e["number"].as_i64().unwrap_or(0),
                    e["class"].as_i64().unwrap_or(-1),
                    e["state"].as_i64().unwrap_or(-1),
                    e["message"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    }
    /// (number, message) of every `info` event.
    pub fn infos(&self) -> Vec<(i64, String)> {
        self.of_kind("info")
            .into_iter()
            .map(|e| (e["number"].as_i64().unwrap_or(0), e["message"].as_str().unwrap_or("").to_string()))
            .collect()
    }
    /// The result sets, each `{columns: [{name, type}], rows: [[...]]}`.
    pub fn result_sets(&self) -> Vec<Value> {
        self.of_kind("resultset").into_iter().map(|e| json!({"columns": e["columns"], "rows": e["rows"]})).collect()
    }
}

/// A connection string for the simulator: SQL login `sa`, the given `Encrypt=` level and extra
/// keywords (`TrustServerCertificate=true`, ...). Pooling is off: every run is a fresh process.
pub fn conn_str(host: &str, port: u16, user: &str, password: &str, encrypt: &str, extra: &str) -> String {
    format!("Server=tcp:{host},{port};User ID={user};Password={password};Encrypt={encrypt};Connect Timeout=15;{extra}")
}

fn command(args: &[&str], ssl_cert_file: Option<&Path>) -> Command {
    let mut cmd = Command::new(sqlclient_run());
    cmd.args(args);
    // .NET on Linux takes its trusted roots from OpenSSL: SSL_CERT_FILE (with SSL_CERT_DIR
    // pointed nowhere) makes exactly that file the trusted roots, for this process only; the
    // machine's store is not touched. Without it, the machine's default roots apply.
    match ssl_cert_file {
        Some(p) => {
            cmd.env("SSL_CERT_FILE", p);
            cmd.env("SSL_CERT_DIR", "/nonexistent-sqlsim-cert-dir");
        }
        None => {
            cmd.env_remove("SSL_CERT_FILE");
            cmd.env_remove("SSL_CERT_DIR");
        }
    }
    cmd.env("DOTNET_CLI_TELEMETRY_OPTOUT", "1");
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    cmd
}

/// Run `sqlclient-run ARGS` to completion (at most 120 s) and parse its JSON lines.
pub async fn mds(args: &[&str], ssl_cert_file: Option<&Path>) -> MdsRun {
    let child = command(args, ssl_cert_file).spawn().expect("start sqlclient-run");
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("sqlclient-run finished within 120 s")
        .expect("sqlclient-run output");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let events = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("sqlclient-run printed a non-JSON line ({e}): {l}\nstderr: {stderr}")))
        .collect();
    MdsRun { exit: out.status.code().unwrap_or(-1), events, stderr }
}

/// A running `sqlclient-run` whose JSON lines are read as they come.
pub struct MdsLive {
    pub child: Child,
    lines: tokio::io::Lines<BufReader<ChildStdout>>,
}

impl MdsLive {
    pub fn spawn(args: &[&str]) -> MdsLive {
        let mut child = command(args, None).spawn().expect("start sqlclient-run");
        let stdout = child.stdout.take().expect("piped stdout");
        MdsLive { child, lines: BufReader::new(stdout).lines() }
    }
    /// The next JSON line, or None at the end (each wait bounded by 60 s).
    pub async fn next(&mut self) -> Option<Value> {
        let line = tokio::time::timeout(Duration::from_secs(60), self.lines.next_line())
            .await
            .expect("sqlclient-run printed a line within 60 s")
            .expect("read sqlclient-run output")?;
        Some(serde_json::from_str(&line).unwrap_or_else(|e| panic!("non-JSON line ({e}): {line}")))
    }
    pub async fn wait(mut self) -> i32 {
        tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("sqlclient-run exited within 60 s")
            .expect("wait sqlclient-run")
            .code()
            .unwrap_or(-1)
    }
}

/// The SQL type name SqlClient's `GetDataTypeName` gives for a tiberius column type.
pub fn type_name(t: ColumnType) -> &'static str {
    match t {
        ColumnType::Null => "null",
        ColumnType::Bit | ColumnType::Bitn => "bit",
        ColumnType::Int1 => "tinyint",
        ColumnType::Int2 => "smallint",
        ColumnType::Int4 => "int",
        ColumnType::Int8 => "bigint",
        ColumnType::Intn => "int?",
        ColumnType::Float4 => "real",
        ColumnType::Float8 | ColumnType::Floatn => "float",
        ColumnType::Datetime | ColumnType::Datetimen => "datetime",
        ColumnType::Datetime4 => "smalldatetime",
        ColumnType::Datetime2 => "datetime2",
        ColumnType::Daten => "date",
        ColumnType::Timen => "time",
        ColumnType::DatetimeOffsetn => "datetimeoffset",
        ColumnType::Money => "money",
        ColumnType::Money4 => "smallmoney",
        ColumnType::Guid => "uniqueidentifier",
        // SqlClient maps NUMERICN and DECIMALN both to SqlDbType.Decimal and names it "decimal".
        ColumnType::Decimaln | ColumnType::Numericn => "decimal",
        ColumnType::BigVarBin => "varbinary",
        ColumnType::BigBinary => "binary",
        ColumnType::BigVarChar => "varchar",
        ColumnType::BigChar => "char",
        ColumnType::NVarchar => "nvarchar",
        ColumnType::NChar => "nchar",
        ColumnType::Xml => "xml",
        ColumnType::Udt => "udt",
        ColumnType::Text => "text",
        ColumnType::Image => "image",
        ColumnType::NText => "ntext",
        ColumnType::SSVariant => "sql_variant",
    }
}

fn cell(cd: &ColumnData<'static>) -> Value {
    match cd {
        ColumnData::U8(v) => json!(v),
        ColumnData::I16(v) => json!(v),
        ColumnData::I32(v) => json!(v),
        ColumnData::I64(v) => json!(v),
        ColumnData::F32(v) => v.map(|f| json!(f as f64)).unwrap_or(Value::Null),
        ColumnData::F64(v) => json!(v),
        ColumnData::Bit(v) => json!(v),
        ColumnData::String(v) => json!(v.as_deref()),
        ColumnData::Guid(v) => v.map(|g| json!(g.hyphenated().to_string())).unwrap_or(Value::Null),
        ColumnData::Binary(v) => v
            .as_ref()
            .map(|b| json!(b.iter().map(|x| format!("{x:02X}")).collect::<String>()))
            .unwrap_or(Value::Null),
        // Exact when it is an integer (LSNs are numeric(25,0)), else a float.
        ColumnData::Numeric(v) => v
            .map(|n| serde_json::from_str::<Value>(&n.to_string()).unwrap_or_else(|_| json!(n.value() as f64 / 10f64.powi(n.scale() as i32))))
            .unwrap_or(Value::Null),
        ColumnData::Xml(v) => v.as_ref().map(|x| json!(x.to_string())).unwrap_or(Value::Null),
        other => match NaiveDateTime::from_sql_owned(other.clone()) {
            Ok(Some(dt)) => json!(dt.format("%Y-%m-%dT%H:%M:%S%.f").to_string()),
            Ok(None) => Value::Null,
            Err(e) => panic!("tiberius value {other:?} not comparable: {e}"),
        },
    }
}

/// tiberius runs `sql` as one batch; its result sets in the `sqlclient-run` shape, or the
/// server error (number, class, state, message) that ended it.
pub async fn tiberius_sets(c: &mut crate::common::Tds, sql: &str) -> Result<Vec<Value>, (u32, u8, u8, String)> {
    let run = async {
        let mut stream = c.simple_query(sql.to_string()).await?;
        let mut sets: Vec<Value> = Vec::new();
        while let Some(item) = stream.try_next().await? {
            match item {
                QueryItem::Metadata(m) => {
                    let cols: Vec<Value> =
                        m.columns().iter().map(|c| json!({"name": c.name(), "type": type_name(c.column_type())})).collect();
                    sets.push(json!({"columns": cols, "rows": []}));
                }
                QueryItem::Row(r) => {
                    let vals: Vec<Value> = r.cells().map(|(_, d)| cell(d)).collect();
                    let last = sets.last_mut().expect("a row after its metadata");
                    last["rows"].as_array_mut().expect("rows").push(Value::Array(vals));
                }
            }
        }
        Ok::<_, tiberius::error::Error>(sets)
    };
    match tokio::time::timeout(Duration::from_secs(60), run).await.expect("tiberius batch finished within 60 s") {
        Ok(s) => Ok(s),
        Err(tiberius::error::Error::Server(e)) => Err((e.code(), e.class(), e.state(), e.message().to_string())),
        Err(e) => panic!("tiberius client error for `{sql}`: {e}"),
    }
}

fn parse_dt(s: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").ok()
}

/// Same value as the two clients print it: numbers numerically (real travels as f32), date/time
/// values to the millisecond (`datetime` is in 1/300 s; both clients round it), the rest exactly.
pub fn same_value(ty: &str, mds: &Value, tib: &Value) -> bool {
    match (mds, tib) {
        (Value::Number(a), Value::Number(b)) if (a.is_i64() || a.is_u64()) && (b.is_i64() || b.is_u64()) => a == b,
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            a == b || (a - b).abs() <= 1e-6 * a.abs().max(b.abs())
        }
        (Value::String(a), Value::String(b)) if ty.starts_with("date") || ty == "smalldatetime" => {
            match (parse_dt(a), parse_dt(b)) {
                (Some(x), Some(y)) => (x - y).num_milliseconds().abs() <= 1,
                _ => a == b,
            }
        }
        (Value::String(a), Value::String(b)) if ty == "uniqueidentifier" => a.eq_ignore_ascii_case(b),
        _ => mds == tib,
    }
}

/// Assert that two views of the same batch agree: same number of result sets, same column
/// names and SQL types, same rows (columns named in `volatile` — e.g. session ids or elapsed
/// times that legitimately differ between two connections — only need the same type and NULL-ness).
pub fn assert_same_sets(what: &str, mds: &[Value], tib: &[Value], volatile: &[&str]) {
    assert_eq!(mds.len(), tib.len(), "{what}: result set count\nSqlClient: {mds:#?}\ntiberius: {tib:#?}");
    for (i, (m, t)) in mds.iter().zip(tib).enumerate() {
        let mc = m["columns"].as_array().expect("columns");
        let tc = t["columns"].as_array().expect("columns");
        let diff: Vec<String> = (0..mc.len().max(tc.len()))
            .filter(|k| mc.get(*k) != tc.get(*k))
            .map(|k| format!("column {k}: SqlClient {:?} vs tiberius {:?}", mc.get(k), tc.get(k)))
            .collect();
        assert!(diff.is_empty(), "{what}: result set {i}: columns (name, SQL type) differ:\n{}", diff.join("\n"));
        let mr = m["rows"].as_array().expect("rows");
        let tr = t["rows"].as_array().expect("rows");
        assert_eq!(mr.len(), tr.len(), "{what}: result set {i}: row count\nSqlClient: {mr:?}\ntiberius: {tr:?}");
        for (r, (mrow, trow)) in mr.iter().zip(tr).enumerate() {
            let (mrow, trow) = (mrow.as_array().unwrap(), trow.as_array().unwrap());
            assert_eq!(mrow.len(), mc.len(), "{what}: set {i} row {r}: width");
            for (k, col) in mc.iter().enumerate() {
                let name = col["name"].as_str().unwrap_or("");
                let ty = col["type"].as_str().unwrap_or("");
                if volatile.contains(&name) {
                    assert_eq!(mrow[k].is_null(), trow[k].is_null(), "{what}: set {i} row {r} column {name}: NULL-ness");
                    continue;
                }
                assert!(
                    same_value(ty, &mrow[k], &trow[k]),
                    "{what}: set {i} row {r} column {name} ({ty}): SqlClient {} vs tiberius {}",
                    mrow[k],
                    trow[k]
                );
            }
        }
    }
}
