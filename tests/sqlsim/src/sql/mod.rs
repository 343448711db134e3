//! T-SQL recognition and the catalog statements the simulator answers.
pub mod lexer;
