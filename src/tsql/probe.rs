//! T-SQL of the deep readiness check's probe (issue 18): a COPY_ONLY backup of `model` (it never
//! touches any backup chain) to a scratch blob, and its RESTORE VERIFYONLY. Pure builders.

use super::{quote_ident, quote_nstr, Sql};

/// The scratch blob's folder under the container: nobody mistakes it for a real backup.
pub const PROBE_PREFIX: &str = "sqlurl-probe/";

/// `<container>/sqlurl-probe/<id>.bak`.
pub fn probe_blob_url(container_url: &str, id: &uuid::Uuid) -> String {
    format!("{}/{PROBE_PREFIX}{}.bak", container_url.trim_end_matches('/'), id.simple())
}

/// `BACKUP DATABASE [model] TO URL = N'…' WITH COPY_ONLY, CHECKSUM, FORMAT`.
pub fn probe_backup(url: &str) -> Sql {
    Sql::plain(format!("BACKUP DATABASE {} TO URL = {} WITH COPY_ONLY, CHECKSUM, FORMAT", quote_ident("model"), quote_nstr(url)))
}

/// `RESTORE VERIFYONLY FROM URL = N'…' WITH CHECKSUM`.
pub fn probe_verify(url: &str) -> Sql {
    Sql::plain(format!("RESTORE VERIFYONLY FROM URL = {} WITH CHECKSUM", quote_nstr(url)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_statements_quote_the_url() {
        let id = uuid::Uuid::from_u128(0x1234);
        let u = probe_blob_url("https://acct.blob.core.windows.net/c/", &id);
        assert_eq!(u, "https://acct.blob.core.windows.net/c/sqlurl-probe/00000000000000000000000000001234.bak");
        assert_eq!(
            probe_backup(&u).text(),
            "BACKUP DATABASE [model] TO URL = N'https://acct.blob.core.windows.net/c/sqlurl-probe/00000000000000000000000000001234.bak' WITH COPY_ONLY, CHECKSUM, FORMAT"
        );
        assert_eq!(probe_verify("https://a/c/x'y.bak").text(), "RESTORE VERIFYONLY FROM URL = N'https://a/c/x''y.bak' WITH CHECKSUM");
    }
}
