//! Credential context: every role session and access key followed through the log — which compute
//! it belongs to (an EC2 instance, a Lambda function, an ECS task, CodeBuild, Glue), the networks
//! and client families it was used from, when it was first seen — and, offline, what GuardDuty's
//! InstanceCredentialExfiltration findings detect: compute credentials used from outside AWS, from
//! a desktop client, from an address a person uses, or from a second network with a second client.
use std::collections::{BTreeMap, BTreeSet};

use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;

use super::agent::{self, ComputeEnv, Family};
use super::columns::{Columns, NULL};
use super::evidence::{Evidence, EvidenceKind, Step, principal_name, short_list};
use super::level::Level;
use super::rules::detectors::instance_session;
use super::timefmt;
use crate::model::net::{self, NetClass};
use crate::model::schema::s;

/// Which compute a role session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Compute {
    Ec2,
    Lambda,
    Ecs,
    CodeBuild,
    Glue,
    /// Another AWS service assumed the role for its own work.
    Service,
}

impl Compute {
    pub fn word(self) -> &'static str {
        match self {
            Compute::Ec2 => "EC2 instance",
            Compute::Lambda => "Lambda function",
            Compute::Ecs => "ECS task",
            Compute::CodeBuild => "CodeBuild build",
            Compute::Glue => "Glue job",
            Compute::Service => "AWS service",
        }
    }

    fn of_service(svc: &str) -> Option<Compute> {
        Some(match svc.trim_start_matches("AWSService:") {
            "lambda.amazonaws.com" | "edgelambda.amazonaws.com" => Compute::Lambda,
            "ecs-tasks.amazonaws.com" => Compute::Ecs,
            "ec2.amazonaws.com" => Compute::Ec2,
            "codebuild.amazonaws.com" => Compute::CodeBuild,
            "glue.amazonaws.com" => Compute::Glue,
            s if s.ends_with(".amazonaws.com") => Compute::Service,
            _ => return None,
        })
    }

    fn of_env(env: ComputeEnv) -> Option<Compute> {
        match env {
            ComputeEnv::Lambda => Some(Compute::Lambda),
            ComputeEnv::Ecs => Some(Compute::Ecs),
            ComputeEnv::CodeBuild => Some(Compute::CodeBuild),
            ComputeEnv::Glue => Some(Compute::Glue),
            // CloudShell is a person's shell.
            ComputeEnv::CloudShell => None,
        }
    }
}

/// Use of a credential from one network class.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkUse {
    pub class: NetClass,
    pub events: usize,
    /// Up to five addresses with where they are ("inside AWS (EC2 us-east-1)").
    pub addresses: Vec<String>,
}

/// One followed credential (a role session, or an IAM user's access key).
#[derive(Debug, Clone, Serialize)]
pub struct Credential {
    pub principal: String,
    /// Access key ids seen (at most five).
    pub access_keys: Vec<String>,
    pub compute: Option<Compute>,
    /// Why it is taken as compute ("session named after instance i-…").
    pub compute_evidence: Option<String>,
    pub events: usize,
    #[serde(serialize_with = "timefmt::ser_opt")]
    pub first_seen: Option<i64>,
    pub networks: Vec<NetworkUse>,
    /// Client families and their event counts.
    pub agents: Vec<(String, usize)>,
    /// Misuse found (empty when none).
    pub misuse: Vec<String>,
    pub level: Option<Level>,
}

/// Everything the credential pass found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CredentialReport {
    /// Compute credentials and credentials with misuse, misuse first.
    pub credentials: Vec<Credential>,
    #[serde(skip)]
    pub evidence: Vec<Evidence>,
}

/// (role name, session name) of an assumed-role ARN.
pub fn role_session(principal: &str) -> Option<(&str, &str)> {
    let rest = principal.split_once(":assumed-role/")?.1;
    let (role, session) = rest.rsplit_once('/')?;
    Some((role.rsplit('/').next().unwrap_or(role), session))
}

/// Compute by session name alone.
fn compute_by_name(principal: &str) -> Option<(Compute, String)> {
    if let Some(i) = instance_session(principal) {
        return Some((Compute::Ec2, format!("session named after instance {i}")));
    }
    let (_, session) = role_session(principal)?;
    if session.starts_with("AWSCodeBuild-") {
        return Some((Compute::CodeBuild, "CodeBuild session name".to_owned()));
    }
    if session == "GlueJobRunnerSession" {
        return Some((Compute::Glue, "Glue job session name".to_owned()));
    }
    None
}

/// Role sessions that AWS services started in this log: assumed-role ARN -> service.
fn service_sessions(cols: &Columns<'_>) -> FxHashMap<String, String> {
    let names = cols.by_idx(s::EVENT_NAME);
    let types = cols.by_idx(s::IDENTITY_TYPE);
    let principals = cols.by_idx(s::PRINCIPAL);
    let mut out = FxHashMap::default();
    let (Some(assume), Some(svc)) = (names.find("AssumeRole"), types.find("AWSService")) else {
        return out;
    };
    let mut rows: Vec<u32> = (0..cols.n as u32)
        .filter(|&r| names.code(r as usize) == assume && types.code(r as usize) == svc)
        .collect();
    // Read in stored order (a gzip delivery file inflates once), then keep time order.
    cols.store.sort_stored_order(&mut rows);
    let keys = [
        "responseElements".to_owned(),
        "requestParameters".to_owned(),
    ];
    let mut found: Vec<(u32, String)> = rows
        .into_iter()
        .filter_map(|r| {
            let v = cols.store.raw_value_keys(r as usize, &keys)?;
            let arn = v["responseElements"]["assumedRoleUser"]["arn"]
                .as_str()
                .map(str::to_owned)
                .or_else(|| {
                    let role = v["requestParameters"]["roleArn"].as_str()?;
                    let session = v["requestParameters"]["roleSessionName"].as_str()?;
                    let (acct, name) = role.strip_prefix("arn:aws:iam::")?.split_once(":role/")?;
                    let name = name.rsplit('/').next().unwrap_or(name);
                    Some(format!("arn:aws:sts::{acct}:assumed-role/{name}/{session}"))
                })?;
            Some((r, arn))
        })
        .collect();
    found.sort_unstable_by_key(|f| f.0);
    let mut seen = FxHashSet::default();
    for (r, arn) in found {
        if seen.insert(arn.clone()) {
            out.insert(arn, principals.at(r as usize).unwrap_or("").to_owned());
        }
    }
    out
}

#[derive(Default)]
struct Acc {
    rows: Vec<u32>,
    keys: BTreeSet<u32>,
    env: Option<ComputeEnv>,
}

/// Human principals' identity types: their addresses are people's addresses.
fn is_human_type(t: &str) -> bool {
    matches!(
        t,
        "IAMUser" | "Root" | "SAMLUser" | "WebIdentityUser" | "IdentityCenterUser"
    )
}

/// Follows every credential and finds misuse.
pub fn analyze(cols: &Columns<'_>) -> CredentialReport {
    let principals = cols.by_idx(s::PRINCIPAL);
    let ips = cols.by_idx(s::SOURCE_IP);
    let uas = cols.by_idx(s::USER_AGENT);
    let keys = cols.by_idx(s::ACCESS_KEY_ID);
    let types = cols.by_idx(s::IDENTITY_TYPE);
    let ranges = net::ranges();
    let class: Vec<NetClass> = ips.table(|v| ranges.classify(v));
    let family: Vec<Family> = uas.table(|v| agent::family(Some(v)));
    let human_type: Vec<bool> = types.table(is_human_type);
    let no_family = agent::family(None);
    let fam = |r: usize| {
        let c = uas.code(r);
        if c == NULL {
            no_family
        } else {
            family[c as usize]
        }
    };
    let cls = |r: usize| {
        let c = ips.code(r);
        if c == NULL {
            NetClass::None
        } else {
            class[c as usize]
        }
    };

    // Per principal: rows, keys, compute environment from agents; per address: used by a person.
    let mut acc: Vec<Acc> = (0..principals.cardinality())
        .map(|_| Acc::default())
        .collect();
    let mut human_ip: Vec<Vec<u32>> = vec![Vec::new(); ips.cardinality()];
    for r in 0..cols.n {
        let p = principals.code(r);
        if p == NULL {
            continue;
        }
        let a = &mut acc[p as usize];
        a.rows.push(r as u32);
        let k = keys.code(r);
        if k != NULL {
            a.keys.insert(k);
        }
        if a.env.is_none()
            && let Some(env) = fam(r).compute
        {
            a.env = Some(env);
        }
        let t = types.code(r);
        let ip = ips.code(r);
        if t != NULL && human_type[t as usize] && ip != NULL && class[ip as usize].is_network() {
            let users = &mut human_ip[ip as usize];
            if !users.contains(&p) && users.len() < 4 {
                users.push(p);
            }
        }
    }
    let started = service_sessions(cols);

    let mut report = CredentialReport::default();
    // Misused credentials: (principal, foreign address codes) for the operator pass.
    let mut misused: Vec<(u32, BTreeSet<u32>)> = Vec::new();
    let mut compute_principals: FxHashSet<u32> = FxHashSet::default();
    for (p, a) in acc.iter().enumerate() {
        if a.rows.is_empty() {
            continue;
        }
        let name = principals.value(p as u32).unwrap_or("");
        if role_session(name).is_none() {
            continue;
        }
        let compute = compute_by_name(name)
            .or_else(|| {
                let by = started.get(name)?;
                let c = Compute::of_service(by)?;
                Some((c, format!("session started by {by}")))
            })
            .or_else(|| {
                let c = Compute::of_env(a.env?)?;
                Some((c, format!("its calls carry the {:?} runtime agent", a.env?)))
            });
        let Some((compute, why)) = compute else {
            continue;
        };
        compute_principals.insert(p as u32);
        if compute == Compute::Service {
            // A service's own session: its addresses are the service's.
            continue;
        }
        let cred = follow(
            cols, p as u32, a, compute, why, &cls, &fam, &human_ip, &class,
        );
        if let Some((ev, foreign)) = cred.1 {
            misused.push((p as u32, foreign));
            report.evidence.push(ev);
        }
        report.credentials.push(cred.0);
    }

    // People whose address drove misused credentials.
    let mut operators: BTreeMap<u32, Vec<(u32, BTreeSet<u32>)>> = BTreeMap::new();
    for (p, foreign) in &misused {
        let mut by: BTreeMap<u32, BTreeSet<u32>> = BTreeMap::new();
        for &ip in foreign {
            for &h in &human_ip[ip as usize] {
                by.entry(h).or_default().insert(ip);
            }
        }
        for (h, ips_used) in by {
            operators.entry(h).or_default().push((*p, ips_used));
        }
    }
    for (h, list) in operators {
        let mut rows = Vec::new();
        let mut steps = Vec::new();
        let mut what = Vec::new();
        for (p, used) in &list {
            let victim = principal_name(cols, *p);
            let addrs: Vec<&str> = used.iter().filter_map(|&i| ips.value(i)).collect();
            what.push(format!("{victim} from {}", short_list(&addrs, 3)));
            for &r in &acc[*p as usize].rows {
                if used.contains(&ips.code(r as usize)) {
                    rows.push(r);
                }
            }
        }
        // Its own calls from those addresses, first one cited.
        let used_all: BTreeSet<u32> = list.iter().flat_map(|(_, u)| u.iter().copied()).collect();
        if let Some(&first) = acc[h as usize]
            .rows
            .iter()
            .find(|&&r| used_all.contains(&ips.code(r as usize)))
        {
            steps.push(Step::at(cols, first, "its own call from the same address"));
        }
        if let Some(&r) = rows.first() {
            steps.push(Step::at(
                cols,
                r,
                "the misused credential's first call from it",
            ));
        }
        rows.sort_unstable();
        rows.dedup();
        report.evidence.push(Evidence {
            kind: EvidenceKind::StolenCredentialOperator,
            level: Level::High,
            principal: principal_name(cols, h),
            title: "Address that drove misused compute credentials".to_owned(),
            text: format!(
                "misused compute credentials were used from this principal's own address: {}",
                what.join("; ")
            ),
            steps,
            rows,
            principal_code: h,
        });
    }

    new_keys_from_new_networks(cols, &acc, &cls, &mut report);
    report.evidence.extend(super::concurrent::find(
        cols,
        &compute_principals,
        &cls,
        &fam,
    ));

    report.credentials.sort_by(|a, b| {
        b.level
            .cmp(&a.level)
            .then_with(|| a.first_seen.cmp(&b.first_seen))
            .then_with(|| a.principal.cmp(&b.principal))
    });
    report
}

#[allow(clippy::too_many_arguments)]
fn follow(
    cols: &Columns<'_>,
    p: u32,
    a: &Acc,
    compute: Compute,
    why: String,
    cls: &dyn Fn(usize) -> NetClass,
    fam: &dyn Fn(usize) -> Family,
    human_ip: &[Vec<u32>],
    class: &[NetClass],
) -> (Credential, Option<(Evidence, BTreeSet<u32>)>) {
    let ips = cols.by_idx(s::SOURCE_IP);
    let keys = cols.by_idx(s::ACCESS_KEY_ID);
    let ranges = net::ranges();
    let times = cols.times();
    let mut per_class: BTreeMap<NetClass, (usize, BTreeSet<u32>)> = BTreeMap::new();
    let mut agents: BTreeMap<String, usize> = BTreeMap::new();
    // The credential's home: the client families it uses from inside AWS.
    let mut home_tools: BTreeSet<(agent::Tool, agent::Os)> = BTreeSet::new();
    for &r in &a.rows {
        let r = r as usize;
        let c = cls(r);
        let e = per_class.entry(c).or_default();
        e.0 += 1;
        if ips.code(r) != NULL {
            e.1.insert(ips.code(r));
        }
        let f = fam(r);
        if f.is_client() {
            *agents.entry(f.describe()).or_default() += 1;
            if c == NetClass::Aws || f.compute.is_some() {
                home_tools.insert((f.tool, f.os));
            }
        }
    }
    // Foreign use, by signal.
    let mut outside = Vec::new();
    let mut desktop = Vec::new();
    let mut personal = Vec::new();
    let mut second = Vec::new();
    for &r in &a.rows {
        let ru = r as usize;
        let c = cls(ru);
        let f = fam(ru);
        let ip = ips.code(ru);
        if c == NetClass::Outside {
            outside.push(r);
        }
        if f.is_desktop() {
            desktop.push(r);
        }
        if ip != NULL && class[ip as usize] != NetClass::Aws && !human_ip[ip as usize].is_empty() {
            personal.push(r);
        }
        if c == NetClass::Private
            && !home_tools.is_empty()
            && f.is_client()
            && f.compute.is_none()
            && !home_tools.contains(&(f.tool, f.os))
        {
            second.push(r);
        }
    }
    let word = compute.word();
    let mut signals: Vec<String> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    let mut steps = Vec::new();
    let addr_list = |rs: &[u32]| -> String {
        let set: BTreeSet<&str> = rs.iter().filter_map(|&r| ips.at(r as usize)).collect();
        let v: Vec<&str> = set.into_iter().collect();
        short_list(&v, 3)
    };
    let agent_list = |rs: &[u32]| -> String {
        let set: BTreeSet<String> = rs.iter().map(|&r| fam(r as usize).describe()).collect();
        let v: Vec<String> = set.into_iter().collect();
        short_list(&v, 3)
    };
    for (list, text) in [
        (&outside, "used from outside AWS"),
        (&desktop, "used by a desktop client"),
        (&personal, "used from an address a person also uses"),
        (
            &second,
            "used from a second network with a client its compute does not use",
        ),
    ] {
        if list.is_empty() {
            continue;
        }
        signals.push(format!(
            "{text} ({} call(s) from {} with {})",
            list.len(),
            addr_list(list),
            agent_list(list)
        ));
        if let Some(&r) = list.first() {
            steps.push(Step::at(cols, r, text));
        }
        rows.extend_from_slice(list);
    }
    rows.sort_unstable();
    rows.dedup();
    steps.sort_by_key(|s| (s.time, s.row));
    steps.dedup_by_key(|s| s.row);
    let level = match signals.len() {
        0 => None,
        1 => Some(Level::High),
        _ => Some(Level::Critical),
    };
    let name = principal_name(cols, p);
    let networks = per_class
        .iter()
        .map(|(c, (n, addrs))| NetworkUse {
            class: *c,
            events: *n,
            addresses: addrs
                .iter()
                .take(5)
                .filter_map(|&i| ips.value(i))
                .map(|v| format!("{v} ({})", ranges.place(v).describe()))
                .collect(),
        })
        .collect();
    let mut agents: Vec<(String, usize)> = agents.into_iter().collect();
    agents.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    agents.truncate(5);
    let cred = Credential {
        principal: name.clone(),
        access_keys: a
            .keys
            .iter()
            .take(5)
            .filter_map(|&k| keys.value(k).map(str::to_owned))
            .collect(),
        compute: Some(compute),
        compute_evidence: Some(why.clone()),
        events: a.rows.len(),
        first_seen: a
            .rows
            .iter()
            .filter_map(|&r| times.get(r as usize).copied().flatten())
            .min(),
        networks,
        agents,
        misuse: signals.clone(),
        level,
    };
    let ev = level.map(|level| {
        let foreign: BTreeSet<u32> = rows
            .iter()
            .map(|&r| ips.code(r as usize))
            .filter(|&c| c != NULL)
            .collect();
        (
            Evidence {
                kind: EvidenceKind::CredentialMisuse,
                level,
                principal: name.clone(),
                title: format!("{word} credentials used off their compute"),
                text: format!("{word} credentials ({why}) {}", signals.join("; ")),
                steps,
                rows: rows.clone(),
                principal_code: p,
            },
            foreign,
        )
    });
    (cred, ev)
}

/// A long-term key first seen in this log, after its user had worked from other addresses, from an
/// address that user never used before.
fn new_keys_from_new_networks(
    cols: &Columns<'_>,
    acc: &[Acc],
    cls: &dyn Fn(usize) -> NetClass,
    report: &mut CredentialReport,
) {
    let keys = cols.by_idx(s::ACCESS_KEY_ID);
    let ips = cols.by_idx(s::SOURCE_IP);
    let types = cols.by_idx(s::IDENTITY_TYPE);
    let times = cols.times();
    let t = |r: u32| times.get(r as usize).copied().flatten();
    for (p, a) in acc.iter().enumerate() {
        let Some(&first_row) = a.rows.first() else {
            continue;
        };
        if types.at(first_row as usize) != Some("IAMUser") {
            continue;
        }
        let Some(start) = t(first_row) else {
            continue;
        };
        let mut seen_ips: FxHashSet<u32> = FxHashSet::default();
        let mut seen_keys: FxHashSet<u32> = FxHashSet::default();
        for &r in &a.rows {
            let ru = r as usize;
            let k = keys.code(ru);
            let ip = ips.code(ru);
            let long_term = keys.value(k).is_some_and(|v| v.starts_with("AKIA"));
            if k != NULL && long_term && seen_keys.insert(k) {
                // New key: only after an hour of the user's history, from an address it never used.
                let late = t(r).is_some_and(|x| x - start >= 3_600_000);
                if late && ip != NULL && cls(ru).is_network() && !seen_ips.contains(&ip) {
                    let earlier: Vec<&str> = {
                        let mut v: Vec<&str> = seen_ips
                            .iter()
                            .filter_map(|&i| ips.value(i))
                            .filter(|v| net::classify(v).is_network())
                            .collect();
                        v.sort_unstable();
                        v
                    };
                    if earlier.is_empty() {
                        continue;
                    }
                    let key = keys.value(k).unwrap_or("");
                    let addr = ips.value(ip).unwrap_or("");
                    let key_rows: Vec<u32> = a
                        .rows
                        .iter()
                        .copied()
                        .filter(|&x| keys.code(x as usize) == k)
                        .collect();
                    report.evidence.push(Evidence {
                        kind: EvidenceKind::NewKeyNewNetwork,
                        level: Level::Medium,
                        principal: principal_name(cols, p as u32),
                        title: "Access key first seen from an address its user never used"
                            .to_owned(),
                        text: format!(
                            "access key {key} first seen at {} from {addr} ({}), an address this user had not used (earlier: {})",
                            timefmt::show(t(r)),
                            net::ranges().place(addr).describe(),
                            short_list(&earlier, 3)
                        ),
                        steps: vec![Step::at(cols, r, "first call with the key")],
                        rows: key_rows,
                        principal_code: p as u32,
                    });
                }
            }
            if ip != NULL {
                seen_ips.insert(ip);
            }
        }
    }
}
