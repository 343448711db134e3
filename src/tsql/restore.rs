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
    /// `STOPATMARK` / `STOPBEFOREMARK = N'mark' [AFTER N'…']` (exclusive with `stop_at`).
    pub stop_mark: Option<StopMark>,
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
            stop_mark: None,
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
    #[error("the mark name must be 1-128 characters without control characters (a transaction mark, or 'lsn:<number>')")]
    MarkName,
    #[error("give only one of stop_at, stop_at_mark and stop_before_mark")]
    StopConflict,
}

/// A point in time as the caller gave it: without an offset it is the server's local time (what
/// STOPAT reads); with `Z` or `+hh:mm` / `-hh:mm` it is an absolute instant that must be converted
/// with the server's own offset before it reaches STOPAT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PointInTime {
    ServerLocal(chrono::NaiveDateTime),
    Absolute(chrono::DateTime<chrono::FixedOffset>),
}

impl PointInTime {
    /// The server-local time for a server whose local time is UTC + `offset_minutes`
    /// (`DATEPART(TZOFFSET, SYSDATETIMEOFFSET())`). Milliseconds (and finer) are kept.
    pub fn server_local(&self, offset_minutes: i32) -> chrono::NaiveDateTime {
        match self {
            PointInTime::ServerLocal(t) => *t,
            PointInTime::Absolute(t) => t.naive_utc() + chrono::Duration::minutes(offset_minutes as i64),
        }
    }

    /// The same instant in UTC, for a server at UTC + `offset_minutes`.
    pub fn utc(&self, offset_minutes: i32) -> chrono::NaiveDateTime {
        match self {
            PointInTime::ServerLocal(t) => *t - chrono::Duration::minutes(offset_minutes as i64),
            PointInTime::Absolute(t) => t.naive_utc(),
        }
    }
}

/// Parses a point in time: `YYYY-MM-DDTHH:MM:SS[.fffffff]` (or with a space, or without seconds)
/// is the server's local time; the same followed by `Z` or an offset (`+02:00`, as .NET's
/// round-trip format `o` writes a UTC or local DateTime) is an absolute instant.
pub fn parse_point_in_time(s: &str) -> Result<PointInTime, RestoreSqlError> {
    let t = s.trim();
    if let Ok(v) = parse_stop_at(t) {
        return Ok(PointInTime::ServerLocal(v));
    }
    let iso = if t.len() > 10 && t.as_bytes()[10] == b' ' { format!("{}T{}", &t[..10], &t[11..]) } else { t.to_string() };
    if let Ok(v) = chrono::DateTime::parse_from_rfc3339(&iso) {
        return Ok(PointInTime::Absolute(v));
    }
    if let Ok(v) = chrono::DateTime::parse_from_str(&iso, "%Y-%m-%dT%H:%M%:z") {
        return Ok(PointInTime::Absolute(v));
    }
    if let Some(no_z) = iso.strip_suffix('Z').or_else(|| iso.strip_suffix('z')) {
        if let Ok(v) = parse_stop_at(no_z) {
            return Ok(PointInTime::Absolute(v.and_utc().fixed_offset()));
        }
    }
    Err(RestoreSqlError::StopAt(s.to_string()))
}

/// `STOPATMARK = N'mark'` (stop after the marked transaction) or `STOPBEFOREMARK = N'mark'`,
/// optionally `AFTER N'<server-local time>'` (the first mark of that name after that time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopMark {
    pub name: String,
    /// `STOPBEFOREMARK` when true, `STOPATMARK` when false.
    pub before: bool,
    /// Server-local time, as for `stop_at`.
    pub after: Option<String>,
}

/// Checks a mark name: 1-128 characters, no control characters.
pub fn validate_mark_name(name: &str) -> Result<(), RestoreSqlError> {
    let n = name.chars().count();
    if n == 0 || n > 128 || name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(RestoreSqlError::MarkName);
    }
    Ok(())
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
    if spec.stop_at.is_some() && spec.stop_mark.is_some() {
        return Err(RestoreSqlError::StopConflict);
    }
    if let Some(s) = &spec.stop_at {
        let t = parse_stop_at(s)?;
        with.push(format!("STOPAT = {}", quote_nstr(&format_stop_at(&t))));
    }
    if let Some(m) = &spec.stop_mark {
        validate_mark_name(&m.name)?;
        let mut clause = format!("{} = {}", if m.before { "STOPBEFOREMARK" } else { "STOPATMARK" }, quote_nstr(&m.name));
        if let Some(a) = &m.after {
            let t = parse_stop_at(a)?;
            clause.push_str(&format!(" AFTER {}", quote_nstr(&format_stop_at(&t))));
        }
        with.push(clause);
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

/// `RESTORE LABELONLY FROM URL = …`: the media header (which family of how many a blob is).
pub fn build_labelonly(urls: &[String]) -> Result<String, RestoreSqlError> {
    check_urls(urls)?;
    Ok(format!("RESTORE LABELONLY FROM {}", from_urls(urls)))
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

    const U1: &str = "https://acct.blob.core.windows.net/ctr/Sales_1-of-2.bak";
    const U2: &str = "https://acct.blob.core.windows.net/ctr/Sales_2-of-2.bak";

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
        assert_eq!(build_labelonly(&[U1.into()]).unwrap(), format!("RESTORE LABELONLY FROM URL = N'{U1}'"));
        assert!(build_labelonly(&["ftp://x/y".into()]).is_err());
        assert_eq!(
            build_filelistonly(&[U1.into(), U2.into()]).unwrap(),
            format!("RESTORE FILELISTONLY FROM URL = N'{U1}', URL = N'{U2}'")
        );
        assert_eq!(build_verifyonly(&[U1.into()], true).unwrap(), format!("RESTORE VERIFYONLY FROM URL = N'{U1}' WITH CHECKSUM"));
        assert!(build_headeronly(&[]).is_err());
        assert!(build_headeronly(&["ftp://x/y".into()]).is_err());
    }

    #[test]
    fn stop_at_mark_and_stop_before_mark_are_quoted() {
        let mut s = RestoreSpec::new("Sales", RestoreKind::Log, vec![U1.into()]);
        s.stats = None;
        s.stop_mark = Some(StopMark { name: "Price 'update'".into(), before: false, after: None });
        assert_eq!(build_restore(&s).unwrap(), format!("RESTORE LOG [Sales] FROM URL = N'{U1}' WITH RECOVERY, STOPATMARK = N'Price ''update'''"));
        s.stop_mark = Some(StopMark { name: "lsn:15000000040000037".into(), before: true, after: Some("2026-11-26 16:40:05.123".into()) });
        assert_eq!(
            build_restore(&s).unwrap(),
            format!("RESTORE LOG [Sales] FROM URL = N'{U1}' WITH RECOVERY, STOPBEFOREMARK = N'lsn:15000000040000037' AFTER N'2026-11-26T16:40:05.123'")
        );
        for bad in ["", "  ", "m\u{0}x"] {
            s.stop_mark = Some(StopMark { name: bad.into(), before: true, after: None });
            assert_eq!(build_restore(&s), Err(RestoreSqlError::MarkName), "{bad:?}");
        }
        s.stop_mark = Some(StopMark { name: "m".into(), before: false, after: Some("later".into()) });
        assert_eq!(build_restore(&s), Err(RestoreSqlError::StopAt("later".into())));
        s.stop_mark = Some(StopMark { name: "m".into(), before: false, after: None });
        s.stop_at = Some("2026-11-26T16:40:00".into());
        assert_eq!(build_restore(&s), Err(RestoreSqlError::StopConflict));
    }

    #[test]
    fn points_in_time_with_an_offset_are_converted_with_the_server_offset() {
        use chrono::NaiveDate;
        let local = |h, m, s, ms| NaiveDate::from_ymd_opt(2026, 11, 26).unwrap().and_hms_milli_opt(h, m, s, ms).unwrap();
        // no offset: the server's local time, unchanged
        let p = parse_point_in_time("2026-11-26T16:40:05.123").unwrap();
        assert!(matches!(p, PointInTime::ServerLocal(_)));
        assert_eq!(p.server_local(120), local(16, 40, 5, 123));
        assert_eq!(p.utc(120), local(14, 40, 5, 123));
        // UTC (a runbook) against a server at UTC+2: two hours later on the server's clock
        for utc in ["2026-11-26T14:40:05.123Z", "2026-11-26 14:40:05.123Z", "2026-11-26T14:40:05.1230000Z", "2026-11-26T14:40:05.123+00:00"] {
            let p = parse_point_in_time(utc).unwrap();
            assert_eq!(p.server_local(120), local(16, 40, 5, 123), "{utc}");
            assert_eq!(format_stop_at(&p.server_local(120)), "2026-11-26T16:40:05.123");
            assert_eq!(p.utc(120), local(14, 40, 5, 123));
        }
        // an offset of the client (.NET 'o' of a local DateTime) against a server at UTC-5
        let p = parse_point_in_time("2026-11-26T16:40:05.5+02:00").unwrap();
        assert_eq!(p.server_local(-300), local(9, 40, 5, 500));
        assert_eq!(parse_point_in_time("2026-11-26T14:40Z").unwrap().server_local(60), local(15, 40, 0, 0));
        assert!(parse_point_in_time("2026-11-26T14:40:05+25:00").is_err());
        assert!(parse_point_in_time("tomorrow").is_err());
    }

    #[test]
    fn stop_at_parses_common_forms() {
        assert!(parse_stop_at("2026-11-26T16:40:00").is_ok());
        assert!(parse_stop_at("2026-11-26 16:40:00.123").is_ok());
        assert!(parse_stop_at("2026-11-26T16:40").is_ok());
        assert!(parse_stop_at("26/11/2026").is_err());
    }
}
