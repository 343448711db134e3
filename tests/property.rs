//! Property tests (issue 14), with proptest:
//! - every identifier and literal the T-SQL builders quote comes back exactly through the
//!   simulator's own lexer and parser, as exactly one statement, whatever the text;
//! - the JSON request parser never panics, and every rejection is `InvalidArgument`.
#![cfg(not(windows))]

use proptest::prelude::*;
use sqlsim::sql::lexer::{split_statements, tokenize};
use sqlsim::sql::parse::{parse, Stmt};

/// The statement the simulator reads from `text`; fails unless it is exactly one.
fn one_statement(text: &str) -> Result<Stmt, TestCaseError> {
    let tokens = tokenize(text).map_err(|e| TestCaseError::fail(format!("lexer refused {text:?}: {e:?}")))?;
    let stmts = split_statements(text, &tokens);
    prop_assert_eq!(stmts.len(), 1, "{:?} is {} statements", text, stmts.len());
    parse(&stmts[0]).map_err(|e| TestCaseError::fail(format!("parser refused {text:?}: {e:?}")))
}

/// Names: any characters except NUL (SQL Server's sysname cannot hold it; the library refuses
/// control characters before quoting), weighted toward the quoting characters.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\]\\['\";\\-/*N ]{1,40}",
        "[^\\x00]{1,128}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn a_quoted_identifier_is_one_statement_naming_exactly_it(n in name()) {
        let sql = sqlurl::tsql::drop_credential(&n);
        let stmt = one_statement(sql.text())?;
        prop_assert_eq!(stmt, Stmt::DropCredential { name: n });
    }

    #[test]
    fn quoted_literals_come_back_exactly(n in name(), secret in "[^\\x00]{1,200}") {
        let sql = sqlurl::tsql::create_credential_sas(&n, &secret);
        let stmt = one_statement(sql.text())?;
        prop_assert_eq!(stmt, Stmt::CreateCredential { name: n, identity: "SHARED ACCESS SIGNATURE".into(), secret: Some(secret) });
        prop_assert!(sql.masked().ends_with("SECRET = N'***'"));
    }

    #[test]
    fn any_request_text_parses_or_is_an_invalid_argument(text in ".{0,400}") {
        for r in [
            sqlurl::api::parse_request::<sqlurl::ops::backup::BackupRequest>(&text).err(),
            sqlurl::api::parse_request::<sqlurl::ops::restore::RestoreRequest>(&text).err(),
            sqlurl::api::parse_request::<sqlurl::api::CredentialCreate>(&text).err(),
        ].into_iter().flatten() {
            prop_assert_eq!(r.kind(), sqlurl::ErrorKind::InvalidArgument);
        }
    }

    #[test]
    fn any_json_shaped_request_is_validated_without_panicking(
        db in "[^\\x00]{0,140}",
        url in "(https?|s3|HTTPS)://[a-zA-Z0-9.:@\\[\\]-]{0,30}(/[^\\x00 ?#]{0,40}){0,3}(\\?[a-z=&]{0,10})?",
        stripes in proptest::option::of(0u32..70),
    ) {
        let req = serde_json::json!({
            "connection": {"server": "127.0.0.1,1", "auth": {"kind": "sql", "user": "sa", "password": "x"}},
            "databases": [db], "container_url": url, "stripes": stripes,
        });
        if let Ok(r) = serde_json::from_value::<sqlurl::ops::backup::BackupRequest>(req) {
            if let Err(e) = r.validate() {
                prop_assert!(matches!(e.kind(), sqlurl::ErrorKind::InvalidArgument | sqlurl::ErrorKind::InvalidUrl), "{e:?}");
                prop_assert!(!e.to_string().contains("password"));
            }
        }
    }
}
