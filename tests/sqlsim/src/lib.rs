//! sqlsim: a SQL Server simulator speaking TDS 7.4 on loopback, for SqlUrlBackup's tests.
pub mod backup;
pub mod exec;
pub mod scenario;
pub mod sql;
pub mod state;
