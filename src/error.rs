//! The library's error type.
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `details`: one line per reason (file, line, byte), sanitised, each starting with a newline.
    #[error("nothing could be loaded from the given paths ({skipped} input(s) skipped){details}")]
    NothingLoaded { skipped: usize, details: String },
    #[error("query syntax error at column {pos}: {msg}")]
    Query { pos: usize, msg: String },
    #[error("data frame: {0}")]
    Polars(#[from] polars::error::PolarsError),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Invalid(String),
}

impl Error {
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
