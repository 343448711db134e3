//! BACKUP / RESTORE statement text → [`Stmt`]. Pure: no state, no I/O.
//!
//! Accepts the URL forms of SQL Server's grammar (`TO URL = '…'`, `FROM URL = '…'`) with the
//! options SQL Server 2022 allows for URL devices; other devices (DISK, TAPE) and options that
//! SQL Server rejects for URL (INIT, SKIP, tape options, …) produce the errors SQL Server gives;
//! EXPIREDATE / RETAINDAYS are parsed and the executor decides (scenario `url_accepts_expiredate`).

use crate::sql::cursor::{Cursor, SyntaxError};
use crate::sql::lexer::{tokenize, TokenKind};

/// Most URLs (stripes) one statement may name.
pub const MAX_STRIPES: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupKind {
    Database,
    Log,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Encryption {
    pub algorithm: String,
    /// `SERVER CERTIFICATE = name` or `SERVER ASYMMETRIC KEY = name`.
    pub encryptor: String,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct BackupOptions {
    pub copy_only: bool,
    pub differential: bool,
    /// `Some(true)` COMPRESSION, `Some(false)` NO_COMPRESSION, `None` server default (off).
    pub compression: Option<bool>,
    /// CHECKSUM (true) / NO_CHECKSUM (false).
    pub checksum: bool,
    pub format: bool,
    /// `STATS` alone means 10.
    pub stats: Option<u32>,
    pub max_transfer_size: Option<u64>,
    pub block_size: Option<u32>,
    pub norecovery: bool,
    pub description: Option<String>,
    pub name: Option<String>,
    pub encryption: Option<Encryption>,
    pub credential: Option<String>,
    pub media_name: Option<String>,
    pub media_description: Option<String>,
    /// `EXPIREDATE = 'date'` (parsed); accepted only with the scenario switch.
    pub expire_date: Option<chrono::NaiveDateTime>,
    /// `RETAINDAYS = n`; accepted only with the scenario switch.
    pub retain_days: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BackupStmt {
    pub kind: BackupKind,
    pub database: String,
    pub urls: Vec<String>,
    pub options: BackupOptions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreKind {
    Database(String),
    Log(String),
    HeaderOnly,
    FileListOnly,
    LabelOnly,
    VerifyOnly,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct RestoreOptions {
    /// `MOVE 'logical' TO 'physical'`, in order.
    pub moves: Vec<(String, String)>,
    pub replace: bool,
    /// `Some(true)` RECOVERY, `Some(false)` NORECOVERY, `None` default (RECOVERY).
    pub recovery: Option<bool>,
    /// `STOPAT = 'datetime'`, parsed.
    pub stop_at: Option<chrono::NaiveDateTime>,
    pub stats: Option<u32>,
    pub checksum: bool,
    pub block_size: Option<u32>,
    pub credential: Option<String>,
    /// `STOPATMARK` / `STOPBEFOREMARK = 'mark' [AFTER 'datetime']`.
    pub stop_mark: Option<StopMark>,
    /// `MEDIANAME = name`: must match the media name of the backup.
    pub media_name: Option<String>,
    /// PARTIAL (piecemeal restore; the simulator's databases have only PRIMARY).
    pub partial: bool,
}

/// `STOPATMARK` (inclusive) or `STOPBEFOREMARK`, with an optional `AFTER` time.
#[derive(Debug, Clone, PartialEq)]
pub struct StopMark {
    pub name: String,
    pub before: bool,
    pub after: Option<chrono::NaiveDateTime>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RestoreStmt {
    pub kind: RestoreKind,
    pub urls: Vec<String>,
    pub options: RestoreOptions,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Backup(BackupStmt),
    Restore(RestoreStmt),
}

impl Stmt {
    /// The statement name SQL Server uses in 3013 and in `sys.dm_exec_requests.command`.
    pub fn verb(&self) -> &'static str {
        match self {
            Stmt::Backup(b) => match b.kind {
                BackupKind::Database => "BACKUP DATABASE",
                BackupKind::Log => "BACKUP LOG",
            },
            Stmt::Restore(r) => r.kind.verb(),
        }
    }
}

impl RestoreKind {
    pub fn verb(&self) -> &'static str {
        match self {
            RestoreKind::Database(_) => "RESTORE DATABASE",
            RestoreKind::Log(_) => "RESTORE LOG",
            RestoreKind::HeaderOnly => "RESTORE HEADERONLY",
            RestoreKind::FileListOnly => "RESTORE FILELIST",
            RestoreKind::LabelOnly => "RESTORE LABELONLY",
            RestoreKind::VerifyOnly => "VERIFY DATABASE",
        }
    }
}

/// A parse failure, carrying the SQL Server message to send.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    /// 102 "Incorrect syntax near '%.*ls'." (class 15)
    #[error("Incorrect syntax near '{0}'.")]
    Syntax(String),
    /// 105 / 113 from the lexer.
    #[error("{text}")]
    Lex { number: u32, text: String },
    /// 3032 "One or more of the options (%ls) are not supported for this statement. Review the
    /// documentation for supported options." (then 3013). Text *unconfirmed* beyond the number.
    #[error("One or more of the options ({0}) are not supported for this statement. Review the documentation for supported options.")]
    OptionNotSupported(String),
    /// A device other than URL: the simulator only has URL devices.
    #[error("sqlsim supports only URL backup devices; '{0}' devices are not supported.")]
    DeviceNotSupported(String),
    /// 3065-like: more URLs than allowed. SQL Server: "The number of media families exceeds 64" (unconfirmed).
    #[error("Too many backup devices specified for backup or restore; only 64 are allowed.")]
    TooManyDevices,
    /// Variables (`@url`) are not evaluated by the simulator.
    #[error("sqlsim does not evaluate variables in BACKUP/RESTORE ('{0}'); pass literals.")]
    VariableNotSupported(String),
    /// STOPAT text that is not a date/time: 241.
    #[error("Conversion failed when converting date and/or time from character string.")]
    BadDate,
}

impl ParseError {
    /// (number, class, state)
    pub fn code(&self) -> (u32, u8, u8) {
        match self {
            ParseError::Syntax(_) => (102, 15, 1),
            ParseError::Lex { number, .. } => (*number, 15, 1),
            ParseError::OptionNotSupported(_) => (3032, 16, 2),
            ParseError::DeviceNotSupported(_) => (50000, 16, 1),
            ParseError::TooManyDevices => (3205, 16, 1),
            ParseError::VariableNotSupported(_) => (50000, 16, 1),
            ParseError::BadDate => (241, 16, 1),
        }
    }
    /// Whether SQL Server follows this error with 3013 "… is terminating abnormally."
    pub fn terminates_abnormally(&self) -> bool {
        matches!(self, ParseError::OptionNotSupported(_) | ParseError::TooManyDevices)
    }
}

/// BACKUP/RESTORE's cursor: errors are [`ParseError`]s.
type P<'a> = Cursor<'a, ParseError>;

impl SyntaxError for ParseError {
    fn unexpected(c: &P<'_>) -> ParseError {
        match c.peek() {
            Some(t) => ParseError::Syntax(t.source(c.src).to_string()),
            None => ParseError::Syntax(c.toks.last().map(|t| t.source(c.src).to_string()).unwrap_or_default()),
        }
    }
    fn variable(name: &str) -> Option<ParseError> {
        Some(ParseError::VariableNotSupported(format!("@{name}")))
    }
}

/// `[WITH option [, option …]]`: `apply` takes one option whose name (upper-cased) is read and
/// says whether it knows it; an option it does not know is a syntax error at its name.
fn with_options(
    p: &mut P<'_>,
    mut apply: impl FnMut(&mut P<'_>, &str) -> Result<bool, ParseError>,
) -> Result<(), ParseError> {
    if !p.kw("WITH") {
        return Ok(());
    }
    loop {
        let word = option_word(p)?;
        if !apply(p, &word)? {
            p.i -= 1;
            return Err(p.unexpected());
        }
        if !p.punct(",") {
            return Ok(());
        }
    }
}

/// The name of a WITH option: an unquoted word, upper-cased.
fn option_word(p: &mut P<'_>) -> Result<String, ParseError> {
    match p.peek().map(|t| &t.kind) {
        Some(TokenKind::Word(w)) => {
            let w = w.to_ascii_uppercase();
            p.i += 1;
            Ok(w)
        }
        _ => Err(p.unexpected()),
    }
}

/// Only `;` left.
fn at_statement_end(p: &mut P<'_>) -> bool {
    while p.punct(";") {}
    p.at_end()
}

/// Parse one BACKUP or RESTORE statement.
pub fn parse(src: &str) -> Result<Stmt, ParseError> {
    let toks = tokenize(src).map_err(|e| ParseError::Lex { number: e.number(), text: e.to_string() })?;
    let mut p = P::new(&toks, src);
    let stmt = if p.kw("BACKUP") {
        Stmt::Backup(parse_backup(&mut p)?)
    } else if p.kw("RESTORE") {
        Stmt::Restore(parse_restore(&mut p)?)
    } else {
        return Err(p.unexpected());
    };
    if !at_statement_end(&mut p) {
        return Err(p.unexpected());
    }
    Ok(stmt)
}

fn parse_devices(p: &mut P<'_>) -> Result<Vec<String>, ParseError> {
    let mut urls = Vec::new();
    loop {
        let dev = p.ident().map_err(|_| p.unexpected())?;
        if !dev.eq_ignore_ascii_case("URL") {
            if ["DISK", "TAPE"].iter().any(|d| dev.eq_ignore_ascii_case(d)) {
                return Err(ParseError::DeviceNotSupported(dev.to_ascii_uppercase()));
            }
            // A logical backup device name: not supported either.
            return Err(ParseError::DeviceNotSupported(dev));
        }
        p.expect_punct("=")?;
        urls.push(p.string()?);
        if !p.punct(",") {
            break;
        }
    }
    if urls.len() > MAX_STRIPES {
        return Err(ParseError::TooManyDevices);
    }
    Ok(urls)
}

fn parse_stats(p: &mut P<'_>) -> Result<u32, ParseError> {
    if p.punct("=") {
        let n = p.number()?;
        Ok(n.min(100) as u32)
    } else {
        Ok(10)
    }
}

fn parse_backup(p: &mut P<'_>) -> Result<BackupStmt, ParseError> {
    let kind = if p.kw("DATABASE") {
        BackupKind::Database
    } else if p.kw("LOG") {
        BackupKind::Log
    } else {
        return Err(p.unexpected());
    };
    let database = p.ident()?;
    p.expect_kw("TO")?;
    let urls = parse_devices(p)?;
    let mut o = BackupOptions::default();
    with_options(p, |p, word| {
        match word {
            "COPY_ONLY" => o.copy_only = true,
            "DIFFERENTIAL" => o.differential = true,
            "COMPRESSION" => {
                // COMPRESSION [ ( ALGORITHM = MS_XPRESS ) ] in 2022; accept the bare form.
                o.compression = Some(true);
                if p.punct("(") {
                    while !p.punct(")") {
                        if p.peek().is_none() {
                            return Err(p.unexpected());
                        }
                        p.i += 1;
                    }
                }
            }
            "NO_COMPRESSION" => o.compression = Some(false),
            "CHECKSUM" => o.checksum = true,
            "NO_CHECKSUM" => o.checksum = false,
            "FORMAT" => o.format = true,
            "NOFORMAT" => o.format = false,
            "STATS" => o.stats = Some(parse_stats(p)?),
            "MAXTRANSFERSIZE" => {
                p.expect_punct("=")?;
                o.max_transfer_size = Some(p.number()?);
            }
            "BLOCKSIZE" => {
                p.expect_punct("=")?;
                o.block_size = Some(p.number()? as u32);
            }
            "BUFFERCOUNT" => {
                p.expect_punct("=")?;
                p.number()?;
            }
            "NORECOVERY" => o.norecovery = true,
            "NO_TRUNCATE" | "CONTINUE_AFTER_ERROR" | "STOP_ON_ERROR" => {}
            "DESCRIPTION" => {
                p.expect_punct("=")?;
                o.description = Some(p.string()?);
            }
            "NAME" => {
                p.expect_punct("=")?;
                o.name = Some(p.ident_or_string()?);
            }
            "CREDENTIAL" => {
                p.expect_punct("=")?;
                o.credential = Some(p.ident_or_string()?);
            }
            "ENCRYPTION" => o.encryption = Some(parse_encryption(p)?),
            "INIT" | "NOINIT" | "SKIP" | "NOSKIP" | "REWIND" | "NOREWIND" | "UNLOAD" | "NOUNLOAD" => {
                return Err(ParseError::OptionNotSupported(word.to_ascii_lowercase()));
            }
            "MEDIANAME" => {
                p.expect_punct("=")?;
                o.media_name = Some(p.ident_or_string()?);
            }
            "MEDIADESCRIPTION" => {
                p.expect_punct("=")?;
                o.media_description = Some(p.ident_or_string()?);
            }
            // Documented as not supported for URL by older docs; SQL Server 2022 CU25 GDR was
            // reported accepting them: the executor decides with the scenario switch.
            "EXPIREDATE" => {
                p.expect_punct("=")?;
                let s = p.string()?;
                o.expire_date = Some(parse_datetime(&s).ok_or(ParseError::BadDate)?);
            }
            "RETAINDAYS" => {
                p.expect_punct("=")?;
                o.retain_days = Some(p.number()?);
            }
            // RESTART: documented for URL; it has no effect (SQL Server ignores it since 2008).
            "RESTART" => {}
            "MEDIAPASSWORD" | "PASSWORD" => {
                return Err(ParseError::OptionNotSupported(word.to_ascii_lowercase()));
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(BackupStmt { kind, database, urls, options: o })
}

fn parse_encryption(p: &mut P<'_>) -> Result<Encryption, ParseError> {
    p.expect_punct("(")?;
    p.expect_kw("ALGORITHM")?;
    p.expect_punct("=")?;
    let algorithm = p.ident()?.to_ascii_uppercase();
    if !["AES_128", "AES_192", "AES_256", "TRIPLE_DES_3KEY"].contains(&algorithm.as_str()) {
        p.i -= 1;
        return Err(p.unexpected());
    }
    p.expect_punct(",")?;
    p.expect_kw("SERVER")?;
    let encryptor = if p.kw("CERTIFICATE") {
        p.expect_punct("=")?;
        format!("CERTIFICATE {}", p.ident()?)
    } else if p.kw("ASYMMETRIC") {
        p.expect_kw("KEY")?;
        p.expect_punct("=")?;
        format!("ASYMMETRIC KEY {}", p.ident()?)
    } else {
        return Err(p.unexpected());
    };
    p.expect_punct(")")?;
    Ok(Encryption { algorithm, encryptor })
}

fn parse_restore(p: &mut P<'_>) -> Result<RestoreStmt, ParseError> {
    let kind = if p.kw("DATABASE") {
        RestoreKind::Database(p.ident()?)
    } else if p.kw("LOG") {
        RestoreKind::Log(p.ident()?)
    } else if p.kw("HEADERONLY") {
        RestoreKind::HeaderOnly
    } else if p.kw("FILELISTONLY") {
        RestoreKind::FileListOnly
    } else if p.kw("LABELONLY") {
        RestoreKind::LabelOnly
    } else if p.kw("VERIFYONLY") {
        RestoreKind::VerifyOnly
    } else {
        return Err(p.unexpected());
    };
    p.expect_kw("FROM")?;
    let urls = parse_devices(p)?;
    let mut o = RestoreOptions::default();
    with_options(p, |p, word| {
        match word {
            "MOVE" => {
                let from = p.string()?;
                p.expect_kw("TO")?;
                let to = p.string()?;
                o.moves.push((from, to));
            }
            "REPLACE" => o.replace = true,
            "RECOVERY" => o.recovery = Some(true),
            "NORECOVERY" => o.recovery = Some(false),
            "STOPAT" => {
                p.expect_punct("=")?;
                let s = p.string()?;
                o.stop_at = Some(parse_datetime(&s).ok_or(ParseError::BadDate)?);
            }
            "STATS" => o.stats = Some(parse_stats(p)?),
            "CHECKSUM" => o.checksum = true,
            "NO_CHECKSUM" => o.checksum = false,
            "BLOCKSIZE" => {
                p.expect_punct("=")?;
                o.block_size = Some(p.number()? as u32);
            }
            "CREDENTIAL" => {
                p.expect_punct("=")?;
                o.credential = Some(p.ident_or_string()?);
            }
            "STOPATMARK" | "STOPBEFOREMARK" => {
                p.expect_punct("=")?;
                let name = p.string()?;
                if name.len() >= 4 && name[..4].eq_ignore_ascii_case("lsn:") {
                    // `lsn:` targets are for tools vendors; not modelled.
                    return Err(ParseError::OptionNotSupported(format!("{} = 'lsn:…'", word.to_ascii_lowercase())));
                }
                let after = if p.kw("AFTER") {
                    let s = p.string()?;
                    Some(parse_datetime(&s).ok_or(ParseError::BadDate)?)
                } else {
                    None
                };
                o.stop_mark = Some(StopMark { name, before: word == "STOPBEFOREMARK", after });
            }
            "MEDIANAME" => {
                p.expect_punct("=")?;
                o.media_name = Some(p.ident_or_string()?);
            }
            "PARTIAL" => o.partial = true,
            "RESTART" => {}
            "CONTINUE_AFTER_ERROR" | "STOP_ON_ERROR" | "KEEP_REPLICATION" | "KEEP_CDC"
            | "ENABLE_BROKER" | "NEW_BROKER" | "ERROR_BROKER_CONVERSATIONS" | "RESTRICTED_USER" => {}
            // Not supported for URL devices (facts: FILE, BUFFERCOUNT, MAXTRANSFERSIZE), nor
            // tape options; STANDBY needs an undo file on disk, which the simulator lacks.
            "FILE" | "BUFFERCOUNT" | "MAXTRANSFERSIZE" | "REWIND" | "NOREWIND" | "UNLOAD"
            | "NOUNLOAD" | "MEDIAPASSWORD" | "PASSWORD" | "STANDBY" => {
                return Err(ParseError::OptionNotSupported(word.to_ascii_lowercase()));
            }
            _ => return Ok(false),
        }
        Ok(true)
    })?;
    Ok(RestoreStmt { kind, urls, options: o })
}

/// The date/time forms STOPAT accepts in practice: ISO 8601 with `T` or a space, optional
/// fractional seconds, or a date alone.
pub fn parse_datetime(s: &str) -> Option<chrono::NaiveDateTime> {
    let s = s.trim();
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = chrono::NaiveDateTime::parse_from_str(s, f) {
            return Some(d);
        }
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backup(s: &str) -> BackupStmt {
        match parse(s).unwrap() {
            Stmt::Backup(b) => b,
            other => panic!("not a backup: {other:?}"),
        }
    }
    fn restore(s: &str) -> RestoreStmt {
        match parse(s).unwrap() {
            Stmt::Restore(r) => r,
            other => panic!("not a restore: {other:?}"),
        }
    }

    #[test]
    fn full_backup_with_every_option() {
        let b = backup(
            "BACKUP DATABASE [Sales]]X] TO URL = N'https://a.blob.core.windows.net/c/s1.bak', URL = 'https://a.blob.core.windows.net/c/s2.bak' \
             WITH COPY_ONLY, COMPRESSION, CHECKSUM, FORMAT, STATS = 5, MAXTRANSFERSIZE = 4194304, BLOCKSIZE = 65536, \
             DESCRIPTION = N'it''s', NAME = N'nightly', ENCRYPTION (ALGORITHM = AES_256, SERVER CERTIFICATE = [BackupCert]);",
        );
        assert_eq!(b.kind, BackupKind::Database);
        assert_eq!(b.database, "Sales]X");
        assert_eq!(b.urls.len(), 2);
        let o = &b.options;
        assert!(o.copy_only && o.checksum && o.format && !o.differential);
        assert_eq!(o.compression, Some(true));
        assert_eq!(o.stats, Some(5));
        assert_eq!(o.max_transfer_size, Some(4_194_304));
        assert_eq!(o.block_size, Some(65536));
        assert_eq!(o.description.as_deref(), Some("it's"));
        assert_eq!(o.name.as_deref(), Some("nightly"));
        assert_eq!(
            o.encryption,
            Some(Encryption { algorithm: "AES_256".into(), encryptor: "CERTIFICATE BackupCert".into() })
        );
    }

    #[test]
    fn log_backup_and_bare_stats() {
        let b = backup("backup log db1 to url='https://a.blob.core.windows.net/c/l.trn' with stats, norecovery");
        assert_eq!(b.kind, BackupKind::Log);
        assert_eq!(b.options.stats, Some(10));
        assert!(b.options.norecovery);
    }

    #[test]
    fn init_and_skip_are_rejected_for_url() {
        for opt in ["INIT", "NOINIT", "SKIP", "MEDIAPASSWORD = 'x'"] {
            let e = parse(&format!("BACKUP DATABASE d TO URL = 'https://a/c/b' WITH {opt}")).unwrap_err();
            assert!(matches!(e, ParseError::OptionNotSupported(_)), "{opt}: {e:?}");
            assert_eq!(e.code().0, 3032);
            assert!(e.terminates_abnormally());
        }
    }

    #[test]
    fn url_options_media_marks_partial_restart_expiry() {
        let b = backup("BACKUP DATABASE d TO URL = 'https://a/c/b' WITH MEDIANAME = N'm1', MEDIADESCRIPTION = 'desc', RESTART, RETAINDAYS = 3, EXPIREDATE = '2027-01-02'");
        assert_eq!((b.options.media_name.as_deref(), b.options.media_description.as_deref()), (Some("m1"), Some("desc")));
        assert_eq!(b.options.retain_days, Some(3));
        assert_eq!(b.options.expire_date, parse_datetime("2027-01-02"));
        let r = restore("RESTORE LOG d FROM URL = 'https://a/c/l' WITH STOPBEFOREMARK = 'm' AFTER '2027-01-02 03:04:05', RECOVERY, RESTART");
        assert_eq!(r.options.stop_mark, Some(StopMark { name: "m".into(), before: true, after: parse_datetime("2027-01-02 03:04:05") }));
        let r = restore("RESTORE DATABASE d FROM URL = 'https://a/c/f' WITH PARTIAL, MEDIANAME = 'm1', STOPATMARK = N'x'");
        assert!(r.options.partial);
        assert_eq!(r.options.media_name.as_deref(), Some("m1"));
        assert_eq!(r.options.stop_mark.as_ref().map(|m| (m.name.as_str(), m.before)), Some(("x", false)));
        let e = parse("RESTORE LOG d FROM URL = 'https://a/c/l' WITH STOPATMARK = 'lsn:15000000040000037'").unwrap_err();
        assert_eq!(e.code().0, 3032);
    }

    #[test]
    fn disk_device_is_not_supported() {
        let e = parse("BACKUP DATABASE d TO DISK = 'x.bak'").unwrap_err();
        assert_eq!(e, ParseError::DeviceNotSupported("DISK".into()));
    }

    #[test]
    fn syntax_errors_name_the_token() {
        assert_eq!(parse("BACKUP DATABASE d URL = 'x'").unwrap_err(), ParseError::Syntax("URL".into()));
        assert_eq!(
            parse("BACKUP DATABASE d TO URL = 'x' WITH BOGUS").unwrap_err(),
            ParseError::Syntax("BOGUS".into())
        );
        assert!(matches!(parse("BACKUP DATABASE d TO URL = 'x").unwrap_err(), ParseError::Lex { number: 105, .. }));
    }

    #[test]
    fn too_many_stripes() {
        let urls: Vec<String> = (0..65).map(|i| format!("URL = 'https://a/c/{i}'")).collect();
        let e = parse(&format!("BACKUP DATABASE d TO {}", urls.join(", "))).unwrap_err();
        assert_eq!(e, ParseError::TooManyDevices);
    }

    #[test]
    fn restore_database_with_move_and_stopat() {
        let r = restore(
            "RESTORE DATABASE [New] FROM URL = N'https://a/c/f.bak' WITH MOVE N'Sales' TO N'F:\\d\\New.mdf', \
             MOVE 'Sales_log' TO 'G:\\l\\New_log.ldf', REPLACE, NORECOVERY, STATS = 20, CHECKSUM, STOPAT = '2026-01-02T03:04:05'",
        );
        assert_eq!(r.kind, RestoreKind::Database("New".into()));
        assert_eq!(r.options.moves.len(), 2);
        assert_eq!(r.options.moves[0], ("Sales".into(), "F:\\d\\New.mdf".into()));
        assert!(r.options.replace && r.options.checksum);
        assert_eq!(r.options.recovery, Some(false));
        assert_eq!(r.options.stats, Some(20));
        assert_eq!(r.options.stop_at, parse_datetime("2026-01-02 03:04:05"));
    }

    #[test]
    fn restore_only_forms() {
        assert_eq!(restore("RESTORE HEADERONLY FROM URL = 'u'").kind, RestoreKind::HeaderOnly);
        assert_eq!(restore("RESTORE FILELISTONLY FROM URL = 'u'").kind, RestoreKind::FileListOnly);
        assert_eq!(restore("RESTORE LABELONLY FROM URL = 'u'").kind, RestoreKind::LabelOnly);
        assert_eq!(restore("RESTORE VERIFYONLY FROM URL = 'u' WITH CHECKSUM").kind, RestoreKind::VerifyOnly);
        let e = parse("RESTORE DATABASE d FROM URL = 'u' WITH FILE = 1").unwrap_err();
        assert_eq!(e, ParseError::OptionNotSupported("file".into()));
    }

    #[test]
    fn variables_are_refused_clearly() {
        let e = parse("BACKUP DATABASE d TO URL = @u").unwrap_err();
        assert_eq!(e, ParseError::VariableNotSupported("@u".into()));
    }

    #[test]
    fn bad_stopat() {
        assert_eq!(parse("RESTORE LOG d FROM URL = 'u' WITH STOPAT = 'soon'").unwrap_err(), ParseError::BadDate);
    }
}
