//! Secret masking for what the simulator records: the literal after `SECRET =` (CREATE/ALTER
//! CREDENTIAL) becomes `N'***'`; everything else stays verbatim, so tests can still see how
//! names and identities were quoted. Pure.

use super::lexer::{tokenize, TokenKind};

/// What a masked `SECRET` literal is written as.
pub const MASK: &str = "N'***'";

/// `text` with every `SECRET = <literal>` literal replaced by [`MASK`]. A batch that does not
/// lex (an unterminated string, say) keeps its text up to the first `SECRET` word, followed by
/// `= N'***'`, since where its literal ends is unknown.
pub fn mask_secrets(text: &str) -> String {
    let Ok(toks) = tokenize(text) else {
        return mask_unlexable(text);
    };
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for w in toks.windows(3) {
        if w[0].is_kw("SECRET") && w[1].is_punct("=") && !matches!(w[2].kind, TokenKind::Punct(_)) {
            out.push_str(&text[copied..w[2].start]);
            out.push_str(MASK);
            copied = w[2].end;
        }
    }
    out.push_str(&text[copied..]);
    out
}

fn mask_unlexable(text: &str) -> String {
    let upper = text.to_ascii_uppercase();
    let word_at = |i: usize| {
        let before = upper[..i].chars().next_back();
        let after = upper[i + "SECRET".len()..].chars().next();
        let part = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '@' || c == '#' || c == '$');
        !part(before) && !part(after)
    };
    match upper.match_indices("SECRET").map(|(i, _)| i).find(|&i| word_at(i)) {
        Some(i) => format!("{}SECRET = {MASK}", &text[..i]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_the_secret_literal_and_keeps_the_rest_verbatim() {
        let s = "CREATE CREDENTIAL [https://a/c]]x] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'sv=1&sig=abc''d'";
        assert_eq!(
            mask_secrets(s),
            "CREATE CREDENTIAL [https://a/c]]x] WITH IDENTITY = N'SHARED ACCESS SIGNATURE', SECRET = N'***'"
        );
        assert_eq!(
            mask_secrets("alter credential x with identity='i',secret='p' ; SELECT 1"),
            "alter credential x with identity='i',secret=N'***' ; SELECT 1"
        );
    }

    #[test]
    fn masks_every_secret_in_a_batch_and_non_string_values() {
        let s = "CREATE CREDENTIAL a WITH IDENTITY = 'i', SECRET = 'one'\nALTER CREDENTIAL a WITH IDENTITY = 'i', SECRET = @s";
        let m = mask_secrets(s);
        assert!(!m.contains("one") && !m.contains("@s"), "{m}");
        assert_eq!(m.matches(MASK).count(), 2);
    }

    #[test]
    fn leaves_statements_without_a_secret_alone() {
        for s in ["SELECT name FROM sys.credentials", "SELECT 'SECRET = x'", "SELECT secret_col = 1", "CREATE CREDENTIAL [SECRET] WITH IDENTITY = 'Managed Identity'"] {
            assert_eq!(mask_secrets(s), s);
        }
    }

    #[test]
    fn unlexable_text_is_cut_at_the_secret() {
        let s = "CREATE CREDENTIAL a WITH IDENTITY = 'i', SECRET = 'unterminated sig=abc";
        assert_eq!(mask_secrets(s), "CREATE CREDENTIAL a WITH IDENTITY = 'i', SECRET = N'***'");
        assert_eq!(mask_secrets("SELECT 'open"), "SELECT 'open");
        assert_eq!(mask_secrets("SELECT my_secret, 'open"), "SELECT my_secret, 'open");
    }
}
