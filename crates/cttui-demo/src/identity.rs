//! The `userIdentity` block of a principal at a given time: ids, session keys and session context.
//!
//! Session values (temporary keys, session start) depend only on the seed, the principal and the
//! session window, never on draw order, so every event of one session carries the same key, and
//! the incident can reuse exactly the credentials the web app held that night.
use serde::Serialize;

use super::catalog::{ACCOUNT, HOUR, Kind, Principal, Session};
use super::rng::{Rng, hash};
use super::time::iso;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_context: Option<SessionContext>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoked_by: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identity_provider: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionContext {
    pub session_issuer: Issuer,
    pub web_id_federation_data: Empty,
    pub attributes: Attributes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ec2_role_delivery: Option<&'static str>,
}

/// Serialises as `{}`, as CloudTrail writes absent issuers and federation data.
#[derive(Debug, Clone, Serialize)]
pub struct Empty {}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Issuer {
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub principal_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attributes {
    pub creation_date: String,
    pub mfa_authenticated: &'static str,
}

/// The identity a call is made with, plus what error messages and the README need.
#[derive(Debug, Clone)]
pub struct Actor {
    pub identity: UserIdentity,
    /// The ARN an AccessDenied message names.
    pub arn: String,
}

/// How long one session's temporary credentials are used before new ones appear.
fn session_length(p: &Principal) -> i64 {
    match p.kind {
        Kind::ConsoleUser => 8 * HOUR,
        Kind::Role {
            session: Session::Instance(_),
            ..
        } => 6 * HOUR,
        Kind::Role {
            session: Session::Task,
            ..
        } => 3 * HOUR,
        Kind::Role {
            session: Session::Named(_),
            ..
        } => 4 * HOUR,
        _ => HOUR,
    }
}

/// A 20-character AWS id: `prefix` then upper-case letters and digits.
fn aws_id(seed: u64, prefix: &str, parts: &[&str]) -> String {
    let mut r = Rng::new(hash(seed, parts));
    format!("{prefix}{}", r.key_chars(20 - prefix.len()))
}

/// The session window holding `t`: its index and start. Windows are shifted by a per-principal
/// offset so sessions do not all start on the hour; the start is never after `t`.
fn window(seed: u64, p: &Principal, t: i64) -> (i64, i64) {
    let len = session_length(p);
    let offset = (hash(seed, &[p.label, "offset"]) % (len as u64 / 2)) as i64;
    let idx = (t - offset).div_euclid(len);
    (idx, idx * len + offset)
}

/// The identity of `p` when acting at time `t`.
pub fn actor(seed: u64, p: &Principal, t: i64) -> Actor {
    let (idx, start) = window(seed, p, t);
    let idx_s = idx.to_string();
    let session_key = || aws_id(seed, "ASIA", &[p.label, "session-key", &idx_s]);
    match p.kind {
        Kind::ConsoleUser | Kind::KeyUser => {
            let arn = format!("arn:aws:iam::{ACCOUNT}:user/{}", p.label);
            let console = matches!(p.kind, Kind::ConsoleUser);
            let identity = UserIdentity {
                kind: Some("IAMUser"),
                principal_id: Some(aws_id(seed, "AIDA", &[p.label, "id"])),
                arn: Some(arn.clone()),
                account_id: Some(ACCOUNT),
                access_key_id: Some(if console {
                    session_key()
                } else {
                    aws_id(seed, "AKIA", &[p.label, "long-term-key"])
                }),
                user_name: Some(p.label.to_owned()),
                session_context: console.then(|| SessionContext {
                    session_issuer: Issuer::default(),
                    web_id_federation_data: Empty {},
                    attributes: Attributes {
                        creation_date: iso(start),
                        mfa_authenticated: "true",
                    },
                    ec2_role_delivery: None,
                }),
                invoked_by: None,
                identity_provider: None,
            };
            Actor { identity, arn }
        }
        Kind::Role { role, session } => {
            let name = role.rsplit('/').next().unwrap_or(role);
            let session_name = match session {
                Session::Instance(id) => id.to_owned(),
                Session::Named(n) => n.to_owned(),
                Session::Run(prefix) => {
                    let run = hash(seed, &[p.label, "run", &idx_s]) % 9_000_000_000 + 1_000_000_000;
                    format!("{prefix}-{run}")
                }
                Session::Task => {
                    let mut r = Rng::new(hash(seed, &[p.label, "task", &idx_s]));
                    r.hex(32)
                }
            };
            let role_id = aws_id(seed, "AROA", &[p.label, "role-id"]);
            let arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/{name}/{session_name}");
            let identity = UserIdentity {
                kind: Some("AssumedRole"),
                principal_id: Some(format!("{role_id}:{session_name}")),
                arn: Some(arn.clone()),
                account_id: Some(ACCOUNT),
                access_key_id: Some(session_key()),
                user_name: None,
                session_context: Some(SessionContext {
                    session_issuer: Issuer {
                        kind: Some("Role"),
                        principal_id: Some(role_id),
                        arn: Some(format!("arn:aws:iam::{ACCOUNT}:role/{role}")),
                        account_id: Some(ACCOUNT),
                        user_name: Some(name.to_owned()),
                    },
                    web_id_federation_data: Empty {},
                    attributes: Attributes {
                        creation_date: iso(start),
                        mfa_authenticated: "false",
                    },
                    ec2_role_delivery: matches!(session, Session::Instance(_)).then_some("2.0"),
                }),
                invoked_by: None,
                identity_provider: None,
            };
            Actor { identity, arn }
        }
        Kind::WebIdentity { subject } => {
            let provider = format!("arn:aws:iam::{ACCOUNT}:oidc-provider/{}", p.label);
            let identity = UserIdentity {
                kind: Some("WebIdentityUser"),
                principal_id: Some(format!("{provider}:sts.amazonaws.com:{subject}")),
                arn: None,
                account_id: None,
                access_key_id: None,
                user_name: Some(subject.to_owned()),
                session_context: None,
                invoked_by: None,
                identity_provider: Some(provider.clone()),
            };
            Actor {
                identity,
                arn: provider,
            }
        }
        Kind::Service { host } => Actor {
            identity: UserIdentity {
                kind: Some("AWSService"),
                principal_id: None,
                arn: None,
                account_id: None,
                access_key_id: None,
                user_name: None,
                session_context: None,
                invoked_by: Some(host),
                identity_provider: None,
            },
            arn: host.to_owned(),
        },
    }
}

/// The identity a console user signs in with (ConsoleLogin carries no key or session).
pub fn sign_in(seed: u64, p: &Principal) -> UserIdentity {
    UserIdentity {
        kind: Some("IAMUser"),
        principal_id: Some(aws_id(seed, "AIDA", &[p.label, "id"])),
        arn: Some(format!("arn:aws:iam::{ACCOUNT}:user/{}", p.label)),
        account_id: Some(ACCOUNT),
        access_key_id: None,
        user_name: Some(p.label.to_owned()),
        session_context: None,
        invoked_by: None,
        identity_provider: None,
    }
}

/// A role's unique id (`AROA...`) as the role's own identity uses it.
pub fn role_id(seed: u64, label: &str) -> String {
    aws_id(seed, "AROA", &[label, "role-id"])
}

/// A fresh temporary key, for AssumeRole responses.
pub fn new_session_key(rng: &mut Rng) -> String {
    format!("ASIA{}", rng.key_chars(16))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{PRINCIPALS, START, WEBAPP};

    #[test]
    fn one_session_keeps_its_key_and_the_next_gets_a_new_one() {
        let p = &PRINCIPALS[WEBAPP];
        let key = |t| actor(7, p, t).identity.access_key_id;
        let (_, start) = window(7, p, START + 10 * HOUR);
        assert_eq!(key(start), key(start + 6 * HOUR - 1));
        assert_ne!(key(start), key(start + 6 * HOUR));
        let a = actor(7, p, start + 60);
        let ctx = a.identity.session_context.expect("role session");
        assert_eq!(ctx.attributes.creation_date, iso(start));
        assert_eq!(ctx.ec2_role_delivery, Some("2.0"));
        assert!(
            a.arn
                .ends_with("assumed-role/webapp-prod-ec2-role/i-0a3f5c9e27b14d6f8")
        );
    }

    #[test]
    fn session_never_starts_after_the_event() {
        for p in &PRINCIPALS {
            for h in 0..200 {
                let t = START + h * 997;
                let (_, start) = window(3, p, t);
                assert!(start <= t && t - start < session_length(p), "{}", p.label);
            }
        }
    }

    #[test]
    fn ids_have_aws_shapes() {
        for p in &PRINCIPALS {
            let a = actor(1, p, START);
            if let Some(k) = &a.identity.access_key_id {
                assert_eq!(k.len(), 20);
                assert!(k.starts_with("ASIA") || k.starts_with("AKIA"));
            }
            let json = serde_json::to_string(&a.identity).expect("serialises");
            assert!(json.starts_with(r#"{"type":""#), "{json}");
        }
    }
}
