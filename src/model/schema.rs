//! Column names of the canonical event schema, shared by ingest, queries, views and exports.

pub const ROW_ID: &str = "row_id";
pub const RAW_ID: &str = "raw_id";
pub const FILE_ID: &str = "file_id";
pub const EVENT_TIME: &str = "event_time";
pub const BYTES_OUT: &str = "bytes_out";
pub const BYTES_IN: &str = "bytes_in";
pub const READ_ONLY: &str = "read_only";
pub const MANAGEMENT_EVENT: &str = "management_event";
pub const MFA_AUTHENTICATED: &str = "mfa_authenticated";
/// Whether sourceIPAddress is outside AWS: a valid address in neither AWS's published prefixes
/// nor a private range (`crate::model::net`).
pub const OUTSIDE_AWS: &str = "outside_aws";
/// The network class of sourceIPAddress: `aws-service`, `aws`, `private`, `outside` or `none`
/// (`crate::model::net::NetClass`).
pub const NET_CLASS: &str = "net_class";

/// The string columns, in the order the ingest builders fill them.
pub const STRING_COLUMNS: [&str; 21] = [
    "event_name",
    "event_source",
    "aws_region",
    "source_ip",
    "user_agent",
    "principal",
    "identity_type",
    "user_name",
    "account_id",
    "recipient_account_id",
    "access_key_id",
    "session_issuer",
    "error_code",
    "error_message",
    "event_category",
    "event_type",
    "request_id",
    "event_id",
    "bucket",
    "object_key",
    "event_time_raw",
];

/// Index of each string column in [`STRING_COLUMNS`].
pub mod s {
    pub const EVENT_NAME: usize = 0;
    pub const EVENT_SOURCE: usize = 1;
    pub const AWS_REGION: usize = 2;
    pub const SOURCE_IP: usize = 3;
    pub const USER_AGENT: usize = 4;
    pub const PRINCIPAL: usize = 5;
    pub const IDENTITY_TYPE: usize = 6;
    pub const USER_NAME: usize = 7;
    pub const ACCOUNT_ID: usize = 8;
    pub const RECIPIENT_ACCOUNT_ID: usize = 9;
    pub const ACCESS_KEY_ID: usize = 10;
    pub const SESSION_ISSUER: usize = 11;
    pub const ERROR_CODE: usize = 12;
    pub const ERROR_MESSAGE: usize = 13;
    pub const EVENT_CATEGORY: usize = 14;
    pub const EVENT_TYPE: usize = 15;
    pub const REQUEST_ID: usize = 16;
    pub const EVENT_ID: usize = 17;
    pub const BUCKET: usize = 18;
    pub const OBJECT_KEY: usize = 19;
    /// The event time as written in the record, kept for records whose time did not parse.
    pub const EVENT_TIME_RAW: usize = 20;
}

/// Text columns a bare query word searches.
pub const TEXT_SEARCH_COLUMNS: [&str; 10] = [
    "event_name",
    "event_source",
    "principal",
    "source_ip",
    "user_agent",
    "error_code",
    "bucket",
    "object_key",
    "aws_region",
    "access_key_id",
];
