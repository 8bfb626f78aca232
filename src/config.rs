//! The analyst's defaults: `$XDG_CONFIG_HOME/cttui/config.toml` (else `~/.config/cttui/…`), or
//! the file given with `--config`. Command-line options add to or override it.
//!
//! ```toml
//! rules = ["~/src/sigma/rules/cloud/aws"]  # files or directories: TOML and Sigma YAML
//! no_builtin_rules = false
//! known_cidrs = ["203.0.113.0/24"]         # your own address ranges
//! aws_ranges = "~/ip-ranges.json"           # AWS's published ranges (ip-ranges.json)
//! business_hours = [7, 19]                  # UTC, [start, end)
//! theme = "auto"                            # auto | color | mono
//! sessions = "data"                         # data ($XDG_DATA_HOME/cttui/sessions) | beside (the log)
//! ```
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::AnalysisOptions;
use crate::error::{Error, Result};

/// What the config file and the rule options resolve to (made by the command line, read by the
/// investigator and the commands).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub config: Config,
    pub analysis: AnalysisOptions,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Colour unless `NO_COLOR` is set.
    #[default]
    Auto,
    Color,
    Mono,
}

/// Where investigation sessions are saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionPlace {
    /// Under `$XDG_DATA_HOME/cttui/sessions/`, keyed by the inputs: evidence folders stay untouched.
    #[default]
    Data,
    /// Beside the log (`<file>.cttui-session.json`), when that folder is writable.
    Beside,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub rules: Vec<PathBuf>,
    #[serde(default)]
    pub no_builtin_rules: bool,
    #[serde(default)]
    pub known_cidrs: Vec<String>,
    pub aws_ranges: Option<PathBuf>,
    pub business_hours: Option<(u8, u8)>,
    #[serde(default)]
    pub theme: ThemeChoice,
    #[serde(default)]
    pub sessions: SessionPlace,
    /// Read from: relative paths in the file are relative to its folder.
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// The default config file location.
pub fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("cttui").join("config.toml"))
}

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()
        .iter()
        .take(offset)
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// `~/x` -> `$HOME/x`; a relative path -> relative to the config file's folder.
fn resolve(p: &Path, dir: Option<&Path>) -> PathBuf {
    if let Ok(rest) = p.strip_prefix("~")
        && let Some(home) = std::env::var_os("HOME")
    {
        return PathBuf::from(home).join(rest);
    }
    match dir {
        Some(d) if p.is_relative() => d.join(p),
        _ => p.to_path_buf(),
    }
}

impl Config {
    /// Parses config text; errors name the file and line.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let mut c: Config = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| line_at(text, s.start));
            Error::Invalid(format!(
                "config file {}:{line}: {}",
                path.display(),
                e.message()
            ))
        })?;
        if let Some((a, b)) = c.business_hours
            && (a >= b || b > 24)
        {
            let line = crate::sigma::line_of(text, "business_hours", 1).unwrap_or(1);
            return Err(Error::Invalid(format!(
                "config file {}:{line}: business_hours must be [start, end] with start < end <= 24",
                path.display()
            )));
        }
        let dir = path.parent();
        c.rules = c.rules.iter().map(|p| resolve(p, dir)).collect();
        c.aws_ranges = c.aws_ranges.as_deref().map(|p| resolve(p, dir));
        c.path = Some(path.to_path_buf());
        Ok(c)
    }

    /// Reads the given file (which must exist) or the default one (absent means defaults).
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let path = match explicit {
            Some(p) => p.to_path_buf(),
            None => match default_path() {
                Some(p) if p.exists() => p,
                _ => return Ok(Config::default()),
            },
        };
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
        Config::parse(&text, &path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_file_parses_and_paths_resolve() {
        let text = "rules = [\"sigma\", \"/abs/x.toml\"]\nknown_cidrs = [\"10.0.0.0/8\"]\n\
                    aws_ranges = \"ranges.json\"\nbusiness_hours = [8, 18]\ntheme = \"mono\"\n\
                    sessions = \"beside\"\n";
        let c = Config::parse(text, Path::new("/etc/cttui/config.toml")).expect("parses");
        assert_eq!(
            c.rules,
            [
                PathBuf::from("/etc/cttui/sigma"),
                PathBuf::from("/abs/x.toml")
            ]
        );
        assert_eq!(c.aws_ranges, Some(PathBuf::from("/etc/cttui/ranges.json")));
        assert_eq!(c.business_hours, Some((8, 18)));
        assert_eq!(
            (c.theme, c.sessions),
            (ThemeChoice::Mono, SessionPlace::Beside)
        );
        assert_eq!(c.known_cidrs, ["10.0.0.0/8"]);
    }

    #[test]
    fn errors_name_file_and_line() {
        let p = Path::new("/home/a/.config/cttui/config.toml");
        for (text, line) in [
            ("rules = []\n\nthem = \"mono\"\n", 3),
            ("rules = []\ntheme = \"purple\"\n", 2),
            ("known_cidrs = [\n  \"a\",\n  3,\n]\n", 3),
            ("theme = \"mono\"\nbusiness_hours = [19, 7]\n", 2),
        ] {
            let e = Config::parse(text, p).expect_err(text).to_string();
            let want = format!("config file {}:{line}: ", p.display());
            assert!(e.starts_with(&want), "{text:?}: {e}");
        }
        assert_eq!(
            Config::parse("", p).expect("empty").sessions,
            SessionPlace::Data
        );
    }
}
