//! Detection acceptance on real third-party logs (../shared/cloudtrail, skipped when absent): the
//! attacker first, decoys below, benign accounts quiet. The attack tool's user agent is replaced in
//! memory by a plain aws-cli one first: attackers do not announce themselves.
use std::path::Path;

use cttui::analysis::{Analysis, AnalysisOptions, Level, analyze};
use cttui::ingest::{LoadOptions, load};
use serde_json::Value;

const PLAIN_CLI: &str =
    "aws-cli/2.13.0 Python/3.11.4 Linux/6.2.0-26-generic exe/x86_64.ubuntu.22 prompt/off";

/// Removes every `stratus-red-team_<uuid>` token; a user agent that was only the token becomes a
/// plain aws-cli one.
fn strip_tool(ua: &str) -> String {
    let mut out = String::with_capacity(ua.len());
    let mut rest = ua;
    while let Some(i) = rest.find("stratus-red-team_") {
        out.push_str(&rest[..i]);
        let after = &rest[i + "stratus-red-team_".len()..];
        let end = after
            .find(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
            .unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    let trimmed = out.trim_matches(|c: char| c == '[' || c == ']' || c.is_whitespace());
    if trimmed.is_empty() {
        PLAIN_CLI.to_owned()
    } else {
        out
    }
}

fn invictus() -> Option<Analysis> {
    let dir = crate::support::shared_cloudtrail("invictus-aws-stratus-32-techniques/CloudTrail")?;
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut records: Vec<Value> = Vec::new();
    for f in files {
        let v: Value = serde_json::from_slice(&std::fs::read(f).expect("read")).expect("json");
        for mut r in v["Records"].as_array().cloned().unwrap_or_default() {
            if let Some(ua) = r["userAgent"].as_str() {
                r["userAgent"] = Value::String(strip_tool(ua));
            }
            records.push(r);
        }
    }
    assert!(
        records
            .iter()
            .all(|r| !r.to_string().contains("stratus-red-team_"))
    );
    let store = crate::support::records::load_records(&records);
    Some(analyze(&store, &AnalysisOptions::default()).expect("analysis"))
}

fn show(a: &Analysis) -> String {
    a.principals
        .iter()
        .take(8)
        .map(|p| {
            format!(
                "{} {} {} {:?}\n",
                p.rank,
                p.risk,
                p.principal,
                p.risk_reasons.iter().take(3).collect::<Vec<_>>()
            )
        })
        .collect()
}

#[test]
fn tool_token_is_stripped() {
    assert_eq!(
        strip_tool("stratus-red-team_39f95f43-cd2f-4beb-b69e-be60b6fe1f57"),
        PLAIN_CLI
    );
    assert_eq!(
        strip_tool("[stratus-red-team_0362e208-cc47-4ba7-9c39-195518d6e937]"),
        PLAIN_CLI
    );
    assert_eq!(
        strip_tool("APN/1.0 Terraform/1.1.2 stratus-red-team_39f95f43-cd2f-4beb-b69e-be60b6fe1f57"),
        "APN/1.0 Terraform/1.1.2 "
    );
}

/// Invictus: ~30 Stratus techniques driven by user/bert-jan's key, the instance role's credentials
/// used off the instance, and benjamin's benign enumeration.
#[test]
fn invictus_attacker_first() {
    let Some(a) = invictus() else {
        return;
    };
    let table = show(&a);
    let top = &a.principals[0];
    assert!(top.principal.ends_with(":user/bert-jan"), "{table}");
    assert_eq!(top.risk, Level::Critical, "{table}");
    let suspect = a.suspect.as_ref().expect("a suggested suspect");
    assert_eq!(suspect.principal, top.principal);
    assert!(!suspect.reasons.is_empty());
    // The instance-role session used off the instance is credential misuse.
    let stolen = "assumed-role/stratus-red-team-ec2-steal-credentials-role/i-0dbc91f429e48eeed";
    let misuse = a
        .evidence
        .iter()
        .find(|e| {
            e.kind == cttui::analysis::evidence::EvidenceKind::CredentialMisuse
                && e.principal.ends_with(stolen)
        })
        .unwrap_or_else(|| {
            panic!(
                "no misuse of {stolen}: {:#?}",
                a.evidence
                    .iter()
                    .map(|e| (&e.principal, &e.text))
                    .collect::<Vec<_>>()
            )
        });
    assert!(misuse.level >= Level::High, "{}", misuse.text);
    assert!(misuse.text.contains("192.168.10.20"), "{}", misuse.text);
    // The benign instance (only ever on its own AWS address with its agent) is not misuse.
    assert!(
        a.evidence
            .iter()
            .all(|e| !e.principal.contains("i-05c30218156bcc246"))
    );
    // benjamin's enumeration is not the attack.
    let ben = a
        .principals
        .iter()
        .find(|p| p.principal.ends_with(":user/benjamin"))
        .expect("benjamin");
    assert!(
        ben.risk < Level::High,
        "benjamin is {}: {:?}\n{table}",
        ben.risk,
        ben.risk_reasons
    );
    // bert-jan's stories are cited step by step.
    let chains: Vec<_> = a
        .evidence
        .iter()
        .filter(|e| e.principal.ends_with(":user/bert-jan"))
        .collect();
    assert!(
        chains
            .iter()
            .any(|e| e.level == Level::Critical && e.steps.len() >= 2),
        "{chains:#?}"
    );
    eprintln!("{table}");
}

/// GRyCAP (benign teaching account): at most 5% of principals High or above, none Critical.
#[test]
fn grycap_quiet() {
    let Some(dir) = crate::support::shared_cloudtrail("grycap-cloudtrail-tracker") else {
        return;
    };
    let (store, _) = load(
        &[dir.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("load");
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let high = a
        .principals
        .iter()
        .filter(|p| p.risk >= Level::High)
        .count();
    assert!(
        high * 20 <= a.principals.len(),
        "{high} of {} High+\n{}",
        a.principals.len(),
        show(&a)
    );
    assert!(
        a.principals.iter().all(|p| p.risk < Level::Critical),
        "{}",
        show(&a)
    );
    assert!(
        a.evidence.iter().all(|e| e.level < Level::Critical),
        "{:#?}",
        a.evidence
    );
}

/// Permiso console sessions: records without userIdentity or sourceIPAddress analyse cleanly and
/// raise nothing Critical.
#[test]
fn permiso_reduced_records() {
    let Some(dir) = crate::support::shared_cloudtrail("permiso-console-sessions-reduced-schema")
    else {
        return;
    };
    let (store, _) = load(
        &[dir.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("load");
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    assert!(a.events > 8000);
    assert!(
        a.principals.iter().all(|p| p.risk < Level::Critical),
        "{}",
        show(&a)
    );
    assert!(
        a.evidence.iter().all(|e| e.level < Level::Critical),
        "{:#?}",
        a.evidence
    );
}
