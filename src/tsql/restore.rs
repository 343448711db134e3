//! `RESTORE DATABASE | LOG … FROM URL` and `RESTORE HEADERONLY | FILELISTONLY | VERIFYONLY`
//! statements — pure builders, no I/O.

use super::backup::{validate_url, BackupSqlError, MAX_URLS};
use super::{quote_ident, quote_nstr};

/// What to restore: the database (full or differential backup) or a log backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreKind {
    Database,
    Log,
}

/// One `RESTORE DATABASE|LOG` statement.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreSpec {
    pub database: String,
    pub kind: RestoreKind,
    pub urls: Vec<String>,
    /// `WITH MOVE N'logical' TO N'physical'`, in order.
    pub moves: Vec<(String, String)>,
    pub replace: bool,
    /// `RECOVERY` when true, `NORECOVERY` when false.
    pub recovery: bool,
    /// `STOPAT = N'…'` (ISO 8601 without offset, the server's local time).
    pub stop_at: Option<String>,
    pub checksum: bool,
    pub stats: Option<u8>,
}

impl RestoreSpec {
    pub fn new(database: impl Into<String>, kind: RestoreKind, urls: Vec<String>) -> Self {
        RestoreSpec {
            database: database.into(),
            kind,
            urls,
            moves: vec![],
            replace: false,
            recovery: true,
            stop_at: None,
            checksum: false,
            stats: Some(10),
        }
    }
}

/// Why a RESTORE statement could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestoreSqlError {
    #[error("the target database name is empty")]
    EmptyDatabase,
    #[error("a restore reads between 1 and {MAX_URLS} URLs; {0} were given")]
    UrlCount(usize),
    #[error(transparent)]
    Url(#[from] BackupSqlError),
    #[error("the file move for '{0}' has an empty logical or physical name")]
    EmptyMove(String),
    #[error("logical file '{0}' is moved twice")]
    DuplicateMove(String),
    #[error("stop_at '{0}' is not a date and time such as 2026-11-26T16:40:00")]
    StopAt(String),
    #[error("STATS must be between 1 and 100; got {0}")]
    Stats(u8),
}

/// Parses `stop_at` (`YYYY-MM-DDTHH:MM:SS[.fff]` or with a space) into a timestamp.
pub fn parse_stop_at(s: &str) -> Result<chrono::NaiveDateTime, RestoreSqlError> {
    let t = s.trim();
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(v) = chrono::NaiveDateTime::parse_from_str(t, fmt) {
            return Ok(v);
        }
    }
    Err(RestoreSqlError::StopAt(s.to_string()))
}

/// Formats a timestamp the way STOPAT takes it (ISO 8601, unambiguous in any language setting).
pub fn format_stop_at(t: &chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string()
}

fn check_urls(urls: &[String]) -> Result<(), RestoreSqlError> {
    if urls.is_empty() || urls.len() > MAX_URLS {
        return Err(RestoreSqlError::UrlCount(urls.len()));
    }
    for u in urls {
        validate_url(u)?;
    }
    Ok(())
}

fn from_urls(urls: &[String]) -> String {
    urls.iter().map(|u| format!("URL = {}", quote_nstr(u))).collect::<Vec<_>>().join(", ")
}

/// Builds `RESTORE DATABASE|LOG [db] FROM URL = … WITH …`.
pub fn build_restore(spec: &RestoreSpec) -> Result<String, RestoreSqlError> {
    if spec.database.trim().is_empty() {
        return Err(RestoreSqlError::EmptyDatabase);
    }
    check_urls(&spec.urls)?;
    let mut with: Vec<String> = Vec::new();
    for (i, (logical, physical)) in spec.moves.iter().enumerate() {
        if logical.is_empty() || physical.is_empty() {
            return Err(RestoreSqlError::EmptyMove(logical.clone()));
        }
        if spec.moves[..i].iter().any(|(l, _)| l.eq_ignore_ascii_case(logical)) {
            return Err(RestoreSqlError::DuplicateMove(logical.clone()));
        }
        with.push(format!("MOVE {} TO {}", quote_nstr(logical), quote_nstr(physical)));
    }
    if spec.replace {
        with.push("REPLACE".into());
    }
    if spec.checksum {
        with.push("CHECKSUM".into());
    }
    with.push(if spec.recovery { "RECOVERY" } else { "NORECOVERY" }.into());
    if let Some(s) = &spec.stop_at {
        let t = parse_stop_at(s)?;
        with.push(format!("STOPAT = {}", quote_nstr(&format_stop_at(&t))));
    }
    if let Some(s) = spec.stats {
        if s == 0 || s > 100 {
            return Err(RestoreSqlError::Stats(s));
        }
        with.push(format!("STATS = {s}"));
    }
    let verb = match spec.kind {
        RestoreKind::Database => "RESTORE DATABASE",
        RestoreKind::Log => "RESTORE LOG",
    };
    Ok(format!("{verb} {} FROM {} WITH {}", quote_ident(&spec.database), from_urls(&spec.urls), with.join(", ")))
}

/// `RESTORE HEADERONLY FROM URL = …`.
pub fn build_headeronly(urls: &[String]) -> Result<String, RestoreSqlError> {
    check_urls(urls)?;
    Ok(format!("RESTORE HEADERONLY FROM {}", from_urls(urls)))
}

/// `RESTORE FILELISTONLY FROM URL = …`.
pub fn build_filelistonly(urls: &[String]) -> Result<String, RestoreSqlError> {
    check_urls(urls)?;
    Ok(format!("RESTORE FILELISTONLY FROM {}", from_urls(urls)))
}

/// `RESTORE VERIFYONLY FROM URL = … [WITH CHECKSUM]`.
pub fn build_verifyonly(urls: &[String], checksum: bool) -> Result<String, RestoreSqlError> {
    check_urls(urls)?;
    let mut s = format!("RESTORE VERIFYONLY FROM {}", from_urls(urls));
    if checksum {
        s.push_str(" WITH CHECKSUM");
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    const U1: &str = "https://acct.blob.core.windows.net/c/Sales_1-of-2.bak";
    const U2: &str = "https://acct.blob.core.windows.net/c/Sales_2-of-2.bak";

    #[test]
    fn restore_database_with_everything() {
        let mut s = RestoreSpec::new("Sales]copy", RestoreKind::Database, vec![U1.into(), U2.into()]);
        s.moves = vec![("Sales".into(), "F:\\data\\Sales_copy.mdf".into()), ("Sales_log".into(), "G:\\log\\O'Hara.ldf".into())];
        s.replace = true;
        s.checksum = true;
        s.recovery = false;
        let sql = build_restore(&s).unwrap();
        assert_eq!(
            sql,
            format!(
                "RESTORE DATABASE [Sales]]copy] FROM URL = N'{U1}', URL = N'{U2}' WITH \
                 MOVE N'Sales' TO N'F:\\data\\Sales_copy.mdf', MOVE N'Sales_log' TO N'G:\\log\\O''Hara.ldf', \
                 REPLACE, CHECKSUM, NORECOVERY, STATS = 10"
            )
        );
    }

    #[test]
    fn restore_log_with_stopat() {
        let mut s = RestoreSpec::new("Sales", RestoreKind::Log, vec![U1.into()]);
        s.stop_at = Some("2026-11-26 16:40:05".into());
        s.stats = None;
        assert_eq!(
            build_restore(&s).unwrap(),
            format!("RESTORE LOG [Sales] FROM URL = N'{U1}' WITH RECOVERY, STOPAT = N'2026-11-26T16:40:05.000'")
        );
    }

    #[test]
    fn bad_restore_input_is_rejected() {
        let mut s = RestoreSpec::new("Sales", RestoreKind::Database, vec![]);
        assert_eq!(build_restore(&s), Err(RestoreSqlError::UrlCount(0)));
        s.urls = vec![U1.into()];
        s.stop_at = Some("yesterday".into());
        assert_eq!(build_restore(&s), Err(RestoreSqlError::StopAt("yesterday".into())));
        s.stop_at = None;
        s.moves = vec![("a".into(), "x".into()), ("A".into(), "y".into())];
        assert_eq!(build_restore(&s), Err(RestoreSqlError::DuplicateMove("A".into())));
        s.moves = vec![("a".into(), "".into())];
        assert_eq!(build_restore(&s), Err(RestoreSqlError::EmptyMove("a".into())));
        let s = RestoreSpec::new("", RestoreKind::Database, vec![U1.into()]);
        assert_eq!(build_restore(&s), Err(RestoreSqlError::EmptyDatabase));
    }

    #[test]
    fn inspect_statements() {
        assert_eq!(build_headeronly(&[U1.into()]).unwrap(), format!("RESTORE HEADERONLY FROM URL = N'{U1}'"));
        assert_eq!(
            build_filelistonly(&[U1.into(), U2.into()]).unwrap(),
            format!("RESTORE FILELISTONLY FROM URL = N'{U1}', URL = N'{U2}'")
        );
        assert_eq!(build_verifyonly(&[U1.into()], true).unwrap(), format!("RESTORE VERIFYONLY FROM URL = N'{U1}' WITH CHECKSUM"));
        assert!(build_headeronly(&[]).is_err());
        assert!(build_headeronly(&["ftp://x/y".into()]).is_err());
    }

    #[test]
    fn stop_at_parses_common_forms() {
        assert!(parse_stop_at("2026-11-26T16:40:00").is_ok());
        assert!(parse_stop_at("2026-11-26 16:40:00.123").is_ok());
        assert!(parse_stop_at("2026-11-26T16:40").is_ok());
        assert!(parse_stop_at("26/11/2026").is_err());
    }
}
