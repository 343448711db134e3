//! The fidelity table: every message the simulator can send, with its number, class, state,
//! text template (SQL Server's `%ls` / `%d` placeholders) and its **source**, or the word
//! *unconfirmed*. `tests/sqlsim/README.md` ("Fidelity table") carries the same rows; the unit
//! tests below fail when a message built anywhere in `src/` has no row here, or when this table
//! and the README differ — so the table cannot drift.
//!
//! Source labels: `facts` = the Messages table of `shared/reference/sql-server-facts.md`;
//! `facts-2026` = its "Checked again (December 2026)" section; `docs: <page>` = a Microsoft Learn
//! page; `MS-TDS` = the protocol specification; `simulator` = the simulator's own words (Msg
//! 50000, a number SQL Server reserves for user errors, never a SQL Server message).

/// One row of the fidelity table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MessageSpec {
    pub number: u32,
    pub class: u8,
    pub state: u8,
    pub template: &'static str,
    pub source: &'static str,
}

const fn row(number: u32, class: u8, state: u8, template: &'static str, source: &'static str) -> MessageSpec {
    MessageSpec { number, class, state, template, source }
}

const U: &str = "*unconfirmed*";

/// Every message the simulator sends.
pub const MESSAGES: &[MessageSpec] = &[
    row(0, 0, 1, "%ls", "*unconfirmed* (PRINT: number 0, class 0)"),
    row(102, 15, 1, "Incorrect syntax near '%.*ls'.", U),
    row(102, 15, 1, "Incorrect syntax near the end of the batch.", U),
    row(103, 15, 4, "The identifier that starts with '%.*ls' is too long. Maximum length is 128.", U),
    row(105, 15, 1, "Unclosed quotation mark after the character string '%.*ls'.", U),
    row(113, 15, 1, "Missing end comment mark '*/'.", U),
    row(137, 15, 2, "Must declare the scalar variable \"%.*ls\".", U),
    row(148, 15, 1, "Incorrect time syntax in time string '%.*ls' used with WAITFOR.", U),
    row(156, 15, 1, "Incorrect syntax near the keyword '%.*ls'.", U),
    row(174, 15, 1, "The %.*ls function requires %d argument(s).", U),
    row(195, 15, 10, "'%.*ls' is not a recognized built-in function name.", U),
    row(201, 16, 4, "Procedure or function '%.*ls' expects parameter '%.*ls', which was not supplied.", U),
    row(207, 16, 1, "Invalid column name '%.*ls'.", U),
    row(208, 16, 1, "Invalid object name '%.*ls'.", U),
    row(216, 16, 1, "Parameters were not supplied for the function '%.*ls'.", U),
    row(241, 16, 1, "Conversion failed when converting date and/or time from character string.", U),
    row(245, 16, 1, "Conversion failed when converting the %ls value '%.*ls' to data type %ls.", U),
    row(262, 14, 1, "%ls permission denied in database '%.*ls'.", "docs: RESTORE HEADERONLY / FILELISTONLY / VERIFYONLY (CREATE DATABASE needed; LABELONLY by the same rule *unconfirmed*); text and state *unconfirmed*"),
    row(263, 16, 1, "Must specify table to select from.", U),
    row(300, 14, 1, "%ls permission was denied on object '%.*ls', database '%.*ls'.", "docs: sys.dm_server_registry (VIEW SERVER PERFORMANCE STATE on 2022); text *unconfirmed*"),
    row(911, 16, 1, "Database '%.*ls' does not exist. Make sure that the name is entered correctly.", U),
    row(927, 14, 2, "Database '%.*ls' cannot be opened. It is in the middle of a restore.", U),
    row(1834, 16, 1, "The file '%ls' cannot be overwritten.  It is being used by database '%.*ls'.", "facts"),
    row(2520, 16, 1, "Could not find trace flag %d.", U),
    row(2526, 16, 3, "Incorrect DBCC statement. Check the documentation for the correct DBCC syntax and options. (DBCC %ls)", U),
    row(2528, 10, 1, "DBCC execution completed. If DBCC printed error messages, contact your system administrator.", "docs: DBCC CHECKDB (result set); number *unconfirmed*"),
    row(2536, 10, 1, "DBCC results for '%.*ls'.", "docs: DBCC CHECKDB (result set); number *unconfirmed*"),
    row(2571, 14, 3, "User '%.*ls' does not have permission to run DBCC %.*ls.", U),
    row(2812, 16, 62, "Could not find stored procedure '%.*ls'.", U),
    row(3013, 16, 1, "%hs is terminating abnormally.", "facts"),
    row(3014, 10, 1, "%hs successfully processed %I64d pages in %d.%03d seconds (%d.%03d MB/sec).", "facts"),
    row(3032, 16, 2, "One or more of the options (%ls) are not supported for this statement. Review the documentation for supported options.", U),
    row(3035, 16, 1, "Cannot perform a differential backup for database \"%ls\", because a current database backup does not exist. Perform a full database backup by reissuing BACKUP DATABASE, omitting the WITH DIFFERENTIAL option.", U),
    row(3063, 16, 1, "Write to backup block blob device %ls failed. Device has reached its limit of allowed blocks.", "facts"),
    row(3101, 16, 1, "Exclusive access could not be obtained because the database is in use.", "facts"),
    row(3117, 16, 4, "The log or differential backup cannot be restored because no files are ready to rollforward.", U),
    row(3119, 16, 1, "Problems were identified while planning for the RESTORE statement. Previous messages provide details.", U),
    row(3132, 16, 1, "The media set has %d media families but only %d are provided. All members must be provided.", U),
    row(3135, 16, 2, "The backup set in file '%ls' was created by %hs and cannot be used for this restore operation.", U),
    row(3136, 16, 1, "This differential backup cannot be restored because the database has not been restored to the correct earlier state.", U),
    row(3147, 16, 1, "Backup and restore operations are not allowed on database tempdb.", U),
    row(3154, 16, 1, "The backup set holds a backup of a database other than the existing '%ls' database.", "facts"),
    row(3156, 16, 4, "File '%ls' cannot be restored to '%ls'. Use WITH MOVE to identify a valid location for the file.", "facts"),
    row(3159, 16, 1, "The tail of the log for the database \"%ls\" has not been backed up. Use BACKUP LOG WITH NORECOVERY to backup the log if it contains work you do not want to lose. Use the WITH REPLACE or WITH STOPAT clause of the RESTORE statement to just overwrite the contents of the log.", "facts (middle sentence *unconfirmed*)"),
    row(3183, 16, 1, "RESTORE detected an error on page (%d:%d) in database \"%ls\" as read from the backup set.", U),
    row(3201, 16, 1, "Cannot open backup device '%ls'. Operating system error %ls.", "facts (OS errors 5, 50, 2); 1117 text: Azure support page Database Backup or Restore using URL; 12002, 12007 inside it *unconfirmed*"),
    row(3202, 16, 1, "Write on \"%ls\" failed: %ls", "facts; facts-2026 (with 1117)"),
    row(3203, 16, 1, "Read on \"%ls\" failed: %ls", U),
    row(3205, 16, 1, "Too many backup devices specified for backup or restore; only %d are allowed.", U),
    row(3211, 10, 1, "%d percent processed.", "facts"),
    row(3231, 16, 1, "The media loaded on \"%ls\" is formatted to support %d media families, but %d media families are expected according to the backup device specification.", U),
    row(3232, 16, 1, "The media name '%ls' does not match the media name '%ls' on device '%ls'.", U),
    row(3234, 16, 2, "Logical file '%.*ls' is not part of database '%ls'. Use RESTORE FILELISTONLY to list the logical file names.", U),
    row(3241, 16, 1, "The media family on device '%ls' is incorrectly formed. SQL Server cannot process this media family.", U),
    row(3250, 16, 1, "The value '%d' is not within range for the %ls parameter.", "facts-2026 (number); text and state *unconfirmed*"),
    row(3253, 16, 1, "The block size parameter must supply a value that is a power of 2.", "facts-2026 (number); text and state *unconfirmed*"),
    row(3262, 10, 1, "The backup set on file %d is valid.", "facts"),
    row(3271, 16, 1, "A nonrecoverable I/O error occurred on file \"%ls:\" %ls.", "facts; facts-2026; docs: Backup to URL best practices and troubleshooting (lease inner text, 412); Azure support page Database Backup or Restore using URL (3271 'Backup to URL received an exception from the remote endpoint' for TLS failures); TLS / unreachable exception details *unconfirmed*"),
    row(3288, 16, 1, "Credential name %ls does not exist or user does not have permission to access it.", "facts"),
    row(3701, 11, 1, "Cannot drop the database '%.*ls', because it does not exist or you do not have permission.", U),
    row(3702, 16, 4, "Cannot drop database \"%.*ls\" because it is currently in use.", U),
    row(3708, 16, 1, "Cannot drop the database '%.*ls' because it is a system database.", U),
    row(3902, 16, 1, "The COMMIT TRANSACTION request has no corresponding BEGIN TRANSACTION.", U),
    row(3903, 16, 1, "The ROLLBACK TRANSACTION request has no corresponding BEGIN TRANSACTION.", U),
    row(4035, 10, 1, "Processed %I64d pages for database '%ls', file '%ls' on file %d.", "facts"),
    row(4060, 11, 1, "Cannot open database \"%.*ls\" requested by the login. The login failed.", U),
    row(4208, 16, 1, "The statement %hs is not allowed while the recovery model is SIMPLE. Use BACKUP DATABASE or change the recovery model using ALTER DATABASE.", "facts (second sentence *unconfirmed*)"),
    row(4214, 16, 1, "BACKUP LOG cannot be performed because there is no current database backup.", "facts"),
    row(4305, 16, 1, "The log in this backup set begins at LSN %.*ls, which is too recent to apply to the database. An earlier log backup that includes LSN %.*ls can be restored.", U),
    row(4322, 10, 1, "This backup set contains records that were logged before the designated point in time. The database is being left in the restoring state so that more roll forward can be performed.", "facts-2026 (number, class, first sentence); rest *unconfirmed*"),
    row(4326, 16, 1, "The log in this backup set terminates at LSN %.*ls, which is too early to apply to the database. A more recent log backup that includes LSN %.*ls can be restored.", U),
    row(4335, 16, 1, "The specified STOPAT time is too early. All or part of the database is already rolled forward beyond that point.", U),
    row(5701, 0, 2, "Changed database context to '%.*ls'.", U),
    row(5703, 0, 1, "Changed language setting to %.*ls.", U),
    row(8115, 16, 2, "Arithmetic overflow error converting %ls to data type %ls.", U),
    row(8928, 16, 1, "Object ID %d, index ID %d, partition ID %I64d, alloc unit ID %I64d (type %.*ls): Page %S_PGID could not be processed.  See other errors for details.", U),
    row(8939, 16, 98, "Table error: Object ID %d, index ID %d, partition ID %I64d, alloc unit ID %I64d (type %.*ls), page %S_PGID. Test (%hs) failed. Values are %ld and %ld.", U),
    row(8958, 10, 1, "%ls is the minimum repair level for the errors found by DBCC %ls (%ls).", U),
    row(8989, 10, 1, "CHECKDB found %d allocation errors and %d consistency errors in database '%ls'.", "docs: DBCC CHECKDB (result set); number *unconfirmed*"),
    row(15025, 16, 2, "The server principal '%s' already exists.", "*unconfirmed* (the wording for credentials)"),
    row(15151, 16, 1, "Cannot %S_MSG the %S_MSG '%.*ls', because it does not exist or you do not have permission.", U),
    row(15247, 16, 1, "User does not have permission to perform this action.", U),
    row(18452, 14, 1, "Login failed. The login is from an untrusted domain and cannot be used with Integrated authentication.", U),
    row(18456, 14, 1, "Login failed for user '%.*ls'.", "facts"),
    row(37563, 16, 2, "The primary managed identity is not selected for this server. Enable the primary managed identity for Microsoft Entra authentication for this server. For more information see (https://aka.ms/sql-server-managed-identity-doc).", "facts"),
    row(50000, 16, 1, "sqlsim: %ls", "simulator (not a SQL Server message: what the simulator does not model, or its own configuration errors)"),
];

/// Every result-set shape: name, and its source (columns come from the code; the README lists
/// them and a test compares).
pub const RESULT_SETS: &[(&str, &str)] = &[
    ("sys.databases", "*unconfirmed* (a subset of the columns of the docs page sys.databases; not re-checked)"),
    ("sys.master_files", "*unconfirmed* (a subset of the columns of the docs page sys.master_files; not re-checked)"),
    ("sys.credentials", "facts"),
    ("sys.dm_os_host_info", "facts (host_platform); other columns *unconfirmed*"),
    ("sys.dm_exec_requests", "facts (percent_complete); a subset of the docs page's columns, *unconfirmed*"),
    ("sys.dm_server_registry", "docs: sys.dm_server_registry (columns, permission); rows *unconfirmed*"),
    ("msdb.dbo.backupset", "*unconfirmed* (a subset of the columns of the docs page backupset; one row per successful BACKUP)"),
    ("msdb.dbo.backupmediafamily", "*unconfirmed* (a subset of the columns of the docs page backupmediafamily; one row per URL; device_type 9 = URL as in HEADERONLY)"),
    ("fn_my_permissions", "*unconfirmed* (docs page sys.fn_my_permissions; not re-checked)"),
    ("DBCC TRACESTATUS", "facts"),
    ("RESTORE HEADERONLY", "facts (main columns, order); docs: RESTORE HEADERONLY (RecoveryModel spellings, Compressed bit = facts-2026); the rest *unconfirmed*"),
    ("RESTORE FILELISTONLY", "facts (main columns); facts-2026 (all-zero DifferentialBaseGUID for log files); the rest *unconfirmed*"),
    ("RESTORE LABELONLY", "*unconfirmed*"),
];

/// The rows for a (number, class, state).
pub fn rows(number: u32, class: u8, state: u8) -> impl Iterator<Item = &'static MessageSpec> {
    MESSAGES.iter().filter(move |m| m.number == number && m.class == class && m.state == state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::Path;

    fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// Leading unsigned integer literals after `open` (whitespace and newlines allowed), up to
    /// `n` of them separated by commas; None when the arguments are not all literals.
    fn literals(s: &str, n: usize) -> Option<Vec<u32>> {
        let mut v = Vec::new();
        let mut rest = s;
        for i in 0..n {
            rest = rest.trim_start();
            let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
            if end == 0 {
                return None;
            }
            v.push(rest[..end].parse().ok()?);
            rest = rest[end..].trim_start();
            if i + 1 < n {
                rest = rest.strip_prefix(',')?;
            }
        }
        Some(v)
    }

    /// (number, class, state) of every message the non-test code of `src/` builds from literals:
    /// `SqlMessage::new(n, c, s, …)`, backup/messages.rs `err(n, s, …)` (class 16), the
    /// `=> (n, c, s)` codes of ParseError, and the lexer's numbers (class 15, state 1).
    type Key = (u32, u8, u8);

    fn built_in_source() -> (BTreeSet<Key>, Vec<String>) {
        let mut files = Vec::new();
        rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut found = BTreeSet::new();
        let mut unparsed = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap();
            let name = f.display().to_string();
            let mut scan = |needle: &str, n: usize, map: &dyn Fn(&[u32]) -> Key| {
                for (i, _) in code.match_indices(needle) {
                    match literals(&code[i + needle.len()..], n) {
                        Some(v) => {
                            found.insert(map(&v));
                        }
                        None => unparsed.push(format!("{name}: {}", &code[i..(i + 60).min(code.len())])),
                    }
                }
            };
            scan("SqlMessage::new(", 3, &|v| (v[0], v[1] as u8, v[2] as u8));
            if name.ends_with("messages.rs") && name.contains("backup") {
                scan(" err(", 2, &|v| (v[0], 16, v[1] as u8));
            }
            if name.ends_with("parse.rs") && name.contains("backup") {
                scan("=> (", 3, &|v| (v[0], v[1] as u8, v[2] as u8));
            }
            if name.ends_with("lexer.rs") {
                for (i, _) in code.match_indices("} => ") {
                    if let Some(v) = literals(&code[i + 5..], 1) {
                        found.insert((v[0], 15, 1));
                    }
                }
            }
        }
        (found, unparsed)
    }

    #[test]
    fn every_message_built_in_the_source_has_a_row() {
        let (found, unparsed) = built_in_source();
        assert!(found.len() > 60, "the scan found only {found:?}");
        let missing: Vec<_> = found.iter().filter(|(n, c, s)| rows(*n, *c, *s).next().is_none()).collect();
        assert!(missing.is_empty(), "messages without a fidelity row (add them to MESSAGES and the README): {missing:?}");
        // Calls whose number is not a literal must be the known pass-throughs.
        for u in &unparsed {
            // backup/messages.rs `err` itself; parse failures (ParseError codes, scanned above);
            // lexer errors (numbers scanned above).
            let known = [
                "SqlMessage::new(number, 16, state",
                "SqlMessage::new(number, class, state",
                ".number(), 15, 1, ",
                " err(number: u32, state: u8",
                "=> (*number, 15, 1)",
            ];
            assert!(known.iter().any(|k| u.contains(k)), "message built from non-literals: {u}");
        }
        // And no row is stale: every row's (number, class, state) is built somewhere.
        let stale: Vec<_> = MESSAGES.iter().filter(|m| !found.contains(&(m.number, m.class, m.state))).collect();
        assert!(stale.is_empty(), "rows no code builds: {stale:?}");
    }

    /// The README's "Fidelity table" section: `| n | class | state | `template` | source |`.
    fn readme_rows() -> Vec<(u32, u8, u8, String, String)> {
        let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
        let section = readme.split("## Fidelity table").nth(1).expect("README has a '## Fidelity table' section");
        let section = section.split("\n## ").next().unwrap();
        let table = section.split("### Result sets").next().unwrap();
        table
            .lines()
            .filter(|l| l.starts_with("| ") && l.as_bytes().get(2).is_some_and(|b| b.is_ascii_digit()))
            .map(|l| {
                let cells: Vec<&str> = l.trim().trim_matches('|').split(" | ").map(str::trim).collect();
                assert_eq!(cells.len(), 5, "README row with {} cells: {l}", cells.len());
                let tpl = cells[3].trim_matches('`').to_string();
                (cells[0].parse().unwrap(), cells[1].parse().unwrap(), cells[2].parse().unwrap(), tpl, cells[4].to_string())
            })
            .collect()
    }

    #[test]
    fn the_readme_table_equals_the_code_table() {
        let readme = readme_rows();
        let code: Vec<_> = MESSAGES.iter().map(|m| (m.number, m.class, m.state, m.template.to_string(), m.source.to_string())).collect();
        for r in &code {
            assert!(readme.contains(r), "README lacks the row {r:?}");
        }
        for r in &readme {
            assert!(code.contains(r), "README row not in fidelity::MESSAGES: {r:?}");
        }
    }

    /// Column names of every result set, built by the code that sends it.
    fn result_set_columns() -> Vec<(&'static str, Vec<String>)> {
        use crate::exec::ExecContext;
        let server = std::sync::Arc::new(crate::state::ServerState::new(crate::scenario::Scenario::default()));
        let (out, _rx) = tokio::sync::mpsc::channel(1);
        let ctx = ExecContext {
            session_id: 51,
            login: "sa".into(),
            out,
            cancel: Default::default(),
            server,
            is_sysadmin: true,
            is_backup_operator: true,
            database: "master".into(),
        };
        let names = |cols: &[crate::exec::Column]| cols.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
        let mut v: Vec<(&'static str, Vec<String>)> = crate::sql::catalog::VIEWS
            .iter()
            .map(|name| (*name, names(&crate::sql::catalog::view(name, &ctx).expect("view").columns)))
            .collect();
        v.push(("fn_my_permissions", names(&crate::sql::catalog::my_permissions_columns())));
        v.push(("DBCC TRACESTATUS", crate::sql::run::TRACESTATUS_COLUMNS.iter().map(|c| c.to_string()).collect()));
        let h = crate::backup::format::tests::sample_header();
        v.push(("RESTORE HEADERONLY", names(&crate::backup::restore_op::header_rows(&h).columns)));
        v.push(("RESTORE FILELISTONLY", names(&crate::backup::restore_op::filelist_rows(&h).columns)));
        v.push(("RESTORE LABELONLY", names(&crate::backup::restore_op::label_rows(&h).columns)));
        v
    }

    #[test]
    fn the_readme_lists_every_result_set_with_its_columns() {
        let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
        let section = readme.split("### Result sets").nth(1).expect("README has '### Result sets'");
        let section = section.split("\n## ").next().unwrap();
        let sets = result_set_columns();
        assert_eq!(sets.len(), RESULT_SETS.len(), "RESULT_SETS must name every result set");
        let mut expected = Vec::new();
        for (name, cols) in &sets {
            let source = RESULT_SETS.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("{name} has no RESULT_SETS row")).1;
            expected.push(format!("| {name} | {} | {source} |", cols.join(", ")));
        }
        let got: Vec<&str> = section.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| Result set")).collect();
        assert_eq!(got, expected, "README result-set rows differ; expected:\n{}", expected.join("\n"));
    }

    #[test]
    fn every_row_names_a_source_or_says_unconfirmed() {
        for m in MESSAGES {
            assert!(
                ["facts", "docs:", "MS-TDS", "simulator", "*unconfirmed*"].iter().any(|s| m.source.contains(s)),
                "row without a source: {m:?}"
            );
            assert!(!m.template.contains('|') && !m.template.contains('`'), "template breaks the README table: {m:?}");
        }
    }
}
