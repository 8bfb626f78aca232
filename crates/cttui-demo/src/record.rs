//! One generated CloudTrail record: the fields it is made of, its JSON text (field order as
//! CloudTrail writes it), and the facts the ground-truth tally keeps about it.
use serde::Serialize;
use serde_json::Value;

use super::calls::EventType;
use super::catalog::ACCOUNT;
use super::identity::UserIdentity;
use super::time::iso;

/// Everything that varies between records.
#[derive(Debug, Clone)]
pub struct Draft {
    pub time: i64,
    pub version: &'static str,
    pub identity: UserIdentity,
    pub source: String,
    pub name: &'static str,
    pub region: &'static str,
    pub ip: String,
    pub agent: String,
    pub error_code: Option<&'static str>,
    pub error_message: Option<String>,
    pub request: Value,
    pub response: Value,
    pub additional: Option<Value>,
    pub request_id: String,
    pub event_id: String,
    pub read_only: bool,
    pub resources: Option<Value>,
    pub event_type: EventType,
    pub data: bool,
    pub vpc_endpoint: Option<String>,
    /// The TLS host header, for calls that reach a public endpoint over TLS.
    pub tls_host: Option<String>,
    pub from_console: bool,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Json<'a> {
    event_version: &'a str,
    user_identity: &'a UserIdentity,
    event_time: String,
    event_source: &'a str,
    event_name: &'a str,
    aws_region: &'a str,
    #[serde(rename = "sourceIPAddress")]
    source_ip: &'a str,
    user_agent: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_code: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_message: Option<&'a str>,
    request_parameters: &'a Value,
    response_elements: &'a Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    additional_event_data: Option<&'a Value>,
    #[serde(rename = "requestID")]
    request_id: &'a str,
    #[serde(rename = "eventID")]
    event_id: &'a str,
    read_only: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<&'a Value>,
    event_type: &'a str,
    management_event: bool,
    recipient_account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpc_endpoint_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    vpc_endpoint_account_id: Option<&'a str>,
    event_category: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    tls_details: Option<Tls<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session_credential_from_console: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Tls<'a> {
    tls_version: &'a str,
    cipher_suite: &'a str,
    client_provided_host_header: &'a str,
}

impl Draft {
    /// The compact JSON text of the record.
    pub fn render(&self) -> crate::Result<String> {
        let json = Json {
            event_version: self.version,
            user_identity: &self.identity,
            event_time: iso(self.time),
            event_source: &self.source,
            event_name: self.name,
            aws_region: self.region,
            source_ip: &self.ip,
            user_agent: &self.agent,
            error_code: self.error_code,
            error_message: self.error_message.as_deref(),
            request_parameters: &self.request,
            response_elements: &self.response,
            additional_event_data: self.additional.as_ref(),
            request_id: &self.request_id,
            event_id: &self.event_id,
            read_only: self.read_only,
            resources: self.resources.as_ref(),
            event_type: self.event_type.as_str(),
            management_event: !self.data,
            recipient_account_id: ACCOUNT,
            vpc_endpoint_id: self.vpc_endpoint.as_deref(),
            vpc_endpoint_account_id: self.vpc_endpoint.as_ref().map(|_| ACCOUNT),
            event_category: if self.data { "Data" } else { "Management" },
            tls_details: self.tls_host.as_deref().map(|host| Tls {
                tls_version: "TLSv1.3",
                cipher_suite: "TLS_AES_128_GCM_SHA256",
                client_provided_host_header: host,
            }),
            session_credential_from_console: self.from_console.then_some("true"),
        };
        Ok(serde_json::to_string(&json)?)
    }

    /// `bytesTransferredOut` of an S3 call, if recorded.
    pub fn bytes_out(&self) -> u64 {
        self.additional
            .as_ref()
            .and_then(|a| a.get("bytesTransferredOut"))
            .and_then(Value::as_u64)
            .unwrap_or(0)
    }
}

/// The incident's stages, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Recon,
    Discovery,
    Exfiltration,
    Exposure,
    Evasion,
}

impl Phase {
    pub const ALL: [Phase; 5] = [
        Phase::Recon,
        Phase::Discovery,
        Phase::Exfiltration,
        Phase::Exposure,
        Phase::Evasion,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Phase::Recon => "1 reconnaissance (identity, buckets, denied IAM/Secrets/S3 probes)",
            Phase::Discovery => "2 discovery (ListObjects pages on the bucket)",
            Phase::Exfiltration => "3 exfiltration (GetObject burst)",
            Phase::Exposure => "4 exposure (public access block removed, public bucket policy)",
            Phase::Evasion => "5 defence evasion (StopLogging attempt)",
        }
    }
}

/// What the tally needs to know about a written record.
#[derive(Debug, Clone)]
pub struct Fact {
    /// Index into the catalog's principals; the incident uses the web app role's index.
    pub principal: usize,
    pub name: &'static str,
    pub region: &'static str,
    pub phase: Option<Phase>,
    pub failed: bool,
    pub data: bool,
    pub bytes_out: u64,
}

/// A rendered record ready to be written.
#[derive(Debug, Clone)]
pub struct Event {
    pub time: i64,
    /// Tie-break among events of the same second: generation order.
    pub order: u64,
    pub text: String,
    /// Written a second time, as CloudTrail sometimes delivers an event twice.
    pub redeliver: bool,
    pub fact: Fact,
}

impl Event {
    pub fn new(
        draft: &Draft,
        principal: usize,
        phase: Option<Phase>,
        order: u64,
    ) -> crate::Result<Self> {
        Ok(Event {
            time: draft.time,
            order,
            text: draft.render()?,
            redeliver: false,
            fact: Fact {
                principal,
                name: draft.name,
                region: draft.region,
                phase,
                failed: draft.error_code.is_some() || draft.error_message.is_some(),
                data: draft.data,
                bytes_out: draft.bytes_out(),
            },
        })
    }
}
