//! `BACKUP DATABASE | LOG … TO URL` statements — pure builders, no I/O.
//!
//! Every identifier goes through [`quote_ident`] (`]` doubled) and every literal through
//! [`quote_nstr`] (`'` doubled, `N''`). Nothing here talks to a server; the unit tests below
//! pin the exact text.

use super::{quote_ident, quote_nstr};

/// Most URLs one BACKUP TO URL may name (SQL Server's striping limit).
pub const MAX_URLS: usize = 64;
/// Block-blob default recommended by Microsoft for BACKUP TO URL.
pub const DEFAULT_MAX_TRANSFER_SIZE: u32 = 4_194_304;
/// Block-blob default recommended by Microsoft for BACKUP TO URL.
pub const DEFAULT_BLOCK_SIZE: u32 = 65_536;
/// Largest MAXTRANSFERSIZE for Azure Blob Storage (block blobs): 4 MiB, a multiple of 65536
/// (backup-to-URL best practices). The 20 MiB figure belongs to the S3 connector only.
pub const MAX_MAX_TRANSFER_SIZE: u32 = 4 * 1_048_576;
/// Largest MAXTRANSFERSIZE for S3-compatible storage (`s3://` URLs): 20 MiB.
pub const MAX_MAX_TRANSFER_SIZE_S3: u32 = 20 * 1_048_576;

/// The largest MAXTRANSFERSIZE the storage behind these URLs takes: 4 MiB for Azure Blob
/// Storage (https), 20 MiB only when every URL is `s3://`.
pub fn max_transfer_size_limit(urls: &[String]) -> u32 {
    if !urls.is_empty() && urls.iter().all(|u| u.to_ascii_lowercase().starts_with("s3://")) {
        MAX_MAX_TRANSFER_SIZE_S3
    } else {
        MAX_MAX_TRANSFER_SIZE
    }
}

/// Which backup. In JSON: `full`, `differential`, `log` (a request may also say `database`,
/// `diff`, in any case).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum BackupKind {
    #[default]
    Full,
    Differential,
    Log,
}

impl BackupKind {
    /// The word used in file names and results: `full`, `differential`, `log`.
    pub fn as_str(self) -> &'static str {
        match self {
            BackupKind::Full => "full",
            BackupKind::Differential => "differential",
            BackupKind::Log => "log",
        }
    }

    /// Parses the request's `type` field.
    pub fn parse(s: &str) -> Result<Self, BackupSqlError> {
        match s.to_ascii_lowercase().as_str() {
            "full" | "database" => Ok(BackupKind::Full),
            "differential" | "diff" => Ok(BackupKind::Differential),
            "log" => Ok(BackupKind::Log),
            other => Err(BackupSqlError::UnknownType(other.to_string())),
        }
    }
}

impl serde::Serialize for BackupKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for BackupKind {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BackupKind::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// `ENCRYPTION (ALGORITHM = …, SERVER CERTIFICATE = …)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encryption {
    pub algorithm: String,
    pub server_certificate: String,
}

/// Everything one BACKUP statement needs.
#[derive(Debug, Clone, PartialEq)]
pub struct BackupSpec {
    pub database: String,
    pub kind: BackupKind,
    pub urls: Vec<String>,
    pub copy_only: bool,
    /// `None`: server default; `Some(true)`: COMPRESSION; `Some(false)`: NO_COMPRESSION.
    pub compression: Option<bool>,
    pub checksum: bool,
    /// `WITH FORMAT`: only when the caller asked to overwrite existing blobs.
    pub overwrite: bool,
    /// `STATS = n` (percent step), `None` to leave it out.
    pub stats: Option<u8>,
    pub max_transfer_size: u32,
    pub block_size: u32,
    pub description: Option<String>,
    pub name: Option<String>,
    pub encryption: Option<Encryption>,
}

impl BackupSpec {
    /// A spec with the block-blob defaults and nothing optional set.
    pub fn new(database: impl Into<String>, kind: BackupKind, urls: Vec<String>) -> Self {
        BackupSpec {
            database: database.into(),
            kind,
            urls,
            copy_only: false,
            compression: None,
            checksum: false,
            overwrite: false,
            stats: Some(10),
            max_transfer_size: DEFAULT_MAX_TRANSFER_SIZE,
            block_size: DEFAULT_BLOCK_SIZE,
            description: None,
            name: None,
            encryption: None,
        }
    }
}

/// Why a BACKUP statement could not be built. Each message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupSqlError {
    #[error("unknown backup type '{0}': use full, differential or log")]
    UnknownType(String),
    #[error("the database name is empty")]
    EmptyDatabase,
    #[error("a backup needs between 1 and {MAX_URLS} URLs; {0} were given")]
    UrlCount(usize),
    #[error("URL '{0}' is not an https:// blob URL (or s3:// endpoint)")]
    BadUrl(String),
    #[error("URL '{0}' appears more than once; every stripe needs its own blob")]
    DuplicateUrl(String),
    #[error("URL '{0}' carries a query string; put SAS tokens in a credential, not in the URL")]
    UrlWithQuery(String),
    #[error("block_size {0} is not one of 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536")]
    BlockSize(u32),
    #[error("max_transfer_size {value} must be a multiple of 65536 between 65536 and {max}{}", if *max == MAX_MAX_TRANSFER_SIZE { " (4 MB: the most SQL Server writes per block to Azure Blob Storage)" } else { " (20 MB: the most for S3-compatible storage)" })]
    MaxTransferSize { value: u32, max: u32 },
    #[error("STATS must be between 1 and 100; got {0}")]
    Stats(u8),
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("encryption algorithm '{0}' is not one of AES_128, AES_192, AES_256, TRIPLE_DES_3KEY")]
    Algorithm(String),
    #[error("encryption needs a server certificate name")]
    EmptyCertificate,
    #[error("COPY_ONLY cannot be combined with a differential backup")]
    CopyOnlyDifferential,
}

const ALGORITHMS: [&str; 4] = ["AES_128", "AES_192", "AES_256", "TRIPLE_DES_3KEY"];

/// Checks one destination URL with [`crate::url::validate_blob_url`] (https or s3, no query
/// string, a host and a path), naming the problem in this builder's error.
pub fn validate_url(url: &str) -> Result<(), BackupSqlError> {
    crate::url::validate_blob_url(url).map_err(|e| match e {
        crate::url::BlobUrlError::BadUrl(u) => BackupSqlError::BadUrl(u),
        crate::url::BlobUrlError::WithQuery(u) => BackupSqlError::UrlWithQuery(u),
    })
}

/// Validates the spec; `build_backup` calls it, the operation calls it before connecting.
pub fn validate(spec: &BackupSpec) -> Result<(), BackupSqlError> {
    if spec.database.trim().is_empty() {
        return Err(BackupSqlError::EmptyDatabase);
    }
    if spec.urls.is_empty() || spec.urls.len() > MAX_URLS {
        return Err(BackupSqlError::UrlCount(spec.urls.len()));
    }
    for (i, u) in spec.urls.iter().enumerate() {
        validate_url(u)?;
        if spec.urls[..i].iter().any(|p| p.eq_ignore_ascii_case(u)) {
            return Err(BackupSqlError::DuplicateUrl(u.clone()));
        }
    }
    if !(512..=65_536).contains(&spec.block_size) || !spec.block_size.is_power_of_two() {
        return Err(BackupSqlError::BlockSize(spec.block_size));
    }
    let max = max_transfer_size_limit(&spec.urls);
    if spec.max_transfer_size < 65_536 || spec.max_transfer_size > max || !spec.max_transfer_size.is_multiple_of(65_536) {
        return Err(BackupSqlError::MaxTransferSize { value: spec.max_transfer_size, max });
    }
    if let Some(s) = spec.stats {
        if s == 0 || s > 100 {
            return Err(BackupSqlError::Stats(s));
        }
    }
    if let Some(d) = &spec.description {
        if d.chars().count() > 255 {
            return Err(BackupSqlError::TooLong { field: "description", max: 255 });
        }
    }
    if let Some(n) = &spec.name {
        if n.chars().count() > 128 {
            return Err(BackupSqlError::TooLong { field: "name", max: 128 });
        }
    }
    if let Some(e) = &spec.encryption {
        if !ALGORITHMS.contains(&e.algorithm.to_ascii_uppercase().as_str()) {
            return Err(BackupSqlError::Algorithm(e.algorithm.clone()));
        }
        if e.server_certificate.trim().is_empty() {
            return Err(BackupSqlError::EmptyCertificate);
        }
    }
    if spec.copy_only && spec.kind == BackupKind::Differential {
        return Err(BackupSqlError::CopyOnlyDifferential);
    }
    Ok(())
}

/// Builds the statement, e.g.
/// `BACKUP DATABASE [Sales] TO URL = N'https://…/a.bak' WITH CHECKSUM, STATS = 10, MAXTRANSFERSIZE = 4194304, BLOCKSIZE = 65536`.
pub fn build_backup(spec: &BackupSpec) -> Result<String, BackupSqlError> {
    validate(spec)?;
    let verb = match spec.kind {
        BackupKind::Log => "BACKUP LOG",
        _ => "BACKUP DATABASE",
    };
    let urls = spec
        .urls
        .iter()
        .map(|u| format!("URL = {}", quote_nstr(u)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut with: Vec<String> = Vec::new();
    if spec.kind == BackupKind::Differential {
        with.push("DIFFERENTIAL".into());
    }
    if spec.copy_only {
        with.push("COPY_ONLY".into());
    }
    match spec.compression {
        Some(true) => with.push("COMPRESSION".into()),
        Some(false) => with.push("NO_COMPRESSION".into()),
        None => {}
    }
    with.push(if spec.checksum { "CHECKSUM" } else { "NO_CHECKSUM" }.into());
    if spec.overwrite {
        with.push("FORMAT".into());
    }
    if let Some(d) = &spec.description {
        with.push(format!("DESCRIPTION = {}", quote_nstr(d)));
    }
    if let Some(n) = &spec.name {
        with.push(format!("NAME = {}", quote_nstr(n)));
    }
    if let Some(e) = &spec.encryption {
        with.push(format!(
            "ENCRYPTION (ALGORITHM = {}, SERVER CERTIFICATE = {})",
            e.algorithm.to_ascii_uppercase(),
            quote_ident(&e.server_certificate)
        ));
    }
    if let Some(s) = spec.stats {
        with.push(format!("STATS = {s}"));
    }
    with.push(format!("MAXTRANSFERSIZE = {}", spec.max_transfer_size));
    with.push(format!("BLOCKSIZE = {}", spec.block_size));
    Ok(format!(
        "{verb} {} TO {urls} WITH {}",
        quote_ident(&spec.database),
        with.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(kind: BackupKind) -> BackupSpec {
        BackupSpec::new("Sales", kind, vec!["https://acct.blob.core.windows.net/c/Sales.bak".into()])
    }

    #[test]
    fn full_backup_has_block_blob_defaults() {
        let s = build_backup(&spec(BackupKind::Full)).unwrap();
        assert_eq!(
            s,
            "BACKUP DATABASE [Sales] TO URL = N'https://acct.blob.core.windows.net/c/Sales.bak' \
             WITH NO_CHECKSUM, STATS = 10, MAXTRANSFERSIZE = 4194304, BLOCKSIZE = 65536"
        );
    }

    #[test]
    fn every_option_appears_once_in_order() {
        let mut sp = spec(BackupKind::Differential);
        sp.compression = Some(true);
        sp.checksum = true;
        sp.overwrite = true;
        sp.description = Some("nightly 'diff'".into());
        sp.name = Some("Sales diff".into());
        sp.encryption = Some(Encryption { algorithm: "aes_256".into(), server_certificate: "Backup]Cert".into() });
        sp.urls.push("https://acct.blob.core.windows.net/c/Sales_2.bak".into());
        let s = build_backup(&sp).unwrap();
        assert_eq!(
            s,
            "BACKUP DATABASE [Sales] TO URL = N'https://acct.blob.core.windows.net/c/Sales.bak', \
             URL = N'https://acct.blob.core.windows.net/c/Sales_2.bak' WITH DIFFERENTIAL, COMPRESSION, CHECKSUM, FORMAT, \
             DESCRIPTION = N'nightly ''diff''', NAME = N'Sales diff', \
             ENCRYPTION (ALGORITHM = AES_256, SERVER CERTIFICATE = [Backup]]Cert]), STATS = 10, \
             MAXTRANSFERSIZE = 4194304, BLOCKSIZE = 65536"
        );
    }

    #[test]
    fn log_copy_only_no_compression() {
        let mut sp = spec(BackupKind::Log);
        sp.copy_only = true;
        sp.compression = Some(false);
        sp.stats = None;
        sp.max_transfer_size = 1_048_576;
        sp.block_size = 512;
        let s = build_backup(&sp).unwrap();
        assert!(s.starts_with("BACKUP LOG [Sales] TO URL = "), "{s}");
        assert!(s.ends_with("WITH COPY_ONLY, NO_COMPRESSION, NO_CHECKSUM, MAXTRANSFERSIZE = 1048576, BLOCKSIZE = 512"), "{s}");
        assert!(!s.contains("FORMAT"));
    }

    #[test]
    fn identifiers_and_urls_are_quoted() {
        let mut sp = spec(BackupKind::Full);
        sp.database = "we]ird'db".into();
        sp.urls = vec!["https://acct.blob.core.windows.net/c/o'brien.bak".into()];
        let s = build_backup(&sp).unwrap();
        assert!(s.starts_with("BACKUP DATABASE [we]]ird'db] TO URL = N'https://acct.blob.core.windows.net/c/o''brien.bak'"), "{s}");
    }

    #[test]
    fn bad_input_is_rejected_with_a_specific_error() {
        let mut sp = spec(BackupKind::Full);
        sp.urls = vec![];
        assert_eq!(build_backup(&sp), Err(BackupSqlError::UrlCount(0)));
        sp.urls = (0..65).map(|i| format!("https://a.blob.core.windows.net/c/{i}.bak")).collect();
        assert_eq!(build_backup(&sp), Err(BackupSqlError::UrlCount(65)));
        sp.urls = vec!["http://a.blob.core.windows.net/c/x.bak".into()];
        assert!(matches!(build_backup(&sp), Err(BackupSqlError::BadUrl(_))));
        sp.urls = vec!["https://a.blob.core.windows.net/c/x.bak?sv=2022&sig=SECRET".into()];
        let e = build_backup(&sp).unwrap_err();
        assert!(!e.to_string().contains("SECRET"), "{e}");
        for bad in ["http://a.blob.core.windows.net/c/x.bak?sig=SECRET", "https://a.blob.core.windows.net?sig=SECRET", "https://a?sig=SECRET/"] {
            sp.urls = vec![bad.into()];
            let e = build_backup(&sp).unwrap_err();
            assert!(matches!(e, BackupSqlError::BadUrl(_)) && !e.to_string().contains("SECRET"), "{e}");
        }
        sp.urls = vec!["https://a.blob.core.windows.net/c/x.bak".into(), "https://a.blob.core.windows.net/c/X.bak".into()];
        assert!(matches!(build_backup(&sp), Err(BackupSqlError::DuplicateUrl(_))));
        let mut sp = spec(BackupKind::Full);
        sp.block_size = 1000;
        assert_eq!(build_backup(&sp), Err(BackupSqlError::BlockSize(1000)));
        let mut sp = spec(BackupKind::Full);
        sp.max_transfer_size = 100_000;
        assert_eq!(build_backup(&sp), Err(BackupSqlError::MaxTransferSize { value: 100_000, max: 4_194_304 }));
        let mut sp = spec(BackupKind::Full);
        sp.encryption = Some(Encryption { algorithm: "DES".into(), server_certificate: "c".into() });
        assert_eq!(build_backup(&sp), Err(BackupSqlError::Algorithm("DES".into())));
        let mut sp = spec(BackupKind::Differential);
        sp.copy_only = true;
        assert_eq!(build_backup(&sp), Err(BackupSqlError::CopyOnlyDifferential));
        let mut sp = spec(BackupKind::Full);
        sp.database = " ".into();
        assert_eq!(build_backup(&sp), Err(BackupSqlError::EmptyDatabase));
    }

    #[test]
    fn max_transfer_size_is_at_most_4_mb_for_azure_blob() {
        let mut sp = spec(BackupKind::Full);
        sp.max_transfer_size = 4_194_304;
        assert!(build_backup(&sp).is_ok());
        for too_big in [4_194_304 + 65_536, 8_388_608, 20_971_520] {
            sp.max_transfer_size = too_big;
            let e = build_backup(&sp).unwrap_err();
            assert_eq!(e, BackupSqlError::MaxTransferSize { value: too_big, max: 4_194_304 });
            let text = e.to_string();
            assert!(text.contains("and 4194304") && text.contains("Azure Blob Storage") && !text.contains("and 20971520"), "{text}");
        }
        // one https URL among s3 URLs keeps the Azure limit; all-s3 takes 20 MB
        sp.max_transfer_size = 8_388_608;
        sp.urls = vec!["s3://s3.example.com:9000/bucket/Sales.bak".into()];
        assert!(build_backup(&sp).is_ok());
        sp.urls.push("https://acct.blob.core.windows.net/c/Sales_2.bak".into());
        assert!(matches!(build_backup(&sp), Err(BackupSqlError::MaxTransferSize { max: 4_194_304, .. })));
        sp.urls = vec!["s3://s3.example.com:9000/bucket/Sales.bak".into()];
        sp.max_transfer_size = 20_971_520 + 65_536;
        assert!(build_backup(&sp).unwrap_err().to_string().contains("20971520"));
    }

    #[test]
    fn kind_parses() {
        assert_eq!(BackupKind::parse("FULL").unwrap(), BackupKind::Full);
        assert_eq!(BackupKind::parse("diff").unwrap(), BackupKind::Differential);
        assert!(BackupKind::parse("incremental").is_err());
    }
}
