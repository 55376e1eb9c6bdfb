//! No SQLite query of the project has a bare bound parameter as its LIMIT.
//!
//! SQLite (3.51, as bundled) plans such a statement for the value bound and so prepares it
//! again every time the parameter is bound: the statement cache then saves nothing, and the
//! ticket issue lost a third of its throughput to it. `LIMIT ? + 0` is evaluated at run time
//! instead (see `ticket_outlook_sql` in `store.rs`). PostgreSQL's `$n` is not concerned.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

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

/// The `LIMIT ?` / `LIMIT ?N` in `text` not followed by ` + 0`, as (line, excerpt).
fn bare_limits(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("LIMIT ?") {
        let rest = &text[at + "LIMIT ?".len()..];
        let after_number = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        if !after_number.starts_with(" + 0") {
            let line = text[..at].lines().count().max(1);
            let excerpt: String = text[at..].chars().take(20).collect();
            found.push((line, excerpt));
        }
    }
    found
}

#[test]
fn the_check_finds_a_bare_limit_and_passes_an_expression() {
    assert_eq!(bare_limits("x LIMIT ?\"").len(), 1);
    assert_eq!(bare_limits("x\nLIMIT ?4)").len(), 1);
    assert_eq!(bare_limits("x LIMIT ? + 0\" y LIMIT ?6 + 0)").len(), 0);
    assert_eq!(bare_limits("x LIMIT 1 y LIMIT $3").len(), 0);
}

#[test]
fn no_sqlite_query_limits_by_a_bare_parameter() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for dir in ["cli", "core", "drivers", "src-tauri", "sync"] {
        let dir = root.join(dir);
        if dir.is_dir() {
            rust_files(&dir, &mut files);
        }
    }
    assert!(
        files.iter().any(|f| f.ends_with("store.rs")),
        "the scan found the hub's sources"
    );
    let this_file = Path::new(file!()).file_name().unwrap();
    let mut bare = Vec::new();
    for file in files.iter().filter(|f| f.file_name() != Some(this_file)) {
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
