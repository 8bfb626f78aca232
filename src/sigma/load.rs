//! The analyst's rule paths: files or directories (walked, hidden entries skipped), holding our
//! TOML rules (`.toml`) and Sigma rules (`.yml`, `.yaml`). A path that does not exist is an
//! error; a rule file that does not parse is a [`Problem`] and the others still load.
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Problem, SigmaRules};
use crate::analysis::rules::matcher::Cidr;
use crate::error::{Error, Result};

/// Rules read from the analyst's paths.
#[derive(Debug, Default)]
pub struct UserRules {
    /// Our TOML rule files that parsed: (file name, text).
    pub toml: Vec<(String, String)>,
    pub sigma: SigmaRules,
    pub problems: Vec<Problem>,
    /// Rule files read.
    pub files: usize,
}

impl UserRules {
    /// One line for stderr: how many rules of each kind loaded.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} TOML rule file(s), {} Sigma rule(s) for CloudTrail",
            self.toml.len(),
            self.sigma.len()
        );
        if self.sigma.other_logsource > 0 {
            s.push_str(&format!(
                " ({} Sigma rule(s) for other log sources left out)",
                self.sigma.other_logsource
            ));
        }
        if !self.problems.is_empty() {
            s.push_str(&format!(", {} not loaded", self.problems.len()));
        }
        s
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Toml,
    Sigma,
}

fn kind_of(path: &Path) -> Option<Kind> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("toml") => Some(Kind::Toml),
        Some(e) if e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml") => {
            Some(Kind::Sigma)
        }
        _ => None,
    }
}

/// Rule files under `dir`, in name order so the load order (and duplicate reports) is stable.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> Result<()> {
    if depth > 32 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            !p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out, depth + 1)?;
        } else if kind_of(&p).is_some() {
            out.push(p);
        }
    }
    Ok(())
}

/// The line a TOML rule error is at: the one toml names, else the failing rule's `id = "…"`.
fn toml_line(text: &str, msg: &str) -> usize {
    if let Some(l) = super::line_in_message(msg) {
        return l;
    }
    msg.strip_prefix("rule ")
        .and_then(|rest| rest.split(" in ").next())
        .and_then(|id| super::line_of(text, &format!("\"{id}\""), 1))
        .unwrap_or(1)
}

/// Reads every rule under `paths`. Paths given twice (or a file inside a given directory) load
/// once.
pub fn load(paths: &[PathBuf]) -> Result<UserRules> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Error::io(p, e))?;
        if meta.is_dir() {
            walk(p, &mut files, 0)?;
        } else {
            files.push(p.clone());
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    files.retain(|f| seen.insert(std::fs::canonicalize(f).unwrap_or_else(|_| f.clone())));
    let no_ranges: Arc<[Cidr]> = Arc::from(Vec::new());
    let mut out = UserRules::default();
    for f in files {
        let text = match std::fs::read_to_string(&f) {
            Ok(t) => t,
            Err(e) => {
                out.problems.push(Problem {
                    file: f.clone(),
                    line: 1,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        };
        out.files += 1;
        // A file named on the command line with another extension is taken as Sigma YAML.
        match kind_of(&f).unwrap_or(Kind::Sigma) {
            Kind::Toml => {
                let name = f.display().to_string();
                match crate::analysis::rules::parse_rules(&text, &name, &no_ranges) {
                    Ok(_) => out.toml.push((name, text)),
                    Err(e) => {
                        let msg = e.to_string();
                        let line = toml_line(&text, &msg);
                        let message = msg
                            .strip_prefix("invalid input: ")
                            .unwrap_or(&msg)
                            .replace('\n', " ");
                        out.problems.push(Problem {
                            file: f.clone(),
                            line,
                            message,
                        });
                    }
                }
            }
            Kind::Sigma => {
                let p = out.sigma.add_yaml(&text, &f);
                out.problems.extend(p);
            }
        }
    }
    Ok(out)
}
