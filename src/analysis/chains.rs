//! Chains, not single calls: one principal's steps that together tell a story of compromise —
//! enumerating its own permissions, granting itself (or a principal it created) broad rights,
//! minting new access keys or console passwords, and those keys' use; discovery followed by a burst
//! of object reads; logging or detection switched off followed by a sensitive action. Only
//! successful steps escalate; denied ones are cited as attempts.
use std::collections::BTreeSet;

use rustc_hash::FxHashMap;
use serde_json::Value;

use super::apis;
use super::catalog::{self, ApiSet};
use super::columns::{Columns, NULL};
use super::credentials::role_session;
use super::evidence::{Evidence, EvidenceKind, Step, principal_name};
use super::level::Level;
use crate::model::schema::s;

/// Object reads in this many milliseconds from one principal make a burst.
pub const BURST_WINDOW_MS: i64 = 600_000;
pub const BURST_READS: usize = 50;
/// Discovery counts for a burst that starts within this long after it.
const RECON_BEFORE_MS: i64 = 3_600_000;
/// A sensitive action counts after tampering within this long.
const AFTER_TAMPERING_MS: i64 = 6 * 3_600_000;

/// Whether a policy document grants everything (`Action` `*` or `*:*` or `iam:*`, on `Resource`
/// `*`, allowed). CloudTrail writes the document as a JSON string, sometimes URL-encoded.
pub fn grants_everything(doc: &str) -> bool {
    let decoded;
    let text = if doc.contains("%7B") || doc.contains("%7b") {
        decoded = percent_decode(doc);
        decoded.as_str()
    } else {
        doc
    };
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return false;
    };
    let statements: Vec<&Value> = match &v["Statement"] {
        Value::Array(a) => a.iter().collect(),
        o @ Value::Object(_) => vec![o],
        _ => return false,
    };
    let any = |x: &Value, pred: &dyn Fn(&str) -> bool| match x {
        Value::String(s) => pred(s),
        Value::Array(a) => a.iter().any(|e| e.as_str().is_some_and(pred)),
        _ => false,
    };
    statements.iter().any(|st| {
        st["Effect"].as_str() == Some("Allow")
            && any(&st["Action"], &|a| matches!(a, "*" | "*:*" | "iam:*"))
            && any(&st["Resource"], &|r| r == "*")
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(if b[i] == b'+' { b' ' } else { b[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a managed policy ARN gives administrative rights.
pub fn admin_policy(arn: &str) -> bool {
    let name = arn.rsplit('/').next().unwrap_or("");
    matches!(name, "AdministratorAccess" | "IAMFullAccess")
}

/// Who a grant or credential call targets.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// The calling principal itself.
    Itself,
    /// A user or role the caller created earlier in this log.
    Created(String),
    Other(String),
}

struct Actor<'a> {
    code: u32,
    /// The IAM user name, or the role name of a role session.
    own_names: Vec<&'a str>,
}

fn target_of(params: &Value, kind: &str, actor: &Actor<'_>, created: &BTreeSet<String>) -> Target {
    let name = params[kind].as_str();
    match name {
        None if kind == "userName" => Target::Itself,
        None => Target::Other(String::new()),
        Some(n) if actor.own_names.contains(&n) => Target::Itself,
        Some(n) if created.contains(n) => Target::Created(n.to_owned()),
        Some(n) => Target::Other(n.to_owned()),
    }
}

/// Finds the chains in the log.
pub fn analyze(cols: &Columns<'_>) -> Vec<Evidence> {
    let names = cols.by_idx(s::EVENT_NAME);
    let principals = cols.by_idx(s::PRINCIPAL);
    let errors = cols.by_idx(s::ERROR_CODE);
    let users = cols.by_idx(s::USER_NAME);
    let keys = cols.by_idx(s::ACCESS_KEY_ID);
    #[derive(Clone, Copy, PartialEq)]
    enum K {
        None,
        Enum,
        Grant,
        Create,
        Cred,
        Discovery,
        Tamper,
        Sensitive,
        Read,
    }
    // The API sets come from the one catalogue; the first that holds a name decides its kind.
    let cat = catalog::get();
    let kind: Vec<K> = names.table(|n| {
        if cat.contains(ApiSet::PermissionGrants, n) {
            K::Grant
        } else if cat.contains(ApiSet::NewCredentials, n) {
            K::Cred
        } else if cat.contains(ApiSet::IdentityCreation, n) {
            K::Create
        } else if cat.contains(ApiSet::DefencesOff, n) {
            K::Tamper
        } else if n == "GetObject" {
            K::Read
        } else if cat.contains(ApiSet::SelfEnumeration, n) {
            K::Enum
        } else if cat.contains(ApiSet::PreTheftDiscovery, n) {
            K::Discovery
        } else if apis::is_sensitive(n) {
            K::Sensitive
        } else {
            K::None
        }
    });
    // Rows per principal that matter here (most rows are not).
    let mut per: FxHashMap<u32, Vec<u32>> = FxHashMap::default();
    for r in 0..cols.n {
        let c = names.code(r);
        if c == NULL || kind[c as usize] == K::None {
            continue;
        }
        let p = principals.code(r);
        if p != NULL {
            per.entry(p).or_default().push(r as u32);
        }
    }
    // Keys: which principal and rows used each access key (for "the new key was used").
    let mut key_rows: FxHashMap<&str, Vec<u32>> = FxHashMap::default();
    let mut wanted_keys: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    let mut pending: Vec<(usize, String)> = Vec::new();
    let mut codes: Vec<u32> = per.keys().copied().collect();
    codes.sort_unstable();
    for p in codes {
        let rows = &per[&p];
        let pname = principal_name(cols, p);
        let mut own_names: Vec<&str> = Vec::new();
        if let Some(&r) = rows.first()
            && let Some(u) = users.at(r as usize)
            && !pname.contains(":assumed-role/")
        {
            own_names.push(u);
        }
        if let Some((role, _)) = role_session(&pname) {
            own_names.push(role);
        }
        let actor = Actor { code: p, own_names };
        let ok = |r: u32| errors.code(r as usize) == NULL;
        let mut created: BTreeSet<String> = BTreeSet::new();
        let mut enum_steps: Vec<u32> = Vec::new();
        let mut grant_steps: Vec<(u32, Target, String)> = Vec::new();
        let mut cred_steps: Vec<(u32, Target, Option<String>)> = Vec::new();
        let mut discovery: Vec<u32> = Vec::new();
        let mut reads: Vec<u32> = Vec::new();
        let mut tamper: Vec<u32> = Vec::new();
        let mut sensitive: Vec<u32> = Vec::new();
        for &r in rows {
            let k = kind[names.code(r as usize) as usize];
            match k {
                K::Enum => {
                    enum_steps.push(r);
                    discovery.push(r);
                }
                K::Discovery => discovery.push(r),
                K::Read => {
                    if ok(r) {
                        reads.push(r);
                    }
                }
                K::Tamper => {
                    tamper.push(r);
                    sensitive.push(r);
                }
                K::Sensitive => sensitive.push(r),
                K::Create => {
                    sensitive.push(r);
                    if ok(r)
                        && let Some(v) = cols.store.raw_value(r as usize)
                    {
                        let rp = &v["requestParameters"];
                        if let Some(n) = rp["userName"].as_str().or(rp["roleName"].as_str()) {
                            created.insert(n.to_owned());
                        }
                    }
                }
                K::Grant => {
                    sensitive.push(r);
                    let Some(v) = cols.store.raw_value(r as usize) else {
                        continue;
                    };
                    let rp = &v["requestParameters"];
                    let name = names.at(r as usize).unwrap_or("");
                    let field = if name.contains("User") {
                        "userName"
                    } else if name.contains("Role") {
                        "roleName"
                    } else {
                        "groupName"
                    };
                    let broad = if name.starts_with("Put") {
                        rp["policyDocument"].as_str().is_some_and(grants_everything)
                    } else {
                        rp["policyArn"].as_str().is_some_and(admin_policy)
                    };
                    if !broad {
                        continue;
                    }
                    let what = if name.starts_with("Put") {
                        "an inline policy allowing every action on every resource".to_owned()
                    } else {
                        format!(
                            "the managed policy {}",
                            rp["policyArn"]
                                .as_str()
                                .and_then(|a| a.rsplit('/').next())
                                .unwrap_or("")
                        )
                    };
                    let target = if field == "groupName" {
                        Target::Other(rp["groupName"].as_str().unwrap_or("").to_owned())
                    } else {
                        target_of(rp, field, &actor, &created)
                    };
                    grant_steps.push((r, target, what));
                }
                K::Cred => {
                    sensitive.push(r);
                    let Some(v) = cols.store.raw_value(r as usize) else {
                        continue;
                    };
                    let target = target_of(&v["requestParameters"], "userName", &actor, &created);
                    let new_key = v["responseElements"]["accessKey"]["accessKeyId"]
                        .as_str()
                        .map(str::to_owned);
                    if let Some(k) = &new_key
                        && ok(r)
                    {
                        wanted_keys.insert(k.clone());
                    }
                    cred_steps.push((r, target, new_key));
                }
                K::None => {}
            }
        }
        escalation(
            cols,
            &actor,
            &pname,
            &enum_steps,
            &grant_steps,
            &cred_steps,
            &mut out,
            &mut pending,
        );
        recon_then_reads(cols, p, &pname, &discovery, &reads, &mut out);
        tampering_then_action(cols, p, &pname, &tamper, &sensitive, &mut out);
    }
    // The new keys' use, anywhere in the log.
    if !wanted_keys.is_empty() {
        for r in 0..cols.n {
            if let Some(k) = keys.at(r)
                && wanted_keys.contains(k)
            {
                key_rows.entry(k).or_default().push(r as u32);
            }
        }
        for (i, key) in pending {
            let Some(used) = key_rows.get(key.as_str()) else {
                continue;
            };
            let Some(ev) = out.get_mut(i) else {
                continue;
            };
            if let Some(&first) = used.first() {
                ev.steps.push(Step::at(
                    cols,
                    first,
                    format!("the new key {key} is used ({} call(s))", used.len()),
                ));
            }
            ev.rows.extend(used.iter().take(1000));
            ev.rows.sort_unstable();
            ev.rows.dedup();
            if ev.kind == EvidenceKind::CredentialPersistence && ev.level < Level::High {
                ev.level = Level::High;
                ev.text.push_str("; the new key was then used");
            } else if ev.kind == EvidenceKind::PrivilegeEscalation {
                ev.level = Level::Critical;
                if !ev.text.contains("then used") {
                    ev.text.push_str("; the new key was then used");
                }
            }
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn escalation(
    cols: &Columns<'_>,
    actor: &Actor<'_>,
    pname: &str,
    enum_steps: &[u32],
    grant_steps: &[(u32, Target, String)],
    cred_steps: &[(u32, Target, Option<String>)],
    out: &mut Vec<Evidence>,
    pending: &mut Vec<(usize, String)>,
) {
    let errors = cols.by_idx(s::ERROR_CODE);
    let ok = |r: u32| errors.code(r as usize) == NULL;
    let t = |r: u32| cols.times().get(r as usize).copied().flatten();
    let granted: Vec<&(u32, Target, String)> = grant_steps
        .iter()
        .filter(|(_, tg, _)| matches!(tg, Target::Itself | Target::Created(_)))
        .collect();
    let won: Vec<&&(u32, Target, String)> = granted.iter().filter(|(r, _, _)| ok(*r)).collect();
    // Credentials minted for itself or a principal it created (or another user: a backdoor).
    let creds: Vec<&(u32, Target, Option<String>)> = cred_steps.iter().collect();
    if granted.is_empty() {
        // No grant: new credentials for a principal it created or another user, if any.
        let minted: Vec<&&(u32, Target, Option<String>)> = creds
            .iter()
            .filter(|(r, tg, _)| ok(*r) && !matches!(tg, Target::Itself))
            .collect();
        if minted.is_empty() {
            return;
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut rows = Vec::new();
        let mut whom = BTreeSet::new();
        for (r, tg, _) in minted.iter().map(|x| **x) {
            let who = match tg {
                Target::Created(n) => format!("{n} (created by it)"),
                Target::Other(n) => n.clone(),
                Target::Itself => String::new(),
            };
            steps.push(Step::at(cols, *r, format!("new credentials for {who}")));
            rows.push(*r);
            whom.insert(who);
        }
        let idx = out.len();
        for (_, _, k) in minted.iter().map(|x| **x) {
            if let Some(k) = k {
                pending.push((idx, k.clone()));
            }
        }
        out.push(Evidence {
            kind: EvidenceKind::CredentialPersistence,
            level: Level::Medium,
            principal: pname.to_owned(),
            title: "New credentials minted for other users".to_owned(),
            text: format!(
                "created access keys or console passwords for {}",
                whom.into_iter().collect::<Vec<_>>().join(", ")
            ),
            steps,
            rows,
            principal_code: actor.code,
        });
        return;
    }
    let first_grant = granted.iter().map(|(r, _, _)| t(*r)).min().flatten();
    let mut steps: Vec<Step> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    // Enumeration before the first grant (cite up to three).
    let before: Vec<u32> = enum_steps
        .iter()
        .copied()
        .filter(|&r| match (t(r), first_grant) {
            (Some(a), Some(b)) => a <= b,
            _ => true,
        })
        .collect();
    for &r in before.iter().take(3) {
        steps.push(Step::at(cols, r, "reads its permissions"));
    }
    rows.extend(&before);
    let mut targets: BTreeSet<String> = BTreeSet::new();
    for (r, tg, what) in &granted {
        let whom = match tg {
            Target::Itself => {
                targets.insert("itself".to_owned());
                "itself".to_owned()
            }
            Target::Created(n) => {
                targets.insert(n.clone());
                format!("{n}, a principal it created")
            }
            Target::Other(n) => n.clone(),
        };
        let text = if ok(*r) {
            format!("grants {whom} {what}")
        } else {
            format!("tries to grant {whom} {what} (denied)")
        };
        steps.push(Step::at(cols, *r, text));
        rows.push(*r);
    }
    // New credentials for itself or a granted principal, after the grant.
    let mut minted = 0;
    let mut new_keys = Vec::new();
    for (r, tg, key) in &creds {
        let relevant = match tg {
            Target::Itself => true,
            Target::Created(n) => targets.contains(n),
            Target::Other(_) => false,
        };
        let after = match (t(*r), first_grant) {
            (Some(a), Some(b)) => a >= b,
            _ => true,
        };
        if !relevant || !after {
            continue;
        }
        let name = cols.by_idx(s::EVENT_NAME).at(*r as usize).unwrap_or("");
        let text = if ok(*r) {
            minted += 1;
            if let Some(k) = key {
                new_keys.push(k.clone());
            }
            format!("{name}: new credentials")
        } else {
            format!("{name}: tries to mint credentials (denied)")
        };
        steps.push(Step::at(cols, *r, text));
        rows.push(*r);
    }
    steps.sort_by_key(|s| (s.time, s.row));
    rows.sort_unstable();
    rows.dedup();
    let (level, text) = if won.is_empty() {
        (
            Level::Medium,
            "tried to grant itself or a principal it created full rights; denied".to_owned(),
        )
    } else {
        let mut parts = vec![format!(
            "granted {} full rights",
            targets.into_iter().collect::<Vec<_>>().join(", ")
        )];
        if !before.is_empty() {
            parts.insert(0, "enumerated its permissions".to_owned());
        }
        if minted > 0 {
            parts.push("minted new credentials".to_owned());
        }
        let level = if before.is_empty() && minted == 0 {
            Level::High
        } else {
            Level::Critical
        };
        (level, parts.join(", then "))
    };
    let idx = out.len();
    for k in new_keys {
        pending.push((idx, k));
    }
    out.push(Evidence {
        kind: EvidenceKind::PrivilegeEscalation,
        level,
        principal: pname.to_owned(),
        title: "Privilege escalation chain".to_owned(),
        text,
        steps,
        rows,
        principal_code: actor.code,
    });
}

fn recon_then_reads(
    cols: &Columns<'_>,
    p: u32,
    pname: &str,
    discovery: &[u32],
    reads: &[u32],
    out: &mut Vec<Evidence>,
) {
    if reads.len() < BURST_READS || discovery.is_empty() {
        return;
    }
    let names = cols.by_idx(s::EVENT_NAME);
    let t = |r: u32| cols.times().get(r as usize).copied().flatten();
    // The first burst: BURST_READS reads within BURST_WINDOW_MS.
    let timed: Vec<(i64, u32)> = reads.iter().filter_map(|&r| t(r).map(|x| (x, r))).collect();
    let mut start = None;
    for i in 0..timed.len().saturating_sub(BURST_READS - 1) {
        if timed[i + BURST_READS - 1].0 - timed[i].0 <= BURST_WINDOW_MS {
            start = Some(i);
            break;
        }
    }
    let Some(i0) = start else {
        return;
    };
    let t0 = timed[i0].0;
    let recon: Vec<u32> = discovery
        .iter()
        .copied()
        .filter(|&r| t(r).is_some_and(|x| x <= t0 && t0 - x <= RECON_BEFORE_MS))
        .collect();
    let distinct: BTreeSet<u32> = recon.iter().map(|&r| names.code(r as usize)).collect();
    if distinct.len() < 3 {
        return;
    }
    let burst: Vec<u32> = timed[i0..]
        .iter()
        .take_while(|(x, _)| *x - t0 <= BURST_WINDOW_MS * 6)
        .map(|(_, r)| *r)
        .collect();
    let mut steps: Vec<Step> = recon
        .iter()
        .take(3)
        .map(|&r| Step::at(cols, r, "discovery"))
        .collect();
    steps.push(Step::at(
        cols,
        burst[0],
        format!("object-read burst starts ({} GetObject)", burst.len()),
    ));
    let mut rows = recon.clone();
    rows.extend(&burst);
    rows.sort_unstable();
    out.push(Evidence {
        kind: EvidenceKind::ReconThenReads,
        level: Level::High,
        principal: pname.to_owned(),
        title: "Discovery, then a burst of object reads".to_owned(),
        text: format!(
            "{} discovery calls ({} kinds) in the hour before a burst of {} object reads",
            recon.len(),
            distinct.len(),
            burst.len()
        ),
        steps,
        rows,
        principal_code: p,
    });
}

fn tampering_then_action(
    cols: &Columns<'_>,
    p: u32,
    pname: &str,
    tamper: &[u32],
    sensitive: &[u32],
    out: &mut Vec<Evidence>,
) {
    let errors = cols.by_idx(s::ERROR_CODE);
    let ok = |r: u32| errors.code(r as usize) == NULL;
    let t = |r: u32| cols.times().get(r as usize).copied().flatten();
    let Some(&first) = tamper.iter().find(|&&r| ok(r)) else {
        return;
    };
    let Some(t0) = t(first) else {
        return;
    };
    let after: Vec<u32> = sensitive
        .iter()
        .copied()
        .filter(|&r| {
            r != first
                && ok(r)
                && !tamper.contains(&r)
                && t(r).is_some_and(|x| x >= t0 && x - t0 <= AFTER_TAMPERING_MS)
        })
        .collect();
    let Some(&next) = after.first() else {
        return;
    };
    let names = cols.by_idx(s::EVENT_NAME);
    let kinds: BTreeSet<&str> = after.iter().filter_map(|&r| names.at(r as usize)).collect();
    let mut rows: Vec<u32> = tamper.iter().copied().filter(|&r| ok(r)).collect();
    rows.extend(&after);
    rows.sort_unstable();
    rows.dedup();
    let tampered = names.at(first as usize).unwrap_or("");
    out.push(Evidence {
        kind: EvidenceKind::TamperingThenAction,
        level: Level::Critical,
        principal: pname.to_owned(),
        title: "Defences switched off, then sensitive actions".to_owned(),
        text: format!(
            "{tampered} succeeded, then {} sensitive call(s) within hours ({})",
            after.len(),
            super::evidence::short_list(&kinds.into_iter().collect::<Vec<_>>(), 5)
        ),
        steps: vec![
            Step::at(cols, first, format!("{tampered} succeeds")),
            Step::at(cols, next, "first sensitive call after it"),
        ],
        rows,
        principal_code: p,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broad_policies() {
        let cases = [
            (
                r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","*:*"],"Resource":["*"]}]}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"*"}]}"#,
                true,
            ),
            (
                r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#,
                false,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
                false,
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}]}"#,
                false,
            ),
            (
                "%7B%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22*%22%2C%22Resource%22%3A%22*%22%7D%5D%7D",
                true,
            ),
            ("not json", false),
        ];
        for (doc, want) in cases {
            assert_eq!(grants_everything(doc), want, "{doc}");
        }
        assert!(admin_policy("arn:aws:iam::aws:policy/AdministratorAccess"));
        assert!(!admin_policy("arn:aws:iam::aws:policy/ReadOnlyAccess"));
    }
}
