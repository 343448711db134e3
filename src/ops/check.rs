//! The readiness check for managed-identity backup to URL (`sqlurl_server_check`).
//!
//! Each check reads what it needs on its own; a query that fails (permissions, an old server)
//! makes that check `unknown` with the reason, instead of failing the whole call.

use crate::api::{Check, CheckName, CheckStatus, CredentialInfo, CredentialKind, ServerCheck, ServerCheckResult};
use crate::connect::pool::checkout;
use crate::connect::{execute, Client};
use crate::errors::Result;
use crate::ops::catalog::{self, ServerFacts};
use crate::tsql;
use crate::url::{parse_container_url, ContainerUrl};

/// The first version with managed-identity backup to URL: SQL Server 2022 CU17.
pub const MIN_VERSION: [u32; 4] = [16, 0, 4175, 1];

/// `16.0.4175.1` → `[16, 0, 4175, 1]`.
pub fn parse_version(v: &str) -> Option<[u32; 4]> {
    let mut out = [0u32; 4];
    let parts: Vec<&str> = v.trim().split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    for (i, p) in parts.iter().enumerate() {
        out[i] = p.parse().ok()?;
    }
    Some(out)
}

fn check(name: CheckName, status: CheckStatus, evidence: impl Into<String>, action: Option<&str>) -> Check {
    Check { name, status, evidence: evidence.into(), recommended_action: action.map(str::to_string) }
}

/// Version ≥ 16.0.4175.1 (pure).
pub fn version_check(f: &ServerFacts) -> Check {
    let level = f.product_update_level.as_deref().filter(|s| !s.is_empty()).map(|l| format!(" ({l})")).unwrap_or_default();
    let evidence = format!("ProductVersion {}{}", f.product_version, level);
    match parse_version(&f.product_version) {
        None => check(CheckName::Version, CheckStatus::Unknown, format!("{evidence}: not a version number"), None),
        Some(v) if v >= MIN_VERSION => check(CheckName::Version, CheckStatus::Pass, evidence, None),
        Some(_) => check(
            CheckName::Version,
            CheckStatus::Fail,
            format!("{evidence} is older than 16.0.4175.1 (SQL Server 2022 CU17)"),
            Some("Install SQL Server 2022 CU17 (KB5048038) or later: managed-identity backup to URL needs it."),
        ),
    }
}

/// Windows host (pure).
pub fn platform_check(platform: &Result<Option<String>>) -> Check {
    match platform {
        Ok(Some(p)) if p.eq_ignore_ascii_case("Windows") => check(CheckName::HostPlatform, CheckStatus::Pass, format!("host_platform {p}"), None),
        Ok(Some(p)) => check(
            CheckName::HostPlatform,
            CheckStatus::Fail,
            format!("host_platform {p}"),
            Some("Managed-identity backup to URL works on Windows only: use a SAS credential on this server, or a Windows Azure VM."),
        ),
        Ok(None) => check(CheckName::HostPlatform, CheckStatus::Unknown, "sys.dm_os_host_info returned nothing", None),
        Err(e) => check(CheckName::HostPlatform, CheckStatus::Unknown, format!("could not read sys.dm_os_host_info: {e}"), None),
    }
}

/// Not a failover cluster instance (pure).
pub fn cluster_check(f: &ServerFacts) -> Check {
    match f.is_clustered {
        Some(false) => check(CheckName::FailoverCluster, CheckStatus::Pass, "IsClustered 0", None),
        Some(true) => check(
            CheckName::FailoverCluster,
            CheckStatus::Fail,
            "IsClustered 1: a failover cluster instance",
            Some("Managed-identity backup to URL is not supported on a failover cluster instance: use a SAS credential."),
        ),
        None => check(CheckName::FailoverCluster, CheckStatus::Unknown, "IsClustered is NULL", None),
    }
}

/// CREATE DATABASE (RESTORE HEADERONLY / FILELISTONLY need it) (pure).
pub fn create_database_check(perms: &Result<catalog::ReadinessPermissions>, login: &str, sysadmin: bool) -> Check {
    const NAME: CheckName = CheckName::CreateDatabasePermission;
    if sysadmin {
        return check(NAME, CheckStatus::Pass, format!("login '{login}' is a member of sysadmin"), None);
    }
    match perms {
        Ok(p) if p.create_any_database == Some(true) || p.create_database == Some(true) => check(
            NAME,
            CheckStatus::Pass,
            format!("login '{login}' holds {}", if p.create_any_database == Some(true) { "CREATE ANY DATABASE" } else { "CREATE DATABASE in master" }),
            None,
        ),
        Ok(p) if p.create_any_database.is_none() && p.create_database.is_none() => {
            check(NAME, CheckStatus::Unknown, "HAS_PERMS_BY_NAME returned NULL for CREATE ANY DATABASE and CREATE DATABASE", None)
        }
        Ok(_) => check(
            NAME,
            CheckStatus::Warn,
            format!("login '{login}' lacks CREATE DATABASE: RESTORE HEADERONLY and FILELISTONLY (reading a backup's header and file list, which restores and Get-SqlUrlBackupHeader use) will fail with error 262"),
            Some(&format!("Grant it: {} (or add the login to the dbcreator role).", tsql::grant_create_any_database(login))),
        ),
        Err(e) => check(NAME, CheckStatus::Unknown, format!("could not read the permissions: {e}"), None),
    }
}

/// VIEW SERVER PERFORMANCE STATE (2022) / VIEW SERVER STATE: progress of a running backup is read
/// from sys.dm_exec_requests on a second session (pure).
pub fn progress_permission_check(perms: &Result<catalog::ReadinessPermissions>, login: &str, sysadmin: bool, major_version: u32) -> Check {
    const NAME: CheckName = CheckName::ProgressPermission;
    let perm = tsql::progress_permission(major_version);
    if sysadmin {
        return check(NAME, CheckStatus::Pass, format!("login '{login}' is a member of sysadmin"), None);
    }
    match perms {
        Ok(p) if p.view_progress == Some(true) => check(NAME, CheckStatus::Pass, format!("login '{login}' holds {perm}"), None),
        Ok(p) if p.view_progress.is_none() => check(NAME, CheckStatus::Unknown, format!("HAS_PERMS_BY_NAME returned NULL for {perm}"), None),
        Ok(_) => check(
            NAME,
            CheckStatus::Warn,
            format!("login '{login}' lacks {perm}: the progress of a running backup or restore cannot be read (sys.dm_exec_requests shows only the login's own session), so progress falls back to elapsed time"),
            Some(&format!("Grant it: {}.", tsql::grant_progress_permission(login, major_version))),
        ),
        Err(e) => check(NAME, CheckStatus::Unknown, format!("could not read the permissions: {e}"), None),
    }
}

const TF_STARTUP_ACTION: &str = "Add -T4675 to the SQL Server startup parameters so the flag survives a restart: SQL Server Configuration Manager > SQL Server service > Properties > Startup Parameters (then restart the service), or with DSC the SqlServerDsc resource SqlTraceFlag (TraceFlags = 4675).";

/// Whether trace flag 4675 is a startup parameter (`-T4675`, the `t` in either case), so that it
/// survives a restart (pure). `flag_on`: the flag is on globally now; `turned_off`: this check
/// turned it off (then a startup parameter brings it back at the next restart).
pub fn startup_trace_flag_check(params: &Result<Vec<String>>, flag_on: Option<bool>, turned_off: bool) -> Check {
    const NAME: CheckName = CheckName::TraceFlag4675Startup;
    let args = match params {
        Ok(a) => a,
        Err(e) => {
            return check(
                NAME,
                CheckStatus::Unknown,
                format!("could not read the startup parameters from sys.dm_server_registry (it needs VIEW SERVER PERFORMANCE STATE on SQL Server 2022, VIEW SERVER STATE before): {e}"),
                Some(TF_STARTUP_ACTION),
            )
        }
    };
    let startup = args.iter().any(|a| a.trim().eq_ignore_ascii_case("-T4675"));
    match (startup, turned_off, flag_on) {
        (true, true, _) => check(
            NAME,
            CheckStatus::Warn,
            "-T4675 is a startup parameter: the flag turned off now comes back at the next restart",
            Some("Remove -T4675 from the startup parameters (SQL Server Configuration Manager, or SqlServerDsc SqlTraceFlag with Ensure = 'Absent')."),
        ),
        (true, false, _) => check(NAME, CheckStatus::Pass, "-T4675 is a startup parameter: trace flag 4675 survives a restart", None),
        (false, true, _) => check(NAME, CheckStatus::Pass, "-T4675 is not a startup parameter: the flag stays off after a restart", None),
        (false, false, Some(true)) => check(
            NAME,
            CheckStatus::Warn,
            "trace flag 4675 is on, but -T4675 is not a startup parameter: the flag is lost at the next restart",
            Some(TF_STARTUP_ACTION),
        ),
        (false, false, _) => check(NAME, CheckStatus::Warn, "-T4675 is not a startup parameter (and the flag is not on now)", Some(TF_STARTUP_ACTION)),
    }
}

const TF_ACTION: &str = "Turn trace flag 4675 on: DBCC TRACEON(4675, -1), and add -T4675 to the startup parameters so it survives a restart (or run the check with enable_trace_flag).";
const NEEDS_SYSADMIN: &str = "needs sysadmin, which this login lacks";

/// Run every check.
pub async fn run(req: ServerCheck) -> Result<ServerCheckResult> {
    let url = match &req.url {
        Some(u) => Some(parse_container_url(u)?),
        None => None,
    };
    if req.deep && url.is_none() {
        return Err(crate::Error::invalid("deep needs the container url: the probe backup goes there."));
    }
    if req.enable_trace_flag && req.disable_trace_flag {
        return Err(crate::Error::invalid("enable_trace_flag and disable_trace_flag cannot both be set."));
    }
    let mut client = checkout(&req.connection).await?;
    let r = run_on(&mut client, req, url).await;
    client.finish(r).await
}

/// The checks on one connection.
async fn run_on(client: &mut Client, req: ServerCheck, url: Option<ContainerUrl>) -> Result<ServerCheckResult> {
    let facts = catalog::server_facts(client).await?;
    let sysadmin = facts.is_sysadmin.unwrap_or(false);
    let mut checks = vec![version_check(&facts)];
    let platform = catalog::host_platform(client).await;
    checks.push(platform_check(&platform));
    checks.push(cluster_check(&facts));
    let mut statements = Vec::new();
    let tf = trace_flag_check(client, &req, sysadmin, &mut statements).await?;
    checks.push(tf.check);
    // Whether the flag survives a restart (startup parameter -T4675).
    let params = catalog::startup_parameters(client).await;
    checks.push(startup_trace_flag_check(&params, tf.on, tf.disabled_now));
    checks.extend(credential_checks(client, url.as_ref(), sysadmin, tf.on, tf.enabled_now).await);
    checks.push(permission_check(client, &facts, sysadmin).await);
    // CREATE DATABASE (HEADERONLY / FILELISTONLY) and the permission that shows progress
    let major = parse_version(&facts.product_version).map(|v| v[0]).unwrap_or(16);
    let login = facts.login_name.clone().unwrap_or_default();
    let perms = if sysadmin { Ok(catalog::ReadinessPermissions::default()) } else { catalog::readiness_permissions(client, major).await };
    checks.push(create_database_check(&perms, &login, sysadmin));
    checks.push(progress_permission_check(&perms, &login, sysadmin, major));
    let mut ready = !checks.iter().any(|c| c.status == CheckStatus::Fail);
    // Deep check (issue 18): the probe runs only when every check passed (or always as a plan).
    let probe = match (&url, req.deep) {
        (Some(u), true) if ready || req.what_if => {
            let mut p = crate::ops::probe::run(client, u, req.storage.as_ref(), req.what_if).await;
            if req.vm_check && !req.what_if {
                let s = crate::ops::probe::vm_identity_step(u, req.storage.as_ref(), req.vm_client_id.as_deref()).await;
                p.passed = p.passed && s.status != CheckStatus::Fail;
                p.steps.push(s);
            }
            ready = ready && (req.what_if || p.passed);
            Some(p)
        }
        _ => None,
    };
    Ok(ServerCheckResult { server: facts.server_name.clone(), product_version: facts.product_version.clone(), ready, checks, statements, probe })
}

/// The trace flag 4675 check: whether it is on (`None`: unknown) and whether this check
/// turned it on or off.
struct TraceFlagCheck {
    check: Check,
    on: Option<bool>,
    enabled_now: bool,
    disabled_now: bool,
}

fn tf_result(check: Check, on: Option<bool>) -> Result<TraceFlagCheck> {
    Ok(TraceFlagCheck { check, on, enabled_now: false, disabled_now: false })
}

/// `disable_trace_flag`: trace flag 4675 turned off globally when it is on (and allowed).
async fn disable_trace_flag(client: &mut Client, on_globally: bool, sysadmin: bool, statements: &mut Vec<String>) -> Result<TraceFlagCheck> {
    if !on_globally {
        return tf_result(check(CheckName::TraceFlag4675, CheckStatus::Pass, "trace flag 4675 is off globally (as asked: nothing to turn off)", None), Some(false));
    }
    if !sysadmin {
        let c = check(CheckName::TraceFlag4675, CheckStatus::Fail, format!("trace flag 4675 is on globally; turning it off {NEEDS_SYSADMIN}"), Some("Run the check as sysadmin, or turn it off with DBCC TRACEOFF(4675, -1)."));
        return tf_result(c, Some(true));
    }
    let s = tsql::trace_off_global(4675);
    execute(client, &s).await?;
    statements.push(s.masked().to_string());
    let after = catalog::trace_flag(client, 4675).await?;
    if after.status && after.global {
        return tf_result(check(CheckName::TraceFlag4675, CheckStatus::Fail, "DBCC TRACEOFF(4675, -1) ran but DBCC TRACESTATUS still shows the flag on", None), Some(true));
    }
    let c = check(
        CheckName::TraceFlag4675,
        CheckStatus::Warn,
        "trace flag 4675 was on and has been turned off globally (DBCC TRACEOFF(4675, -1)): CREATE CREDENTIAL no longer checks that a primary managed identity is selected",
        None,
    );
    Ok(TraceFlagCheck { check: c, on: Some(false), enabled_now: false, disabled_now: true })
}

/// Trace flag 4675, turned on (`enable_trace_flag`) or off (`disable_trace_flag`) globally when
/// asked and allowed; the statement it ran goes to `statements`.
async fn trace_flag_check(client: &mut Client, req: &ServerCheck, sysadmin: bool, statements: &mut Vec<String>) -> Result<TraceFlagCheck> {
    let done = tf_result;
    let enable = req.enable_trace_flag;
    match catalog::trace_flag(client, 4675).await {
        Ok(t) if req.disable_trace_flag => disable_trace_flag(client, t.status && t.global, sysadmin, statements).await,
        Ok(t) if t.status && t.global => done(check(CheckName::TraceFlag4675, CheckStatus::Pass, "trace flag 4675 is on globally", None), Some(true)),
        Ok(_) if enable && !sysadmin => done(
            check(CheckName::TraceFlag4675, CheckStatus::Fail, format!("trace flag 4675 is off; turning it on {NEEDS_SYSADMIN}"), Some(TF_ACTION)),
            Some(false),
        ),
        Ok(_) if enable => {
            let s = tsql::trace_on_global(4675);
            execute(client, &s).await?;
            statements.push(s.masked().to_string());
            let after = catalog::trace_flag(client, 4675).await?;
            if after.status && after.global {
                let check = check(
                    CheckName::TraceFlag4675,
                    CheckStatus::Pass,
                    "trace flag 4675 was off and has been turned on globally (DBCC TRACEON(4675, -1)); it does not survive a restart without -T4675",
                    Some("Add -T4675 to the SQL Server startup parameters."),
                );
                Ok(TraceFlagCheck { check, on: Some(true), enabled_now: true, disabled_now: false })
            } else {
                done(check(CheckName::TraceFlag4675, CheckStatus::Fail, "DBCC TRACEON(4675, -1) ran but DBCC TRACESTATUS still shows the flag off", Some(TF_ACTION)), Some(false))
            }
        }
        Ok(t) => {
            let ev = if t.status { "trace flag 4675 is on for this session only, not globally" } else { "trace flag 4675 is off" };
            done(check(CheckName::TraceFlag4675, CheckStatus::Warn, format!("{ev}: CREATE CREDENTIAL does not check that a primary managed identity is selected"), Some(TF_ACTION)), Some(false))
        }
        Err(e) => done(check(CheckName::TraceFlag4675, CheckStatus::Unknown, format!("could not read DBCC TRACESTATUS(4675): {e}"), None), None),
    }
}

/// `Credential` and `CredentialVerifiedByTraceFlag` for the container URL.
async fn credential_checks(client: &mut Client, url: Option<&ContainerUrl>, sysadmin: bool, tf_on: Option<bool>, enabled_now: bool) -> Vec<Check> {
    let Some(u) = url else {
        return vec![
            check(CheckName::Credential, CheckStatus::Unknown, "no container URL given", Some("Pass the container URL to check its credential.")),
            check(CheckName::CredentialVerifiedByTraceFlag, CheckStatus::Unknown, "no container URL given", None),
        ];
    };
    let all = match catalog::credentials(client).await {
        Ok(all) => all,
        Err(e) => {
            return vec![
                check(CheckName::Credential, CheckStatus::Unknown, format!("could not read sys.credentials: {e}"), None),
                check(CheckName::CredentialVerifiedByTraceFlag, CheckStatus::Unknown, "credential unknown", None),
            ]
        }
    };
    match all.iter().find(|c| c.name == u.url) {
        None => {
            let near = all.iter().find(|c| c.name.trim_end_matches('/').eq_ignore_ascii_case(&u.url));
            let mut ev = format!("no credential named '{}'", u.url);
            if let Some(n) = near {
                ev.push_str(&format!("; '{}' exists but SQL Server matches the name exactly (case, trailing '/')", n.name));
            }
            if all.is_empty() && !sysadmin {
                ev.push_str(&format!(" (sys.credentials shows nothing to this login; reading it {NEEDS_SYSADMIN} or VIEW ANY DEFINITION)"));
            }
            vec![
                check(CheckName::Credential, CheckStatus::Fail, ev, Some("Create the credential: CREATE CREDENTIAL [<container URL>] WITH IDENTITY = 'Managed Identity' (New-SqlUrlCredential).")),
                check(CheckName::CredentialVerifiedByTraceFlag, CheckStatus::Unknown, "no credential", None),
            ]
        }
        Some(c) if c.kind == CredentialKind::ManagedIdentity => vec![
            check(CheckName::Credential, CheckStatus::Pass, format!("credential '{}' uses 'Managed Identity' (id {})", c.name, c.credential_id), None),
            verified_by_trace_flag(c, tf_on, enabled_now),
        ],
        Some(c) => vec![
            check(
                CheckName::Credential,
                CheckStatus::Warn,
                format!("credential '{}' uses identity '{}' ({}), not 'Managed Identity'", c.name, c.identity, c.kind),
                Some("Replace it with a managed-identity credential (New-SqlUrlCredential -Force) to back up with the server's managed identity."),
            ),
            check(CheckName::CredentialVerifiedByTraceFlag, CheckStatus::Unknown, "not a managed-identity credential", None),
        ],
    }
}

/// Whether the server checked the managed identity when the credential was made (pure).
fn verified_by_trace_flag(c: &CredentialInfo, tf_on: Option<bool>, enabled_now: bool) -> Check {
    let recreate = "Drop and recreate the credential while trace flag 4675 is on, so SQL Server checks the primary managed identity (New-SqlUrlCredential -Force).";
    let when = c.modify_date.or(c.create_date).map(|d| d.to_string()).unwrap_or_else(|| "an unknown time".into());
    match tf_on {
        Some(true) if enabled_now => check(
            CheckName::CredentialVerifiedByTraceFlag,
            CheckStatus::Warn,
            format!("the credential was created at {when}, before trace flag 4675 was turned on by this check: the identity was not checked"),
            Some(recreate),
        ),
        Some(true) => check(
            CheckName::CredentialVerifiedByTraceFlag,
            CheckStatus::Pass,
            format!("trace flag 4675 is on; the credential was last changed at {when} (if that was before the flag was turned on, recreate it)"),
            None,
        ),
        Some(false) => check(
            CheckName::CredentialVerifiedByTraceFlag,
            CheckStatus::Warn,
            format!("trace flag 4675 is off, so the credential (last changed at {when}) was created without the managed-identity check: it cannot be proven to work"),
            Some(recreate),
        ),
        None => check(CheckName::CredentialVerifiedByTraceFlag, CheckStatus::Unknown, "trace flag state unknown", None),
    }
}

/// BACKUP permission: sysadmin, or BACKUP DATABASE in the connection's database.
async fn permission_check(client: &mut Client, facts: &ServerFacts, sysadmin: bool) -> Check {
    let login = facts.login_name.clone().unwrap_or_default();
    if sysadmin {
        return check(CheckName::BackupPermission, CheckStatus::Pass, format!("login '{login}' is a member of sysadmin"), None);
    }
    match catalog::backup_permission(client).await {
        Ok(p) if p.can_backup => check(
            CheckName::BackupPermission,
            CheckStatus::Pass,
            format!("login '{login}' is not sysadmin but holds BACKUP DATABASE in '{}' (db_backupoperator, db_owner or a grant)", p.database),
            None,
        ),
        Ok(p) => check(
            CheckName::BackupPermission,
            CheckStatus::Fail,
            format!("login '{login}' is not sysadmin and lacks BACKUP DATABASE / db_backupoperator in '{}'", p.database),
            Some("Add the login to db_backupoperator in each database to back up, or to sysadmin. Credential and trace-flag changes need sysadmin."),
        ),
        Err(e) => check(CheckName::BackupPermission, CheckStatus::Unknown, format!("could not read permissions: {e}"), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(v: &str, clustered: Option<bool>) -> ServerFacts {
        ServerFacts { product_version: v.into(), product_update_level: Some("CU17".into()), is_clustered: clustered, ..Default::default() }
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("16.0.4175.1"), Some([16, 0, 4175, 1]));
        assert_eq!(parse_version("17.0.1000"), Some([17, 0, 1000, 0]));
        assert_eq!(parse_version("x"), None);
        assert_eq!(version_check(&facts("16.0.4175.1", None)).status, CheckStatus::Pass);
        assert_eq!(version_check(&facts("16.0.4180.2", None)).status, CheckStatus::Pass);
        assert_eq!(version_check(&facts("17.0.1000.7", None)).status, CheckStatus::Pass);
        let c = version_check(&facts("16.0.4165.4", None));
        assert_eq!(c.status, CheckStatus::Fail);
        assert!(c.recommended_action.unwrap().contains("CU17"));
        assert_eq!(version_check(&facts("15.0.4375.4", None)).status, CheckStatus::Fail);
    }

    #[test]
    fn create_database_and_progress_permissions() {
        use catalog::ReadinessPermissions as P;
        let none = Ok(P { create_any_database: Some(false), create_database: Some(false), view_progress: Some(false) });
        let c = create_database_check(&none, "ops]x", false);
        assert_eq!(c.status, CheckStatus::Warn);
        assert!(c.evidence.contains("HEADERONLY") && c.evidence.contains("262"), "{}", c.evidence);
        assert_eq!(c.recommended_action.as_deref(), Some("Grant it: GRANT CREATE ANY DATABASE TO [ops]]x] (or add the login to the dbcreator role)."));
        let p = progress_permission_check(&none, "ops", false, 16);
        assert_eq!(p.status, CheckStatus::Warn);
        assert_eq!(p.recommended_action.as_deref(), Some("Grant it: GRANT VIEW SERVER PERFORMANCE STATE TO [ops]."));
        assert!(progress_permission_check(&none, "ops", false, 15).recommended_action.unwrap().contains("GRANT VIEW SERVER STATE TO [ops]"));
        let some = Ok(P { create_any_database: Some(false), create_database: Some(true), view_progress: Some(true) });
        assert_eq!(create_database_check(&some, "ops", false).status, CheckStatus::Pass);
        assert_eq!(progress_permission_check(&some, "ops", false, 16).status, CheckStatus::Pass);
        let unknown = Ok(P::default());
        assert_eq!(create_database_check(&unknown, "ops", false).status, CheckStatus::Unknown);
        assert_eq!(progress_permission_check(&unknown, "ops", false, 16).status, CheckStatus::Unknown);
        assert_eq!(create_database_check(&none, "sa", true).status, CheckStatus::Pass);
        assert_eq!(progress_permission_check(&Err(crate::Error::invalid("x")), "ops", false, 16).status, CheckStatus::Unknown);
    }

    #[test]
    fn trace_flag_as_a_startup_parameter() {
        let args = |v: &[&str]| Ok(v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        let base = ["-dC:\\data\\master.mdf", "-eC:\\log\\ERRORLOG", "-lC:\\data\\mastlog.ldf"];
        let with: Vec<&str> = base.iter().copied().chain(["-t4675"]).collect();
        assert_eq!(startup_trace_flag_check(&args(&with), Some(true), false).status, CheckStatus::Pass);
        let c = startup_trace_flag_check(&args(&base), Some(true), false);
        assert_eq!(c.status, CheckStatus::Warn);
        assert!(c.evidence.contains("lost at the next restart"), "{}", c.evidence);
        let action = c.recommended_action.unwrap();
        assert!(action.contains("SQL Server Configuration Manager") && action.contains("SqlTraceFlag"), "{action}");
        assert_eq!(startup_trace_flag_check(&args(&base), Some(false), false).status, CheckStatus::Warn);
        // -T46750 is another flag
        assert_eq!(startup_trace_flag_check(&args(&["-T46750"]), Some(true), false).status, CheckStatus::Warn);
        // turned off by the check: a startup parameter brings it back
        assert_eq!(startup_trace_flag_check(&args(&with), Some(false), true).status, CheckStatus::Warn);
        assert_eq!(startup_trace_flag_check(&args(&base), Some(false), true).status, CheckStatus::Pass);
        let e = startup_trace_flag_check(&Err(crate::Error::invalid("300")), Some(true), false);
        assert_eq!(e.status, CheckStatus::Unknown);
        assert!(e.evidence.contains("VIEW SERVER PERFORMANCE STATE"));
    }

    #[test]
    fn platform_and_cluster() {
        assert_eq!(platform_check(&Ok(Some("Windows".into()))).status, CheckStatus::Pass);
        assert_eq!(platform_check(&Ok(Some("Linux".into()))).status, CheckStatus::Fail);
        assert_eq!(platform_check(&Ok(None)).status, CheckStatus::Unknown);
        assert_eq!(cluster_check(&facts("16.0.4175.1", Some(true))).status, CheckStatus::Fail);
        assert_eq!(cluster_check(&facts("16.0.4175.1", Some(false))).status, CheckStatus::Pass);
    }
}
