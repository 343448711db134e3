//! Container URL and SAS validation, before anything is sent to the server.
//!
//! SQL Server matches a credential to a backup URL by the container URL, case sensitively, so a
//! credential named with a trailing `/`, an upper-case account or a blob path never matches.
//! Validation is by hand (not a URL parser): parsers lower-case host names, which would hide
//! exactly the mistake we must report.

use crate::errors::{Error, Result};

/// What kind of storage a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlKind {
    /// `https://<account>.blob.core.windows.net/<container>` (or another host: sovereign clouds,
    /// private endpoints, emulators).
    AzureBlob,
    /// `s3://<endpoint>[:port]/<bucket>` (SQL Server 2022 S3-compatible storage).
    S3,
}

/// A validated container URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerUrl {
    pub url: String,
    pub kind: UrlKind,
    /// The host (for Azure: `<account>.blob.core.windows.net`).
    pub host: String,
    /// Container (Azure) or bucket (S3).
    pub container: String,
}

/// Validate a container URL: `https` only (or `s3://`), no trailing `/`, exactly one path segment
/// (no blob path), no query or fragment. The scheme and the host are case-insensitive and are
/// returned in lower case (`url` is the normalised form: the credential is named exactly as the
/// URL BACKUP uses, see [`normalise_blob_url`]); an Azure container name must already be lower
/// case (Azure's naming rule), and an upper-case one is refused with the rule in the message.
pub fn parse_container_url(url: &str) -> Result<ContainerUrl> {
    let bad = |why: &str| Error::InvalidUrl(format!("'{}' is not a valid container URL: {why}", shown_url(url)));
    if url.trim() != url {
        return Err(bad("it has leading or trailing white space"));
    }
    let normalised = normalise_blob_url(url);
    let (kind, rest) = if let Some(r) = normalised.strip_prefix("https://") {
        (UrlKind::AzureBlob, r)
    } else if let Some(r) = normalised.strip_prefix("s3://") {
        (UrlKind::S3, r)
    } else if url.to_ascii_lowercase().starts_with("http://") {
        return Err(bad("only https is supported (SQL Server backs up to URL over https)"));
    } else {
        return Err(bad("it must start with https:// (Azure Blob Storage) or s3:// (S3-compatible storage)"));
    };
    if url.contains('?') || url.contains('#') {
        return Err(bad("it must not carry a query string or fragment; pass a SAS token as the secret, not in the URL"));
    }
    if url.ends_with('/') {
        return Err(bad("it must not end with '/' (the credential name must equal the container URL exactly)"));
    }
    let Some((host, path)) = rest.split_once('/') else {
        return Err(bad(if kind == UrlKind::S3 { "it names no bucket" } else { "it names no container" }));
    };
    if host.is_empty() {
        return Err(bad("it names no host"));
    }
    if host.chars().any(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))) {
        return Err(bad("the host contains characters that are not allowed"));
    }
    if path.is_empty() {
        return Err(bad("it names no container"));
    }
    if path.contains('/') {
        return Err(bad("it must be the container URL, without a blob path (the part after the container)"));
    }
    if kind == UrlKind::AzureBlob {
        validate_container_name(path).map_err(|why| bad(&why))?;
    }
    Ok(ContainerUrl { url: normalised.clone(), kind, host: host.to_string(), container: path.to_string() })
}

/// A blob or container URL with its scheme and host in lower case (both are case-insensitive;
/// SQL Server matches the credential name to the URL as text, so both must be written the same
/// way). The path (container and blob name) is left exactly as given: blob names are case
/// sensitive. A text that is not `scheme://host...` comes back unchanged.
pub fn normalise_blob_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let after = scheme_end + 3;
    let host_end = url[after..].find(['/', '?', '#']).map(|i| after + i).unwrap_or(url.len());
    format!("{}{}", url[..host_end].to_ascii_lowercase(), &url[host_end..])
}

/// Azure's rule for container names ("Naming and Referencing Containers, Blobs, and Metadata").
pub const AZURE_CONTAINER_RULE: &str = "Azure container names are 3-63 characters of lower-case letters, digits and '-', start with a letter or digit, and every '-' stands between letters or digits";

/// Azure container names: 3–63 characters, lower-case letters, digits and single '-', starting
/// and ending with a letter or digit (`$root` and `$web` are allowed).
fn validate_container_name(c: &str) -> std::result::Result<(), String> {
    if c == "$root" || c == "$web" {
        return Ok(());
    }
    if c.chars().any(|ch| ch.is_ascii_uppercase()) {
        return Err(format!(
            "the container name '{}' has upper-case letters: container names must be lower case ({AZURE_CONTAINER_RULE}); use '{}' if that container is meant",
            shown_url(c),
            shown_url(&c.to_ascii_lowercase())
        ));
    }
    let ok_chars = c.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-');
    if !(3..=63).contains(&c.len()) || !ok_chars || c.starts_with('-') || c.ends_with('-') || c.contains("--") {
        return Err(format!("the container name '{}' is not valid ({AZURE_CONTAINER_RULE})", shown_url(c)));
    }
    Ok(())
}

/// Normalise a SAS token: strip one leading `?` (SQL Server rejects it with OS error 50) and
/// report that as a warning. An empty token or one that does not look like a SAS is an error.
/// The token itself never appears in the error.
pub fn normalise_sas(sas: &str) -> Result<(String, Option<String>)> {
    let (token, warning) = match sas.strip_prefix('?') {
        Some(rest) => (rest.to_string(), Some("The SAS token started with '?'; the leading '?' was removed.".to_string())),
        None => (sas.to_string(), None),
    };
    if token.trim().is_empty() {
        return Err(Error::invalid("The SAS token is empty."));
    }
    if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::invalid("The SAS token contains white space or control characters."));
    }
    if !token.contains("sig=") {
        return Err(Error::invalid("The secret does not look like a SAS token (no 'sig=' parameter)."));
    }
    Ok((token, warning))
}

/// The container URL part of a blob URL: `https://a.blob.core.windows.net/c/x/y.bak` →
/// `https://a.blob.core.windows.net/c`. `None` when the URL has no container.
pub fn container_of(blob_url: &str) -> Option<&str> {
    let scheme_end = blob_url.find("://")? + 3;
    let host_end = scheme_end + blob_url[scheme_end..].find('/')?;
    let rest = &blob_url[host_end + 1..];
    let cont_len = rest.find(['/', '?']).unwrap_or(rest.len());
    if cont_len == 0 {
        return None;
    }
    Some(&blob_url[..host_end + 1 + cont_len])
}

/// Why a backup destination (blob) URL was refused; the URL is shown with its query masked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobUrlError {
    /// Not `https://` / `s3://`, no host or path, a trailing `/`, white space or control characters.
    BadUrl(String),
    /// It carries a query string or fragment (perhaps a SAS token).
    WithQuery(String),
}

/// `host/path` after an `https://` or `s3://` scheme (any case), or `None`.
fn after_scheme(url: &str) -> Option<&str> {
    let lower = url.chars().take(8).collect::<String>().to_ascii_lowercase();
    if lower.starts_with("https://") {
        Some(&url[8..])
    } else if lower.starts_with("s3://") {
        Some(&url[5..])
    } else {
        None
    }
}

/// Checks one backup destination (a blob URL): https (or s3), a host and a path, no query
/// string, no white space. (Moved from `tsql::backup::validate_url`.)
pub fn validate_blob_url(url: &str) -> std::result::Result<(), BlobUrlError> {
    let bad = || BlobUrlError::BadUrl(shown_url(url));
    let rest = after_scheme(url).ok_or_else(bad)?;
    // host + at least one path segment (container/blob)
    let slash = rest.find('/').ok_or_else(bad)?;
    if slash == 0 || rest[slash + 1..].is_empty() || url.ends_with('/') {
        return Err(bad());
    }
    if url.contains('?') || url.contains('#') {
        return Err(BlobUrlError::WithQuery(redact_query(url)));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad());
    }
    Ok(())
}

/// Why the container URL of a backup destination was refused; the URL as an error may show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DestinationError {
    /// Not `https://` / `s3://` + host + container, or it carries a query or fragment.
    Bad(String),
    /// An Azure container name with upper-case letters.
    UpperCaseContainer(String),
}

/// Checks and normalises the container URL of a backup destination: drops a trailing `/`,
/// writes the scheme and host in lower case (as the credential is named, see
/// [`parse_container_url`]) and refuses an upper-case Azure container name. (Moved from
/// `ops::naming::normalize_container`.)
pub fn normalize_container(url: &str) -> std::result::Result<String, DestinationError> {
    let u = normalise_blob_url(url.trim().trim_end_matches('/'));
    let bad = || DestinationError::Bad(shown_url(url));
    let rest = u.strip_prefix("https://").or_else(|| u.strip_prefix("s3://")).ok_or_else(bad)?;
    if u.contains('?') || u.contains('#') {
        return Err(bad());
    }
    match rest.find('/') {
        Some(i) if i > 0 && !rest[i + 1..].is_empty() => {
            let container = rest[i + 1..].split('/').next().unwrap_or_default();
            if u.starts_with("https://") && container.chars().any(|c| c.is_ascii_uppercase()) {
                return Err(DestinationError::UpperCaseContainer(shown_url(url)));
            }
            Ok(u)
        }
        _ => Err(bad()),
    }
}

/// Replaces a query string (possibly a SAS token) by `?***` so it never reaches a message.
/// (Moved from `tsql::backup`.)
pub fn redact_query(url: &str) -> String {
    match url.find('?') {
        Some(i) => format!("{}?***", &url[..i]),
        None => url.to_string(),
    }
}

/// A URL as an error may show it: a query string (perhaps a SAS token) replaced by `?***`,
/// control characters replaced, length bounded.
pub fn shown_url(url: &str) -> String {
    let s = redact_query(url);
    let mut out: String = s.chars().take(300).map(|c| if c.is_control() { '?' } else { c }).collect();
    if s.chars().count() > 300 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(url: &str) -> String {
        match parse_container_url(url) {
            Err(Error::InvalidUrl(m)) => m,
            other => panic!("expected InvalidUrl for {url}, got {other:?}"),
        }
    }

    #[test]
    fn accepts_container_urls() {
        let u = parse_container_url("https://acct.blob.core.windows.net/backups").unwrap();
        assert_eq!(u.kind, UrlKind::AzureBlob);
        assert_eq!(u.host, "acct.blob.core.windows.net");
        assert_eq!(u.container, "backups");
        let s = parse_container_url("s3://minio.local:9000/Bucket_1").unwrap();
        assert_eq!(s.kind, UrlKind::S3);
        assert_eq!(s.container, "Bucket_1");
        assert!(parse_container_url("https://acct.blob.core.windows.net/$root").is_ok());
    }

    #[test]
    fn scheme_and_host_are_normalised_to_lower_case_the_path_is_kept() {
        let u = parse_container_url("HTTPS://MyAcct.Blob.Core.Windows.NET/backups").unwrap();
        assert_eq!(u.url, "https://myacct.blob.core.windows.net/backups");
        assert_eq!(u.host, "myacct.blob.core.windows.net");
        assert_eq!(normalise_blob_url("https://ACCT.blob.core.windows.net/c/Sales/Sales_FULL.bak"), "https://acct.blob.core.windows.net/c/Sales/Sales_FULL.bak");
        assert_eq!(normalise_blob_url("s3://MinIO.local:9000/Bucket/X.bak"), "s3://minio.local:9000/Bucket/X.bak");
        assert_eq!(normalise_blob_url("https://ACCT.blob.core.windows.net"), "https://acct.blob.core.windows.net");
        assert_eq!(normalise_blob_url("not a url"), "not a url");
    }

    #[test]
    fn rejects_bad_urls_with_specific_reasons() {
        assert!(err("http://acct.blob.core.windows.net/c1").contains("only https"));
        assert!(err("https://acct.blob.core.windows.net/backups/").contains("must not end with '/'"));
        assert!(err("https://acct.blob.core.windows.net/backups/x.bak").contains("blob path"));
        let m = err("https://acct.blob.core.windows.net/Backups");
        assert!(m.contains("lower case") && m.contains("3-63") && m.contains("'backups'"), "{m}");
        assert!(err("https://acct.blob.core.windows.net").contains("no container"));
        assert!(err("https://acct.blob.core.windows.net/backups?sv=1&sig=x").contains("query"));
        assert!(err("ftp://x/y").contains("must start with"));
        assert!(err(" https://acct.blob.core.windows.net/backups").contains("white space"));
        assert!(err("https://acct.blob.core.windows.net/a]b").contains("container name"));
    }

    #[test]
    fn errors_never_show_a_sas_in_the_url() {
        for url in [
            "https://acct.blob.core.windows.net/backups?sv=1&sig=TopSecretSig",
            "http://acct.blob.core.windows.net/backups?sig=TopSecretSig",
            " https://acct.blob.core.windows.net/b?sig=TopSecretSig",
            "https://acct.blob.core.windows.net?sig=TopSecretSig",
        ] {
            let m = err(url);
            assert!(!m.contains("TopSecretSig") && m.contains("?***"), "{m}");
        }
        assert_eq!(shown_url("https://a/c?sig=x\n"), "https://a/c?***");
        assert_eq!(shown_url("https://a/c\u{1}"), "https://a/c?");
    }

    #[test]
    fn sas_leading_question_mark_is_stripped_with_a_warning() {
        let (t, w) = normalise_sas("?sv=2022-11-02&sig=abc").unwrap();
        assert_eq!(t, "sv=2022-11-02&sig=abc");
        assert!(w.unwrap().contains("leading '?'"));
        let (t, w) = normalise_sas("sv=2022-11-02&sig=abc").unwrap();
        assert_eq!(t, "sv=2022-11-02&sig=abc");
        assert!(w.is_none());
        assert!(normalise_sas("?").is_err());
        let e = normalise_sas("hunter2").unwrap_err().to_string();
        assert!(!e.contains("hunter2"));
    }

    #[test]
    fn blob_urls_and_destination_containers() {
        assert_eq!(validate_blob_url("HTTPS://a.blob.core.windows.net/c/x.bak"), Ok(()));
        assert_eq!(validate_blob_url("s3://m:9000/b/x"), Ok(()));
        assert!(matches!(validate_blob_url("s3://x"), Err(BlobUrlError::BadUrl(_))));
        assert!(matches!(validate_blob_url("https://ü"), Err(BlobUrlError::BadUrl(_))));
        assert_eq!(validate_blob_url("https://a/c/x?sig=S"), Err(BlobUrlError::WithQuery("https://a/c/x?***".into())));
        assert_eq!(normalize_container(" https://a.blob.core.windows.net/c// "), Ok("https://a.blob.core.windows.net/c".into()));
        assert_eq!(normalize_container("https://a/c?sig=S"), Err(DestinationError::Bad("https://a/c?***".into())));
    }

    #[test]
    fn container_of_blob_url() {
        assert_eq!(container_of("https://a.blob.core.windows.net/c/x/y.bak"), Some("https://a.blob.core.windows.net/c"));
        assert_eq!(container_of("https://a.blob.core.windows.net/c"), Some("https://a.blob.core.windows.net/c"));
        assert_eq!(container_of("https://a.blob.core.windows.net/"), None);
    }
}
