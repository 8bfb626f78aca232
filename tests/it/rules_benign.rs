//! False positives of the rules on benign real logs (read from ../shared/cloudtrail; skipped when
//! absent): GRyCAP's teaching account (17.6k events, 2014-2018) and Permiso's console sessions
//! (records without userIdentity or sourceIPAddress).
use std::path::Path;

use cttui::analysis::{Analysis, AnalysisOptions, Level, analyze};
use cttui::ingest::{LoadOptions, load};

use crate::support::records::NEW_RULES;

fn analyse(sub: &str) -> Option<Analysis> {
    let p = crate::support::shared_cloudtrail(sub)?;
    let (store, _) =
        load(&[p.to_string_lossy().into_owned()], &LoadOptions::default()).expect("load");
    Some(analyze(&store, &AnalysisOptions::default()).expect("analysis"))
}

fn at_least(a: &Analysis, level: Level, only_new: bool) -> Vec<String> {
    a.findings
        .iter()
        .filter(|f| f.level >= level && (!only_new || NEW_RULES.contains(&f.rule_id.as_str())))
        .map(|f| {
            format!(
                "{} {} {} x{} ({})",
                f.level, f.rule_id, f.principal, f.count, f.outcome
            )
        })
        .collect()
}

/// GRyCAP: the new rules add a handful of Medium+ findings at most (each printed), and nothing
/// is Critical.
#[test]
fn grycap_stays_quiet() {
    let Some(a) = analyse("grycap-cloudtrail-tracker") else {
        return;
    };
    let all = at_least(&a, Level::Medium, false);
    let new = at_least(&a, Level::Medium, true);
    for f in &new {
        println!("{f}");
    }
    println!(
        "new rules: {} Medium+ findings; all rules: {} Medium+ of {} findings; {} events, {} principals",
        new.len(),
        all.len(),
        a.findings.len(),
        a.events,
        a.principals.len()
    );
    assert!(
        a.findings.iter().all(|f| f.level < Level::Critical),
        "{all:#?}"
    );
    assert!(new.len() <= 3, "{new:#?}");
}

/// Permiso's console sessions: nothing Critical, and the new rules raise nothing High.
#[test]
fn permiso_console_sessions_stay_quiet() {
    let Some(a) = analyse("permiso-console-sessions-reduced-schema") else {
        return;
    };
    let all = at_least(&a, Level::Medium, false);
    for f in &all {
        println!("{f}");
    }
    let new_high = at_least(&a, Level::High, true);
    println!(
        "{} Medium+ findings ({} from new rules) on {} events; new rules High+: {}",
        all.len(),
        at_least(&a, Level::Medium, true).len(),
        a.events,
        new_high.len()
    );
    assert!(
        a.findings.iter().all(|f| f.level < Level::Critical),
        "{all:#?}"
    );
    assert!(new_high.is_empty(), "{new_high:#?}");
}
