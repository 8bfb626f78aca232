//! Determinism and the golden output.
//!
//! The golden file `tests/golden/analysis_small.json` is the JSON of `cttui analyze` on the small
//! theft scenario built in `analysis_support.rs`. It was written once, read through by hand (the
//! CI user ranks first with its burst, new address, Kali agent and failures; the incident's rules
//! fire; S3 and region numbers match the story) and committed. When an intended change alters the
//! output, re-bless it and review the diff before committing:
//!
//! ```sh
//! CTTUI_BLESS=1 cargo test --test analysis_golden
//! git diff tests/golden/analysis_small.json
//! ```

use crate::support::records::*;
use cttui::analysis::render::{Limits, markdown, text};
use cttui::analysis::{AnalysisOptions, analyze};

const GOLDEN: &str = "tests/golden/analysis_small.json";

fn json_of(a: &cttui::analysis::Analysis) -> String {
    let mut s = serde_json::to_string_pretty(a).expect("json");
    s.push('\n');
    s
}

#[test]
fn same_input_same_scores_and_ranks() {
    let store = load_records(&theft_scenario());
    let opts = AnalysisOptions::default();
    let a = analyze(&store, &opts).expect("first");
    let b = analyze(&store, &opts).expect("second");
    // On one thread too: parallel scoring must not change a bit.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let c = pool.install(|| analyze(&store, &opts)).expect("serial");
    for other in [&b, &c] {
        assert_eq!(json_of(&a), json_of(other));
        assert_eq!(a.event_risk, other.event_risk);
        let ranks = |x: &cttui::analysis::Analysis| {
            x.principals
                .iter()
                .map(|p| (p.principal.clone(), p.rank, p.score))
                .collect::<Vec<_>>()
        };
        assert_eq!(ranks(&a), ranks(other));
    }
    // Another seed grows other trees: scores move, the clear outlier stays first.
    let reseeded = AnalysisOptions {
        forest: cttui::analysis::forest::ForestParams {
            seed: 12345,
            ..opts.forest
        },
        ..AnalysisOptions::default()
    };
    let d = analyze(&store, &reseeded).expect("reseeded");
    assert_ne!(
        a.principals.iter().map(|p| p.score).collect::<Vec<_>>(),
        d.principals.iter().map(|p| p.score).collect::<Vec<_>>()
    );
    assert_eq!(d.principals[0].principal, a.principals[0].principal);
}

#[test]
fn golden_json() {
    let store = load_records(&small_theft_scenario());
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let got = json_of(&a);
    if std::env::var_os("CTTUI_BLESS").is_some() {
        std::fs::write(GOLDEN, &got).expect("write golden");
        eprintln!("blessed {GOLDEN}: review the diff before committing");
        return;
    }
    let want = std::fs::read_to_string(GOLDEN)
        .unwrap_or_else(|e| panic!("{GOLDEN}: {e} (bless with CTTUI_BLESS=1)"));
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(g, w)| g != w)
            .unwrap_or(0);
        panic!(
            "analysis JSON differs from {GOLDEN} at line {}:\n got: {}\nwant: {}\n(re-bless with CTTUI_BLESS=1 if intended)",
            line + 1,
            got.lines().nth(line).unwrap_or(""),
            want.lines().nth(line).unwrap_or("")
        );
    }
}

#[test]
fn markdown_and_text_escape_log_strings() {
    let mut recs = small_theft_scenario();
    // A hostile user agent: terminal escapes, Markdown table breakers, a bidi override.
    let evil = "evil|agent\u{1b}[2J**bold**\u{202e}";
    for r in recs.iter_mut().filter(|r| r["eventName"] == "StopLogging") {
        r["userAgent"] = serde_json::json!(evil);
    }
    let store = load_records(&recs);
    let a = analyze(&store, &AnalysisOptions::default()).expect("analysis");
    let lim = Limits::default();
    for out in [markdown(&a, &lim), text(&a, &lim)] {
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{202e}'),
            "raw control characters"
        );
        assert!(out.contains(&user("ci-deploy")) || out.contains("ci-deploy"));
    }
    let md = markdown(&a, &lim);
    assert!(
        !md.contains("evil|agent"),
        "an unescaped pipe would break the table"
    );
    for section in [
        "## Principals",
        "## Findings",
        "## S3",
        "## Regions",
        "cloudtrail-stopped",
    ] {
        assert!(md.contains(section), "markdown lacks {section}");
    }
    let txt = text(&a, &lim);
    for section in [
        "PRINCIPALS",
        "FINDINGS",
        "S3:",
        "REGIONS",
        "cloudtrail-stopped",
    ] {
        assert!(txt.contains(section), "text lacks {section}");
    }
}
