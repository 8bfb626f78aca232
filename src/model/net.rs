//! Where a call came from: the network class of a `sourceIPAddress` — an AWS service name, an
//! address inside AWS's published prefixes (with service and region), a private/VPC address, an
//! address outside AWS, or none.
//!
//! The AWS prefixes come from a compact table derived from AWS's `ip-ranges.json` by
//! `scripts/aws_ranges.py` and embedded (`assets/aws-ranges.txt`, its source date in its header);
//! [`install_ranges`] replaces it with a newer file (`--aws-ranges FILE`) before the first lookup.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;

use crate::error::{Error, Result};

/// The embedded table (see `scripts/aws_ranges.py`).
const BUILTIN: &str = include_str!("../../assets/aws-ranges.txt");

/// The network class of a source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetClass {
    /// An AWS service acting (`s3.amazonaws.com`, `AWS Internal`).
    AwsService,
    /// An address inside AWS's published prefixes (EC2, Lambda, … hosts).
    Aws,
    /// A private, shared (CGNAT), loopback or link-local address: a VPC, or anonymised.
    Private,
    /// A valid address outside AWS's published prefixes and the private ranges.
    Outside,
    /// Missing, or not an address (a value nobody can place).
    None,
}

impl NetClass {
    pub const ALL: [NetClass; 5] = [
        NetClass::AwsService,
        NetClass::Aws,
        NetClass::Private,
        NetClass::Outside,
        NetClass::None,
    ];

    /// The label used in the store column and the `net:` query field.
    pub fn label(self) -> &'static str {
        match self {
            NetClass::AwsService => "aws-service",
            NetClass::Aws => "aws",
            NetClass::Private => "private",
            NetClass::Outside => "outside",
            NetClass::None => "none",
        }
    }

    /// Words for a reader.
    pub fn describe(self) -> &'static str {
        match self {
            NetClass::AwsService => "an AWS service",
            NetClass::Aws => "inside AWS",
            NetClass::Private => "a private address",
            NetClass::Outside => "outside AWS",
            NetClass::None => "no address",
        }
    }

    pub fn from_label(s: &str) -> Option<NetClass> {
        NetClass::ALL
            .into_iter()
            .find(|c| c.label().eq_ignore_ascii_case(s))
    }

    /// Whether calls from here are made by a client network (not an AWS service or nothing).
    pub fn is_network(self) -> bool {
        matches!(self, NetClass::Aws | NetClass::Private | NetClass::Outside)
    }
}

impl std::fmt::Display for NetClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// An address's class and, inside AWS, the service and region of its prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place<'a> {
    pub class: NetClass,
    pub service: Option<&'a str>,
    pub region: Option<&'a str>,
}

impl Place<'_> {
    /// "inside AWS (EC2 us-east-1)", "outside AWS", …
    pub fn describe(&self) -> String {
        match (self.class, self.service, self.region) {
            (NetClass::Aws, Some(s), Some(r)) => format!("inside AWS ({s} {r})"),
            (c, _, _) => c.describe().to_owned(),
        }
    }
}

/// AWS's published prefixes as sorted, non-overlapping intervals.
#[derive(Debug, Clone, Default)]
pub struct Ranges {
    v4: Vec<(u32, u32, u16)>,
    v6: Vec<(u128, u128, u16)>,
    /// (service, region) per label index.
    labels: Vec<(String, String)>,
    /// Where the table came from ("ip-ranges.json createDate …").
    pub source: String,
}

impl Ranges {
    /// The embedded table.
    pub fn builtin() -> Ranges {
        // The embedded table is generated and tested; an error here is a build defect, and
        // an empty table (everything public is "outside") is the safe degradation.
        Ranges::parse_table(BUILTIN).unwrap_or_default()
    }

    /// Reads a table file (this module's text format) or AWS's `ip-ranges.json`.
    pub fn from_file(path: &Path) -> Result<Ranges> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let r = if text.trim_start().starts_with('{') {
            Ranges::parse_aws_json(&text)?
        } else {
            Ranges::parse_table(&text)?
        };
        if r.v4.is_empty() && r.v6.is_empty() {
            return Err(Error::Invalid(format!(
                "{}: no AWS address ranges in the file",
                path.display()
            )));
        }
        Ok(r)
    }

    /// Parses the text table: `#` comments, then `first last SERVICE region` lines.
    pub fn parse_table(text: &str) -> Result<Ranges> {
        let mut b = Builder::default();
        let mut source = String::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(c) = line.strip_prefix('#') {
                if let Some(s) = c.trim().strip_prefix("source:") {
                    source = s.trim().to_owned();
                }
                continue;
            }
            if line.is_empty() {
                continue;
            }
            let mut f = line.split_whitespace();
            let (Some(a), Some(z), Some(svc), Some(region)) =
                (f.next(), f.next(), f.next(), f.next())
            else {
                return Err(Error::Invalid(format!(
                    "AWS ranges line {}: expected 'first last SERVICE region'",
                    i + 1
                )));
            };
            let bad = || Error::Invalid(format!("AWS ranges line {}: bad address", i + 1));
            let a: IpAddr = a.parse().map_err(|_| bad())?;
            let z: IpAddr = z.parse().map_err(|_| bad())?;
            b.add(a, z, svc, region).ok_or_else(bad)?;
        }
        Ok(b.finish(source))
    }

    /// Parses AWS's `ip-ranges.json` directly (a newer download than the embedded table).
    pub fn parse_aws_json(text: &str) -> Result<Ranges> {
        let doc: serde_json::Value = serde_json::from_str(text)?;
        let mut items: Vec<(IpAddr, u8, String, String)> = Vec::new();
        for (list, key) in [("prefixes", "ip_prefix"), ("ipv6_prefixes", "ipv6_prefix")] {
            for p in doc[list].as_array().map(Vec::as_slice).unwrap_or(&[]) {
                let Some((addr, len)) = p[key].as_str().and_then(|c| c.split_once('/')) else {
                    continue;
                };
                let (Ok(addr), Ok(len)) = (addr.parse::<IpAddr>(), len.parse::<u8>()) else {
                    continue;
                };
                let svc = p["service"].as_str().unwrap_or("AMAZON").to_owned();
                let region = p["region"].as_str().unwrap_or("GLOBAL").to_owned();
                items.push((addr, len, svc, region));
            }
        }
        // Most specific last, so it overwrites: shorter prefixes first, AMAZON before a named
        // service on the same prefix.
        items.sort_by(|a, b| {
            a.1.cmp(&b.1)
                .then_with(|| (a.2 != "AMAZON").cmp(&(b.2 != "AMAZON")))
        });
        let mut v4: Vec<(u32, u32, String, String)> = Vec::new();
        let mut v6: Vec<(u128, u128, String, String)> = Vec::new();
        for (addr, len, svc, region) in items {
            match addr {
                IpAddr::V4(a) if len <= 32 => {
                    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
                    let s = u32::from(a) & mask;
                    v4.push((s, s | !mask, svc, region));
                }
                IpAddr::V6(a) if len <= 128 => {
                    let mask = if len == 0 {
                        0
                    } else {
                        u128::MAX << (128 - len)
                    };
                    let s = u128::from(a) & mask;
                    v6.push((s, s | !mask, svc, region));
                }
                _ => {}
            }
        }
        let mut b = Builder::default();
        for (s, e, svc, region) in flatten(v4) {
            b.add(
                IpAddr::V4(Ipv4Addr::from(s)),
                IpAddr::V4(Ipv4Addr::from(e)),
                &svc,
                &region,
            );
        }
        for (s, e, svc, region) in flatten(v6) {
            b.add(
                IpAddr::V6(Ipv6Addr::from(s)),
                IpAddr::V6(Ipv6Addr::from(e)),
                &svc,
                &region,
            );
        }
        let date = doc["createDate"].as_str().unwrap_or("unknown");
        Ok(b.finish(format!("ip-ranges.json createDate {date}")))
    }

    /// Number of intervals (IPv4, IPv6).
    pub fn len(&self) -> (usize, usize) {
        (self.v4.len(), self.v6.len())
    }

    /// The (service, region) of the AWS prefix holding `ip`, if any.
    pub fn lookup(&self, ip: IpAddr) -> Option<(&str, &str)> {
        let label = match ip {
            IpAddr::V4(a) => find(&self.v4, u32::from(a)),
            IpAddr::V6(a) => match a.to_ipv4_mapped() {
                Some(v4) => find(&self.v4, u32::from(v4)),
                None => find(&self.v6, u128::from(a)),
            },
        }?;
        self.labels
            .get(label as usize)
            .map(|(s, r)| (s.as_str(), r.as_str()))
    }

    /// The class (and AWS service and region) of a `sourceIPAddress` value.
    pub fn place<'a>(&'a self, src: &str) -> Place<'a> {
        let class_only = |class| Place {
            class,
            service: None,
            region: None,
        };
        let src = src.trim();
        if src.is_empty() {
            return class_only(NetClass::None);
        }
        if src.eq_ignore_ascii_case("AWS Internal") || src.ends_with(".amazonaws.com") {
            return class_only(NetClass::AwsService);
        }
        let Ok(ip) = src.parse::<IpAddr>() else {
            return class_only(NetClass::None);
        };
        if is_private(ip) {
            return class_only(NetClass::Private);
        }
        match self.lookup(ip) {
            Some((s, r)) => Place {
                class: NetClass::Aws,
                service: Some(s),
                region: Some(r),
            },
            None => class_only(NetClass::Outside),
        }
    }

    pub fn classify(&self, src: &str) -> NetClass {
        self.place(src).class
    }
}

fn find<T: Ord + Copy>(v: &[(T, T, u16)], x: T) -> Option<u16> {
    let i = v.partition_point(|&(s, _, _)| s <= x);
    let &(s, e, l) = v.get(i.checked_sub(1)?)?;
    (s <= x && x <= e).then_some(l)
}

/// Non-overlapping intervals from nested prefixes given least specific first (later wins).
fn flatten<T>(items: Vec<(T, T, String, String)>) -> Vec<(T, T, String, String)>
where
    T: Ord + Copy + std::ops::Add<Output = T> + std::ops::Sub<Output = T> + From<u8>,
{
    let one = T::from(1u8);
    // Paint: keep a sorted list of disjoint intervals; each new (more specific) one cuts a hole.
    let mut out: std::collections::BTreeMap<T, (T, String, String)> = Default::default();
    for (s, e, svc, region) in items {
        let overlapping: Vec<T> = out
            .range(..=e)
            .filter(|(_, (ee, _, _))| *ee >= s)
            .map(|(k, _)| *k)
            .collect();
        for k in overlapping {
            if let Some((ee, sv, rg)) = out.remove(&k) {
                if k < s {
                    out.insert(k, (s - one, sv.clone(), rg.clone()));
                }
                if ee > e {
                    out.insert(e + one, (ee, sv, rg));
                }
            }
        }
        out.insert(s, (e, svc, region));
    }
    out.into_iter().map(|(s, (e, a, b))| (s, e, a, b)).collect()
}

#[derive(Default)]
struct Builder {
    v4: Vec<(u32, u32, u16)>,
    v6: Vec<(u128, u128, u16)>,
    labels: Vec<(String, String)>,
    index: std::collections::HashMap<(String, String), u16>,
}

impl Builder {
    fn add(&mut self, a: IpAddr, z: IpAddr, svc: &str, region: &str) -> Option<()> {
        let key = (svc.to_owned(), region.to_owned());
        let next = self.labels.len() as u16;
        let label = *self.index.entry(key.clone()).or_insert(next);
        if label == next {
            self.labels.push(key);
        }
        match (a, z) {
            (IpAddr::V4(a), IpAddr::V4(z)) if a <= z => self.v4.push((a.into(), z.into(), label)),
            (IpAddr::V6(a), IpAddr::V6(z)) if a <= z => self.v6.push((a.into(), z.into(), label)),
            _ => return None,
        }
        Some(())
    }

    fn finish(mut self, source: String) -> Ranges {
        self.v4.sort_unstable();
        self.v6.sort_unstable();
        Ranges {
            v4: self.v4,
            v6: self.v6,
            labels: self.labels,
            source,
        }
    }
}

/// Private, shared (CGNAT), loopback, link-local, unspecified or unique-local addresses.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_private(IpAddr::V4(v4)),
            None => {
                let s0 = v6.segments()[0];
                v6.is_loopback()
                    || v6.is_unspecified()
                    || (s0 & 0xfe00) == 0xfc00
                    || (s0 & 0xffc0) == 0xfe80
            }
        },
    }
}

static RANGES: OnceLock<Ranges> = OnceLock::new();

/// The table every lookup uses: the one installed with [`install_ranges`], else the embedded one.
pub fn ranges() -> &'static Ranges {
    RANGES.get_or_init(Ranges::builtin)
}

/// Replaces the embedded table (`--aws-ranges FILE`). Must run before the first classification;
/// afterwards the store's column and the analysis would disagree, so it is refused.
pub fn install_ranges(r: Ranges) -> Result<()> {
    RANGES.set(r).map_err(|_| {
        Error::Invalid("AWS address ranges are already in use; set them before loading".to_owned())
    })
}

/// Reads `path` and installs it (see [`install_ranges`]).
pub fn install_ranges_file(path: &Path) -> Result<()> {
    let r = Ranges::from_file(path)?;
    // Loading twice with the same file (a reload) is fine.
    match RANGES.get() {
        Some(cur) if cur.source == r.source && cur.len() == r.len() => Ok(()),
        _ => install_ranges(r),
    }
}

/// The class of a `sourceIPAddress` with the active table.
pub fn classify(src: &str) -> NetClass {
    ranges().classify(src)
}

/// Whether a sourceIPAddress is not outside AWS (an AWS service, an address inside AWS's
/// published prefixes, a private address, or nothing).
pub fn is_internal_source(src: &str) -> bool {
    classify(src) != NetClass::Outside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_sources() {
        let r = Ranges::builtin();
        assert!(r.len().0 > 1000 && r.len().1 > 1000, "{:?}", r.len());
        assert!(r.source.contains("createDate"), "{}", r.source);
        let cases = [
            ("10.0.3.7", NetClass::Private),
            ("172.20.1.1", NetClass::Private),
            ("192.168.0.9", NetClass::Private),
            ("100.64.0.1", NetClass::Private),
            ("fd00::1", NetClass::Private),
            ("s3.amazonaws.com", NetClass::AwsService),
            ("AWS Internal", NetClass::AwsService),
            ("", NetClass::None),
            ("100.200.300.400", NetClass::None),
            ("203.0.113.66", NetClass::Outside),
            ("8.8.8.8", NetClass::Outside),
            ("2001:db8::1", NetClass::Outside),
            // EC2 us-east-1 (the invictus instances).
            ("3.225.16.109", NetClass::Aws),
            ("52.45.102.28", NetClass::Aws),
            ("::ffff:3.225.16.109", NetClass::Aws),
        ];
        for (src, want) in cases {
            assert_eq!(r.classify(src), want, "{src}");
        }
        let p = r.place("3.225.16.109");
        assert_eq!((p.service, p.region), (Some("EC2"), Some("us-east-1")));
        assert_eq!(p.describe(), "inside AWS (EC2 us-east-1)");
        for c in NetClass::ALL {
            assert_eq!(NetClass::from_label(c.label()), Some(c));
        }
    }

    #[test]
    fn aws_json_most_specific_prefix_wins() {
        let json = r#"{"createDate":"2099-01-01-00-00-00","prefixes":[
            {"ip_prefix":"198.51.100.0/24","region":"eu-west-1","service":"AMAZON"},
            {"ip_prefix":"198.51.100.0/24","region":"eu-west-1","service":"EC2"},
            {"ip_prefix":"198.51.100.128/25","region":"eu-west-1","service":"S3"}],
            "ipv6_prefixes":[{"ipv6_prefix":"2001:db8:aa::/48","region":"us-east-1","service":"AMAZON"}]}"#;
        let r = Ranges::parse_aws_json(json).expect("json");
        assert_eq!(r.len(), (2, 1));
        assert_eq!(r.source, "ip-ranges.json createDate 2099-01-01-00-00-00");
        let at = |s: &str| r.lookup(s.parse().expect("ip"));
        assert_eq!(at("198.51.100.5"), Some(("EC2", "eu-west-1")));
        assert_eq!(at("198.51.100.200"), Some(("S3", "eu-west-1")));
        assert_eq!(at("198.51.101.1"), None);
        assert_eq!(at("2001:db8:aa::9"), Some(("AMAZON", "us-east-1")));
        assert_eq!(r.classify("198.51.100.5"), NetClass::Aws);
        assert_eq!(r.classify("8.8.8.8"), NetClass::Outside);
    }

    #[test]
    fn table_errors_are_reported() {
        assert!(Ranges::parse_table("1.2.3.4 1.2.3.9 EC2").is_err());
        assert!(Ranges::parse_table("1.2.3.9 1.2.3.4 EC2 x").is_err());
        assert!(Ranges::parse_table("1.2.3.4 ::1 EC2 x").is_err());
        let r = Ranges::parse_table("# source: test\n1.2.3.0 1.2.3.255 EC2 x\n").expect("ok");
        assert_eq!(r.source, "test");
        assert_eq!(r.classify("1.2.3.4"), NetClass::Aws);
    }
}
