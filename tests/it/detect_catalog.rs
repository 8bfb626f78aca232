//! One catalogue of API sets (`assets/catalog.toml`): no list of API names anywhere else in the
//! sources, the playbook or the rule files, and each consumer's set is the catalogue's.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cttui::analysis::catalog::{self, ApiSet};
use cttui::playbook::{Playbook, health, triage};

/// Files that may name several catalogue APIs side by side, and why.
const ALLOWED: &[(&str, &str)] = &[
    ("src/analysis/catalog.rs", "the catalogue's own accessor"),
    (
        "src/model/facts.rs",
        "model layer: may not read analysis::catalog (layers: analysis -> model); classifies S3 data events by name when eventCategory is missing",
    ),
];

/// A path under the crate root.
fn root(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn all_names() -> BTreeSet<String> {
    catalog::get()
        .sets()
        .iter()
        .flat_map(|s| s.names.iter().cloned())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// String literals in `text` (no escapes needed for API names): (start, end, content).
fn literals(text: &str) -> Vec<(usize, usize, &str)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' {
            let start = i;
            i += 1;
            while i < b.len() && b[i] != b'"' {
                if b[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            if i < b.len() {
                out.push((start, i + 1, &text[start + 1..i]));
            }
        }
        i += 1;
    }
    out
}

/// Runs of at least `min` literals naming catalogue APIs, separated only by `,` `|` and space.
fn name_runs<'a>(text: &'a str, names: &BTreeSet<String>, min: usize) -> Vec<Vec<&'a str>> {
    let mut runs: Vec<Vec<&str>> = Vec::new();
    let mut cur: Vec<&str> = Vec::new();
    let mut last_end = 0;
    for (s, e, lit) in literals(text) {
        if !names.contains(lit) {
            continue;
        }
        let gap = &text[last_end..s];
        if cur.is_empty()
            || !gap
                .chars()
                .all(|c| c.is_whitespace() || c == ',' || c == '|')
        {
            if cur.len() >= min {
                runs.push(std::mem::take(&mut cur));
            }
            cur.clear();
        }
        cur.push(lit);
        last_end = e;
    }
    if cur.len() >= min {
        runs.push(cur);
    }
    runs
}

/// `name:X` terms naming catalogue APIs in a text.
fn name_terms(text: &str, names: &BTreeSet<String>) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == '\'')
        .filter_map(|w| w.strip_prefix("name:"))
        .filter(|n| names.contains(*n))
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_scanner_finds_lists() {
    let names: BTreeSet<String> = ["StopLogging", "DeleteTrail", "UpdateTrail"]
        .map(String::from)
        .into();
    let text = r#"const X: &[&str] = &["StopLogging", "DeleteTrail",
        "UpdateTrail"]; matches!(n, "StopLogging" | "DeleteTrail"); f("UpdateTrail", x, "StopLogging")"#;
    let runs = name_runs(text, &names, 3);
    assert_eq!(
        runs,
        vec![vec!["StopLogging", "DeleteTrail", "UpdateTrail"]]
    );
    assert_eq!(name_runs(text, &names, 2).len(), 2);
    assert_eq!(
        name_terms(
            "a (name:StopLogging OR name:Other) name:DeleteTrail",
            &names
        ),
        ["StopLogging", "DeleteTrail"]
    );
}

/// No Rust source outside the catalogue keeps a list of three or more catalogue API names, and no
/// string holds a query over two or more of them.
#[test]
fn no_api_list_outside_the_catalogue() {
    let names = all_names();
    let mut files = Vec::new();
    let src = root("src");
    rust_files(&src, &mut files);
    assert!(files.len() > 50, "sources found from the crate root");
    let mut bad = Vec::new();
    for f in files {
        let rel = f
            .strip_prefix(root(""))
            .unwrap_or(&f)
            .to_string_lossy()
            .replace('\\', "/");
        // The demo generator writes calls: it emits names, it does not classify them.
        if rel.starts_with("src/demo/") || ALLOWED.iter().any(|(a, _)| *a == rel) {
            continue;
        }
        let text = std::fs::read_to_string(&f).expect("read");
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for run in name_runs(code, &names, 3) {
            bad.push(format!("{rel}: {run:?}"));
        }
        for (_, _, lit) in literals(code) {
            let terms = name_terms(lit, &names);
            if terms.len() >= 2 {
                bad.push(format!("{rel}: query text over {terms:?}"));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "API name lists outside assets/catalog.toml:\n{}",
        bad.join("\n")
    );
}

/// The playbook's queries name catalogue sets; none spells out two or more catalogue APIs.
#[test]
fn playbook_queries_use_catalogue_sets() {
    let names = all_names();
    let raw = std::fs::read_to_string(root("assets/playbook.toml")).expect("playbook");
    for line in raw.lines().filter(|l| l.starts_with("filter")) {
        let terms = name_terms(line, &names);
        assert!(terms.len() < 2, "{line}");
    }
    let p = Playbook::builtin().expect("playbook");
    let q9 = p.query("q9").and_then(|q| q.filter.clone()).expect("q9");
    let set = |s: ApiSet| -> BTreeSet<String> { catalog::names(s).iter().cloned().collect() };
    let got: BTreeSet<String> = name_terms(&q9, &names).into_iter().collect();
    assert_eq!(got, set(ApiSet::S3PermissionChanges));
    // Q4's exposure changes, the report's exposure filter and query 9 are one set.
    let q4: BTreeSet<String> = name_terms(&triage::access_changes().to_string(), &names)
        .into_iter()
        .collect();
    assert_eq!(q4, got);
    let report: BTreeSet<String> = name_terms(
        &cttui::playbook::report::exposure_filter().to_string(),
        &names,
    )
    .into_iter()
    .collect();
    assert_eq!(report, got);
    // Part 1's tampering is the catalogue's logging tampering.
    let tamper: BTreeSet<String> = name_terms(&health::tampering_filter().to_string(), &names)
        .into_iter()
        .collect();
    assert_eq!(tamper, set(ApiSet::LoggingTampering));
    let q5 = p.query("q5").and_then(|q| q.filter.clone()).expect("q5");
    let secrets: BTreeSet<String> = name_terms(&q5, &names).into_iter().collect();
    assert_eq!(secrets, set(ApiSet::Secrets));
    let triage_secrets: BTreeSet<String> = name_terms(&triage::secret_reads().to_string(), &names)
        .into_iter()
        .collect();
    assert_eq!(triage_secrets, secrets);
}

/// A rule whose eventName list is exactly a catalogue set names the set (`in_set`) instead.
#[test]
fn rules_name_catalogue_sets() {
    let sets: Vec<(String, BTreeSet<String>)> = catalog::get()
        .sets()
        .iter()
        .map(|s| (s.set.to_string(), s.names.iter().cloned().collect()))
        .collect();
    let mut files = Vec::new();
    for e in std::fs::read_dir(root("assets/rules"))
        .expect("rules")
        .flatten()
    {
        if e.path().extension().is_some_and(|x| x == "toml") {
            files.push(e.path());
        }
    }
    assert!(files.len() > 5);
    let mut in_set = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        let v: toml::Value = toml::from_str(&text).expect("toml");
        for rule in v["rule"].as_array().into_iter().flatten() {
            for m in rule
                .get("match")
                .and_then(|m| m.as_array())
                .into_iter()
                .flatten()
            {
                match m.get("eventName") {
                    Some(toml::Value::Array(a)) => {
                        let list: BTreeSet<String> = a
                            .iter()
                            .filter_map(|x| x.as_str().map(str::to_owned))
                            .collect();
                        for (name, set) in &sets {
                            assert!(
                                list.len() < 2 || &list != set,
                                "{}: rule {} lists set {name}: use {{ in_set = \"{name}\" }}",
                                f.display(),
                                rule["id"]
                            );
                        }
                    }
                    Some(toml::Value::Table(t)) if t.contains_key("in_set") => in_set += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(in_set >= 1, "rules use the catalogue");
}
