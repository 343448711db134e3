//! Backup file names from a container URL and a template.
//!
//! Tokens: `{server}`, `{database}`, `{type}` (`full`, `differential`, `log`), `{timestamp}`
//! (UTC, `yyyyMMddTHHmmssZ`) and `{stripe}`. `{stripe}` becomes `_<x>-of-<y>` when the backup has
//! more than one stripe and nothing for a single stripe, so the default template
//! [`DEFAULT_TEMPLATE`] gives `SQLVM01/Sales/Sales_full_20261126T164000Z.bak` or
//! `…_20261126T164000Z_1-of-4.bak`. A template without `{stripe}` that needs several stripes gets
//! `_<x>-of-<y>` inserted before its extension, so stripes never collide.
//!
//! Token values are made safe for a blob name: a named instance's `\` becomes `$`, `/` becomes
//! `_`, and anything outside `A-Z a-z 0-9 - _ . $` is percent-encoded (UTF-8).

pub const DEFAULT_TEMPLATE: &str = "{server}/{database}/{database}_{type}_{timestamp}{stripe}.bak";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamingError {
    #[error("container_url '{0}' must look like https://<account>.blob.core.windows.net/<container> (no query string, no blob path)")]
    BadContainer(String),
    #[error("container_url '{0}' names a container with upper-case letters: container names must be lower case ({rule})", rule = crate::url::AZURE_CONTAINER_RULE)]
    UpperCaseContainer(String),
    #[error("file_name_template has an unknown token '{{{0}}}'; known: {{server}} {{database}} {{type}} {{timestamp}} {{stripe}}")]
    UnknownToken(String),
    #[error("file_name_template has an unclosed '{{'")]
    Unclosed,
    #[error("file_name_template is empty or produces an empty blob name")]
    Empty,
    #[error("file_name_template must not start with '/' or contain '..' or '?'")]
    BadPath,
    #[error("stripe count {0} is outside 1..=64")]
    StripeCount(u32),
}

/// What the tokens stand for.
#[derive(Debug, Clone)]
pub struct NameParts<'a> {
    pub server: &'a str,
    pub database: &'a str,
    pub kind: &'a str,
    pub timestamp: chrono::DateTime<chrono::Utc>,
}

/// Makes one token value safe inside a blob name.
pub fn sanitize(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '\\' => out.push('$'),
            '/' => out.push('_'),
            c if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '$') => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
    }
    out
}

/// Checks and normalises a container URL: [`crate::url::normalize_container`].
pub fn normalize_container(url: &str) -> Result<String, NamingError> {
    crate::url::normalize_container(url).map_err(|e| match e {
        crate::url::DestinationError::Bad(u) => NamingError::BadContainer(u),
        crate::url::DestinationError::UpperCaseContainer(u) => NamingError::UpperCaseContainer(u),
    })
}

/// Renders the template for every stripe: returns the full blob URLs, stripe 1 first.
pub fn render_urls(container_url: &str, template: Option<&str>, parts: &NameParts<'_>, stripes: u32) -> Result<Vec<String>, NamingError> {
    if stripes == 0 || stripes > 64 {
        return Err(NamingError::StripeCount(stripes));
    }
    let container = normalize_container(container_url)?;
    let template = template.unwrap_or(DEFAULT_TEMPLATE);
    if template.trim().is_empty() {
        return Err(NamingError::Empty);
    }
    if template.starts_with('/') || template.contains("..") || template.contains('?') || template.contains('#') {
        return Err(NamingError::BadPath);
    }
    let has_stripe = template.contains("{stripe}");
    let mut urls = Vec::with_capacity(stripes as usize);
    for x in 1..=stripes {
        let stripe = if stripes > 1 { format!("_{x}-of-{stripes}") } else { String::new() };
        let mut name = render(template, parts, &stripe)?;
        if !has_stripe && stripes > 1 {
            name = insert_before_extension(&name, &stripe);
        }
        if name.is_empty() || name.ends_with('/') {
            return Err(NamingError::Empty);
        }
        urls.push(format!("{container}/{name}"));
    }
    Ok(urls)
}

fn insert_before_extension(name: &str, suffix: &str) -> String {
    let file_start = name.rfind('/').map(|i| i + 1).unwrap_or(0);
    match name[file_start..].rfind('.') {
        Some(dot) if dot > 0 => {
            let at = file_start + dot;
            format!("{}{}{}", &name[..at], suffix, &name[at..])
        }
        _ => format!("{name}{suffix}"),
    }
}

fn render(template: &str, parts: &NameParts<'_>, stripe: &str) -> Result<String, NamingError> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or(NamingError::Unclosed)?;
        let token = &after[..close];
        match token {
            "server" => out.push_str(&sanitize(parts.server)),
            "database" => out.push_str(&sanitize(parts.database)),
            "type" => out.push_str(&sanitize(parts.kind)),
            "timestamp" => out.push_str(&parts.timestamp.format("%Y%m%dT%H%M%SZ").to_string()),
            "stripe" => out.push_str(stripe),
            other => return Err(NamingError::UnknownToken(other.to_string())),
        }
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn parts<'a>(db: &'a str) -> NameParts<'a> {
        NameParts {
            server: "SQLVM01\\INST1",
            database: db,
            kind: "full",
            timestamp: chrono::Utc.with_ymd_and_hms(2026, 11, 26, 16, 40, 0).unwrap(),
        }
    }

    #[test]
    fn default_template_single_stripe() {
        let u = render_urls("https://acct.blob.core.windows.net/backups/", None, &parts("Sales"), 1).unwrap();
        assert_eq!(u, vec!["https://acct.blob.core.windows.net/backups/SQLVM01$INST1/Sales/Sales_full_20261126T164000Z.bak"]);
    }

    #[test]
    fn default_template_stripes_are_x_of_y() {
        let u = render_urls("https://acct.blob.core.windows.net/backups", None, &parts("Sales"), 3).unwrap();
        assert_eq!(u.len(), 3);
        assert!(u[0].ends_with("Sales_full_20261126T164000Z_1-of-3.bak"), "{}", u[0]);
        assert!(u[2].ends_with("Sales_full_20261126T164000Z_3-of-3.bak"), "{}", u[2]);
    }

    #[test]
    fn template_without_stripe_token_still_distinct() {
        let u = render_urls("https://a.blob.core.windows.net/c", Some("{database}.bak"), &parts("HR"), 2).unwrap();
        assert_eq!(u, vec!["https://a.blob.core.windows.net/c/HR_1-of-2.bak", "https://a.blob.core.windows.net/c/HR_2-of-2.bak"]);
    }

    #[test]
    fn odd_names_are_encoded() {
        let u = render_urls("https://a.blob.core.windows.net/c", Some("{database}{stripe}.bak"), &parts("Sales DB/ü'"), 1).unwrap();
        assert_eq!(u, vec!["https://a.blob.core.windows.net/c/Sales%20DB_%C3%BC%27.bak"]);
    }

    #[test]
    fn bad_templates_and_containers() {
        let p = parts("x");
        assert_eq!(render_urls("https://a.blob.core.windows.net/c", Some("{db}.bak"), &p, 1), Err(NamingError::UnknownToken("db".into())));
        assert_eq!(render_urls("https://a.blob.core.windows.net/c", Some("{database.bak"), &p, 1), Err(NamingError::Unclosed));
        assert_eq!(render_urls("https://a.blob.core.windows.net/c", Some("../x.bak"), &p, 1), Err(NamingError::BadPath));
        assert!(matches!(render_urls("http://a/c", None, &p, 1), Err(NamingError::BadContainer(_))));
        let e = render_urls("https://acct.blob.core.windows.net/Backups", None, &p, 1).unwrap_err();
        assert!(matches!(e, NamingError::UpperCaseContainer(_)) && e.to_string().contains("lower case") && e.to_string().contains("3-63"), "{e}");
        // the host is normalised to lower case, the blob path is kept
        let u = render_urls("HTTPS://ACCT.Blob.Core.Windows.Net/backups/", Some("Daily/{database}.bak"), &p, 1).unwrap();
        assert_eq!(u[0], format!("https://acct.blob.core.windows.net/backups/Daily/{}.bak", p.database));
        assert!(matches!(render_urls("https://a.blob.core.windows.net", None, &p, 1), Err(NamingError::BadContainer(_))));
        for bad in ["http://a/c?sig=SECRET", "https://a.blob.core.windows.net?sig=SECRET", "https://a/c?sig=SECRET"] {
            let e = render_urls(bad, None, &p, 1).unwrap_err();
            assert!(matches!(e, NamingError::BadContainer(_)) && !e.to_string().contains("SECRET"), "{e}");
        }
        let e = render_urls("https://a.blob.core.windows.net/c?sig=SECRET", None, &p, 1).unwrap_err();
        assert!(!e.to_string().contains("SECRET"));
        assert_eq!(render_urls("https://a.blob.core.windows.net/c", None, &p, 65), Err(NamingError::StripeCount(65)));
    }
}
