//! Storage failures as the library's typed errors. The message names the operation, the
//! container and — for a missing permission — the role that grants it. SAS tokens and access
//! tokens never appear (the texts are redacted before they are used).

use crate::errors::{Error, ErrorKind};

/// What the caller was doing (decides the role a 403 names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageOp {
    List,
    ReadMetadata,
    WriteMetadata,
    Delete,
}

impl StorageOp {
    fn verb(self) -> &'static str {
        match self {
            StorageOp::List => "list the blobs of",
            StorageOp::ReadMetadata => "read blob properties in",
            StorageOp::WriteMetadata => "set blob metadata in",
            StorageOp::Delete => "delete blobs from",
        }
    }

    /// The built-in role that grants the operation.
    pub fn role(self) -> &'static str {
        match self {
            StorageOp::List | StorageOp::ReadMetadata => "Storage Blob Data Reader",
            StorageOp::WriteMetadata | StorageOp::Delete => "Storage Blob Data Contributor",
        }
    }

    /// The SAS permissions the operation needs.
    pub fn sas_permissions(self) -> &'static str {
        match self {
            StorageOp::List => "l (list) and r (read)",
            StorageOp::ReadMetadata => "r (read)",
            StorageOp::WriteMetadata => "w (write)",
            StorageOp::Delete => "d (delete)",
        }
    }
}

/// Removes anything that could be a secret from a text: query strings (a SAS) after `?`, and
/// `sig=` values anywhere.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '?' {
            // a query string: keep nothing of it up to the next white space or quote
            let mut skipped = false;
            while let Some(&n) = chars.peek() {
                if n.is_whitespace() || n == '"' || n == '\'' || n == ')' {
                    break;
                }
                chars.next();
                skipped = true;
            }
            if skipped {
                out.push_str("***");
            }
        }
    }
    // `sig=` outside a query string (e.g. in a quoted header)
    while let Some(i) = out.find("sig=") {
        let end = out[i..].find(|c: char| c == '&' || c.is_whitespace() || c == '"').map(|e| i + e).unwrap_or(out.len());
        out.replace_range(i..end, "sig***");
    }
    out
}

/// Classifies a client error. `auth_kind` says which credential was used, for the remedy.
pub fn classify(e: &azure_core::Error, op: StorageOp, container_url: &str, using_sas: bool) -> Error {
    let status = e.http_status().map(u16::from);
    let code = error_code(e);
    let detail = redact(&e.to_string());
    let what = format!("Could not {} the container {container_url}", op.verb());
    let (kind, message) = match status {
        Some(401) | Some(403) => {
            let remedy = if using_sas {
                format!("the SAS does not allow it (it needs {}) or has expired", op.sas_permissions())
            } else {
                format!(
                    "the identity lacks the {} role on the storage account or container (role assignments can take a few minutes to apply), or the storage firewall blocks this network",
                    op.role()
                )
            };
            (ErrorKind::StorageAccessDenied, format!("{what}: access denied ({}): {remedy}.", code.as_deref().unwrap_or("403")))
        }
        Some(404) => (ErrorKind::BackupBlobNotFound, format!("{what}: not found ({}): check the container name and the storage account.", code.as_deref().unwrap_or("404"))),
        Some(409) | Some(412) if code.as_deref().is_some_and(|c| c.to_ascii_lowercase().contains("lease")) => {
            (ErrorKind::BlobLeased, format!("{what}: the blob is under an active lease ({}): a backup may still be writing it.", code.as_deref().unwrap_or("412")))
        }
        Some(s) if s >= 500 => (ErrorKind::StorageUnreachable, format!("{what}: the storage service answered {s} ({detail}); try again later.")),
        Some(s) => (ErrorKind::BackupDeviceError, format!("{what}: the storage service answered {s}: {detail}")),
        None => (
            ErrorKind::StorageUnreachable,
            format!("{what}: the storage endpoint could not be reached ({detail}): check name resolution, the network path (private endpoint, firewall, proxy) and TLS trust."),
        ),
    };
    Error::Precondition { kind, message }
}

/// The `x-ms-error-code` of a storage error, when the client kept it.
fn error_code(e: &azure_core::Error) -> Option<String> {
    if let azure_core::error::ErrorKind::HttpResponse { error_code, .. } = e.kind() {
        return error_code.clone();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction() {
        assert_eq!(redact("GET https://a/c?sv=1&sig=SECRET failed"), "GET https://a/c?*** failed");
        assert_eq!(redact("header \"sig=SECRET\""), "header \"sig***\"");
        assert_eq!(redact("what?"), "what?");
        assert!(!redact("x https://a/c?restype=container&comp=list&sig=abc%2Bdef y").contains("abc"));
    }

    #[test]
    fn roles_by_operation() {
        assert_eq!(StorageOp::List.role(), "Storage Blob Data Reader");
        assert_eq!(StorageOp::Delete.role(), "Storage Blob Data Contributor");
        assert!(StorageOp::Delete.sas_permissions().contains('d'));
    }
}
