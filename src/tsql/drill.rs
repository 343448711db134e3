//! The statements of the restore drill (issue 15): the consistency check of the scratch copy and
//! its removal. Every name goes through [`super::quote_ident`].

use super::{quote_ident, Sql};

/// `DBCC CHECKDB ([name]) WITH NO_INFOMSGS, ALL_ERRORMSGS`: only errors come back (every one of
/// them, not the first 200 per object); a clean database sends nothing.
pub fn checkdb(database: &str) -> Sql {
    Sql::plain(format!("DBCC CHECKDB ({}) WITH NO_INFOMSGS, ALL_ERRORMSGS", quote_ident(database)))
}

/// `DROP DATABASE [name]`: the scratch copy, ONLINE or left RESTORING by a failed restore (SQL
/// Server drops a database in either state).
pub fn drop_database(database: &str) -> Sql {
    Sql::plain(format!("DROP DATABASE {}", quote_ident(database)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_quoted() {
        assert_eq!(checkdb("SqlUrlDrill_Sales_1a2b3c4d").text(), "DBCC CHECKDB ([SqlUrlDrill_Sales_1a2b3c4d]) WITH NO_INFOMSGS, ALL_ERRORMSGS");
        assert_eq!(checkdb("a]b; DROP TABLE x--").text(), "DBCC CHECKDB ([a]]b; DROP TABLE x--]) WITH NO_INFOMSGS, ALL_ERRORMSGS");
        assert_eq!(drop_database("x]y").text(), "DROP DATABASE [x]]y]");
    }
}
