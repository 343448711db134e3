//! Credentials for backup to URL: create (managed identity or SAS), list, remove.

use crate::api::{
    CreateAction, RemoveAction, CredentialCreate, CredentialCreated, CredentialIdentity, CredentialList, CredentialListResult, CredentialRemove,
    CredentialRemoved,
};
use crate::connect::pool::checkout;
use crate::connect::{execute, Client};
use crate::errors::{Error, ErrorKind, Result};
use crate::ops::catalog;
use crate::tsql::{self, Sql};
use crate::url::{container_of, normalise_sas, parse_container_url, UrlKind};

/// The statements a create needs, and the warnings about the input (pure; unit-tested).
pub fn plan_create(req: &CredentialCreate, exists: bool) -> Result<(Vec<Sql>, Vec<String>)> {
    let url = parse_container_url(&req.url)?;
    let mut warnings = Vec::new();
    if url.url != req.url {
        warnings.push(format!(
            "The storage host is case-insensitive and was written in lower case: the credential is named '{}', the URL that backups use.",
            url.url
        ));
    }
    let create = match req.identity {
        CredentialIdentity::ManagedIdentity => {
            if req.secret.is_some() {
                return Err(Error::invalid("A managed-identity credential takes no secret; remove 'secret' or use identity 'sas'."));
            }
            if url.kind == UrlKind::S3 {
                return Err(Error::not_supported("S3 credentials use an access key, not a managed identity; create them with T-SQL (IDENTITY = 'S3 Access Key')."));
            }
            tsql::create_credential_managed_identity(&url.url)
        }
        CredentialIdentity::Sas => {
            if url.kind == UrlKind::S3 {
                return Err(Error::not_supported("S3 URLs use an access key credential, not a SAS."));
            }
            let secret = req.secret.as_ref().ok_or_else(|| Error::invalid("identity 'sas' needs the SAS token in 'secret'."))?;
            let (token, warn) = normalise_sas(secret.expose())?;
            warnings.extend(warn);
            tsql::create_credential_sas(&url.url, &token)
        }
    };
    if exists && !req.replace {
        return Err(Error::Precondition {
            kind: ErrorKind::CredentialExists,
            message: format!("A credential named '{}' exists already; pass replace to drop and recreate it.", url.url),
        });
    }
    let mut stmts = Vec::new();
    if exists {
        // Drop and create (rather than ALTER): the server's checks of CREATE CREDENTIAL (trace
        // flag 4675) run again, which is the remedy for a credential created while they were off.
        stmts.push(tsql::drop_credential(&url.url));
    }
    stmts.push(create);
    Ok((stmts, warnings))
}

/// Create a credential for a container URL.
pub async fn create(req: CredentialCreate) -> Result<CredentialCreated> {
    // Validate the URL and the secret before connecting.
    plan_create(&req, false).or_else(|e| match e {
        Error::Precondition { .. } => Ok((vec![], vec![])),
        e => Err(e),
    })?;
    let mut client = checkout(&req.connection).await?;
    let r = create_on(&mut client, req).await;
    client.finish(r).await
}

async fn create_on(client: &mut Client, req: CredentialCreate) -> Result<CredentialCreated> {
    // the name is the normalised URL (scheme and host in lower case), as BACKUP will use it
    let name = parse_container_url(&req.url)?.url;
    let exists = catalog::credential(client, &name).await?.is_some();
    let (stmts, mut warnings) = plan_create(&req, exists)?;
    let statements: Vec<String> = stmts.iter().map(|s| s.masked().to_string()).collect();
    if req.dry_run {
        return Ok(CredentialCreated {
            action: if exists { CreateAction::WouldReplace } else { CreateAction::WouldCreate },
            credential: None,
            statements,
            warnings,
        });
    }
    for (i, s) in stmts.iter().enumerate() {
        execute(client, s).await.map_err(|e| {
            if exists && i > 0 {
                // The old credential was dropped and the new one failed: say so.
                match e {
                    Error::Server { mut error, statement, database } => {
                        error.message.push_str(" The existing credential had already been dropped.");
                        Error::Server { error, statement, database }
                    }
                    other => other,
                }
            } else {
                e
            }
        })?;
    }
    if req.identity == CredentialIdentity::ManagedIdentity {
        warnings.extend(unchecked_identity_warning(client).await);
    }
    let credential = catalog::credential(client, &name).await?;
    if credential.is_none() {
        return Err(Error::Internal(format!("the server accepted CREATE CREDENTIAL but does not list '{name}'")));
    }
    Ok(CredentialCreated { action: if exists { CreateAction::Replaced } else { CreateAction::Created }, credential, statements, warnings })
}

/// Without trace flag 4675 the server accepts a managed-identity credential without checking
/// that a primary managed identity is selected: warn when the flag is off.
async fn unchecked_identity_warning(client: &mut Client) -> Option<String> {
    match catalog::trace_flag(client, 4675).await {
        Ok(tf) if tf.status => None,
        Ok(_) => Some("Trace flag 4675 is off, so SQL Server did not check the managed identity when it created the credential. Turn 4675 on (DBCC TRACEON(4675, -1)) and recreate the credential with replace.".into()),
        Err(_) => Some("Could not read the state of trace flag 4675; if it is off, SQL Server did not check the managed identity.".into()),
    }
}

/// The credential name a list is filtered on: the container of `url` (validated), if given.
pub fn list_filter(req: &CredentialList) -> Result<Option<String>> {
    match &req.url {
        None => Ok(None),
        Some(u) => {
            let c = container_of(u).ok_or_else(|| Error::InvalidUrl(format!("'{}' names no container", crate::url::shown_url(u))))?;
            Ok(Some(parse_container_url(c)?.url))
        }
    }
}

/// List credentials: all, or the one matching a container (or blob) URL.
pub async fn list(req: CredentialList) -> Result<CredentialListResult> {
    let wanted = list_filter(&req)?;
    let mut client = checkout(&req.connection).await?;
    let r = catalog::credentials(&mut client).await;
    let mut credentials = client.finish(r).await?;
    if let Some(w) = wanted {
        credentials.retain(|c| c.name == w);
    }
    Ok(CredentialListResult { credentials })
}

/// The checks of a remove request made before connecting.
pub fn check_remove(req: &CredentialRemove) -> Result<()> {
    if req.name.is_empty() {
        return Err(Error::invalid("name is empty."));
    }
    if req.name.trim().is_empty() {
        return Err(Error::invalid("name is only white space: give the credential's name (its container URL)."));
    }
    if req.name.contains('?') && req.name.contains("://") {
        return Err(Error::InvalidUrl(format!(
            "name '{}' is a URL with a query string (a SAS?): a credential is named by the container URL alone, without '?' and what follows.",
            crate::url::shown_url(&req.name)
        )));
    }
    if req.name.chars().count() > 128 {
        return Err(Error::invalid(format!("name is {} characters long; a credential name has at most 128 (sysname).", req.name.chars().count())));
    }
    if req.name.chars().any(char::is_control) {
        return Err(Error::invalid("name contains control characters (such as NUL or a line break); a credential name cannot."));
    }
    Ok(())
}

/// Remove a credential by its exact name.
pub async fn remove(req: CredentialRemove) -> Result<CredentialRemoved> {
    check_remove(&req)?;
    let mut client = checkout(&req.connection).await?;
    let r = remove_on(&mut client, req).await;
    client.finish(r).await
}

async fn remove_on(client: &mut Client, req: CredentialRemove) -> Result<CredentialRemoved> {
    if catalog::credential(client, &req.name).await?.is_none() {
        return Err(Error::Precondition {
            kind: ErrorKind::CredentialNotFound,
            message: format!("There is no credential named '{}' (names are case sensitive).", req.name),
        });
    }
    let stmt = tsql::drop_credential(&req.name);
    let statements = vec![stmt.masked().to_string()];
    if req.dry_run {
        return Ok(CredentialRemoved { action: RemoveAction::WouldRemove, name: req.name, statements });
    }
    execute(client, &stmt).await?;
    Ok(CredentialRemoved { action: RemoveAction::Removed, name: req.name, statements })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(extra: &str) -> CredentialCreate {
        crate::ops::test_request(extra).unwrap()
    }

    #[test]
    fn plans_managed_identity() {
        let (s, w) = plan_create(&req(r#""url":"https://acct.blob.core.windows.net/backups","identity":"managed_identity""#), false).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text(), "CREATE CREDENTIAL [https://acct.blob.core.windows.net/backups] WITH IDENTITY = N'Managed Identity'");
        assert!(w.is_empty());
    }

    #[test]
    fn plans_sas_with_stripped_question_mark_and_masking() {
        let r = req(r#""url":"https://acct.blob.core.windows.net/backups","identity":"sas","secret":"?sv=2022-11-02&sig=SeCrEt""#);
        let (s, w) = plan_create(&r, false).unwrap();
        assert!(s[0].text().contains("SECRET = N'sv=2022-11-02&sig=SeCrEt'"));
        assert!(!s[0].masked().contains("SeCrEt"));
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn existing_needs_replace_then_drops_first() {
        let r = req(r#""url":"https://acct.blob.core.windows.net/backups","identity":"managed_identity""#);
        let e = plan_create(&r, true).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::CredentialExists);
        let r = req(r#""url":"https://acct.blob.core.windows.net/backups","identity":"managed_identity","replace":true"#);
        let (s, _) = plan_create(&r, true).unwrap();
        assert_eq!(s[0].text(), "DROP CREDENTIAL [https://acct.blob.core.windows.net/backups]");
        assert!(s[1].text().starts_with("CREATE CREDENTIAL"));
    }

    #[test]
    fn list_errors_never_show_a_sas_in_the_url() {
        // no container: the URL is shown with its query masked
        let r: CredentialList = crate::ops::test_request(r#""url":"https://acct.blob.core.windows.net?sig=SECRET""#).unwrap();
        let e = crate::runtime::block_on(list(r)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidUrl);
        assert!(!e.to_string().contains("SECRET") && e.to_string().contains("?***"), "{e}");
        // a bad container: only the container part is shown
        let r: CredentialList = crate::ops::test_request(r#""url":"https://acct.blob.core.windows.net/c?sig=SECRET""#).unwrap();
        let e = crate::runtime::block_on(list(r)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidUrl);
        assert!(!e.to_string().contains("SECRET"), "{e}");
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(plan_create(&req(r#""url":"https://acct.blob.core.windows.net/backups/","identity":"managed_identity""#), false).unwrap_err().kind(), ErrorKind::InvalidUrl);
        assert_eq!(plan_create(&req(r#""url":"https://acct.blob.core.windows.net/backups","identity":"sas""#), false).unwrap_err().kind(), ErrorKind::InvalidArgument);
        assert_eq!(plan_create(&req(r#""url":"https://acct.blob.core.windows.net/backups","identity":"managed_identity","secret":"x""#), false).unwrap_err().kind(), ErrorKind::InvalidArgument);
        assert_eq!(plan_create(&req(r#""url":"s3://minio:9000/b","identity":"managed_identity""#), false).unwrap_err().kind(), ErrorKind::NotSupported);
    }
}
