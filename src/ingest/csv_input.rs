//! Flattened CSV exports (Athena, SIEMs, spreadsheets): each row is rebuilt into a nested CloudTrail
//! record, so the rest of ingest, the raw view and exports treat it like any other record.
//!
//! Headers may be dotted (`userIdentity.arn`), concatenated (`userIdentityarn`) or snake_case
//! (`user_identity_arn`); they are matched on their letters alone. Unknown columns are kept.
use std::sync::Arc;

use serde_json::{Map, Value};

use super::parse::{Ctx, Parsed, Shape, finish_problems};

/// Fields of the CloudTrail record that CSV exports flatten, as dotted paths.
const KNOWN_PATHS: &[&str] = &[
    "eventVersion",
    "eventTime",
    "@timestamp",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "requestParameters.bucketName",
    "requestParameters.key",
    "responseElements",
    "additionalEventData",
    "additionalEventData.bytesTransferredOut",
    "additionalEventData.bytesTransferredIn",
    "additionalEventData.MFAUsed",
    "requestID",
    "eventID",
    "readOnly",
    "eventType",
    "managementEvent",
    "recipientAccountId",
    "eventCategory",
    "sharedEventID",
    "vpcEndpointId",
    "resources",
    "tlsDetails",
    "userIdentity",
    "userIdentity.type",
    "userIdentity.principalId",
    "userIdentity.arn",
    "userIdentity.accountId",
    "userIdentity.accessKeyId",
    "userIdentity.userName",
    "userIdentity.invokedBy",
    "userIdentity.sessionContext.attributes.mfaAuthenticated",
    "userIdentity.sessionContext.attributes.creationDate",
    "userIdentity.sessionContext.sessionIssuer.type",
    "userIdentity.sessionContext.sessionIssuer.principalId",
    "userIdentity.sessionContext.sessionIssuer.arn",
    "userIdentity.sessionContext.sessionIssuer.accountId",
    "userIdentity.sessionContext.sessionIssuer.userName",
];

/// Fields whose CSV cell holds JSON text.
const JSON_FIELDS: &[&str] = &[
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "resources",
    "tlsDetails",
    "userIdentity",
];

fn norm(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '@')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Maps a header to the path it stands for.
fn header_path(h: &str) -> Vec<String> {
    let n = norm(h);
    if let Some(p) = KNOWN_PATHS.iter().find(|p| norm(p) == n) {
        return p.split('.').map(str::to_owned).collect();
    }
    // A dotted name nests, but only so deep: a 30,000-part header must not build (and later drop)
    // a 30,000-level tree. Deeper names stay one flat key.
    if h.contains('.') && h.split('.').count() <= MAX_PATH_DEPTH {
        h.split('.').map(str::to_owned).collect()
    } else {
        vec![h.to_owned()]
    }
}

/// Deepest nesting a dotted CSV header may build (CloudTrail's own paths are at most 5 deep).
const MAX_PATH_DEPTH: usize = 16;

/// Whether the text looks like a CSV export of CloudTrail (a header naming CloudTrail fields).
pub fn looks_like_csv(bytes: &[u8]) -> bool {
    // JSON first: a large Records block has no newline, so its first "line" is the whole block.
    if bytes.first().is_some_and(|b| matches!(b, b'{' | b'[')) {
        return false;
    }
    let first = memchr::memchr(b'\n', bytes).map_or(bytes, |eol| &bytes[..eol]);
    if !first.contains(&b',') {
        return false;
    }
    let line = String::from_utf8_lossy(first);
    let n: Vec<String> = line.split(',').map(norm).collect();
    n.iter()
        .any(|h| h == "eventname" || h == "eventsource" || h == "eventtime")
}

fn set_path(obj: &mut Map<String, Value>, path: &[String], value: Value) {
    // Iterative: the depth is bounded by MAX_PATH_DEPTH, but no recursion is needed either.
    let mut obj = obj;
    let mut path = path;
    loop {
        match path {
            [] => return,
            [last] => {
                obj.insert(last.clone(), value);
                return;
            }
            [head, rest @ ..] => {
                let is_object = obj
                    .entry(head.clone())
                    .or_insert_with(|| Value::Object(Map::new()))
                    .is_object();
                if !is_object {
                    // A scalar already sits where an object is needed: keep the cell under its
                    // full name.
                    obj.insert(path.join("."), value);
                    return;
                }
                match obj.get_mut(head) {
                    Some(Value::Object(inner)) => obj = inner,
                    _ => return,
                }
                path = rest;
            }
        }
    }
}

fn cell_value(path: &[String], cell: &str) -> Value {
    let top = path.first().map(String::as_str).unwrap_or("");
    let trimmed = cell.trim();
    if path.len() == 1
        && JSON_FIELDS.contains(&top)
        && trimmed.starts_with(['{', '['])
        && let Ok(v) = serde_json::from_str(trimmed)
    {
        return v;
    }
    if matches!(top, "readOnly" | "managementEvent") {
        match trimmed {
            "true" | "TRUE" | "True" => return Value::Bool(true),
            "false" | "FALSE" | "False" => return Value::Bool(false),
            _ => {}
        }
    }
    Value::String(cell.to_owned())
}

pub fn parse_csv(buf: &Arc<Vec<u8>>, file_id: u32) -> Parsed {
    let mut ctx = Ctx::new(buf, file_id, 1024);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(buf.as_slice());
    let paths: Vec<Vec<String>> = match reader.headers() {
        Ok(h) => h.iter().map(header_path).collect(),
        Err(e) => {
            ctx.bad(0, format!("invalid CSV header: {e}"));
            Vec::new()
        }
    };
    let mut record = csv::StringRecord::new();
    loop {
        let offset = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.len() != paths.len() {
                    // A damaged quote merges rows (or splits one): loaded, but noted.
                    ctx.note(
                        offset,
                        format!(
                            "CSV row with {} field(s) where the header has {} (a damaged quote merges rows)",
                            record.len(),
                            paths.len()
                        ),
                    );
                }
                let mut obj = Map::new();
                for (path, cell) in paths.iter().zip(record.iter()) {
                    if !cell.is_empty() {
                        set_path(&mut obj, path, cell_value(path, cell));
                    }
                }
                let text = Value::Object(obj).to_string();
                ctx.rebuilt(&text, offset);
            }
            Err(e) => {
                ctx.bad(offset, format!("invalid CSV row: {e}"));
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    let mut part = ctx.into_parts();
    finish_problems(buf, &mut part.problems);
    Parsed {
        shape: Some(Shape::Csv),
        raw: part.raw,
        batches: vec![part.batch],
        not_records: part.not_records,
        problems: part.problems,
        bad_records: part.bad_records,
        skipped: part.skipped,
        fatal: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_styles_map_to_the_same_path() {
        for h in [
            "userIdentity.arn",
            "userIdentityarn",
            "user_identity_arn",
            "UserIdentity.Arn",
        ] {
            assert_eq!(header_path(h), vec!["userIdentity", "arn"], "{h}");
        }
        assert_eq!(header_path("custom.thing"), vec!["custom", "thing"]);
        assert_eq!(header_path("p_log_type"), vec!["p_log_type"]);
    }

    #[test]
    fn a_very_deep_dotted_header_stays_flat() {
        let deep = vec!["a"; 30_000].join(".");
        assert_eq!(header_path(&deep), vec![deep.clone()]);
        let csv = format!("eventTime,eventName,{deep}\n2024-01-01T00:00:00Z,GetObject,x\n");
        let parsed = parse_csv(&Arc::new(csv.into_bytes()), 0);
        assert_eq!(parsed.batches.iter().map(|b| b.len()).sum::<usize>(), 1);
        let mut obj = Map::new();
        set_path(&mut obj, &["x".into(), "y".into()], Value::from(1));
        set_path(
            &mut obj,
            &["x".into(), "y".into(), "z".into()],
            Value::from(2),
        );
        assert_eq!(Value::Object(obj).to_string(), r#"{"x":{"y":1,"y.z":2}}"#);
    }

    #[test]
    fn detects_csv() {
        assert!(looks_like_csv(b"eventTime,eventName\n"));
        assert!(looks_like_csv(b"event_time,event_name,user_identity_arn\n"));
        assert!(!looks_like_csv(b"{\"eventName\":1}\n"));
        assert!(!looks_like_csv(b"# README\n"));
    }
}
