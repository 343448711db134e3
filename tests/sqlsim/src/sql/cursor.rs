//! A cursor over one statement's tokens: the parser toolkit both statement parsers use (the
//! catalog statements in [`super::parse`], BACKUP/RESTORE in [`crate::backup::parse`]). Each
//! parser says through [`SyntaxError`] which error an unexpected token gives, what a `@variable`
//! in place of a name or literal means, and how long a name may be.

use super::lexer::{Token, TokenKind};

/// The errors a parser built on [`Cursor`] reports.
pub trait SyntaxError: Sized {
    /// The token at the cursor (or the end of the statement) is not what the grammar allows.
    fn unexpected(c: &Cursor<'_, Self>) -> Self;
    /// A `@variable` (name without `@`) stands where a name, string or number must; `None`: it
    /// is just [`SyntaxError::unexpected`].
    fn variable(_name: &str) -> Option<Self> {
        None
    }
    /// Check a name just read (SQL Server's length limit, say).
    fn check_ident(_name: &str) -> Result<(), Self> {
        Ok(())
    }
}

/// Position in a token slice; `src` is the text the token offsets point into.
pub struct Cursor<'a, E> {
    pub toks: &'a [Token],
    pub i: usize,
    pub src: &'a str,
    errors: std::marker::PhantomData<fn() -> E>,
}

impl<'a, E: SyntaxError> Cursor<'a, E> {
    pub fn new(toks: &'a [Token], src: &'a str) -> Self {
        Cursor { toks, i: 0, src, errors: std::marker::PhantomData }
    }
    pub fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.i)
    }
    pub fn peek_at(&self, k: usize) -> Option<&'a Token> {
        self.toks.get(self.i + k)
    }
    /// The token at the cursor (if any); the cursor moves past it either way.
    pub fn next_token(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.i);
        self.i += 1;
        t
    }
    pub fn at_end(&self) -> bool {
        self.i >= self.toks.len()
    }
    /// The parser's error for the token at the cursor.
    pub fn unexpected(&self) -> E {
        E::unexpected(self)
    }
    /// The error for a token that is not the name/string/number expected: a variable's own
    /// error where the parser has one, else [`Cursor::unexpected`].
    fn not_a_value(&self) -> E {
        match self.peek().map(|t| &t.kind) {
            Some(TokenKind::Variable(v)) => E::variable(v).unwrap_or_else(|| self.unexpected()),
            _ => self.unexpected(),
        }
    }
    /// Take the keyword `k` (case-insensitive) if it comes next.
    pub fn kw(&mut self, k: &str) -> bool {
        let hit = self.peek().is_some_and(|t| t.is_kw(k));
        self.i += usize::from(hit);
        hit
    }
    pub fn expect_kw(&mut self, k: &str) -> Result<(), E> {
        if self.kw(k) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }
    /// Take the punctuation `p` if it comes next.
    pub fn punct(&mut self, p: &str) -> bool {
        let hit = self.peek().is_some_and(|t| t.is_punct(p));
        self.i += usize::from(hit);
        hit
    }
    pub fn expect_punct(&mut self, p: &str) -> Result<(), E> {
        if self.punct(p) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }
    pub fn expect_end(&self) -> Result<(), E> {
        if self.at_end() {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }
    /// A word or quoted identifier, escapes undone.
    pub fn ident(&mut self) -> Result<String, E> {
        match self.peek().and_then(|t| t.ident()) {
            Some(s) => {
                self.i += 1;
                E::check_ident(s)?;
                Ok(s.to_string())
            }
            None => Err(self.not_a_value()),
        }
    }
    /// A string literal's value.
    pub fn string(&mut self) -> Result<String, E> {
        match self.peek().and_then(|t| t.string()) {
            Some(s) => {
                self.i += 1;
                Ok(s.to_string())
            }
            None => Err(self.not_a_value()),
        }
    }
    /// A name given as an identifier or a string (`NAME = x` / `NAME = 'x'`).
    pub fn ident_or_string(&mut self) -> Result<String, E> {
        if self.peek().is_some_and(|t| t.string().is_some()) {
            self.string()
        } else {
            self.ident()
        }
    }
    /// A whole number that fits `u64` (`1.5`, `1e3` and larger numbers are unexpected).
    pub fn number(&mut self) -> Result<u64, E> {
        match self.peek().map(|t| &t.kind) {
            Some(TokenKind::Number(n)) => {
                let v = n.parse::<u64>().map_err(|_| self.unexpected())?;
                self.i += 1;
                Ok(v)
            }
            _ => Err(self.not_a_value()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::lexer::tokenize;

    #[derive(Debug, PartialEq)]
    enum E {
        Near(String),
        Var(String),
        Long,
    }

    impl SyntaxError for E {
        fn unexpected(c: &Cursor<'_, Self>) -> Self {
            E::Near(c.peek().map(|t| t.source(c.src).to_string()).unwrap_or_default())
        }
        fn variable(name: &str) -> Option<Self> {
            (name != "plain").then(|| E::Var(name.to_string()))
        }
        fn check_ident(name: &str) -> Result<(), Self> {
            if name.len() > 5 {
                Err(E::Long)
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn reads_keywords_punctuation_names_literals_and_numbers() {
        let src = "with [a]]b] = N'x''y', name = 'n', size = 42 ;";
        let toks = tokenize(src).unwrap();
        let mut c = Cursor::<E>::new(&toks, src);
        assert!(!c.kw("without") && c.kw("WITH"));
        assert_eq!(c.ident(), Ok("a]b".into()));
        c.expect_punct("=").unwrap();
        assert_eq!(c.string(), Ok("x'y".into()));
        assert!(c.punct(","));
        assert_eq!(c.ident(), Ok("name".into()));
        assert_eq!(c.expect_kw("AS"), Err(E::Near("=".into())));
        c.expect_punct("=").unwrap();
        assert_eq!(c.ident_or_string(), Ok("n".into()));
        c.expect_punct(",").unwrap();
        assert_eq!(c.peek_at(2).map(|t| t.source(src)), Some("42"));
        assert_eq!(c.ident(), Ok("size".into()));
        assert!(c.punct("="));
        assert_eq!(c.number(), Ok(42));
        assert_eq!(c.expect_end(), Err(E::Near(";".into())));
        assert!(c.next_token().is_some() && c.at_end());
        assert_eq!(c.expect_end(), Ok(()));
        assert_eq!(c.ident(), Err(E::Near(String::new())));
    }

    #[test]
    fn the_parser_decides_about_variables_lengths_and_bad_numbers() {
        let src = "@v @plain toolong 1.5 99999999999999999999";
        let toks = tokenize(src).unwrap();
        let mut c = Cursor::<E>::new(&toks, src);
        assert_eq!(c.string(), Err(E::Var("v".into())));
        assert_eq!(c.number(), Err(E::Var("v".into())));
        c.i += 1;
        assert_eq!(c.ident(), Err(E::Near("@plain".into())));
        c.i += 1;
        assert_eq!(c.ident(), Err(E::Long));
        assert_eq!(c.number(), Err(E::Near("1.5".into())));
        c.i += 1;
        assert_eq!(c.number(), Err(E::Near("99999999999999999999".into())));
    }
}
