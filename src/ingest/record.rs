//! The typed, borrowing view of one CloudTrail record that ingest reads.
//!
//! Only the fields the canonical schema needs are deserialised; everything else stays in the raw text
//! kept by the raw store. Real logs put odd types in odd places (`readOnly: "true"`, numeric strings,
//! `requestParameters: null` or a string), so every field is read leniently: a value of an unexpected
//! shape becomes "absent" instead of failing the whole record.
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

/// A scalar read as text: strings as they are, numbers and booleans as their JSON text; objects,
/// arrays and null as absent.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Text<'a>(pub Option<Cow<'a, str>>);

impl<'a> Text<'a> {
    pub fn get(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// The value, treating empty strings as absent.
    pub fn non_empty(&self) -> Option<&str> {
        self.get().filter(|s| !s.is_empty())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(if v { "true" } else { "false" }))))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Text(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Text(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// An object read into `T` when the value is an object; any other shape is absent.
#[derive(Debug, Clone, PartialEq)]
pub struct Obj<T>(pub Option<T>);

impl<T> Default for Obj<T> {
    fn default() -> Self {
        Obj(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Obj<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Obj<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| Obj(Some(t)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Obj(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
                d.deserialize_any(self)
            }
            fn visit_none<E>(self) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_unit<E>(self) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
            fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
                Ok(Obj(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<T> Obj<T> {
    pub fn as_ref(&self) -> Option<&T> {
        self.0.as_ref()
    }
}

/// One element of a log: a CloudTrail record, or a wrapper that carries one.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record<'a> {
    #[serde(borrow, default)]
    pub event_time: Text<'a>,
    #[serde(borrow, default, rename = "@timestamp")]
    pub at_timestamp: Text<'a>,
    #[serde(borrow, default)]
    pub event_name: Text<'a>,
    #[serde(borrow, default)]
    pub event_source: Text<'a>,
    #[serde(borrow, default)]
    pub aws_region: Text<'a>,
    #[serde(borrow, default, rename = "sourceIPAddress")]
    pub source_ip: Text<'a>,
    #[serde(borrow, default)]
    pub user_agent: Text<'a>,
    #[serde(borrow, default)]
    pub user_identity: Obj<Identity<'a>>,
    #[serde(borrow, default)]
    pub error_code: Text<'a>,
    #[serde(borrow, default)]
    pub error_message: Text<'a>,
    #[serde(borrow, default)]
    pub read_only: Text<'a>,
    #[serde(borrow, default)]
    pub management_event: Text<'a>,
    #[serde(borrow, default)]
    pub event_category: Text<'a>,
    #[serde(borrow, default)]
    pub event_type: Text<'a>,
    #[serde(borrow, default, rename = "requestID")]
    pub request_id: Text<'a>,
    #[serde(borrow, default, rename = "eventID")]
    pub event_id: Text<'a>,
    #[serde(borrow, default)]
    pub recipient_account_id: Text<'a>,
    #[serde(borrow, default)]
    pub request_parameters: Obj<RequestParameters<'a>>,
    #[serde(borrow, default)]
    pub additional_event_data: Obj<AdditionalEventData<'a>>,
    /// CloudTrail Event History (`lookup-events`) items carry the record as an escaped string.
    #[serde(borrow, default, rename = "CloudTrailEvent")]
    pub cloudtrail_event: Text<'a>,
    /// SIEM exports (Splunk, Cribl) keep the delivered document under `_raw`, as a string or an object.
    #[serde(borrow, default, rename = "_raw")]
    pub siem_raw: Option<&'a RawValue>,
}

impl Record<'_> {
    /// Whether the element looks like a CloudTrail record itself (as opposed to a wrapper).
    pub fn is_cloudtrail(&self) -> bool {
        let has_time = self.event_time.get().is_some() || self.at_timestamp.get().is_some();
        self.event_name.get().is_some()
            || self.event_source.get().is_some()
            || self.user_identity.as_ref().is_some()
            || (has_time && self.aws_region.get().is_some())
    }
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Identity<'a> {
    #[serde(borrow, default, rename = "type")]
    pub kind: Text<'a>,
    #[serde(borrow, default)]
    pub principal_id: Text<'a>,
    #[serde(borrow, default)]
    pub arn: Text<'a>,
    #[serde(borrow, default)]
    pub account_id: Text<'a>,
    #[serde(borrow, default)]
    pub access_key_id: Text<'a>,
    #[serde(borrow, default)]
    pub user_name: Text<'a>,
    #[serde(borrow, default)]
    pub invoked_by: Text<'a>,
    #[serde(borrow, default)]
    pub session_context: Obj<SessionContext<'a>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext<'a> {
    #[serde(borrow, default)]
    pub session_issuer: Obj<SessionIssuer<'a>>,
    #[serde(borrow, default)]
    pub attributes: Obj<SessionAttributes<'a>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIssuer<'a> {
    #[serde(borrow, default)]
    pub arn: Text<'a>,
    #[serde(borrow, default)]
    pub user_name: Text<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionAttributes<'a> {
    #[serde(borrow, default)]
    pub mfa_authenticated: Text<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct RequestParameters<'a> {
    #[serde(borrow, default, rename = "bucketName")]
    pub bucket_name: Text<'a>,
    #[serde(borrow, default)]
    pub key: Text<'a>,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct AdditionalEventData<'a> {
    #[serde(borrow, default, rename = "bytesTransferredOut")]
    pub bytes_out: Text<'a>,
    #[serde(borrow, default, rename = "bytesTransferredIn")]
    pub bytes_in: Text<'a>,
    #[serde(borrow, default, rename = "MFAUsed")]
    pub mfa_used: Text<'a>,
}

/// The canonical principal: a stable display identity for grouping and pivots.
pub fn principal(rec: &Record<'_>) -> Option<String> {
    let id = rec.user_identity.as_ref()?;
    if let Some(arn) = id.arn.non_empty() {
        return Some(arn.to_owned());
    }
    let kind = id.kind.non_empty().unwrap_or("");
    if id
        .account_id
        .get()
        .is_some_and(|a| a.eq_ignore_ascii_case("anonymous") || a == "ANONYMOUS_PRINCIPAL")
        || kind.eq_ignore_ascii_case("anonymous")
    {
        return Some("anonymous".to_owned());
    }
    if kind == "AWSService" {
        let by = id
            .invoked_by
            .non_empty()
            .or_else(|| rec.event_source.non_empty());
        return Some(format!("AWSService:{}", by.unwrap_or("")));
    }
    if let Some(issuer) = id
        .session_context
        .as_ref()
        .and_then(|c| c.session_issuer.as_ref())
        && let Some(v) = issuer
            .arn
            .non_empty()
            .or_else(|| issuer.user_name.non_empty())
    {
        return Some(v.to_owned());
    }
    // Never an empty label ("AWSAccount:"): fall back to the account, or the type alone.
    let label = id
        .principal_id
        .non_empty()
        .or_else(|| id.account_id.non_empty());
    match (kind.is_empty(), label) {
        (true, None) => None,
        (_, Some(l)) => Some(format!("{kind}:{l}")),
        (false, None) => Some(kind.to_owned()),
    }
}

/// Parses a boolean that logs write as `true`, `"true"`, `"Yes"`, ….
pub fn parse_bool(s: Option<&str>) -> Option<bool> {
    match s?.trim() {
        v if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("yes") || v == "1" => {
            Some(true)
        }
        v if v.eq_ignore_ascii_case("false") || v.eq_ignore_ascii_case("no") || v == "0" => {
            Some(false)
        }
        _ => None,
    }
}

/// Parses a byte count written as an integer, a float (`1.0E7`) or a numeric string.
pub fn parse_bytes(s: Option<&str>) -> Option<i64> {
    let s = s?.trim();
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    let f = s.parse::<f64>().ok()?;
    (f.is_finite() && f >= 0.0).then(|| f.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(json: &str) -> Record<'_> {
        serde_json::from_str(json).expect("valid record")
    }

    #[test]
    fn odd_types_are_read_leniently() {
        let r = rec(
            r#"{"eventName":"GetObject","readOnly":true,"requestParameters":"oops",
                "additionalEventData":{"bytesTransferredOut":1.5E3},"errorCode":null,
                "userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","sessionContext":[]}}"#,
        );
        assert_eq!(r.read_only.get(), Some("true"));
        assert!(r.request_parameters.as_ref().is_none());
        assert_eq!(r.error_code.get(), None);
        let bytes = r
            .additional_event_data
            .as_ref()
            .and_then(|a| a.bytes_out.get());
        assert_eq!(parse_bytes(bytes), Some(1500));
    }

    #[test]
    fn principal_rules() {
        let p = |j: &str| principal(&rec(j));
        assert_eq!(
            p(r#"{"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a"}}"#).as_deref(),
            Some("arn:aws:iam::1:user/a")
        );
        assert_eq!(
            p(r#"{"userIdentity":{"type":"AWSService","invokedBy":"config.amazonaws.com"}}"#)
                .as_deref(),
            Some("AWSService:config.amazonaws.com")
        );
        assert_eq!(
            p(r#"{"userIdentity":{"type":"AWSAccount","principalId":"","accountId":"anonymous"}}"#)
                .as_deref(),
            Some("anonymous")
        );
        assert_eq!(
            p(r#"{"userIdentity":{"type":"AssumedRole","principalId":"AROA:s","sessionContext":{"sessionIssuer":{"arn":"arn:aws:iam::1:role/r"}}}}"#)
                .as_deref(),
            Some("arn:aws:iam::1:role/r")
        );
        assert_eq!(
            p(r#"{"userIdentity":{"type":"SAMLUser","principalId":"x:y"}}"#).as_deref(),
            Some("SAMLUser:x:y")
        );
        assert_eq!(p(r#"{"eventName":"X"}"#), None);
    }

    #[test]
    fn booleans() {
        assert_eq!(parse_bool(Some("Yes")), Some(true));
        assert_eq!(parse_bool(Some("false")), Some(false));
        assert_eq!(parse_bool(Some("maybe")), None);
    }
}
