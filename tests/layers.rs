//! The layers hold: every `crate::<module>` path in `src/` points the allowed way.
//!
//! ```text
//! cli, main (top)  ->  ui  ->  investigation  ->  playbook  ->  export  ->  analysis  ->  model
//!                                       summary -> model          ingest -> model
//! error, text: anyone          demo: error, text only
//! ```
//! `export` renders model and analysis data and is used by the playbook's report; nothing below
//! `ui` may name `ui`, `cli` or a terminal crate. A known exception must be listed in `PENDING`
//! with its owner, and disappears from the list when fixed (the test fails on a stale entry).
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// What each top-level module may import besides itself, `error` and `text`.
fn allowed(module: &str) -> Option<&'static [&'static str]> {
    Some(match module {
        "error" | "text" => &[],
        "model" => &[],
        "ingest" => &["model"],
        "analysis" => &["model"],
        "summary" => &["model"],
        "export" => &["model", "analysis"],
        "playbook" => &["model", "analysis", "export"],
        "investigation" => &["model", "analysis", "export", "playbook", "summary"],
        "demo" => &[],
        "ui" => &[
            "model",
            "ingest",
            "analysis",
            "summary",
            "export",
            "playbook",
            "investigation",
        ],
        "cli" | "main" | "lib" => &[
            "model",
            "ingest",
            "analysis",
            "summary",
            "export",
            "playbook",
            "investigation",
            "demo",
            "ui",
            "cli",
        ],
        _ => return None,
    })
}

/// Wrong-way imports that exist today, each owned by someone who will remove it:
/// (file, imported module).
const PENDING: &[(&str, &str)] = &[
    // helper `ui`: take `ingest::LoadOptions` (or a plain struct) instead of the CLI's LoadArgs.
    ("src/ui/mod.rs", "cli"),
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
        let Some(ok) = allowed(&module) else {
            wrong.push(format!(
                "{rel_s}: module '{module}' has no layer in tests/layers.rs"
            ));
            continue;
        };
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for name in imports(&text) {
            let target = layer_of(&name);
            if target == module || target == "error" || target == "text" || ok.contains(&target) {
                continue;
            }
            if PENDING.contains(&(rel_s.as_str(), target)) {
                pending_seen.insert((rel_s.clone(), target.to_owned()));
                continue;
            }
            wrong.push(format!("{rel_s}: {module} -> {target}"));
        }
        if !matches!(module.as_str(), "ui" | "cli" | "main") {
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
    for (file, target) in PENDING {
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
}
