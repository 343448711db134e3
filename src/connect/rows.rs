//! Typed cell readers: one family for every result row the library reads. A column is named
//! (`"spid"`, case-insensitive) or numbered (`0`); a missing column, a NULL or a value of
//! another type reads as `None`.
//!
//! (Moved here from `ops::inspect` (by name) and `ops::catalog` (by index), which had one family
//! each.)

use tiberius::{ColumnData, Row};

/// A column of a row: its name (case-insensitive) or its 0-based index.
pub trait Column {
    /// The column's index in `row`, if it has it.
    fn index_in(&self, row: &Row) -> Option<usize>;
}

impl Column for usize {
    fn index_in(&self, row: &Row) -> Option<usize> {
        (*self < row.len()).then_some(*self)
    }
}

impl Column for &str {
    fn index_in(&self, row: &Row) -> Option<usize> {
        row.columns().iter().position(|c| c.name().eq_ignore_ascii_case(self))
    }
}

fn cell(row: &Row, col: impl Column) -> Option<&ColumnData<'static>> {
    let idx = col.index_in(row)?;
    row.cells().nth(idx).map(|(_, d)| d)
}

/// Any scalar cell as text (numbers, numerics without exponent, strings, GUIDs).
pub fn cell_string(row: &Row, col: impl Column) -> Option<String> {
    match cell(row, col)? {
        ColumnData::String(s) => s.as_ref().map(|s| s.to_string()),
        ColumnData::U8(v) => v.map(|v| v.to_string()),
        ColumnData::I16(v) => v.map(|v| v.to_string()),
        ColumnData::I32(v) => v.map(|v| v.to_string()),
        ColumnData::I64(v) => v.map(|v| v.to_string()),
        ColumnData::F32(v) => v.map(|v| v.to_string()),
        ColumnData::F64(v) => v.map(|v| v.to_string()),
        ColumnData::Bit(v) => v.map(|v| if v { "1".into() } else { "0".into() }),
        ColumnData::Guid(v) => v.map(|v| v.to_string()),
        ColumnData::Numeric(v) => v.map(|n| if n.scale() == 0 { n.value().to_string() } else { n.to_string() }),
        _ => None,
    }
}

/// A cell as an integer (any integer type, bit, float truncated, numeric's integer part, or a
/// numeric string).
pub fn cell_i64(row: &Row, col: impl Column) -> Option<i64> {
    match cell(row, col)? {
        ColumnData::U8(v) => v.map(i64::from),
        ColumnData::I16(v) => v.map(i64::from),
        ColumnData::I32(v) => v.map(i64::from),
        ColumnData::I64(v) => *v,
        ColumnData::F32(v) => v.map(|v| v as i64),
        ColumnData::F64(v) => v.map(|v| v as i64),
        ColumnData::Bit(v) => v.map(i64::from),
        ColumnData::Numeric(v) => v.and_then(|n| i64::try_from(n.int_part()).ok()),
        ColumnData::String(s) => s.as_ref().and_then(|s| s.trim().parse().ok()),
        _ => None,
    }
}

/// A cell as a float (floats, numerics, integers).
pub fn cell_f64(row: &Row, col: impl Column + Copy) -> Option<f64> {
    match cell(row, col)? {
        ColumnData::F32(v) => v.map(f64::from),
        ColumnData::F64(v) => *v,
        ColumnData::Numeric(v) => v.map(f64::from),
        _ => cell_i64(row, col).map(|v| v as f64),
    }
}

/// A cell as a flag: non-zero is `true`; NULL or missing is `false`.
pub fn cell_bool(row: &Row, col: impl Column) -> bool {
    cell_i64(row, col).map(|v| v != 0).unwrap_or(false)
}

/// A cell as a date-time (datetime, datetime2, smalldatetime).
pub fn cell_datetime(row: &Row, col: impl Column) -> Option<chrono::NaiveDateTime> {
    let idx = col.index_in(row)?;
    row.try_get::<chrono::NaiveDateTime, usize>(idx).ok().flatten()
}
