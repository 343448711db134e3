//! The catalog query behind "every database of a server" (whole-server backups).

use super::Sql;

/// The databases of the server with what decides whether they can be backed up now: state,
/// recovery model, read-only flag. One plain single-view query: it runs on every supported
/// SQL Server version (and the simulator); the filtering happens in
/// [`crate::ops::databases::select`], a pure function.
pub fn list_databases() -> Sql {
    Sql::plain("SELECT name, database_id, state_desc, recovery_model_desc, is_read_only FROM sys.databases ORDER BY name")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_query_reads_only_catalog_columns() {
        let q = super::list_databases();
        assert!(q.text().starts_with("SELECT name, database_id, state_desc, recovery_model_desc"));
        assert!(q.text().contains("FROM sys.databases"));
    }
}
