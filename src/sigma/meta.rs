//! What a Sigma rule says about itself, in our terms: its level and its MITRE ATT&CK mapping.
use rsigma_parser::Level as SigmaLevel;

use crate::analysis::Level;
use crate::analysis::rules::Mitre;

/// Sigma has five levels, we have four: `informational` reads as low.
pub fn level(l: Option<SigmaLevel>) -> Level {
    match l {
        Some(SigmaLevel::Critical) => Level::Critical,
        Some(SigmaLevel::High) => Level::High,
        Some(SigmaLevel::Medium) => Level::Medium,
        Some(SigmaLevel::Low | SigmaLevel::Informational) | None => Level::Low,
    }
}

/// ATT&CK tactics by the short names Sigma tags use (`attack.defense-evasion`), with their ids.
/// Source: attack.mitre.org/tactics/enterprise (v16, read 2026-11-27).
const TACTICS: [(&str, &str, &str); 14] = [
    ("reconnaissance", "TA0043", "Reconnaissance"),
    ("resource-development", "TA0042", "Resource Development"),
    ("initial-access", "TA0001", "Initial Access"),
    ("execution", "TA0002", "Execution"),
    ("persistence", "TA0003", "Persistence"),
    ("privilege-escalation", "TA0004", "Privilege Escalation"),
    ("defense-evasion", "TA0005", "Defense Evasion"),
    ("credential-access", "TA0006", "Credential Access"),
    ("discovery", "TA0007", "Discovery"),
    ("lateral-movement", "TA0008", "Lateral Movement"),
    ("collection", "TA0009", "Collection"),
    ("command-and-control", "TA0011", "Command and Control"),
    ("exfiltration", "TA0010", "Exfiltration"),
    ("impact", "TA0040", "Impact"),
];

/// Tactics and techniques from `attack.*` tags, in tag order: `attack.t1078.004` gives
/// `T1078.004`, `attack.defense-evasion` gives `TA0005 Defense Evasion`, a tactic not in our table
/// (newer ATT&CK, e.g. `attack.defense-impairment`) its name alone. Several are joined by ", ";
/// groups and software (`attack.g0016`, `attack.s0002`) and other namespaces are ignored.
pub fn mitre(tags: &[String]) -> Mitre {
    let mut tactics: Vec<String> = Vec::new();
    let mut techniques: Vec<String> = Vec::new();
    for tag in tags {
        let Some(rest) = tag
            .to_ascii_lowercase()
            .strip_prefix("attack.")
            .map(str::to_owned)
        else {
            continue;
        };
        if let Some(num) = rest.strip_prefix('t')
            && num.starts_with(|c: char| c.is_ascii_digit())
        {
            let t = format!("T{}", num.to_ascii_uppercase());
            if !techniques.contains(&t) {
                techniques.push(t);
            }
        } else if !is_object_id(&rest) {
            let t = match TACTICS.iter().find(|(short, _, _)| *short == rest) {
                Some((_, id, name)) => format!("{id} {name}"),
                None => title_case(&rest),
            };
            if !tactics.contains(&t) {
                tactics.push(t);
            }
        }
    }
    Mitre {
        tactic: tactics.join(", "),
        technique: techniques.join(", "),
    }
}

/// `g0016`, `s0002`: an ATT&CK group or software id, not a tactic.
fn is_object_id(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('g' | 's' | 'm' | 'c')) && s.len() == 5 && c.all(|c| c.is_ascii_digit())
}

/// `defense-impairment` -> `Defense Impairment`.
fn title_case(s: &str) -> String {
    s.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_tags_become_tactics_and_techniques() {
        let tags: Vec<String> = [
            "attack.defense-evasion",
            "attack.t1562.008",
            "attack.persistence",
            "attack.T1098",
            "cve.2021-1234",
            "attack.t1562.008",
            "attack.g0016",
            "attack.defense-impairment",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let m = mitre(&tags);
        assert_eq!(
            m.tactic,
            "TA0005 Defense Evasion, TA0003 Persistence, Defense Impairment"
        );
        assert_eq!(m.technique, "T1562.008, T1098");
        let none = mitre(&[]);
        assert_eq!((none.tactic.as_str(), none.technique.as_str()), ("", ""));
    }

    #[test]
    fn five_levels_onto_four() {
        assert_eq!(level(Some(SigmaLevel::Informational)), Level::Low);
        assert_eq!(level(Some(SigmaLevel::Low)), Level::Low);
        assert_eq!(level(Some(SigmaLevel::Medium)), Level::Medium);
        assert_eq!(level(Some(SigmaLevel::High)), Level::High);
        assert_eq!(level(Some(SigmaLevel::Critical)), Level::Critical);
        assert_eq!(level(None), Level::Low);
    }
}
