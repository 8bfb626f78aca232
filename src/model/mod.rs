//! The event store and what is computed over it: views and the query language.
pub mod net;
pub mod query;
pub mod raw;
pub mod schema;
pub mod store;
pub mod time;
