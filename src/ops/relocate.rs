//! Automatic relocation: map every file of a backup (FILELISTONLY) to the server's default data
//! or log path, named after the target database, and refuse to land on a file that another
//! database uses.
//!
//! Names: the primary data file (file id 1, or the first data file) becomes
//! `<data path><target>.<ext>`, the first log file `<log path><target>_log.<ext>`, and every other
//! file `<path><target>_<logical name>.<ext>`; `<ext>` is the original file's extension
//! (`mdf`/`ndf`/`ldf` when it has none). Path separators follow the default path (`\` on Windows,
//! `/` on Linux). Characters that cannot be in a Windows file name are replaced by `_`.

use super::inspect::FileListRow;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RelocateError {
    #[error("the server reports no default {0} path (SERVERPROPERTY('InstanceDefault{0}Path') is NULL); pass explicit file moves")]
    NoDefaultPath(&'static str),
    #[error("file '{logical}' would be restored to '{physical}', which database '{database}' uses; pass explicit file moves or another target name")]
    InUse { logical: String, physical: String, database: String },
    #[error("two files of the backup would both be restored to '{0}'; pass explicit file moves")]
    Collision(String),
    #[error("the backup's file list is empty")]
    NoFiles,
}

/// A file of an existing database (`sys.master_files`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedFile {
    pub database: String,
    pub physical_name: String,
}

fn join(dir: &str, name: &str) -> String {
    let sep = if dir.contains('\\') || !dir.starts_with('/') { '\\' } else { '/' };
    if dir.ends_with('\\') || dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}{sep}{name}")
    }
}

fn safe_file_part(s: &str) -> String {
    s.chars()
        .map(|c| if matches!(c, '\\' | '/' | ':' | '*' | '?' | '"' | '<' | '>' | '|') || c.is_control() { '_' } else { c })
        .collect()
}

fn extension(physical: &str, default: &str) -> String {
    let file = physical.rsplit(['\\', '/']).next().unwrap_or("");
    match file.rfind('.') {
        Some(i) if i > 0 && i + 1 < file.len() => file[i + 1..].to_string(),
        _ => default.to_string(),
    }
}

/// Computes `(logical, physical)` moves for every file. `used` lists files of every database on
/// the server; files of `target` itself are allowed (REPLACE over it is the caller's choice).
pub fn relocate(
    files: &[FileListRow],
    target: &str,
    data_path: Option<&str>,
    log_path: Option<&str>,
    used: &[UsedFile],
) -> Result<Vec<(String, String)>, RelocateError> {
    if files.is_empty() {
        return Err(RelocateError::NoFiles);
    }
    let data_path = data_path.filter(|p| !p.trim().is_empty()).ok_or(RelocateError::NoDefaultPath("Data"))?;
    let log_path = log_path.filter(|p| !p.trim().is_empty()).ok_or(RelocateError::NoDefaultPath("Log"))?;
    let base = safe_file_part(target);
    let primary_id = files
        .iter()
        .filter(|f| !f.is_log())
        .map(|f| f.file_id)
        .min()
        .unwrap_or(-1);
    let first_log_id = files.iter().filter(|f| f.is_log()).map(|f| f.file_id).min().unwrap_or(-1);
    let mut out: Vec<(String, String)> = Vec::new();
    for f in files {
        let (dir, name) = if f.is_log() {
            let ext = extension(&f.physical_name, "ldf");
            if f.file_id == first_log_id {
                (log_path, format!("{base}_log.{ext}"))
            } else {
                (log_path, format!("{base}_{}.{ext}", safe_file_part(&f.logical_name)))
            }
        } else if f.file_id == primary_id {
            (data_path, format!("{base}.{}", extension(&f.physical_name, "mdf")))
        } else if f.file_type.eq_ignore_ascii_case("S") || f.file_type.eq_ignore_ascii_case("F") {
            // FILESTREAM / full-text containers are folders: no extension
            (data_path, format!("{base}_{}", safe_file_part(&f.logical_name)))
        } else {
            (data_path, format!("{base}_{}.{}", safe_file_part(&f.logical_name), extension(&f.physical_name, "ndf")))
        };
        let physical = join(dir, &name);
        if out.iter().any(|(_, p)| p.eq_ignore_ascii_case(&physical)) {
            return Err(RelocateError::Collision(physical));
        }
        if let Some(u) = used
            .iter()
            .find(|u| !u.database.eq_ignore_ascii_case(target) && u.physical_name.eq_ignore_ascii_case(&physical))
        {
            return Err(RelocateError::InUse { logical: f.logical_name.clone(), physical, database: u.database.clone() });
        }
        out.push((f.logical_name.clone(), physical));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(logical: &str, physical: &str, ty: &str, id: i64) -> FileListRow {
        FileListRow {
            logical_name: logical.into(),
            physical_name: physical.into(),
            file_type: ty.into(),
            file_group_name: None,
            size: 0,
            file_id: id,
        }
    }

    fn files() -> Vec<FileListRow> {
        vec![
            row("Sales", "D:\\old\\Sales.mdf", "D", 1),
            row("Sales_log", "E:\\old\\Sales_log.ldf", "L", 2),
            row("Sales_idx", "D:\\old\\Sales_idx.ndf", "D", 3),
        ]
    }

    #[test]
    fn maps_to_default_paths_with_target_name() {
        let m = relocate(&files(), "Sales_copy", Some("F:\\data\\"), Some("G:\\log"), &[]).unwrap();
        assert_eq!(
            m,
            vec![
                ("Sales".to_string(), "F:\\data\\Sales_copy.mdf".to_string()),
                ("Sales_log".to_string(), "G:\\log\\Sales_copy_log.ldf".to_string()),
                ("Sales_idx".to_string(), "F:\\data\\Sales_copy_Sales_idx.ndf".to_string()),
            ]
        );
    }

    #[test]
    fn linux_paths_and_odd_names() {
        let m = relocate(&files()[..2], "a:b/c", Some("/var/opt/mssql/data"), Some("/var/opt/mssql/log/"), &[]).unwrap();
        assert_eq!(m[0].1, "/var/opt/mssql/data/a_b_c.mdf");
        assert_eq!(m[1].1, "/var/opt/mssql/log/a_b_c_log.ldf");
    }

    #[test]
    fn never_onto_another_databases_file() {
        let used = vec![UsedFile { database: "Sales".into(), physical_name: "f:\\DATA\\Sales.mdf".into() }];
        let e = relocate(&files(), "Sales", Some("F:\\data\\"), Some("G:\\log\\"), &used);
        assert!(e.is_ok(), "the target's own files are fine");
        let used = vec![UsedFile { database: "Other".into(), physical_name: "f:\\DATA\\Sales_copy.mdf".into() }];
        let e = relocate(&files(), "Sales_copy", Some("F:\\data\\"), Some("G:\\log\\"), &used).unwrap_err();
        assert!(matches!(e, RelocateError::InUse { ref database, .. } if database == "Other"), "{e}");
    }

    #[test]
    fn missing_paths_and_empty_lists() {
        assert_eq!(relocate(&files(), "x", None, Some("G:\\"), &[]), Err(RelocateError::NoDefaultPath("Data")));
        assert_eq!(relocate(&files(), "x", Some("F:\\"), Some(""), &[]), Err(RelocateError::NoDefaultPath("Log")));
        assert_eq!(relocate(&[], "x", Some("F:\\"), Some("G:\\"), &[]), Err(RelocateError::NoFiles));
    }

    #[test]
    fn collisions_are_reported() {
        let f = vec![row("a", "x.ndf", "D", 1), row("b:", "y.ndf", "D", 2), row("b_", "z.ndf", "D", 3)];
        assert!(matches!(relocate(&f, "t", Some("F:\\"), Some("G:\\"), &[]), Err(RelocateError::Collision(_))));
    }
}
