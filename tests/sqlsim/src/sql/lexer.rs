//! T-SQL lexer: words (keywords and plain identifiers), `[bracketed]` and `"quoted"` identifiers
//! (`]]` / `""` escapes), `'strings'` and `N'strings'` (`''` escapes), numbers, `@variables`,
//! `@@globals`, punctuation, and `--` / nested `/* */` comments (skipped).
//!
//! Also splits a batch into statements ([`split_statements`]).

/// What kind of token.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// An unquoted word: keyword or identifier (`SELECT`, `sys`, `name`). Compare with
    /// [`Token::is_kw`].
    Word(String),
    /// `[name]` or `"name"`, with the escapes undone.
    QuotedIdent(String),
    /// `'text'` or `N'text'`, with `''` undone.
    Str { value: String, national: bool },
    /// `123`, `-` is punctuation; `1.5`, `1e3` kept as text.
    Number(String),
    /// `@name` (the text without the `@`).
    Variable(String),
    /// `@@NAME` (the text without the `@@`).
    Global(String),
    /// `0x...` binary literal (hex digits kept as text).
    Binary(String),
    /// Punctuation: `( ) , ; . = < > <= >= <> != + - * / %`.
    Punct(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub kind: TokenKind,
    /// Byte offset of the token's first character in the source.
    pub start: usize,
    /// Byte offset just past the token.
    pub end: usize,
    /// 1-based line number.
    pub line: u32,
}

impl Token {
    /// A word equal (case-insensitively) to `kw`.
    pub fn is_kw(&self, kw: &str) -> bool {
        matches!(&self.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(kw))
    }
    pub fn is_punct(&self, p: &str) -> bool {
        matches!(&self.kind, TokenKind::Punct(x) if *x == p)
    }
    /// The name of a word or quoted identifier.
    pub fn ident(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Word(w) | TokenKind::QuotedIdent(w) => Some(w),
            _ => None,
        }
    }
    /// The value of a string literal.
    pub fn string(&self) -> Option<&str> {
        match &self.kind {
            TokenKind::Str { value, .. } => Some(value),
            _ => None,
        }
    }
    /// How SQL Server names this token in "Incorrect syntax near '...'" (the source text).
    pub fn source<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start..self.end]
    }
}

/// A lexing failure, as SQL Server reports it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LexError {
    /// Msg 105: "Unclosed quotation mark after the character string '%.*ls'."
    #[error("Unclosed quotation mark after the character string '{text}'.")]
    UnclosedQuote { text: String, line: u32 },
    /// Msg 105 for `[`: SQL Server reports the same message with the bracketed text.
    #[error("Unclosed quotation mark after the character string '{text}'.")]
    UnclosedBracket { text: String, line: u32 },
    /// Msg 113: "Missing end comment mark '*/'."
    #[error("Missing end comment mark '*/'.")]
    UnclosedComment { line: u32 },
    /// Msg 102: "Incorrect syntax near '%.*ls'."
    #[error("Incorrect syntax near '{near}'.")]
    Unexpected { near: String, line: u32 },
}

impl LexError {
    pub fn number(&self) -> u32 {
        match self {
            LexError::UnclosedQuote { .. } | LexError::UnclosedBracket { .. } => 105,
            LexError::UnclosedComment { .. } => 113,
            LexError::Unexpected { .. } => 102,
        }
    }
    pub fn line(&self) -> u32 {
        match self {
            LexError::UnclosedQuote { line, .. }
            | LexError::UnclosedBracket { line, .. }
            | LexError::UnclosedComment { line }
            | LexError::Unexpected { line, .. } => *line,
        }
    }
}

const PUNCT2: [&str; 5] = ["<=", ">=", "<>", "!=", "::"];
const PUNCT1: [&str; 13] = ["(", ")", ",", ";", ".", "=", "<", ">", "+", "-", "*", "/", "%"];

fn is_word_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '#'
}
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '#' || c == '$' || c == '@'
}

/// The text of a `'string'`, `[name]` or `"name"` from `*i` (just past the opening character) up
/// to `close`, where a doubled `close` stands for one; `*i` ends just past `close` and `line`
/// counts the newlines inside. `Err` holds the text read when the batch ends first.
fn delimited(chars: &[(usize, char)], i: &mut usize, close: char, line: &mut u32) -> Result<String, String> {
    let mut value = String::new();
    loop {
        let Some(&(_, a)) = chars.get(*i) else {
            return Err(value);
        };
        if a == close {
            if chars.get(*i + 1).is_some_and(|&(_, b)| b == close) {
                value.push(close);
                *i += 2;
                continue;
            }
            *i += 1;
            return Ok(value);
        }
        if a == '\n' {
            *line += 1;
        }
        value.push(a);
        *i += 1;
    }
}

/// Tokenize a whole batch.
pub fn tokenize(src: &str) -> Result<Vec<Token>, LexError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let n = chars.len();
    let off = |i: usize| if i < n { chars[i].0 } else { src.len() };
    let mut i = 0;
    let mut line = 1u32;
    while i < n {
        let c = chars[i].1;
        let start = chars[i].0;
        let tok_line = line;
        let next = if i + 1 < n { Some(chars[i + 1].1) } else { None };
        if c == '\n' {
            line += 1;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '-' && next == Some('-') {
            while i < n && chars[i].1 != '\n' {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let mut depth = 0;
            loop {
                if i >= n {
                    return Err(LexError::UnclosedComment { line: tok_line });
                }
                let a = chars[i].1;
                let b = if i + 1 < n { Some(chars[i + 1].1) } else { None };
                if a == '/' && b == Some('*') {
                    depth += 1;
                    i += 2;
                } else if a == '*' && b == Some('/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if a == '\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            continue;
        }
        // N'...' national string
        let national = (c == 'N' || c == 'n') && next == Some('\'');
        if c == '\'' || national {
            if national {
                i += 1;
            }
            i += 1; // opening quote
            let value = delimited(&chars, &mut i, '\'', &mut line)
                .map_err(|text| LexError::UnclosedQuote { text, line: tok_line })?;
            out.push(Token { kind: TokenKind::Str { value, national }, start, end: off(i), line: tok_line });
            continue;
        }
        if c == '[' || c == '"' {
            let close = if c == '[' { ']' } else { '"' };
            i += 1;
            let value = delimited(&chars, &mut i, close, &mut line).map_err(|text| {
                if c == '[' {
                    LexError::UnclosedBracket { text, line: tok_line }
                } else {
                    LexError::UnclosedQuote { text, line: tok_line }
                }
            })?;
            out.push(Token { kind: TokenKind::QuotedIdent(value), start, end: off(i), line: tok_line });
            continue;
        }
        if c == '@' {
            let global = next == Some('@');
            i += if global { 2 } else { 1 };
            let name_start = i;
            while i < n && is_word_char(chars[i].1) {
                i += 1;
            }
            let name: String = chars[name_start..i].iter().map(|(_, c)| *c).collect();
            if name.is_empty() {
                return Err(LexError::Unexpected { near: "@".into(), line: tok_line });
            }
            let kind = if global { TokenKind::Global(name) } else { TokenKind::Variable(name) };
            out.push(Token { kind, start, end: off(i), line: tok_line });
            continue;
        }
        if c == '0' && matches!(next, Some('x') | Some('X')) {
            i += 2;
            let s = i;
            while i < n && chars[i].1.is_ascii_hexdigit() {
                i += 1;
            }
            let hex: String = chars[s..i].iter().map(|(_, c)| *c).collect();
            out.push(Token { kind: TokenKind::Binary(hex), start, end: off(i), line: tok_line });
            continue;
        }
        if c.is_ascii_digit() || (c == '.' && next.is_some_and(|d| d.is_ascii_digit())) {
            let s = i;
            while i < n && (chars[i].1.is_ascii_digit() || chars[i].1 == '.') {
                i += 1;
            }
            if i < n && matches!(chars[i].1, 'e' | 'E') {
                let mut j = i + 1;
                if j < n && matches!(chars[j].1, '+' | '-') {
                    j += 1;
                }
                if j < n && chars[j].1.is_ascii_digit() {
                    i = j;
                    while i < n && chars[i].1.is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            let text: String = chars[s..i].iter().map(|(_, c)| *c).collect();
            out.push(Token { kind: TokenKind::Number(text), start, end: off(i), line: tok_line });
            continue;
        }
        if is_word_start(c) {
            let s = i;
            while i < n && is_word_char(chars[i].1) {
                i += 1;
            }
            let w: String = chars[s..i].iter().map(|(_, c)| *c).collect();
            out.push(Token { kind: TokenKind::Word(w), start, end: off(i), line: tok_line });
            continue;
        }
        if let Some(nc) = next {
            let two: String = [c, nc].iter().collect();
            if let Some(p) = PUNCT2.iter().find(|p| **p == two) {
                i += 2;
                out.push(Token { kind: TokenKind::Punct(p), start, end: off(i), line: tok_line });
                continue;
            }
        }
        let one = c.to_string();
        if let Some(p) = PUNCT1.iter().find(|p| **p == one) {
            i += 1;
            out.push(Token { kind: TokenKind::Punct(p), start, end: off(i), line: tok_line });
            continue;
        }
        return Err(LexError::Unexpected { near: one, line: tok_line });
    }
    Ok(out)
}

/// Words that start a new statement when they appear at parenthesis depth 0 after a complete
/// statement (T-SQL does not require `;` between statements).
const STATEMENT_STARTS: [&str; 15] = [
    "SELECT", "DBCC", "CREATE", "ALTER", "DROP", "BACKUP", "RESTORE", "WAITFOR", "SET", "PRINT",
    "USE", "DECLARE", "EXEC", "EXECUTE", "RAISERROR",
];

/// One statement of a batch: its tokens and its source slice.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement<'a> {
    pub tokens: Vec<Token>,
    /// Exact source text of the statement (from its first to its last token).
    pub text: &'a str,
}

/// Split a tokenized batch into statements: at `;` and before a statement keyword at
/// parenthesis depth 0 (except `SELECT` right after `UNION`/`ALL`/`EXCEPT`/`INTERSECT`, and
/// `SET` inside `UPDATE ... SET`).
pub fn split_statements<'a>(src: &'a str, tokens: &[Token]) -> Vec<Statement<'a>> {
    let mut out = Vec::new();
    let mut cur: Vec<Token> = Vec::new();
    let mut depth = 0i32;
    let flush = |cur: &mut Vec<Token>, out: &mut Vec<Statement<'a>>| {
        if let (Some(f), Some(l)) = (cur.first(), cur.last()) {
            let text = &src[f.start..l.end];
            out.push(Statement { tokens: std::mem::take(cur), text });
        }
    };
    for t in tokens {
        if t.is_punct(";") && depth == 0 {
            flush(&mut cur, &mut out);
            continue;
        }
        if depth == 0 && !cur.is_empty() && STATEMENT_STARTS.iter().any(|k| t.is_kw(k)) {
            let prev = cur.last().expect("non-empty");
            let after_set_op = ["UNION", "ALL", "EXCEPT", "INTERSECT"].iter().any(|k| prev.is_kw(k));
            let in_update = t.is_kw("SET") && cur.first().is_some_and(|f| f.is_kw("UPDATE"));
            // `CREATE CREDENTIAL ... WITH IDENTITY` never contains these keywords at depth 0, nor
            // BACKUP/RESTORE; `ALTER ... SET` would, but is not split when ALTER started it.
            let in_alter_set = t.is_kw("SET") && cur.first().is_some_and(|f| f.is_kw("ALTER"));
            if !after_set_op && !in_update && !in_alter_set {
                flush(&mut cur, &mut out);
            }
        }
        if t.is_punct("(") {
            depth += 1;
        } else if t.is_punct(")") {
            depth -= 1;
        }
        cur.push(t.clone());
    }
    flush(&mut cur, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<TokenKind> {
        tokenize(s).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn strings_and_identifiers_unescape() {
        assert_eq!(
            kinds("CREATE CREDENTIAL [a]]b] WITH IDENTITY = N'it''s', SECRET = 'x'"),
            vec![
                TokenKind::Word("CREATE".into()),
                TokenKind::Word("CREDENTIAL".into()),
                TokenKind::QuotedIdent("a]b".into()),
                TokenKind::Word("WITH".into()),
                TokenKind::Word("IDENTITY".into()),
                TokenKind::Punct("="),
                TokenKind::Str { value: "it's".into(), national: true },
                TokenKind::Punct(","),
                TokenKind::Word("SECRET".into()),
                TokenKind::Punct("="),
                TokenKind::Str { value: "x".into(), national: false },
            ]
        );
        assert_eq!(kinds("\"a\"\"b\""), vec![TokenKind::QuotedIdent("a\"b".into())]);
    }

    #[test]
    fn variables_numbers_comments() {
        assert_eq!(
            kinds("SELECT @@VERSION, @P1 -- c\n/* a /* nested */ b */ , -1, 2.5, 0x0A"),
            vec![
                TokenKind::Word("SELECT".into()),
                TokenKind::Global("VERSION".into()),
                TokenKind::Punct(","),
                TokenKind::Variable("P1".into()),
                TokenKind::Punct(","),
                TokenKind::Punct("-"),
                TokenKind::Number("1".into()),
                TokenKind::Punct(","),
                TokenKind::Number("2.5".into()),
                TokenKind::Punct(","),
                TokenKind::Binary("0A".into()),
            ]
        );
    }

    #[test]
    fn line_numbers_count_newlines() {
        let t = tokenize("SELECT 1\n\nSELECT 'a\nb'\nx").unwrap();
        assert_eq!(t[0].line, 1);
        assert_eq!(t[2].line, 3);
        assert_eq!(t[3].line, 3);
        assert_eq!(t[4].line, 5);
    }

    #[test]
    fn unclosed_things_are_errors() {
        assert_eq!(
            tokenize("SELECT 'abc").unwrap_err(),
            LexError::UnclosedQuote { text: "abc".into(), line: 1 }
        );
        assert_eq!(tokenize("SELECT [abc").unwrap_err().number(), 105);
        assert_eq!(tokenize("/* x").unwrap_err().number(), 113);
        assert_eq!(tokenize("SELECT `").unwrap_err().number(), 102);
    }

    #[test]
    fn split_on_semicolons_and_statement_keywords() {
        let src = "DBCC TRACEON(4675, -1) SELECT 1 UNION ALL SELECT 2; select (select 3)";
        let t = tokenize(src).unwrap();
        let s = split_statements(src, &t);
        let texts: Vec<_> = s.iter().map(|s| s.text).collect();
        assert_eq!(texts, vec!["DBCC TRACEON(4675, -1)", "SELECT 1 UNION ALL SELECT 2", "select (select 3)"]);
    }

    #[test]
    fn statement_text_is_exact_source() {
        let src = "  BACKUP DATABASE [x] TO URL = N'https://a/b/c.bak' WITH STATS = 10 ;";
        let t = tokenize(src).unwrap();
        let s = split_statements(src, &t);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "BACKUP DATABASE [x] TO URL = N'https://a/b/c.bak' WITH STATS = 10");
    }
}
