//! Statement recognition: tokens of one statement → [`Stmt`]. Only the supported shapes parse;
//! anything else gets a SQL Server-style error (syntax, unknown object/procedure) or the
//! simulator's "not supported" error, never a silent success.

use super::cursor::{Cursor, SyntaxError};
use super::lexer::{Statement, Token, TokenKind};
use super::messages as m;
use crate::exec::{SqlMessage, SqlType};

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `@@NAME` (upper-cased).
    Global(String),
    /// `@name` (without `@`).
    Param(String),
    Int(i64),
    Str { value: String, national: bool },
    Null,
    /// A built-in function call; name upper-cased.
    Func { name: String, args: Vec<Expr> },
    Cast { expr: Box<Expr>, ty: SqlType, ty_name: String },
    /// A column reference (last part of `alias.col`).
    Column(String),
    /// `-expr`
    Neg(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum SelectItem {
    Star,
    Expr { expr: Expr, alias: Option<String> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `[NOT] LIKE` (true = NOT LIKE).
    Like(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `case_sensitive`: a `COLLATE …_BIN/_BIN2/_CS_…` clause forces a case-sensitive compare.
    Cmp { column: String, op: CmpOp, value: Expr, case_sensitive: bool },
    IsNull { column: String, negated: bool },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub top: Option<u64>,
    pub items: Vec<SelectItem>,
    /// The object as written (`sys.databases`), and normalised (`sys.databases`, lower case,
    /// no brackets, `master.` stripped).
    pub from: Option<(String, String)>,
    /// Arguments when FROM names a table-valued function (`fn_my_permissions(NULL, 'SERVER')`).
    pub from_args: Option<Vec<Expr>>,
    pub conditions: Vec<Cond>,
    /// (column, descending)
    pub order_by: Vec<(String, bool)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DbccCommand {
    TraceOn,
    TraceOff,
    TraceStatus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    Select(Select),
    CreateCredential { name: String, identity: String, secret: Option<String> },
    AlterCredential { name: String, identity: String, secret: Option<String> },
    DropCredential { name: String },
    Dbcc { command: DbccCommand, args: Vec<i64>, no_infomsgs: bool },
    WaitforDelay { millis: u64 },
    /// BACKUP … / RESTORE …: handed to `crate::backup::execute` with the statement text.
    BackupRestore,
    /// `SET <option> ON|OFF` (NOCOUNT is honoured; the others are accepted session options
    /// that do not change any result the simulator produces).
    SetOption { option: String, on: bool },
    Use { database: String },
    Print(Expr),
    /// `DROP DATABASE [IF EXISTS] name [, name …]`
    DropDatabase { names: Vec<String>, if_exists: bool },
    /// `DBCC CHECKDB [( name | 'name' | 0 [, NOINDEX] )] [WITH option, …]`
    CheckDb { database: Option<String>, no_infomsgs: bool },
}

/// The catalog statements' cursor: errors are SQL Server messages.
type P<'a> = Cursor<'a, SqlMessage>;

type R<T> = Result<T, SqlMessage>;

impl SyntaxError for SqlMessage {
    fn unexpected(c: &P<'_>) -> SqlMessage {
        match c.peek() {
            Some(t) if matches!(&t.kind, TokenKind::Word(w) if is_keyword(w)) => m::syntax_near_keyword(t.source(c.src)),
            Some(t) => m::syntax_near(near_text(t, c.src)),
            None => match c.toks.last() {
                Some(t) => m::syntax_near(near_text(t, c.src)),
                None => m::syntax_end(),
            },
        }
    }
    fn check_ident(name: &str) -> R<()> {
        if name.chars().count() > 128 {
            return Err(m::identifier_too_long(&name.chars().take(128).collect::<String>()));
        }
        Ok(())
    }
}

/// `a.b.c` with any part bracketed: (as written, normalised lower-case dotted).
fn object_name(p: &mut P) -> R<(String, String)> {
    let start = p.peek().map(|t| t.start).unwrap_or(0);
    let mut parts = vec![p.ident()?];
    let mut end = p.toks[p.i - 1].end;
    while p.peek().is_some_and(|t| t.is_punct(".")) {
        p.i += 1;
        parts.push(p.ident()?);
        end = p.toks[p.i - 1].end;
    }
    let written = p.src[start..end].to_string();
    let mut norm: Vec<String> = parts.iter().map(|p| p.to_ascii_lowercase()).collect();
    if norm.len() == 3 && norm[0] == "master" {
        norm.remove(0);
    }
    Ok((written, norm.join(".")))
}

/// SQL Server names a string token with its quotes stripped; other tokens as written.
fn near_text<'s>(t: &Token, src: &'s str) -> &'s str {
    let s = t.source(src);
    match &t.kind {
        TokenKind::Str { national, .. } => {
            let inner = if *national { &s[2..] } else { &s[1..] };
            inner.strip_suffix('\'').unwrap_or(inner)
        }
        _ => s,
    }
}

/// Words SQL Server knows as statements; the simulator does not model them.
const OTHER_STATEMENTS: [&str; 26] = [
    "INSERT", "UPDATE", "DELETE", "MERGE", "CREATE", "ALTER", "DROP", "DECLARE", "IF", "WHILE", "BEGIN",
    "COMMIT", "ROLLBACK", "SAVE", "GRANT", "REVOKE", "DENY", "TRUNCATE", "EXEC", "EXECUTE", "RAISERROR",
    "THROW", "WITH", "KILL", "CHECKPOINT", "SHUTDOWN",
];

pub fn parse(stmt: &Statement) -> R<Stmt> {
    // Token offsets are relative to the batch; re-base them on the statement text.
    let base = stmt.tokens.first().map(|t| t.start).unwrap_or(0);
    let rebased: Vec<Token> = stmt
        .tokens
        .iter()
        .map(|t| Token { start: t.start - base, end: t.end - base, ..t.clone() })
        .collect();
    let mut p = P::new(&rebased, stmt.text);
    let first = match p.peek() {
        Some(t) => t,
        None => return Err(m::syntax_end()),
    };
    let word = match &first.kind {
        TokenKind::Word(w) => w.to_ascii_uppercase(),
        _ => return Err(m::syntax_near(near_text(first, p.src))),
    };
    match word.as_str() {
        "SELECT" => {
            p.i += 1;
            Ok(Stmt::Select(parse_select(&mut p)?))
        }
        "BACKUP" | "RESTORE" => Ok(Stmt::BackupRestore),
        "CREATE" | "ALTER" | "DROP" if p.peek_at(1).is_some_and(|t| t.is_kw("CREDENTIAL")) => {
            p.i += 2;
            let name = p.ident()?;
            if word == "DROP" {
                p.expect_end()?;
                return Ok(Stmt::DropCredential { name });
            }
            p.expect_kw("WITH")?;
            p.expect_kw("IDENTITY")?;
            p.expect_punct("=")?;
            let identity = p.string()?;
            let mut secret = None;
            if p.punct(",") {
                p.expect_kw("SECRET")?;
                p.expect_punct("=")?;
                secret = Some(p.string().map_err(|_| m::syntax_near("SECRET"))?);
            }
            if p.kw("FOR") {
                p.expect_kw("CRYPTOGRAPHIC")?;
                return Err(m::not_supported("CREATE CREDENTIAL ... FOR CRYPTOGRAPHIC PROVIDER"));
            }
            p.expect_end()?;
            Ok(if word == "CREATE" {
                Stmt::CreateCredential { name, identity, secret }
            } else {
                Stmt::AlterCredential { name, identity, secret }
            })
        }
        "DROP" if p.peek_at(1).is_some_and(|t| t.is_kw("DATABASE")) => {
            p.i += 2;
            let if_exists = if p.kw("IF") {
                p.expect_kw("EXISTS")?;
                true
            } else {
                false
            };
            let mut names = vec![p.ident()?];
            while p.punct(",") {
                names.push(p.ident()?);
            }
            p.expect_end()?;
            Ok(Stmt::DropDatabase { names, if_exists })
        }
        "DBCC" if p.peek_at(1).is_some_and(|t| t.is_kw("CHECKDB")) => {
            p.i += 2;
            let mut database = None;
            if p.punct("(") {
                database = Some(match p.peek().map(|t| &t.kind) {
                    Some(TokenKind::Number(n)) if n == "0" => {
                        p.i += 1;
                        String::new()
                    }
                    _ => p.ident_or_string()?,
                });
                while p.punct(",") {
                    let opt = p.ident()?.to_ascii_uppercase();
                    match opt.as_str() {
                        "NOINDEX" => {}
                        _ => return Err(m::not_supported(&format!("DBCC CHECKDB with {opt}"))),
                    }
                }
                p.expect_punct(")")?;
            }
            let mut no_infomsgs = false;
            if p.kw("WITH") {
                loop {
                    let opt = p.ident()?.to_ascii_uppercase();
                    match opt.as_str() {
                        "NO_INFOMSGS" => no_infomsgs = true,
                        "ALL_ERRORMSGS" | "PHYSICAL_ONLY" | "DATA_PURITY" | "EXTENDED_LOGICAL_CHECKS" | "TABLOCK" => {}
                        "MAXDOP" => {
                            p.expect_punct("=")?;
                            p.number()?;
                        }
                        _ => return Err(m::not_supported(&format!("DBCC CHECKDB WITH {opt}"))),
                    }
                    if !p.punct(",") {
                        break;
                    }
                }
            }
            p.expect_end()?;
            // An empty name (or 0) means the current database.
            Ok(Stmt::CheckDb { database: database.filter(|d| !d.is_empty()), no_infomsgs })
        }
        "DBCC" => {
            p.i += 1;
            let name = p.ident()?;
            let command = match name.to_ascii_uppercase().as_str() {
                "TRACEON" => DbccCommand::TraceOn,
                "TRACEOFF" => DbccCommand::TraceOff,
                "TRACESTATUS" => DbccCommand::TraceStatus,
                other => return Err(m::not_supported(&format!("DBCC {other}"))),
            };
            let mut args = Vec::new();
            if p.punct("(") && !p.punct(")") {
                loop {
                    let neg = p.punct("-");
                    let n = match p.next_token().map(|t| &t.kind) {
                        Some(TokenKind::Number(n)) => n.parse::<i64>().map_err(|_| m::syntax_near(n))?,
                        _ => {
                            p.i -= 1;
                            return Err(p.unexpected());
                        }
                    };
                    args.push(if neg { -n } else { n });
                    if p.punct(")") {
                        break;
                    }
                    p.expect_punct(",")?;
                }
            }
            let mut no_infomsgs = false;
            if p.kw("WITH") {
                p.expect_kw("NO_INFOMSGS")?;
                no_infomsgs = true;
            }
            p.expect_end()?;
            Ok(Stmt::Dbcc { command, args, no_infomsgs })
        }
        "WAITFOR" => {
            p.i += 1;
            if p.kw("TIME") {
                return Err(m::not_supported("WAITFOR TIME"));
            }
            p.expect_kw("DELAY")?;
            let text = p.string()?;
            p.expect_end()?;
            let millis = parse_delay(&text).ok_or_else(|| m::bad_waitfor_time(&text))?;
            Ok(Stmt::WaitforDelay { millis })
        }
        "SET" => {
            p.i += 1;
            let option = p.ident()?.to_ascii_uppercase();
            const KNOWN: [&str; 12] = [
                "NOCOUNT", "XACT_ABORT", "ANSI_NULLS", "ANSI_WARNINGS", "ANSI_PADDING", "ANSI_NULL_DFLT_ON",
                "QUOTED_IDENTIFIER", "ARITHABORT", "CONCAT_NULL_YIELDS_NULL", "IMPLICIT_TRANSACTIONS",
                "CURSOR_CLOSE_ON_COMMIT", "NUMERIC_ROUNDABORT",
            ];
            // Numeric session options some drivers send at connect time.
            if matches!(option.as_str(), "TEXTSIZE" | "LOCK_TIMEOUT" | "DEADLOCK_PRIORITY" | "ROWCOUNT") {
                p.punct("-");
                match p.next_token().map(|t| &t.kind) {
                    Some(TokenKind::Number(_)) => {}
                    Some(TokenKind::Word(w)) if option == "DEADLOCK_PRIORITY" && ["LOW", "NORMAL", "HIGH"].iter().any(|x| w.eq_ignore_ascii_case(x)) => {}
                    _ => {
                        p.i -= 1;
                        return Err(p.unexpected());
                    }
                }
                p.expect_end()?;
                if option == "ROWCOUNT" {
                    return Err(m::not_supported("SET ROWCOUNT"));
                }
                return Ok(Stmt::SetOption { option, on: true });
            }
            if !KNOWN.contains(&option.as_str()) {
                return Err(m::not_supported(&format!("SET {option}")));
            }
            let on = if p.kw("ON") {
                true
            } else if p.kw("OFF") {
                false
            } else {
                return Err(p.unexpected());
            };
            p.expect_end()?;
            Ok(Stmt::SetOption { option, on })
        }
        "USE" => {
            p.i += 1;
            let database = p.ident()?;
            p.expect_end()?;
            Ok(Stmt::Use { database })
        }
        "PRINT" => {
            p.i += 1;
            let e = parse_expr(&mut p)?;
            p.expect_end()?;
            Ok(Stmt::Print(e))
        }
        w if OTHER_STATEMENTS.contains(&w) => {
            let mut what = w.to_string();
            if let Some(n) = p.peek_at(1).and_then(|t| match &t.kind {
                TokenKind::Word(x) => Some(x.to_ascii_uppercase()),
                _ => None,
            }) {
                if matches!(w, "CREATE" | "ALTER" | "DROP" | "BEGIN" | "COMMIT" | "ROLLBACK") {
                    what = format!("{w} {n}");
                }
            }
            Err(m::not_supported(&format!("the statement {what}")))
        }
        _ => {
            // A lone name at the start of a batch is an EXECUTE of a procedure.
            let (written, _) = object_name(&mut p)?;
            Err(m::no_such_proc(&written))
        }
    }
}

/// `hh:mm[:ss[.mmm]]` → milliseconds (at most 24 h, like SQL Server).
pub fn parse_delay(s: &str) -> Option<u64> {
    let s = s.trim();
    let (hms, frac) = match s.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let parts: Vec<&str> = hms.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 || parts.iter().any(|x| x.is_empty() || !x.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let h: u64 = parts[0].parse().ok()?;
    let mi: u64 = parts[1].parse().ok()?;
    let se: u64 = if parts.len() == 3 { parts[2].parse().ok()? } else { 0 };
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let ms = match frac {
        None => 0,
        Some(f) if !f.is_empty() && f.len() <= 3 && f.chars().all(|c| c.is_ascii_digit()) => {
            f.parse::<u64>().ok()? * 10u64.pow(3 - f.len() as u32)
        }
        Some(_) => return None,
    };
    Some(((h * 60 + mi) * 60 + se) * 1000 + ms)
}

fn parse_select(p: &mut P) -> R<Select> {
    let mut sel = Select { top: None, items: vec![], from: None, from_args: None, conditions: vec![], order_by: vec![] };
    if p.kw("TOP") {
        let paren = p.punct("(");
        match p.next_token().map(|t| &t.kind) {
            Some(TokenKind::Number(n)) => sel.top = Some(n.parse().map_err(|_| m::syntax_near(n))?),
            _ => {
                p.i -= 1;
                return Err(p.unexpected());
            }
        }
        if paren {
            p.expect_punct(")")?;
        }
    }
    loop {
        if p.punct("*") {
            sel.items.push(SelectItem::Star);
        } else {
            let expr = parse_expr(p)?;
            let explicit = p.kw("AS");
            let implicit = p.peek().is_some_and(|t| {
                matches!(t.kind, TokenKind::QuotedIdent(_) | TokenKind::Str { .. })
                    || matches!(&t.kind, TokenKind::Word(w) if !is_reserved(w))
            });
            let alias = if explicit || implicit { Some(alias(p)?) } else { None };
            sel.items.push(SelectItem::Expr { expr, alias });
        }
        if !p.punct(",") {
            break;
        }
    }
    if p.kw("FROM") {
        sel.from = Some(object_name(p)?);
        if p.punct("(") {
            sel.from_args = Some(call_args(p)?);
        }
        // optional table alias
        let explicit = p.kw("AS");
        if explicit || p.peek().is_some_and(|t| matches!(&t.kind, TokenKind::Word(w) if !is_reserved(w)) || matches!(t.kind, TokenKind::QuotedIdent(_))) {
            p.ident()?;
        }
        if p.kw("WITH") {
            // table hints such as WITH (NOLOCK)
            p.expect_punct("(")?;
            p.ident()?;
            p.expect_punct(")")?;
        }
        if p.kw("WHERE") {
            loop {
                sel.conditions.push(parse_cond(p)?);
                if !p.kw("AND") {
                    break;
                }
            }
            if p.peek().is_some_and(|t| t.is_kw("OR")) {
                return Err(m::not_supported("OR in a WHERE clause"));
            }
        }
        if p.kw("ORDER") {
            p.expect_kw("BY")?;
            loop {
                let col = column_ref(p)?;
                let desc = if p.kw("DESC") {
                    true
                } else {
                    p.kw("ASC");
                    false
                };
                sel.order_by.push((col, desc));
                if !p.punct(",") {
                    break;
                }
            }
        }
    } else if p.peek().is_some_and(|t| t.is_kw("WHERE") || t.is_kw("ORDER")) {
        return Err(p.unexpected());
    }
    if let Some(t) = p.peek() {
        if t.is_kw("UNION") || t.is_kw("GROUP") || t.is_kw("JOIN") || t.is_kw("INNER") || t.is_kw("LEFT") || t.is_kw("CROSS") || t.is_kw("HAVING") || t.is_kw("FOR") || t.is_kw("OPTION") {
            let w = t.source(p.src).to_ascii_uppercase();
            return Err(m::not_supported(&format!("SELECT with {w}")));
        }
    }
    p.expect_end()?;
    Ok(sel)
}

fn alias(p: &mut P) -> R<String> {
    match p.peek().map(|t| &t.kind) {
        Some(TokenKind::Str { value, .. }) => {
            let v = value.clone();
            p.i += 1;
            Ok(v)
        }
        _ => p.ident(),
    }
}

const RESERVED: [&str; 20] = [
    "FROM", "WHERE", "ORDER", "GROUP", "UNION", "AS", "AND", "OR", "ON", "JOIN", "INNER", "LEFT", "CROSS", "HAVING",
    "WITH", "FOR", "OPTION", "ASC", "DESC", "IS",
];

/// Reserved keywords SQL Server names as "the keyword 'X'" in syntax errors.
const KEYWORDS: [&str; 34] = [
    "FROM", "WHERE", "ORDER", "GROUP", "UNION", "AS", "AND", "OR", "ON", "JOIN", "INNER", "LEFT", "CROSS", "HAVING",
    "WITH", "FOR", "OPTION", "ASC", "DESC", "IS", "SELECT", "INSERT", "UPDATE", "DELETE", "CREATE", "ALTER", "DROP",
    "BACKUP", "RESTORE", "SET", "BY", "TOP", "NOT", "IDENTITY",
];

fn is_keyword(w: &str) -> bool {
    KEYWORDS.iter().any(|k| k.eq_ignore_ascii_case(w))
}

fn is_reserved(w: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(w))
}

fn column_ref(p: &mut P) -> R<String> {
    let mut name = p.ident()?;
    while p.punct(".") {
        name = p.ident()?;
    }
    Ok(name)
}

fn parse_cond(p: &mut P) -> R<Cond> {
    let column = column_ref(p)?;
    if p.kw("IS") {
        let negated = p.kw("NOT");
        p.expect_kw("NULL")?;
        return Ok(Cond::IsNull { column, negated });
    }
    let op = match p.next_token().map(|t| &t.kind) {
        Some(TokenKind::Punct("=")) => CmpOp::Eq,
        Some(TokenKind::Punct("<>")) | Some(TokenKind::Punct("!=")) => CmpOp::Ne,
        Some(TokenKind::Punct("<")) => CmpOp::Lt,
        Some(TokenKind::Punct("<=")) => CmpOp::Le,
        Some(TokenKind::Punct(">")) => CmpOp::Gt,
        Some(TokenKind::Punct(">=")) => CmpOp::Ge,
        Some(TokenKind::Word(w)) if w.eq_ignore_ascii_case("LIKE") => CmpOp::Like(false),
        Some(TokenKind::Word(w)) if w.eq_ignore_ascii_case("NOT") && p.kw("LIKE") => CmpOp::Like(true),
        Some(TokenKind::Word(w)) if w.eq_ignore_ascii_case("IN") => {
            return Err(m::not_supported(&format!("{} in a WHERE clause", w.to_ascii_uppercase())));
        }
        _ => {
            p.i -= 1;
            return Err(p.unexpected());
        }
    };
    let value = parse_expr(p)?;
    let mut case_sensitive = false;
    if p.kw("COLLATE") {
        let coll = p.ident()?.to_ascii_uppercase();
        case_sensitive = coll.ends_with("_BIN") || coll.ends_with("_BIN2") || coll.contains("_CS_") || coll.ends_with("_CS");
    }
    Ok(Cond::Cmp { column, op, value, case_sensitive })
}

fn parse_type(p: &mut P) -> R<(SqlType, String)> {
    let name = p.ident()?;
    let upper = name.to_ascii_uppercase();
    let mut args: Vec<Option<u32>> = Vec::new();
    if p.punct("(") {
        loop {
            match p.next_token().map(|t| &t.kind) {
                Some(TokenKind::Number(n)) => args.push(Some(n.parse().map_err(|_| m::syntax_near(n))?)),
                Some(TokenKind::Word(w)) if w.eq_ignore_ascii_case("MAX") => args.push(None),
                _ => {
                    p.i -= 1;
                    return Err(p.unexpected());
                }
            }
            if p.punct(")") {
                break;
            }
            p.expect_punct(",")?;
        }
    }
    let n = |d: u16| -> Option<u16> {
        match args.first() {
            None => Some(d),
            Some(Some(v)) => Some((*v).min(u16::MAX as u32) as u16),
            Some(None) => None,
        }
    };
    let ty = match upper.as_str() {
        "INT" | "INTEGER" => SqlType::Int,
        "BIGINT" => SqlType::BigInt,
        "SMALLINT" => SqlType::SmallInt,
        "TINYINT" => SqlType::TinyInt,
        "BIT" => SqlType::Bit,
        "REAL" => SqlType::Real,
        "FLOAT" => SqlType::Float,
        "SYSNAME" => SqlType::NVarChar(Some(128)),
        "NVARCHAR" => SqlType::NVarChar(n(30)),
        "VARCHAR" => match n(30) {
            Some(v) => SqlType::VarChar(v),
            None => return Err(m::not_supported("VARCHAR(MAX)")),
        },
        "NCHAR" => SqlType::NChar(n(30).unwrap_or(30)),
        "CHAR" => SqlType::Char(n(30).unwrap_or(30)),
        "DATETIME" => SqlType::DateTime,
        "DATETIME2" => SqlType::DateTime2(args.first().copied().flatten().unwrap_or(7).min(7) as u8),
        "DATETIMEOFFSET" => SqlType::DateTimeOffset(args.first().copied().flatten().unwrap_or(7).min(7) as u8),
        "NUMERIC" | "DECIMAL" => {
            let prec = args.first().copied().flatten().unwrap_or(18).min(38) as u8;
            let scale = args.get(1).copied().flatten().unwrap_or(0).min(prec as u32) as u8;
            SqlType::Numeric(prec, scale)
        }
        "UNIQUEIDENTIFIER" => SqlType::UniqueIdentifier,
        _ => return Err(m::not_supported(&format!("the data type {upper}"))),
    };
    Ok((ty, upper))
}

/// The arguments of a function call, `(` already read, through the closing `)`.
fn call_args(p: &mut P) -> R<Vec<Expr>> {
    let mut args = Vec::new();
    if p.punct(")") {
        return Ok(args);
    }
    loop {
        args.push(parse_expr(p)?);
        if p.punct(")") {
            return Ok(args);
        }
        p.expect_punct(",")?;
    }
}

fn parse_expr(p: &mut P) -> R<Expr> {
    let t = match p.next_token() {
        Some(t) => t,
        None => return Err(p.unexpected()),
    };
    Ok(match &t.kind {
        TokenKind::Global(g) => Expr::Global(g.to_ascii_uppercase()),
        TokenKind::Variable(v) => Expr::Param(v.clone()),
        TokenKind::Number(n) => match n.parse::<i64>() {
            Ok(v) => Expr::Int(v),
            Err(_) => return Err(m::not_supported(&format!("the numeric literal {n}"))),
        },
        TokenKind::Str { value, national } => Expr::Str { value: value.clone(), national: *national },
        TokenKind::Punct("-") => Expr::Neg(Box::new(parse_expr(p)?)),
        TokenKind::Punct("(") => {
            let e = parse_expr(p)?;
            p.expect_punct(")")?;
            e
        }
        TokenKind::Word(w) if w.eq_ignore_ascii_case("NULL") => Expr::Null,
        TokenKind::Word(w) if is_keyword(w) => {
            p.i -= 1;
            return Err(p.unexpected());
        }
        TokenKind::Word(w) if w.eq_ignore_ascii_case("SYSTEM_USER") || w.eq_ignore_ascii_case("CURRENT_USER") || w.eq_ignore_ascii_case("SESSION_USER") || w.eq_ignore_ascii_case("USER") => {
            Expr::Func { name: w.to_ascii_uppercase(), args: vec![] }
        }
        TokenKind::Word(w) if (w.eq_ignore_ascii_case("CAST") || w.eq_ignore_ascii_case("TRY_CAST")) && p.peek().is_some_and(|t| t.is_punct("(")) => {
            p.i += 1;
            let e = parse_expr(p)?;
            p.expect_kw("AS")?;
            let (ty, ty_name) = parse_type(p)?;
            p.expect_punct(")")?;
            Expr::Cast { expr: Box::new(e), ty, ty_name }
        }
        TokenKind::Word(w) if w.eq_ignore_ascii_case("CONVERT") && p.peek().is_some_and(|t| t.is_punct("(")) => {
            p.i += 1;
            let (ty, ty_name) = parse_type(p)?;
            p.expect_punct(",")?;
            let e = parse_expr(p)?;
            if p.punct(",") {
                return Err(m::not_supported("CONVERT with a style"));
            }
            p.expect_punct(")")?;
            Expr::Cast { expr: Box::new(e), ty, ty_name }
        }
        TokenKind::Word(_) | TokenKind::QuotedIdent(_) => {
            let name = t.ident().unwrap_or_default().to_string();
            if p.peek().is_some_and(|x| x.is_punct("(")) && matches!(t.kind, TokenKind::Word(_)) {
                p.i += 1;
                Expr::Func { name: name.to_ascii_uppercase(), args: call_args(p)? }
            } else {
                let mut col = name;
                while p.peek().is_some_and(|x| x.is_punct(".")) {
                    p.i += 1;
                    if p.punct("*") {
                        return Err(m::not_supported("alias.* in a select list"));
                    }
                    col = p.ident()?;
                }
                Expr::Column(col)
            }
        }
        _ => {
            p.i -= 1;
            return Err(p.unexpected());
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::lexer::{split_statements, tokenize};
    use super::*;

    fn one(src: &str) -> R<Stmt> {
        let t = tokenize(src).unwrap();
        let s = split_statements(src, &t);
        parse(&s[0])
    }

    #[test]
    fn credential_statements() {
        assert_eq!(
            one("CREATE CREDENTIAL [https://a.blob.core.windows.net/c]]x] WITH IDENTITY = N'Managed Identity'").unwrap(),
            Stmt::CreateCredential { name: "https://a.blob.core.windows.net/c]x".into(), identity: "Managed Identity".into(), secret: None }
        );
        assert_eq!(
            one("ALTER CREDENTIAL x WITH IDENTITY = 'SHARED ACCESS SIGNATURE', SECRET = 'sv=1&sig=a''b'").unwrap(),
            Stmt::AlterCredential { name: "x".into(), identity: "SHARED ACCESS SIGNATURE".into(), secret: Some("sv=1&sig=a'b".into()) }
        );
        assert_eq!(one("DROP CREDENTIAL [x]").unwrap(), Stmt::DropCredential { name: "x".into() });
        assert_eq!(one("CREATE CREDENTIAL x WITH IDENTITY 'a'").unwrap_err().number, 102);
    }

    #[test]
    fn secret_never_in_syntax_errors() {
        let e = one("CREATE CREDENTIAL x WITH IDENTITY = 'SAS', SECRET = 'topsecret' junk").unwrap_err();
        assert!(!e.text.contains("topsecret"), "{}", e.text);
    }

    #[test]
    fn dbcc_and_waitfor() {
        assert_eq!(one("DBCC TRACEON(4675, -1)").unwrap(), Stmt::Dbcc { command: DbccCommand::TraceOn, args: vec![4675, -1], no_infomsgs: false });
        assert_eq!(one("dbcc tracestatus WITH NO_INFOMSGS").unwrap(), Stmt::Dbcc { command: DbccCommand::TraceStatus, args: vec![], no_infomsgs: true });
        assert_eq!(one("WAITFOR DELAY '00:00:01.5'").unwrap(), Stmt::WaitforDelay { millis: 1500 });
        assert_eq!(one("WAITFOR DELAY 'abc'").unwrap_err().number, 148);
        assert_eq!(parse_delay("01:02"), Some(3_720_000));
        assert_eq!(parse_delay("24:00:00"), None);
    }

    #[test]
    fn selects() {
        let Stmt::Select(s) = one("SELECT name, database_id AS id FROM master.sys.databases d WHERE state_desc = N'ONLINE' AND database_id > 4 ORDER BY name DESC").unwrap() else { panic!() };
        assert_eq!(s.from, Some(("master.sys.databases".into(), "sys.databases".into())));
        assert_eq!(s.conditions.len(), 2);
        assert_eq!(s.order_by, vec![("name".into(), true)]);
        let Stmt::Select(s) = one("SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128)) AS v, @@SPID").unwrap() else { panic!() };
        assert_eq!(s.items.len(), 2);
        assert!(s.from.is_none());
    }

    #[test]
    fn numeric_set_options() {
        assert!(matches!(one("SET TEXTSIZE 2147483647").unwrap(), Stmt::SetOption { .. }));
        assert!(matches!(one("SET LOCK_TIMEOUT -1").unwrap(), Stmt::SetOption { .. }));
        assert_eq!(one("SET TEXTSIZE ON").unwrap_err().number, 156);
        assert_eq!(one("SET ROWCOUNT 5").unwrap_err().number, 50000);
    }

    #[test]
    fn collate_parses() {
        let Stmt::Select(sel) = one("SELECT name FROM sys.credentials WHERE name = N'X' COLLATE Latin1_General_BIN2").unwrap() else { panic!() };
        assert!(matches!(&sel.conditions[0], Cond::Cmp { case_sensitive: true, .. }));
        let Stmt::Select(sel) = one("SELECT name FROM sys.credentials WHERE name = N'X'").unwrap() else { panic!() };
        assert!(matches!(&sel.conditions[0], Cond::Cmp { case_sensitive: false, .. }));
    }

    #[test]
    fn unknown_things() {
        assert_eq!(one("FOO").unwrap_err().number, 2812);
        assert_eq!(one("UPDATE t SET a = 1").unwrap_err().number, 50000);
        assert_eq!(one("SELECT 1 FROM").unwrap_err().number, 102);
        assert_eq!(one("SELECT 1 UNION SELECT 2").unwrap_err().number, 50000);
    }
}
