//! Checks of the library's shape (issue 13), by reading the source of `src/`:
//! - no two files of `src/` refer to each other (`crate::…` / `super::…` paths, comments and
//!   `#[cfg(test)]` modules excluded), so a reader never climbs back up;
//! - no function in `src/` (outside `#[cfg(test)]` modules) is longer than 80 lines.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 80;

fn src_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut v);
    v.sort();
    v
}

/// Module path of a file: src/ops/backup.rs → ["ops", "backup"]; src/tsql/mod.rs → ["tsql"].
fn module_of(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("src")).unwrap();
    let mut parts: Vec<String> = rel.iter().map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod") | Some("lib")) {
        parts.pop();
    }
    parts
}

/// The source without comments, string literals and `#[cfg(test)]` items (brace-matched).
fn code_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut skip_depth: Option<i32> = None;
    let mut pending_test = false;
    let mut depth = 0i32;
    for line in text.lines() {
        let code = strip_line(line);
        let t = code.trim();
        if skip_depth.is_none() && t.starts_with("#[cfg(test)]") {
            pending_test = true;
            out.push(String::new());
            continue;
        }
        let opens = code.matches('{').count() as i32;
        let closes = code.matches('}').count() as i32;
        if pending_test && skip_depth.is_none() && (opens > 0 || t.ends_with(';')) {
            pending_test = false;
            if opens > closes {
                skip_depth = Some(depth);
            }
            depth += opens - closes;
            out.push(String::new());
            continue;
        }
        depth += opens - closes;
        if let Some(d) = skip_depth {
            if depth <= d {
                skip_depth = None;
            }
            out.push(String::new());
            continue;
        }
        out.push(code);
    }
    out
}

/// One line without `//` comments and without the contents of string literals.
fn strip_line(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    let mut in_str = false;
    while let Some(c) = chars.next() {
        if in_str {
            if c == '\\' {
                chars.next();
            } else if c == '"' {
                in_str = false;
                out.push('"');
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push('"');
            }
            '\'' => {
                // a char literal such as '{' or '"' (not a lifetime): skip it whole
                let rest: String = chars.clone().take(3).collect();
                if rest.chars().nth(1) == Some('\'') {
                    chars.next();
                    chars.next();
                    out.push_str("' '");
                } else if rest.starts_with('\\') && rest.chars().nth(2) == Some('\'') {
                    chars.next();
                    chars.next();
                    chars.next();
                    out.push_str("' '");
                } else {
                    out.push(c);
                }
            }
            '/' if chars.peek() == Some(&'/') => break,
            _ => out.push(c),
        }
    }
    out
}

/// Files `file` refers to through `crate::a::b` or `super::x` paths.
fn references(file: &Path, files: &BTreeMap<Vec<String>, PathBuf>) -> BTreeSet<PathBuf> {
    let text = std::fs::read_to_string(file).unwrap();
    let me = module_of(file);
    let is_mod_file = file.file_name().is_some_and(|n| n == "mod.rs" || n == "lib.rs");
    let parent: Vec<String> = if is_mod_file { me[..me.len().saturating_sub(1)].to_vec() } else { me[..me.len() - 1].to_vec() };
    let mut out = BTreeSet::new();
    let code = code_lines(&text).join("\n");
    // `use crate::{a::b, c}` groups: expand one level of braces
    let re_word = |s: &str| s.chars().all(|c| c.is_alphanumeric() || c == '_');
    let mut paths: Vec<Vec<String>> = Vec::new();
    for (prefix, base) in [("crate::", Vec::<String>::new()), ("super::", parent.clone())] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let seg: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == '{' || *c == '}' || *c == ',' || *c == ' ').collect();
            let head: String = seg.split('{').next().unwrap_or("").to_string();
            let mut p = base.clone();
            p.extend(head.split("::").map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && re_word(s)));
            paths.push(p.clone());
            if let Some(inner) = seg.split_once('{').map(|x| x.1) {
                let inner = inner.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let mut q = p.clone();
                    q.extend(item.split("::").map(|s| s.trim().to_string()).filter(|s| !s.is_empty() && re_word(s)));
                    paths.push(q);
                }
            }
        }
    }
    for p in paths {
        // the longest prefix of the path that names a file
        for n in (1..=p.len()).rev() {
            if let Some(f) = files.get(&p[..n]) {
                if f != file {
                    out.insert(f.clone());
                }
                break;
            }
        }
    }
    out
}

#[test]
fn no_two_files_of_src_refer_to_each_other() {
    let files: BTreeMap<Vec<String>, PathBuf> = src_files().into_iter().map(|f| (module_of(&f), f)).collect();
    let refs: BTreeMap<PathBuf, BTreeSet<PathBuf>> = files.values().map(|f| (f.clone(), references(f, &files))).collect();
    let mut cycles = Vec::new();
    for (a, ra) in &refs {
        for b in ra {
            if a < b && refs.get(b).is_some_and(|rb| rb.contains(a)) {
                cycles.push(format!("{} <-> {}", a.display(), b.display()));
            }
        }
    }
    assert!(cycles.is_empty(), "files that refer to each other:\n{}", cycles.join("\n"));
    // the check itself sees references
    let any = refs.values().map(|r| r.len()).sum::<usize>();
    assert!(any > 20, "only {any} references found: the scanner is broken");
}

#[test]
fn no_function_in_src_is_longer_than_80_lines() {
    let mut long = Vec::new();
    let mut seen = 0;
    for f in src_files() {
        let lines = code_lines(&std::fs::read_to_string(&f).unwrap());
        let mut i = 0;
        while i < lines.len() {
            let t = lines[i].trim_start();
            let is_fn = t.starts_with("fn ") || t.contains(" fn ") && !t.contains("Fn") && (t.starts_with("pub") || t.starts_with("async") || t.starts_with("unsafe") || t.starts_with("const") || t.starts_with("extern"));
            if !is_fn {
                i += 1;
                continue;
            }
            // find the body's opening brace, then its match
            let start = i;
            let mut depth = 0i32;
            let mut opened = false;
            let mut j = i;
            while j < lines.len() {
                for c in lines[j].chars() {
                    if c == '{' {
                        depth += 1;
                        opened = true;
                    } else if c == '}' {
                        depth -= 1;
                    }
                }
                if !opened && lines[j].trim_end().ends_with(';') {
                    break; // a declaration without body
                }
                if opened && depth <= 0 {
                    break;
                }
                j += 1;
            }
            if opened {
                seen += 1;
                let len = j - start + 1;
                if len > MAX_FN_LINES {
                    long.push(format!("{}:{} is {len} lines: {}", f.display(), start + 1, t.chars().take(80).collect::<String>()));
                }
            }
            i = start + 1;
        }
    }
    assert!(seen > 100, "only {seen} functions found: the scanner is broken");
    assert!(long.is_empty(), "functions longer than {MAX_FN_LINES} lines:\n{}", long.join("\n"));
}
