//! One module per tab; each draws from the `Workspace` (and so from the `LoadedLog`).
pub mod anomalies;
pub mod findings;
pub mod grid;
pub mod overview;
pub mod pending;
pub mod playbook;
pub mod principals;
pub mod report;
pub mod s3;
pub mod s3_classified;
pub mod timeline;
