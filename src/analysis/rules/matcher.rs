//! The condition language: fields, conditions, and their evaluation on dictionary values (fast,
//! once per distinct value) or on one event's raw record (for fields that are not columns).
use std::net::IpAddr;
use std::sync::Arc;

use serde_json::Value;

use super::model::{CondDef, IpClass};
use crate::analysis::columns::{Columns, col};
use crate::error::{Error, Result};
use crate::model::schema::{self, s};

/// Where a field's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    /// A string column of the store.
    Column(&'static str),
    /// A boolean column, read as "true"/"false".
    Bool(&'static str),
    /// A path into the raw record.
    Raw(Vec<Seg>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    /// `[*]`: every element of an array.
    Any,
}

impl Field {
    pub fn parse(path: &str) -> Result<Field> {
        let column = match path {
            "eventSource" => Some(s::EVENT_SOURCE),
            "eventName" => Some(s::EVENT_NAME),
            "awsRegion" => Some(s::AWS_REGION),
            "sourceIPAddress" => Some(s::SOURCE_IP),
            "userAgent" => Some(s::USER_AGENT),
            "errorCode" => Some(s::ERROR_CODE),
            "errorMessage" => Some(s::ERROR_MESSAGE),
            "eventType" => Some(s::EVENT_TYPE),
            "eventCategory" => Some(s::EVENT_CATEGORY),
            "recipientAccountId" => Some(s::RECIPIENT_ACCOUNT_ID),
            "eventID" => Some(s::EVENT_ID),
            "requestID" => Some(s::REQUEST_ID),
            "userIdentity.type" => Some(s::IDENTITY_TYPE),
            "userIdentity.accountId" => Some(s::ACCOUNT_ID),
            "userIdentity.accessKeyId" => Some(s::ACCESS_KEY_ID),
            "requestParameters.bucketName" => Some(s::BUCKET),
            "requestParameters.key" => Some(s::OBJECT_KEY),
            "principal" => Some(s::PRINCIPAL),
            _ => None,
        };
        if let Some(c) = column {
            return Ok(Field::Column(col(c)));
        }
        match path {
            "readOnly" => return Ok(Field::Bool(schema::READ_ONLY)),
            "managementEvent" => return Ok(Field::Bool(schema::MANAGEMENT_EVENT)),
            _ => {}
        }
        let mut segs = Vec::new();
        for part in path.split('.') {
            let (key, any) = match part.strip_suffix("[*]") {
                Some(k) => (k, true),
                None => (part, false),
            };
            if key.is_empty() || key.contains(['[', ']', '*']) {
                return Err(Error::Invalid(format!(
                    "rule field '{path}': bad segment '{part}'"
                )));
            }
            segs.push(Seg::Key(key.to_owned()));
            if any {
                segs.push(Seg::Any);
            }
        }
        Ok(Field::Raw(segs))
    }

    /// The top-level member of the raw record this field reads (`None` for columns).
    pub fn top_key(&self) -> Option<&str> {
        match self {
            Field::Raw(segs) => match segs.first() {
                Some(Seg::Key(k)) => Some(k),
                _ => None,
            },
            _ => None,
        }
    }

    /// The field's values for one event (several for `[*]` paths; none when absent).
    pub fn values(&self, ev: &EventView<'_, '_>) -> Vec<String> {
        match self {
            Field::Column(name) => ev
                .cols
                .dict(name)
                .at(ev.row)
                .map(str::to_owned)
                .into_iter()
                .collect(),
            Field::Bool(name) => ev
                .cols
                .store
                .bool_at(name, ev.row)
                .map(|b| b.to_string())
                .into_iter()
                .collect(),
            Field::Raw(segs) => {
                let mut out = Vec::new();
                if let Some(v) = ev.raw() {
                    collect(v, segs, &mut out);
                }
                out
            }
        }
    }
}

fn collect(v: &Value, segs: &[Seg], out: &mut Vec<String>) {
    let Some((first, rest)) = segs.split_first() else {
        match v {
            Value::Null => {}
            Value::String(s) => out.push(s.clone()),
            Value::Bool(_) | Value::Number(_) => out.push(v.to_string()),
            Value::Array(_) | Value::Object(_) => out.push(v.to_string()),
        }
        return;
    };
    match (first, v) {
        (Seg::Key(k), Value::Object(m)) => {
            if let Some(child) = m.get(k) {
                collect(child, rest, out);
            }
        }
        (Seg::Any, Value::Array(items)) => {
            for item in items {
                collect(item, rest, out);
            }
        }
        _ => {}
    }
}

/// One event, with its raw record parsed on first use.
pub struct EventView<'c, 'a> {
    pub cols: &'c Columns<'a>,
    pub row: usize,
    raw: std::cell::OnceCell<Option<Value>>,
    /// The only top-level members read through `raw` (all when `None`).
    keys: Option<&'c [String]>,
}

impl<'c, 'a> EventView<'c, 'a> {
    pub fn new(cols: &'c Columns<'a>, row: usize) -> Self {
        EventView {
            cols,
            row,
            raw: std::cell::OnceCell::new(),
            keys: None,
        }
    }

    /// A view whose raw record is parsed only for the top-level members in `keys`: rules name
    /// their fields up front, and skipping the rest (a `RunInstances` response is kilobytes)
    /// is most of the cost of a raw test.
    pub fn with_keys(cols: &'c Columns<'a>, row: usize, keys: &'c [String]) -> Self {
        EventView {
            keys: Some(keys),
            ..EventView::new(cols, row)
        }
    }

    pub fn raw(&self) -> Option<&Value> {
        self.raw
            .get_or_init(|| match self.keys {
                Some(keys) => self.cols.store.raw_value_keys(self.row, keys),
                None => self.cols.store.raw_value(self.row),
            })
            .as_ref()
    }
}

/// An IPv4 or IPv6 network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: u128,
    prefix: u8,
    v4: bool,
}

impl Cidr {
    pub fn parse(text: &str) -> Result<Cidr> {
        let bad = || {
            Error::Invalid(format!(
                "not a network: '{text}' (expected e.g. 10.0.0.0/8)"
            ))
        };
        let (ip, len) = match text.split_once('/') {
            Some((ip, len)) => (ip, Some(len.parse::<u8>().map_err(|_| bad())?)),
            None => (text, None),
        };
        let ip: IpAddr = ip.trim().parse().map_err(|_| bad())?;
        let (addr, max, v4) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(a)), 32, true),
            IpAddr::V6(a) => (u128::from(a), 128, false),
        };
        let prefix = len.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(Cidr { addr, prefix, v4 })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let (addr, bits) = match ip {
            IpAddr::V4(a) if self.v4 => (u128::from(u32::from(a)), 32u32),
            IpAddr::V6(a) if !self.v4 => (u128::from(a), 128u32),
            _ => return false,
        };
        let shift = bits - u32::from(self.prefix);
        if shift >= bits {
            return true;
        }
        (addr >> shift) == (self.addr >> shift)
    }
}

/// Private, loopback, link-local, shared-address (CGNAT), multicast and reserved ranges. The
/// documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24) are left out on purpose:
/// examples and generated logs use them to stand for internet addresses.
const NON_PUBLIC: [&str; 12] = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/3",
    "::1/128",
    "::/128",
    "fc00::/7",
    "fe80::/10",
];

pub fn is_non_public(ip: IpAddr) -> bool {
    static NETS: std::sync::OnceLock<Vec<Cidr>> = std::sync::OnceLock::new();
    NETS.get_or_init(|| {
        NON_PUBLIC
            .iter()
            .filter_map(|n| Cidr::parse(n).ok())
            .collect()
    })
    .iter()
    .any(|n| n.contains(ip))
}

/// Classifies a `sourceIPAddress` value; `known` are ranges the analyst declared as their own.
pub fn ip_class(text: &str, known: &[Cidr]) -> IpClass {
    match text.trim().parse::<IpAddr>() {
        Err(_) => IpClass::NotIp,
        Ok(ip) if is_non_public(ip) || known.iter().any(|n| n.contains(ip)) => IpClass::Private,
        Ok(_) => IpClass::Public,
    }
}

/// A compiled condition.
#[derive(Debug, Clone)]
pub enum Cond {
    Equals(String),
    AnyOf(Vec<String>),
    Glob(Vec<Glob>),
    Exists(bool),
    Not(Box<Cond>),
    All(Vec<Cond>),
    DiffersFrom(Field),
    Ip(IpClass, Arc<[Cidr]>),
    /// The value (a policy or a principal) lets in `*` or another account (true), or not (false).
    GrantsOutside(bool),
}

impl Cond {
    pub fn compile(def: &CondDef, known: &Arc<[Cidr]>) -> Result<Cond> {
        Ok(match def {
            CondDef::Equals(s) => Cond::Equals(s.clone()),
            CondDef::AnyOf(v) => Cond::AnyOf(v.clone()),
            CondDef::Table(t) => {
                let mut all = Vec::new();
                if let Some(e) = &t.equals {
                    all.push(Cond::Equals(e.clone()));
                }
                if let Some(v) = &t.any_of {
                    all.push(Cond::AnyOf(v.clone()));
                }
                if let Some(g) = &t.glob {
                    all.push(Cond::Glob(
                        g.clone().into_vec().iter().map(|p| Glob::new(p)).collect(),
                    ));
                }
                if let Some(e) = t.exists {
                    all.push(Cond::Exists(e));
                }
                if let Some(n) = &t.not {
                    all.push(Cond::Not(Box::new(Cond::compile(n, known)?)));
                }
                if let Some(f) = &t.differs_from {
                    all.push(Cond::DiffersFrom(Field::parse(f)?));
                }
                if let Some(c) = t.ip {
                    all.push(Cond::Ip(c, Arc::clone(known)));
                }
                if let Some(set) = &t.in_set {
                    let names = crate::analysis::catalog::names_by_key(set).ok_or_else(|| {
                        Error::Invalid(format!("unknown API catalogue set '{set}'"))
                    })?;
                    all.push(Cond::AnyOf(names.to_vec()));
                }
                if let Some(g) = t.grants_outside {
                    all.push(Cond::GrantsOutside(g));
                }
                if all.is_empty() {
                    return Err(Error::Invalid("empty rule condition".to_owned()));
                }
                if all.len() == 1 {
                    all.pop().unwrap_or(Cond::Exists(true))
                } else {
                    Cond::All(all)
                }
            }
        })
    }

    /// The other fields the condition reads from the event (for `differs_from`).
    pub fn other_fields<'s>(&'s self, out: &mut Vec<&'s Field>) {
        match self {
            Cond::DiffersFrom(f) => out.push(f),
            Cond::Not(c) => c.other_fields(out),
            Cond::All(v) => v.iter().for_each(|c| c.other_fields(out)),
            _ => {}
        }
    }

    /// Whether the condition needs the whole event (another field), not just this field's value.
    pub fn needs_event(&self) -> bool {
        match self {
            Cond::DiffersFrom(_) | Cond::GrantsOutside(_) => true,
            Cond::Not(c) => c.needs_event(),
            Cond::All(v) => v.iter().any(Cond::needs_event),
            _ => false,
        }
    }

    /// Evaluates on the field's values; `ev` is needed only by `differs_from`.
    pub fn holds(&self, vals: &[&str], ev: Option<&EventView<'_, '_>>) -> bool {
        match self {
            Cond::Equals(s) => vals.iter().any(|v| v == s),
            Cond::AnyOf(set) => vals.iter().any(|v| set.iter().any(|s| s == v)),
            Cond::Glob(pats) => vals.iter().any(|v| pats.iter().any(|p| p.matches(v))),
            Cond::Exists(e) => vals.is_empty() != *e,
            Cond::Not(c) => !c.holds(vals, ev),
            Cond::All(cs) => cs.iter().all(|c| c.holds(vals, ev)),
            Cond::DiffersFrom(other) => {
                let Some(ev) = ev else {
                    return false;
                };
                let others = other.values(ev);
                !vals.is_empty()
                    && !others.is_empty()
                    && vals.iter().any(|v| !others.iter().any(|o| o == v))
            }
            Cond::Ip(class, known) => vals.iter().any(|v| ip_class(v, known) == *class),
            Cond::GrantsOutside(want) => {
                let Some(ev) = ev else {
                    return false;
                };
                let own = own_accounts(ev);
                let own: Vec<&str> = own.iter().map(String::as_str).collect();
                let grants = vals
                    .iter()
                    .any(|v| !super::policy::outside_grants(v, &own).is_empty());
                grants == *want
            }
        }
    }
}

/// The account ids an event belongs to: the recipient account and the caller's account.
pub fn own_accounts(ev: &EventView<'_, '_>) -> Vec<String> {
    let mut out = Vec::new();
    for idx in [s::RECIPIENT_ACCOUNT_ID, s::ACCOUNT_ID] {
        let v = ev
            .cols
            .store
            .str_at(col(idx), ev.row)
            .filter(|v| !v.is_empty());
        if let Some(v) = v
            && !out.contains(&v)
        {
            out.push(v);
        }
    }
    out
}

/// A case-insensitive wildcard pattern (`*` any run, `?` one character).
#[derive(Debug, Clone)]
pub struct Glob {
    pat: Vec<char>,
}

impl Glob {
    pub fn new(p: &str) -> Glob {
        Glob {
            pat: p.to_lowercase().chars().collect(),
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = text.to_lowercase().chars().collect();
        let p = &self.pat;
        let (mut ti, mut pi) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() && (p[pi] == '?' || (p[pi] != '*' && p[pi] == t[ti])) {
                ti += 1;
                pi += 1;
            } else if pi < p.len() && p[pi] == '*' {
                star = Some((pi, ti));
                pi += 1;
            } else if let Some((sp, st)) = star {
                pi = sp + 1;
                ti = st + 1;
                star = Some((sp, st + 1));
            } else {
                return false;
            }
        }
        p[pi..].iter().all(|&c| c == '*')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let g = Glob::new("*kali*");
        assert!(g.matches("aws-cli/2.0 Linux/5.10-KALI1-amd64"));
        assert!(!g.matches("aws-cli/2.0 Linux/5.10"));
        assert!(Glob::new("i-????").matches("i-0a1B"));
        assert!(Glob::new("a*b*c").matches("aXXbYYc"));
        assert!(!Glob::new("a*b*c").matches("aXXbYY"));
        assert!(Glob::new("*").matches(""));
    }

    #[test]
    fn ip_classes() {
        let known = [Cidr::parse("52.94.0.0/16").expect("cidr")];
        assert_eq!(ip_class("10.1.2.3", &[]), IpClass::Private);
        assert_eq!(ip_class("203.0.113.7", &[]), IpClass::Public);
        assert_eq!(ip_class("52.94.1.1", &known), IpClass::Private);
        assert_eq!(ip_class("52.95.1.1", &known), IpClass::Public);
        assert_eq!(ip_class("ec2.amazonaws.com", &[]), IpClass::NotIp);
        assert_eq!(ip_class("fe80::1", &[]), IpClass::Private);
        assert_eq!(ip_class("2001:db8::1", &[]), IpClass::Public);
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(
            Cidr::parse("0.0.0.0/0")
                .expect("any")
                .contains("8.8.8.8".parse().expect("ip"))
        );
    }

    #[test]
    fn fields() {
        assert_eq!(
            Field::parse("eventName").ok(),
            Some(Field::Column("event_name"))
        );
        assert_eq!(
            Field::parse("resources[*].accountId").ok(),
            Some(Field::Raw(vec![
                Seg::Key("resources".into()),
                Seg::Any,
                Seg::Key("accountId".into())
            ]))
        );
        assert!(Field::parse("a..b").is_err());
    }
}
