//! Credential context for people's credentials (long-term keys, role sessions): one credential
//! used in two places at once, as table-driven cases of a few hand-made records each.
use cttui::analysis::Level;
use cttui::analysis::evidence::EvidenceKind;
use serde_json::Value;

use crate::support::records::{DAY0, analysed, assumed_role, iam_user, record, t};

const HOME: &str = "203.0.113.10";
const HOME2: &str = "203.0.113.44";
const OFFICE: &str = "192.0.2.80";
const THIEF: &str = "198.51.100.23";
const EC2_IP: &str = "3.225.16.109";
const MAC_CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64";
const LINUX_CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22";
const BROWSER: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari";

/// A call at `min` minutes after 09:00 on day `day`.
fn at(day: i64, min: i64, who: &Value, ip: &str, ua: &str) -> Value {
    record(
        &t(DAY0 + day * 86_400 + 9 * 3600 + min * 60),
        "ec2.amazonaws.com",
        "DescribeInstances",
        who.clone(),
        ip,
        ua,
    )
}

/// (case, records, expected level of "credential-concurrent-use" for the principal (None: not
/// raised), words its text must hold)
type Case = (
    &'static str,
    Vec<Value>,
    Option<Level>,
    &'static [&'static str],
);

#[test]
fn one_credential_in_two_places_at_once() {
    let alice = iam_user("alice");
    let session = assumed_role("deploy", "alice@example.com");
    let inst = assumed_role("web", "i-0123456789abcdef0");
    let mut cases: Vec<Case> = Vec::new();
    // The owner works from home; a copy of the key is used from elsewhere in between.
    cases.push((
        "stolen key interleaved with its owner",
        (0..12)
            .map(|i| {
                if i % 3 == 1 {
                    at(0, i * 2, &alice, THIEF, LINUX_CLI)
                } else {
                    at(0, i * 2, &alice, HOME, MAC_CLI)
                }
            })
            .collect(),
        Some(Level::High),
        &[
            "AKIAALICE",
            "203.0.113.0/24",
            "198.51.100.0/24",
            "aws-cli on macOS vs aws-cli on Linux",
        ],
    ));
    cases.push((
        "home then office over days",
        (0..6)
            .map(|d| {
                at(
                    d,
                    0,
                    &alice,
                    if d % 2 == 0 { HOME } else { OFFICE },
                    MAC_CLI,
                )
            })
            .collect(),
        None,
        &[],
    ));
    cases.push((
        "home in the morning, office after the commute",
        vec![
            at(0, 0, &alice, HOME, MAC_CLI),
            at(0, 10, &alice, HOME, MAC_CLI),
            at(0, 70, &alice, OFFICE, MAC_CLI),
            at(0, 90, &alice, OFFICE, MAC_CLI),
        ],
        None,
        &[],
    ));
    cases.push((
        "two addresses of one home network",
        (0..6)
            .map(|i| at(0, i, &alice, if i % 2 == 0 { HOME } else { HOME2 }, MAC_CLI))
            .collect(),
        None,
        &[],
    ));
    cases.push((
        "the console from two networks",
        (0..6)
            .map(|i| at(0, i, &alice, if i % 2 == 0 { HOME } else { THIEF }, BROWSER))
            .chain((0..4).map(|i| at(0, 10 + i, &alice, "AWS Internal", "signin.amazonaws.com")))
            .collect(),
        None,
        &[],
    ));
    cases.push((
        "a laptop and the same key on an instance inside AWS",
        (0..6)
            .map(|i| {
                if i % 2 == 0 {
                    at(0, i, &alice, HOME, LINUX_CLI)
                } else {
                    at(0, i, &alice, EC2_IP, LINUX_CLI)
                }
            })
            .collect(),
        None,
        &[],
    ));
    cases.push((
        "one network, a Linux container beside a Mac laptop",
        (0..6)
            .map(|i| {
                at(
                    0,
                    i,
                    &alice,
                    HOME,
                    if i % 2 == 0 { MAC_CLI } else { LINUX_CLI },
                )
            })
            .collect(),
        Some(Level::Low),
        &["two operating systems", "macOS", "Linux"],
    ));
    cases.push((
        "a role session from two networks, a second client on the second",
        vec![
            at(0, 0, &session, OFFICE, MAC_CLI),
            at(0, 2, &session, THIEF, LINUX_CLI),
            at(0, 3, &session, OFFICE, MAC_CLI),
        ],
        Some(Level::High),
        &[
            "session credential",
            "ASIAEXAMPLE",
            "192.0.2.0/24",
            "aws-cli on Linux",
        ],
    ));
    // One laptop on and off a VPN: the same client on both networks.
    cases.push((
        "the same client switching networks",
        (0..8)
            .map(|i| {
                at(
                    0,
                    i * 7,
                    &alice,
                    if i % 2 == 0 { OFFICE } else { THIEF },
                    MAC_CLI,
                )
            })
            .collect(),
        Some(Level::Low),
        &["the same client on both"],
    ));
    cases.push((
        "compute credentials are the misuse detector's",
        vec![
            at(0, 0, &inst, HOME, MAC_CLI),
            at(0, 2, &inst, THIEF, LINUX_CLI),
            at(0, 3, &inst, HOME, MAC_CLI),
        ],
        None,
        &[],
    ));
    for (name, recs, want, words) in cases {
        let a = analysed(&recs);
        let ev: Vec<_> = a
            .evidence
            .iter()
            .filter(|e| e.kind == EvidenceKind::ConcurrentUse)
            .collect();
        assert_eq!(ev.first().map(|e| e.level), want, "{name}: {ev:#?}");
        assert!(ev.len() <= 1, "{name}: one credential, one item: {ev:#?}");
        if let Some(e) = ev.first() {
            for w in words {
                assert!(e.text.contains(w), "{name}: '{w}' not in {}", e.text);
            }
            assert!(e.steps.len() >= 2, "{name}: steps cited");
            // The principal is raised to the evidence's level and not beyond: never Critical on
            // this alone.
            let p = a
                .principals
                .iter()
                .find(|p| p.principal == e.principal)
                .expect("ranked");
            assert_eq!(p.risk, e.level, "{name}: {:?}", p.risk_reasons);
            assert!(
                p.risk_reasons.iter().any(|r| r.contains(&e.text)),
                "{name}: the reasons cite it: {:?}",
                p.risk_reasons
            );
            // Low is context: it does not order principals as evidence of compromise.
            assert_eq!(p.compromise.is_some(), e.level > Level::Low, "{name}");
            assert!(
                a.findings
                    .iter()
                    .any(|f| f.rule_id == "credential-concurrent-use"),
                "{name}: listed among the findings"
            );
        }
    }
}
