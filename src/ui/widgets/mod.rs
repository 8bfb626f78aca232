//! Drawing pieces shared by the tabs.
pub mod charts;
pub mod histogram;
pub mod json;
pub mod prompt;
pub mod table;
pub mod text;
