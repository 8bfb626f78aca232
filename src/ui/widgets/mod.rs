//! Drawing pieces shared by the tabs.
pub mod histogram;
pub mod json;
pub mod prompt;
pub mod table;
pub mod text;
