//! The readiness check for managed-identity backup to URL (`sqlurl_server_check`).
//!
//! Each check reads what it needs on its own; a query that fails (permissions, an old server)
//! makes that check `unknown` with the reason, instead of failing the whole call.

use crate::api::{Check, CheckName, CheckStatus, CredentialInfo, CredentialKind, ServerCheck, ServerCheckResult};
use crate::connect::{connect, execute, Client};
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

const TF_ACTION: &str = "Turn trace flag 4675 on: DBCC TRACEON(4675, -1), and add -T4675 to the startup parameters so it survives a restart (or run the check with enable_trace_flag).";
const NEEDS_SYSADMIN: &str = "needs sysadmin, which this login lacks";

/// Run every check.
pub async fn run(req: ServerCheck) -> Result<ServerCheckResult> {
    let url = match &req.url {
        Some(u) => Some(parse_container_url(u)?),
        None => None,
    };
    let mut client = connect(&req.connection).await?;
    let facts = catalog::server_facts(&mut client).await?;
    let sysadmin = facts.is_sysadmin.unwrap_or(false);
    let mut checks = vec![version_check(&facts)];
    let platform = catalog::host_platform(&mut client).await;
    checks.push(platform_check(&platform));
    checks.push(cluster_check(&facts));
    let mut statements = Vec::new();
    let tf = trace_flag_check(&mut client, req.enable_trace_flag, sysadmin, &mut statements).await?;
    checks.push(tf.check);
    checks.extend(credential_checks(&mut client, url.as_ref(), sysadmin, tf.on, tf.enabled_now).await);
    checks.push(permission_check(&mut client, &facts, sysadmin).await);
    let ready = !checks.iter().any(|c| c.status == CheckStatus::Fail);
    Ok(ServerCheckResult { server: facts.server_name.clone(), product_version: facts.product_version.clone(), ready, checks, statements })
}

/// The trace flag 4675 check: whether it is on (`None`: unknown) and whether this check
/// turned it on.
struct TraceFlagCheck {
    check: Check,
    on: Option<bool>,
    enabled_now: bool,
}

/// Trace flag 4675, turned on globally when asked (and allowed); the statement it ran goes to
/// `statements`.
async fn trace_flag_check(client: &mut Client, enable: bool, sysadmin: bool, statements: &mut Vec<String>) -> Result<TraceFlagCheck> {
    let done = |check: Check, on: Option<bool>| Ok(TraceFlagCheck { check, on, enabled_now: false });
    match catalog::trace_flag(client, 4675).await {
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
                Ok(TraceFlagCheck { check, on: Some(true), enabled_now: true })
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
    fn platform_and_cluster() {
        assert_eq!(platform_check(&Ok(Some("Windows".into()))).status, CheckStatus::Pass);
        assert_eq!(platform_check(&Ok(Some("Linux".into()))).status, CheckStatus::Fail);
        assert_eq!(platform_check(&Ok(None)).status, CheckStatus::Unknown);
        assert_eq!(cluster_check(&facts("16.0.4175.1", Some(true))).status, CheckStatus::Fail);
        assert_eq!(cluster_check(&facts("16.0.4175.1", Some(false))).status, CheckStatus::Pass);
    }
}
