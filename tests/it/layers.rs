//! The layers hold: every `crate::<module>` path in `src/` points the allowed way.
//!
//! ```text
//! cli, main, commands  ->  ui  ->  config, investigation  ->  playbook  ->  export  ->  analysis  ->  model
//!   (convert, sql, scale)               summary -> model          ingest -> model
//! error, text, fsutil: anyone                                     analysis includes the Sigma engine
//! ```
//! `export` renders model and analysis data and is used by the playbook's report; nothing below
//! `ui` may name `ui`, `cli` or a terminal crate, or print. The demo generator is a crate of its
//! own (`crates/cttui-demo`), outside the product library. A known exception must be listed in
//! `PENDING` with its owner, and disappears from the list when fixed (the test fails on a stale
//! entry); the list is empty.
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The layer a top-level module belongs to. Modules of one layer may import each other (the
/// Sigma engine and the analysis use each other's types); command modules sit with the CLI.
fn layer(module: &str) -> Option<&'static str> {
    Some(match module {
        "error" | "text" | "fsutil" => "base",
        "model" => "model",
        "ingest" => "ingest",
        "analysis" | "sigma" => "analysis",
        "summary" => "summary",
        "export" => "export",
        "playbook" => "playbook",
        "investigation" => "investigation",
        "config" => "config",
        "ui" => "ui",
        "cli" | "main" | "lib" | "convert" | "sql" | "scale" => "cli",
        _ => return None,
    })
}

/// The layers each layer may import besides itself and `base`.
fn allowed(layer: &str) -> &'static [&'static str] {
    match layer {
        "base" | "model" => &[],
        "ingest" | "analysis" | "summary" => &["model"],
        "export" => &["model", "analysis"],
        "playbook" => &["model", "analysis", "export"],
        "investigation" => &["model", "analysis", "export", "playbook", "summary"],
        // The analyst's defaults: the rules' options and the theme.
        "config" => &["model", "analysis"],
        "ui" => &[
            "model",
            "ingest",
            "analysis",
            "summary",
            "export",
            "playbook",
            "investigation",
            "config",
        ],
        _ => &[
            "model",
            "ingest",
            "analysis",
            "summary",
            "export",
            "playbook",
            "investigation",
            "config",
            "ui",
        ],
    }
}

/// Wrong-way imports that exist today, each owned by someone who will remove it:
/// (file, imported layer). Empty: keep it so.
const PENDING: &[(&str, &str)] = &[];

/// Files below the UI that still print to the terminal themselves: (file, why and whose).
/// Empty: timings go to `ingest::Timings`, the demo's summary line is printed by the CLI.
const PENDING_PRINTS: &[(&str, &str)] = &[];

/// Ways to print that only the UI and the command layer may use (others return data or take a
/// progress callback).
const PRINTS: &[&str] = &[
    "eprintln!",
    "println!",
    "eprint!",
    "print!",
    "std::io::stderr",
    "std::io::stdout",
];

/// Crates that talk to a terminal: only `ui`, `cli` and `main` may use them.
const TERMINAL_CRATES: &[&str] = &["ratatui", "crossterm", "indicatif"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The top-level module a file belongs to: `src/model/query.rs` -> `model`.
fn module_of(rel: &Path) -> String {
    let mut parts = rel.components().skip(1);
    let first = parts
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    first.trim_end_matches(".rs").to_owned()
}

/// Every module named by a `crate::NAME` path or inside a `use crate::{A, B::…}` group, ignoring
/// comments.
fn imports(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in src.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `crate::{a::x, b}`: each item's first segment (single-line groups).
                let inner = group.split('}').next().unwrap_or("");
                for item in inner.split(',') {
                    let name: String = item
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.insert(name);
                    }
                }
                continue;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

/// Items re-exported at the crate root (`crate::Result`, `crate::Error`) belong to `error`.
fn layer_of(name: &str) -> &str {
    match name {
        "Result" | "Error" => "error",
        n => n,
    }
}

/// `needle` in `hay` not preceded by an identifier character (`println!` is not in `eprintln!`).
fn contains_word(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(i, _)| {
        !hay[..i]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
    })
}

#[test]
fn imports_point_the_allowed_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    assert!(files.len() > 20, "found only {} files", files.len());
    let mut wrong = Vec::new();
    let mut pending_seen = BTreeSet::new();
    for f in &files {
        let rel = f.strip_prefix(root).unwrap_or(f);
        let rel_s = rel.to_string_lossy().replace('\\', "/");
        let module = module_of(rel);
        let Some(own) = layer(&module) else {
            wrong.push(format!(
                "{rel_s}: module '{module}' has no layer in tests/layers.rs"
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for name in imports(&text) {
            let target = layer(layer_of(&name)).unwrap_or("unknown");
            if target == own || target == "base" || allowed(own).contains(&target) {
                continue;
            }
            if PENDING.contains(&(rel_s.as_str(), target)) {
                pending_seen.insert((rel_s.clone(), target.to_owned()));
                continue;
            }
            wrong.push(format!("{rel_s}: {module} -> {name} ({own} -> {target})"));
        }
        if !matches!(own, "ui" | "cli") {
            let code: String = text
                .lines()
                .map(|l| l.split("//").next().unwrap_or(""))
                .collect::<Vec<_>>()
                .join("\n");
            // Test modules may print; they end the file by convention.
            let code = code.split("#[cfg(test)]").next().unwrap_or("");
            for p in PRINTS {
                if contains_word(code, p) {
                    let what = p.trim_end_matches('!').rsplit("::").next().unwrap_or(p);
                    if PENDING_PRINTS.contains(&(rel_s.as_str(), what)) {
                        pending_seen.insert((rel_s.clone(), what.to_owned()));
                    } else {
                        wrong.push(format!("{rel_s}: {module} prints ({p}) below the UI"));
                    }
                }
            }
            for c in TERMINAL_CRATES {
                let used = text.lines().any(|l| {
                    let code = l.split("//").next().unwrap_or("");
                    code.contains(&format!("{c}::")) || code.contains(&format!("use {c}"))
                });
                if used {
                    wrong.push(format!("{rel_s}: {module} uses the terminal crate {c}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "wrong-way imports:\n{}", wrong.join("\n"));
    for (file, target) in PENDING.iter().chain(PENDING_PRINTS) {
        assert!(
            pending_seen.contains(&((*file).to_owned(), (*target).to_owned())),
            "{file} no longer imports {target}: remove it from PENDING"
        );
    }
}

#[test]
fn the_scanner_sees_grouped_and_inline_paths() {
    let src = "use crate::{model::x, ingest};\nlet t = crate::ingest::time::now(); // crate::ui\n";
    let got: Vec<String> = imports(src).into_iter().collect();
    assert_eq!(got, ["ingest", "model"]);
    assert!(contains_word("x; eprintln!(\"a\")", "eprintln!"));
    assert!(!contains_word("x; eprintln!(\"a\")", "println!"));
    assert!(!contains_word("x; eprint!(\"a\")", "print!"));
}

#[test]
fn only_the_command_layer_names_the_demo_generator() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let mut users = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(root).unwrap_or(f);
        let text = std::fs::read_to_string(f).unwrap_or_default();
        if text.contains("cttui_demo") {
            users.push((module_of(rel), rel.to_string_lossy().into_owned()));
        }
    }
    assert!(
        users.iter().all(|(m, _)| m == "cli"),
        "the generator is for `cttui demo` only: {users:?}"
    );
    assert!(
        !root.join("src/demo").exists(),
        "src/demo is back in the library"
    );
}
