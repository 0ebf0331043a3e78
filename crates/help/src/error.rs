//! Errors of the help crate. Loading articles never fails as a whole (problems land in the
//! [`LoadReport`](crate::LoadReport)); these are for the index, the benchmark files and I/O.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum HelpError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    IndexIo(#[from] std::io::Error),
    #[error("{path}:{line}: {reason}")]
    QuerySet {
        path: PathBuf,
        line: usize,
        reason: String,
    },
}
