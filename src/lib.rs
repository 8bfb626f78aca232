//! cttui: investigate AWS CloudTrail logs from a terminal.
//!
//! Layers (dependencies point one way): `ingest` fills the `model` event store; `analysis` and
//! `playbook` compute over it; `export` renders it; `ui` draws it. Everything below `ui` is usable
//! headless and is what the CLI subcommands call.
pub mod analysis;
pub mod cli;
pub mod config;
pub mod convert;
pub mod error;
pub mod export;
pub mod fsutil;
pub mod ingest;
pub mod investigation;
pub mod model;
pub mod playbook;
pub mod scale;
pub mod sigma;
pub mod sql;
pub mod summary;
pub mod text;
pub mod ui;

pub use error::{Error, Result};
