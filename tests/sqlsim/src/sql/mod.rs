//! T-SQL recognition and the catalog statements the simulator answers.
pub mod catalog;
pub mod cursor;
pub mod eval;
pub mod lexer;
pub mod messages;
pub mod parse;
pub mod redact;
pub mod run;
