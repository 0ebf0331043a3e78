//! Shared helpers for the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Small articles of our own: `fixtures/{en-US,da-DK}/*.md`, one broken, one empty, one CRLF.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The workspace's `articles/` folder (query sets live there).
pub fn articles() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../articles")
}

/// The shared corpus of real articles. Under CI it must exist; elsewhere a test may skip.
pub fn corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/help-corpus");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the shared help corpus is missing at {}", dir.display());
    }
    eprintln!(
        "skipping: the shared help corpus is not at {} (it is required when CI=true)",
        dir.display()
    );
    None
}

/// The larger shared corpus (515 MicrosoftDocs articles, Danish and English). Under CI it must
/// exist; elsewhere a test may skip.
pub fn large_corpus() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/help-corpus-large");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the large help corpus is missing at {}", dir.display());
    }
    eprintln!(
        "skipping: the large help corpus is not at {} (it is required when CI=true)",
        dir.display()
    );
    None
}

/// A query-set file under `articles/`, required under CI.
pub fn query_set(name: &str) -> Option<PathBuf> {
    let path = articles().join(name);
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("the query set {} is missing", path.display());
    }
    eprintln!("skipping: no query set at {}", path.display());
    None
}
