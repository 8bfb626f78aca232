//! Each bucket's exposure at the end of the log: its permission changes (the catalogue's
//! `s3_permission_changes`: bucket policy, ACLs, public access block) replayed in time order.
//! A failed call is an attempt and changes nothing. What the log does not show (a bucket's state
//! before its first change) stays unknown rather than guessed.
//!
//! The analysis computes this once ([`crate::analysis::Analysis::exposure`]); the S3 tab and the
//! report read that one answer.
use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::Value;

use super::catalog::{self, ApiSet};
use super::rules::policy::outside_grants;
use super::s3::S3Change;
use super::timefmt;
use crate::model::store::EventStore;

/// How exposed a bucket is at the end of the log, most severe first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExposureLevel {
    /// Anyone can read it: a policy or ACL grants everyone and no block stops it.
    Public,
    /// A policy grants another account.
    Shared,
    /// The public access block was removed or weakened and not restored.
    Weakened,
    /// It was exposed or weakened and is closed again.
    Restored,
    /// Changed, but not exposed (a private policy, a block switched on).
    Private,
    /// Only failed attempts: nothing changed.
    Attempted,
}

impl ExposureLevel {
    pub fn label(self) -> &'static str {
        match self {
            ExposureLevel::Public => "public",
            ExposureLevel::Shared => "shared",
            ExposureLevel::Weakened => "weakened",
            ExposureLevel::Restored => "restored",
            ExposureLevel::Private => "private",
            ExposureLevel::Attempted => "attempted",
        }
    }
}

/// The bucket's public access block as last set: the four switches, or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Block {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl Block {
    fn all_on(self) -> bool {
        self.block_public_acls
            && self.ignore_public_acls
            && self.block_public_policy
            && self.restrict_public_buckets
    }

    /// The switches that are off, by their API names.
    fn off(self) -> Vec<&'static str> {
        [
            (self.block_public_acls, "BlockPublicAcls"),
            (self.ignore_public_acls, "IgnorePublicAcls"),
            (self.block_public_policy, "BlockPublicPolicy"),
            (self.restrict_public_buckets, "RestrictPublicBuckets"),
        ]
        .into_iter()
        .filter(|(on, _)| !on)
        .map(|(_, n)| n)
        .collect()
    }
}

/// One permission change as the replay needs it (built from a record, or by hand in tests).
#[derive(Debug, Clone)]
pub struct Change {
    pub row: u32,
    pub time: Option<i64>,
    pub name: String,
    /// `None`: an account-level call (no bucket named).
    pub bucket: Option<String>,
    pub failed: bool,
    /// The record's `requestParameters`.
    pub request: Value,
    /// The account the call was made in (grants to it are not "shared").
    pub account: Option<String>,
}

impl Change {
    /// A change from a whole CloudTrail record; `None` for calls outside the permission set.
    pub fn from_record(row: u32, time: Option<i64>, record: &Value) -> Option<Change> {
        let name = record.get("eventName")?.as_str()?;
        if !catalog::contains(ApiSet::S3PermissionChanges, name) {
            return None;
        }
        let request = record
            .get("requestParameters")
            .cloned()
            .unwrap_or(Value::Null);
        let bucket = request
            .get("bucketName")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let failed = record
            .get("errorCode")
            .is_some_and(|e| !e.is_null() && e.as_str() != Some(""));
        let account = ["recipientAccountId"]
            .iter()
            .find_map(|k| record.get(*k).and_then(Value::as_str))
            .or_else(|| {
                record
                    .get("userIdentity")
                    .and_then(|u| u.get("accountId"))
                    .and_then(Value::as_str)
            })
            .map(str::to_owned);
        Some(Change {
            row,
            time,
            name: name.to_owned(),
            bucket,
            failed,
            request,
            account,
        })
    }
}

/// What the policy last set on the bucket allows.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyState {
    /// No policy change in the log.
    #[default]
    Unknown,
    /// Deleted: no bucket policy.
    None,
    /// A policy that grants neither anyone nor another account.
    Private,
    /// A policy that grants these other accounts.
    Shared(Vec<String>),
    /// A policy with an unconditioned `"Principal": "*"`.
    Public,
}

/// A bucket's exposure replayed to the end of the log.
#[derive(Debug, Clone, Serialize)]
pub struct BucketExposure {
    /// The bucket, or `None` for account-level calls.
    pub bucket: Option<String>,
    pub level: ExposureLevel,
    /// The state in words: "still public: the bucket policy grants anyone".
    pub state: String,
    pub policy: PolicyState,
    /// `None`: no ACL change in the log; else whether the last bucket ACL grants everyone.
    pub acl_public: Option<bool>,
    /// Objects whose last ACL change grants everyone.
    pub public_objects: usize,
    /// `None`: no block change in the log; `Some(None)`: removed; else the switches.
    pub block: Option<Option<Block>>,
    /// When it first became public or weakened, and when it was last closed again.
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub opened: Option<i64>,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub closed: Option<i64>,
    /// Permission changes that took effect, and failed attempts.
    pub changes: usize,
    pub failed: usize,
    /// Every permission-change row of the bucket (failed ones too), in time order.
    pub rows: Vec<u32>,
}

/// Strings anywhere in a JSON value (requests log grants in several shapes).
fn any_string(v: &Value, f: &dyn Fn(&str) -> bool) -> bool {
    match v {
        Value::String(s) => f(s),
        Value::Array(a) => a.iter().any(|x| any_string(x, f)),
        Value::Object(m) => m.iter().any(|(k, x)| f(k) || any_string(x, f)),
        _ => false,
    }
}

/// Whether an ACL request grants everyone: a public canned ACL (`x-amz-acl`), or a grant to the
/// AllUsers or AuthenticatedUsers group (any AWS account counts as everyone) in any shape.
fn acl_public(request: &Value) -> bool {
    let canned = ["x-amz-acl", "acl", "ACL"].iter().any(|k| {
        request.get(*k).is_some_and(|v| {
            any_string(v, &|s| {
                matches!(
                    s.to_ascii_lowercase().as_str(),
                    "public-read" | "public-read-write" | "authenticated-read"
                )
            })
        })
    });
    canned
        || any_string(request, &|s| {
            let l = s.to_ascii_lowercase();
            l.contains("acs.amazonaws.com/groups/global/allusers")
                || l.contains("acs.amazonaws.com/groups/global/authenticatedusers")
        })
}

/// The policy document of a PutBucketPolicy request (logged as an object or a string).
fn policy_text(request: &Value) -> Option<String> {
    for key in ["bucketPolicy", "policy", "Policy"] {
        match request.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => return Some(s.clone()),
            Some(v @ Value::Object(_)) => return Some(v.to_string()),
            Some(Value::Array(a)) => {
                if let Some(s) = a.iter().filter_map(Value::as_str).find(|s| !s.is_empty()) {
                    return Some(s.to_owned());
                }
            }
            _ => {}
        }
    }
    None
}

/// A switch logged as a boolean or as "true"/"false" text; missing reads as off (the API's
/// default for an omitted switch).
fn switch(cfg: &Value, key: &str) -> bool {
    match cfg.get(key) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

fn block_of(request: &Value) -> Block {
    let cfg = request
        .get("PublicAccessBlockConfiguration")
        .unwrap_or(request);
    Block {
        block_public_acls: switch(cfg, "BlockPublicAcls"),
        ignore_public_acls: switch(cfg, "IgnorePublicAcls"),
        block_public_policy: switch(cfg, "BlockPublicPolicy"),
        restrict_public_buckets: switch(cfg, "RestrictPublicBuckets"),
    }
}

#[derive(Default)]
struct Acc {
    policy: PolicyState,
    acl_public: Option<bool>,
    objects: FxHashMap<String, bool>,
    block: Option<Option<Block>>,
    opened: Option<i64>,
    closed: Option<i64>,
    was_open: bool,
    changes: usize,
    failed: usize,
    rows: Vec<u32>,
}

impl Acc {
    /// Public or weakened now (what `opened`/`closed` track).
    fn open(&self) -> bool {
        let (level, _) = self.level();
        matches!(level, ExposureLevel::Public | ExposureLevel::Weakened)
    }

    fn public_objects(&self) -> usize {
        self.objects.values().filter(|p| **p).count()
    }

    fn level(&self) -> (ExposureLevel, String) {
        let block = self.block.flatten();
        let ignore_acls = block.is_some_and(|b| b.ignore_public_acls);
        let restrict = block.is_some_and(|b| b.restrict_public_buckets);
        let mut why = Vec::new();
        if self.policy == PolicyState::Public && !restrict {
            why.push("the bucket policy grants anyone".to_owned());
        }
        if self.acl_public == Some(true) && !ignore_acls {
            why.push("the bucket ACL grants everyone".to_owned());
        }
        let objects = self.public_objects();
        if objects > 0 && !ignore_acls {
            why.push(format!("{objects} object ACL(s) grant everyone"));
        }
        if !why.is_empty() {
            // Nothing stands in the way of a new grant either.
            let unblocked = match self.block {
                Some(None) => " (public access block removed)",
                _ => "",
            };
            return (
                ExposureLevel::Public,
                format!("still public: {}{unblocked}", why.join("; ")),
            );
        }
        if let PolicyState::Shared(accounts) = &self.policy {
            return (
                ExposureLevel::Shared,
                format!(
                    "shared: the bucket policy grants account(s) {}",
                    accounts.join(", ")
                ),
            );
        }
        match self.block {
            Some(None) => {
                return (
                    ExposureLevel::Weakened,
                    "public access block removed, not restored".to_owned(),
                );
            }
            Some(Some(b)) if !b.all_on() => {
                return (
                    ExposureLevel::Weakened,
                    format!(
                        "public access block weakened ({} off), not restored",
                        b.off().join(", ")
                    ),
                );
            }
            _ => {}
        }
        if self.was_open {
            let what = if self.policy == PolicyState::Public || self.acl_public == Some(true) {
                "public grant still set, stopped by the public access block"
            } else {
                "was exposed, closed again"
            };
            return (ExposureLevel::Restored, what.to_owned());
        }
        if self.changes == 0 {
            return (
                ExposureLevel::Attempted,
                format!("unchanged: {} failed attempt(s)", self.failed),
            );
        }
        (ExposureLevel::Private, "changed, not exposed".to_owned())
    }

    fn apply(&mut self, c: &Change) {
        self.rows.push(c.row);
        if c.failed {
            self.failed += 1;
            return;
        }
        self.changes += 1;
        match c.name.as_str() {
            "PutBucketPolicy" => {
                let own: Vec<&str> = c.account.as_deref().into_iter().collect();
                self.policy = match policy_text(&c.request) {
                    Some(text) => {
                        let grants = outside_grants(&text, &own);
                        if grants.iter().any(|g| g == "*") {
                            PolicyState::Public
                        } else if grants.is_empty() {
                            PolicyState::Private
                        } else {
                            PolicyState::Shared(grants)
                        }
                    }
                    None => PolicyState::Private,
                };
            }
            "DeleteBucketPolicy" => self.policy = PolicyState::None,
            "PutBucketAcl" => self.acl_public = Some(acl_public(&c.request)),
            "PutObjectAcl" => {
                let key = c
                    .request
                    .get("key")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                self.objects.insert(key, acl_public(&c.request));
            }
            "PutBucketPublicAccessBlock" | "PutPublicAccessBlock" => {
                self.block = Some(Some(block_of(&c.request)));
            }
            "DeleteBucketPublicAccessBlock" | "DeletePublicAccessBlock" => {
                self.block = Some(None);
            }
            _ => {}
        }
    }
}

/// Replays `changes` (in time order) per bucket; buckets most exposed first, then by name.
pub fn replay(changes: &[Change]) -> Vec<BucketExposure> {
    let mut by: FxHashMap<Option<String>, Acc> = FxHashMap::default();
    for c in changes {
        if !catalog::contains(ApiSet::S3PermissionChanges, &c.name) {
            continue;
        }
        let acc = by.entry(c.bucket.clone()).or_default();
        let before = acc.open();
        acc.apply(c);
        let after = acc.open();
        if after && !before {
            acc.was_open = true;
            acc.opened.get_or_insert(c.time.unwrap_or_default());
        }
        if before && !after {
            acc.closed = c.time;
        }
    }
    let mut out: Vec<BucketExposure> = by
        .into_iter()
        .map(|(bucket, acc)| {
            let (level, state) = acc.level();
            BucketExposure {
                bucket,
                level,
                state,
                public_objects: acc.public_objects(),
                policy: acc.policy,
                acl_public: acc.acl_public,
                block: acc.block,
                opened: acc.opened,
                closed: if level == ExposureLevel::Restored {
                    acc.closed
                } else {
                    None
                },
                changes: acc.changes,
                failed: acc.failed,
                rows: acc.rows,
            }
        })
        .collect();
    out.sort_by(|a, b| a.level.cmp(&b.level).then_with(|| a.bucket.cmp(&b.bucket)));
    out
}

/// The exposure of every bucket with a permission change in `changes` (the S3 summary's list),
/// reading each change's request from the store.
pub fn from_store(store: &EventStore, changes: &[S3Change]) -> Vec<BucketExposure> {
    let parsed: Vec<Change> = changes
        .iter()
        .filter(|c| catalog::contains(ApiSet::S3PermissionChanges, &c.event_name))
        .filter_map(|c| {
            let record = store.raw_value(c.row as usize)?;
            let mut ch = Change::from_record(c.row, c.time, &record)?;
            // The summary's bucket and outcome are the store's reading: keep one answer.
            ch.bucket = c.bucket.clone();
            ch.failed = c.error_code.is_some();
            Some(ch)
        })
        .collect();
    replay(&parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const OWN: &str = "111122223333";

    fn rec(name: &str, bucket: &str, request: Value, error: Option<&str>) -> Value {
        let mut req = request;
        if let Value::Object(m) = &mut req {
            m.insert("bucketName".into(), json!(bucket));
        }
        let mut r = json!({
            "eventName": name,
            "eventSource": "s3.amazonaws.com",
            "recipientAccountId": OWN,
            "requestParameters": req,
        });
        if let Some(e) = error {
            r["errorCode"] = json!(e);
        }
        r
    }

    fn public_policy() -> Value {
        json!({"bucketPolicy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
        ]}})
    }

    fn block(on: bool) -> Value {
        json!({"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": on, "IgnorePublicAcls": on,
            "BlockPublicPolicy": on, "RestrictPublicBuckets": on
        }})
    }

    fn run(records: &[Value]) -> Vec<BucketExposure> {
        let changes: Vec<Change> = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Change::from_record(i as u32, Some(i as i64 * 1000), r))
            .collect();
        replay(&changes)
    }

    #[test]
    fn end_states_of_single_buckets() {
        let denied = Some("AccessDenied");
        let cases: Vec<(&str, Vec<Value>, ExposureLevel, &str)> = vec![
            (
                "policy with Principal * makes it public",
                vec![rec("PutBucketPolicy", "b", public_policy(), None)],
                ExposureLevel::Public,
                "still public: the bucket policy grants anyone",
            ),
            (
                "Principal {AWS: *} counts as anyone",
                vec![rec(
                    "PutBucketPolicy",
                    "b",
                    json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:*"}]}}),
                    None,
                )],
                ExposureLevel::Public,
                "still public: the bucket policy grants anyone",
            ),
            (
                "a conditioned * is not anyone",
                vec![rec(
                    "PutBucketPolicy",
                    "b",
                    json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": "*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}]}}),
                    None,
                )],
                ExposureLevel::Private,
                "changed, not exposed",
            ),
            (
                "a policy for another account is shared",
                vec![rec(
                    "PutBucketPolicy",
                    "b",
                    json!({"bucketPolicy": {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}}]}}),
                    None,
                )],
                ExposureLevel::Shared,
                "shared: the bucket policy grants account(s) 999988887777",
            ),
            (
                "canned ACL public-read",
                vec![rec(
                    "PutBucketAcl",
                    "b",
                    json!({"x-amz-acl": ["public-read"]}),
                    None,
                )],
                ExposureLevel::Public,
                "still public: the bucket ACL grants everyone",
            ),
            (
                "ACL grant to AllUsers",
                vec![rec(
                    "PutBucketAcl",
                    "b",
                    json!({"AccessControlPolicy": {"AccessControlList": {"Grant": [{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": "READ"}]}}}),
                    None,
                )],
                ExposureLevel::Public,
                "still public: the bucket ACL grants everyone",
            ),
            (
                "an object made public-read",
                vec![rec(
                    "PutObjectAcl",
                    "b",
                    json!({"key": "a.txt", "x-amz-acl": "public-read"}),
                    None,
                )],
                ExposureLevel::Public,
                "still public: 1 object ACL(s) grant everyone",
            ),
            (
                "block deleted and never put back",
                vec![rec("DeleteBucketPublicAccessBlock", "b", json!({}), None)],
                ExposureLevel::Weakened,
                "public access block removed, not restored",
            ),
            (
                "DeletePublicAccessBlock too",
                vec![rec("DeletePublicAccessBlock", "b", json!({}), None)],
                ExposureLevel::Weakened,
                "public access block removed, not restored",
            ),
            (
                "block put with two switches off",
                vec![rec(
                    "PutPublicAccessBlock",
                    "b",
                    json!({"PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "IgnorePublicAcls": true, "BlockPublicPolicy": "false", "RestrictPublicBuckets": false}}),
                    None,
                )],
                ExposureLevel::Weakened,
                "public access block weakened (BlockPublicPolicy, RestrictPublicBuckets off), not restored",
            ),
            (
                "removed, then restored",
                vec![
                    rec("DeleteBucketPublicAccessBlock", "b", json!({}), None),
                    rec("PutBucketPublicAccessBlock", "b", block(true), None),
                ],
                ExposureLevel::Restored,
                "was exposed, closed again",
            ),
            (
                "public, then the policy deleted",
                vec![
                    rec("PutBucketPolicy", "b", public_policy(), None),
                    rec("DeleteBucketPolicy", "b", json!({}), None),
                ],
                ExposureLevel::Restored,
                "was exposed, closed again",
            ),
            (
                "public policy stopped by a block put later",
                vec![
                    rec("DeleteBucketPublicAccessBlock", "b", json!({}), None),
                    rec("PutBucketPolicy", "b", public_policy(), None),
                    rec("PutBucketPublicAccessBlock", "b", block(true), None),
                ],
                ExposureLevel::Restored,
                "public grant still set, stopped by the public access block",
            ),
            (
                "block removed, then a public policy",
                vec![
                    rec("DeleteBucketPublicAccessBlock", "b", json!({}), None),
                    rec("PutBucketPolicy", "b", public_policy(), None),
                ],
                ExposureLevel::Public,
                "still public: the bucket policy grants anyone (public access block removed)",
            ),
            (
                "a failed public policy changes nothing",
                vec![rec("PutBucketPolicy", "b", public_policy(), denied)],
                ExposureLevel::Attempted,
                "unchanged: 1 failed attempt(s)",
            ),
            (
                "a failed restore leaves it removed",
                vec![
                    rec("DeleteBucketPublicAccessBlock", "b", json!({}), None),
                    rec("PutBucketPublicAccessBlock", "b", block(true), denied),
                ],
                ExposureLevel::Weakened,
                "public access block removed, not restored",
            ),
            (
                "a failed delete of a public policy leaves it public",
                vec![
                    rec("PutBucketPolicy", "b", public_policy(), None),
                    rec("DeleteBucketPolicy", "b", json!({}), denied),
                ],
                ExposureLevel::Public,
                "still public: the bucket policy grants anyone",
            ),
            (
                "a private ACL replaces a public one",
                vec![
                    rec(
                        "PutBucketAcl",
                        "b",
                        json!({"x-amz-acl": "public-read"}),
                        None,
                    ),
                    rec("PutBucketAcl", "b", json!({"x-amz-acl": "private"}), None),
                ],
                ExposureLevel::Restored,
                "was exposed, closed again",
            ),
        ];
        for (what, records, level, state) in cases {
            let out = run(&records);
            assert_eq!(out.len(), 1, "{what}: one bucket");
            let b = &out[0];
            assert_eq!(b.bucket.as_deref(), Some("b"), "{what}");
            assert_eq!(b.level, level, "{what}: {}", b.state);
            assert_eq!(b.state, state, "{what}");
            assert_eq!(b.rows.len(), records.len(), "{what}: every row kept");
        }
    }

    #[test]
    fn open_and_close_times_and_counts() {
        let out = run(&[
            rec(
                "PutBucketPolicy",
                "b",
                public_policy(),
                Some("AccessDenied"),
            ),
            rec("DeleteBucketPublicAccessBlock", "b", json!({}), None),
            rec("PutBucketPolicy", "b", public_policy(), None),
            rec("DeleteBucketPolicy", "b", json!({}), None),
            rec("PutBucketPublicAccessBlock", "b", block(true), None),
        ]);
        let b = &out[0];
        assert_eq!((b.changes, b.failed), (4, 1));
        assert_eq!(b.opened, Some(1000), "opened when the block went");
        assert_eq!(b.closed, Some(4000), "closed when the block came back");
        assert_eq!(b.level, ExposureLevel::Restored);
        assert_eq!(b.policy, PolicyState::None);
        assert_eq!(b.block, Some(Some(block_of(&block(true)))));
    }

    #[test]
    fn buckets_are_kept_apart_and_ordered_by_exposure() {
        let out = run(&[
            rec("PutBucketPublicAccessBlock", "zz-quiet", block(true), None),
            rec("PutBucketPolicy", "mm-open", public_policy(), None),
            rec("DeleteBucketPublicAccessBlock", "aa-weak", json!({}), None),
            // Not a permission change: ignored.
            rec("PutBucketCors", "aa-weak", json!({}), None),
        ]);
        let got: Vec<(Option<&str>, ExposureLevel)> =
            out.iter().map(|b| (b.bucket.as_deref(), b.level)).collect();
        assert_eq!(
            got,
            vec![
                (Some("mm-open"), ExposureLevel::Public),
                (Some("aa-weak"), ExposureLevel::Weakened),
                (Some("zz-quiet"), ExposureLevel::Private),
            ]
        );
    }

    #[test]
    fn calls_outside_the_permission_set_are_not_changes() {
        assert!(
            Change::from_record(0, None, &rec("GetBucketPolicy", "b", json!({}), None)).is_none()
        );
        assert!(
            Change::from_record(0, None, &rec("PutBucketCors", "b", json!({}), None)).is_none()
        );
    }
}
