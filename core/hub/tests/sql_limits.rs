//! No SQL query of the project has a bare bound parameter as its LIMIT.
//!
//! SQLite (3.51, as bundled) plans such a statement for the value bound and so prepares it
//! again every time the parameter is bound, even to the same value: the statement cache
//! then saves nothing (a quarter of the writer's SQLite thread in a profile of the ticket
//! issue). `LIMIT ? + 0` is evaluated at run time instead (see `ticket_outlook_sql` in
//! `store.rs`). Central's queries run on SQLite too (sqlx's `Any` driver), so `$n` counts;
//! `$n + 0` is as good in PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

/// The folders with Rust code that talks to a database.
const SOURCE_FOLDERS: [&str; 5] = ["cli", "core", "drivers", "src-tauri", "sync"];

/// Rust files under `dir`, recursively, skipping build output.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("target") && !path.ends_with("node_modules") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `LIMIT` in `text` whose value is a bare parameter (`?`, `?4`, `$3`, `:n`, `@n`,
/// maybe in parentheses, after spaces or a string continuation), as (line, excerpt). Rust
/// names such as `limit: usize` or `limit?` are not SQL: the word must stand alone and be
/// followed by space before its value.
fn bare_limits(text: &str) -> Vec<(usize, String)> {
    let upper = text.to_ascii_uppercase();
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut found = Vec::new();
    for (at, _) in upper.match_indices("LIMIT") {
        if upper[..at].chars().next_back().is_some_and(is_name) {
            continue;
        }
        let after = &upper[at + "LIMIT".len()..];
        let rest = after.trim_start_matches(|c: char| c.is_whitespace() || c == '\\' || c == '(');
        if rest.len() == after.len() || !after.starts_with(char::is_whitespace) {
            continue;
        }
        let Some(sign) = rest.chars().next().filter(|c| "?$:@".contains(*c)) else {
            continue;
        };
        let name = rest[1..].trim_start_matches(is_name);
        if sign != '?' && name.len() + 1 == rest.len() {
            continue; // a lone `$`, `:` or `@` is no parameter
        }
        let rest = name.trim_start_matches(|c: char| c.is_whitespace() || c == '\\' || c == ')');
        if !rest.starts_with('+') {
            let line = text[..at].matches('\n').count() + 1;
            let excerpt: String = text[at..].chars().take(24).collect();
            found.push((line, excerpt));
        }
    }
    found
}

#[test]
fn the_check_finds_a_bare_limit_and_passes_an_expression() {
    let bare = [
        "x LIMIT ?\"",
        "x\nLIMIT ?4)",
        "x limit ?",
        "x LIMIT $3\"",
        "x LIMIT (?)",
        "x LIMIT \\\n     ?",
        "x LIMIT :n",
    ];
    for text in bare {
        assert_eq!(bare_limits(text).len(), 1, "{text:?}");
    }
    assert_eq!(bare_limits("a\nb\nLIMIT ?")[0].0, 3);
    let fine = [
        "x LIMIT ? + 0\" y LIMIT ?6 + 0)",
        "x LIMIT $3 + 0",
        "x LIMIT 1 y LIMIT 10",
        "const LIMITS: u8 = 1;",
        "x LIMIT \", $sample, \" + 0",
        "fn f(limit: usize) { let n = limit?; parse_limit ?; }",
        "x LIMIT ? + 0",
    ];
    for text in fine {
        assert!(bare_limits(text).is_empty(), "{text:?}");
    }
}

#[test]
fn no_query_limits_by_a_bare_parameter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap();
    let mut files = Vec::new();
    for dir in SOURCE_FOLDERS {
        let dir = root.join(dir);
        assert!(
            dir.is_dir(),
            "{} is gone: update SOURCE_FOLDERS",
            dir.display()
        );
        rust_files(&dir, &mut files);
    }
    assert!(
        files.iter().any(|f| f.ends_with("core/hub/src/store.rs")),
        "the scan found the hub's sources"
    );
    let this_file = root.join("core/hub/tests/sql_limits.rs");
    let mut bare = Vec::new();
    for file in files.iter().filter(|f| **f != this_file) {
        let text = std::fs::read_to_string(file).unwrap();
        for (line, excerpt) in bare_limits(&text) {
            bare.push(format!("{}:{line}: {excerpt}", file.display()));
        }
    }
    assert!(
        bare.is_empty(),
        "write `LIMIT ? + 0` (SQLite prepares a statement again at every run when its LIMIT \
         is a bare parameter):\n{}",
        bare.join("\n")
    );
}
