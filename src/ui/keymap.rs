//! Keys as data: the default table (assets/keymap.toml), user overrides, lookup by context, and
//! the help and hint texts generated from the same table so they never drift from behaviour.
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde::Deserialize;
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

use super::action::Action;
use crate::error::{Error, Result};

/// The default bindings, embedded.
pub const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

/// Where a binding applies.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Display,
    EnumString,
    EnumIter,
    IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
pub enum Scope {
    /// Everywhere, overlays and prompts included.
    Any,
    /// Everywhere outside overlays.
    Global,
    /// Tabs that show a list or table.
    Table,
    Overview,
    Timeline,
    S3,
    Principals,
    Anomalies,
    Findings,
    Report,
    Playbook,
    Detail,
    Help,
    LoadReport,
    Frequency,
    Row,
    Prompt,
    Confirm,
}

impl Scope {
    /// How the help screen names the scope.
    pub fn title(self) -> &'static str {
        match self {
            Scope::Any => "everywhere",
            Scope::Global => "tabs",
            Scope::Table => "lists",
            Scope::Overview => "Overview",
            Scope::Timeline => "Timeline",
            Scope::S3 => "S3",
            Scope::Principals => "Principals",
            Scope::Anomalies => "Anomalies",
            Scope::Findings => "Findings",
            Scope::Report => "Report",
            Scope::Playbook => "Playbook",
            Scope::Detail => "detail",
            Scope::Help => "help",
            Scope::LoadReport => "load report",
            Scope::Frequency => "frequency table",
            Scope::Row => "row in full",
            Scope::Prompt => "prompts",
            Scope::Confirm => "questions",
        }
    }
}

/// One key with its modifiers, normalised so that `G` and `shift-g` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already carries the shift.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            c => c,
        };
        Key { code, mods }
    }

    pub fn char(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        Key::new(ev.code, ev.modifiers)
    }

    /// Parses `q`, `G`, `ctrl-c`, `shift-tab`, `pgdn`, `space`, `f1`, `alt-enter`.
    pub fn parse(text: &str) -> Result<Key> {
        let bad = || Error::Invalid(format!("unknown key '{text}'"));
        let mut mods = KeyModifiers::NONE;
        let mut rest = text;
        // A lone "-" is a key, not a separator.
        while rest.len() > 1 {
            let lower = rest.to_ascii_lowercase();
            if let Some(r) = lower.strip_prefix("ctrl-") {
                mods |= KeyModifiers::CONTROL;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("alt-") {
                mods |= KeyModifiers::ALT;
                rest = &rest[rest.len() - r.len()..];
            } else if let Some(r) = lower.strip_prefix("shift-") {
                mods |= KeyModifiers::SHIFT;
                rest = &rest[rest.len() - r.len()..];
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCode::Char(c),
            _ => match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "backspace" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pgup" | "pageup" => KeyCode::PageUp,
                "pgdn" | "pagedown" => KeyCode::PageDown,
                "space" => KeyCode::Char(' '),
                "minus" => KeyCode::Char('-'),
                f if f.starts_with('f') => {
                    let n: u8 = f[1..].parse().map_err(|_| bad())?;
                    if !(1..=12).contains(&n) {
                        return Err(bad());
                    }
                    KeyCode::F(n)
                }
                _ => return Err(bad()),
            },
        };
        if mods.contains(KeyModifiers::SHIFT)
            && let KeyCode::Char(c) = code
        {
            // `shift-g` is `G`; a shifted symbol is written as the symbol itself.
            if !c.is_ascii_alphabetic() {
                return Err(bad());
            }
            return Ok(Key::new(KeyCode::Char(c.to_ascii_uppercase()), mods));
        }
        Ok(Key::new(code, mods))
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Binding {
    pub scope: Scope,
    pub keys: Vec<Key>,
    pub action: Action,
    pub description: String,
    pub group: String,
    /// The hint bar label; `None` keeps the binding out of the hint bar.
    pub hint: Option<String>,
}

impl Binding {
    pub fn show_in_hints(&self) -> bool {
        self.hint.is_some()
    }

    pub fn keys_text(&self) -> String {
        self.keys
            .iter()
            .map(Key::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    bindings: Vec<RawBinding>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBinding {
    scope: String,
    keys: Vec<String>,
    action: String,
    group: String,
    description: String,
    #[serde(default)]
    hint: Option<String>,
}

fn parse_scope(s: &str) -> Result<Scope> {
    Scope::from_str(s).map_err(|_| Error::Invalid(format!("unknown keymap scope '{s}'")))
}

fn parse_action(s: &str) -> Result<Action> {
    match Action::from_str(s) {
        Ok(a) if !a.is_internal() => Ok(a),
        _ => Err(Error::Invalid(format!("unknown action '{s}'"))),
    }
}

/// A key bound twice in one scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    pub scope: Scope,
    pub key: Key,
    pub actions: (Action, Action),
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "'{}' is bound to both {} and {} in {}",
            self.key, self.actions.0, self.actions.1, self.scope
        )
    }
}

/// One entry of the hint bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub label: String,
    /// The (first) action the keys do.
    pub action: Action,
}

/// One line of the generated help.
#[derive(Debug, Clone, PartialEq)]
pub struct HelpRow {
    pub group: String,
    pub keys: String,
    pub description: String,
    pub scope: Scope,
}

#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
}

impl Keymap {
    /// The embedded default table.
    pub fn default_map() -> Result<Keymap> {
        Keymap::from_toml(DEFAULT_KEYMAP)
    }

    /// A full table in the format of assets/keymap.toml.
    pub fn from_toml(text: &str) -> Result<Keymap> {
        let raw: RawTable =
            toml::from_str(text).map_err(|e| Error::Invalid(format!("keymap: {e}")))?;
        let mut bindings = Vec::with_capacity(raw.bindings.len());
        for b in raw.bindings {
            bindings.push(Binding {
                scope: parse_scope(&b.scope)?,
                keys: b
                    .keys
                    .iter()
                    .map(|k| Key::parse(k))
                    .collect::<Result<_>>()?,
                action: parse_action(&b.action)?,
                description: b.description,
                group: b.group,
                hint: b.hint,
            });
        }
        Ok(Keymap { bindings })
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// Applies a user's partial file: `[scope]` tables of `action = ["key", ...]`, each replacing
    /// the keys of that action in that scope. Nothing changes when the file is invalid or would
    /// bind one key twice in a scope.
    pub fn apply_overrides(&mut self, text: &str) -> Result<()> {
        let raw: BTreeMap<String, BTreeMap<String, Vec<String>>> =
            toml::from_str(text).map_err(|e| Error::Invalid(format!("keymap: {e}")))?;
        let mut next = self.clone();
        for (scope, actions) in &raw {
            let scope = parse_scope(scope)?;
            for (action, keys) in actions {
                let action = parse_action(action)?;
                let keys: Vec<Key> = keys.iter().map(|k| Key::parse(k)).collect::<Result<_>>()?;
                match next
                    .bindings
                    .iter_mut()
                    .find(|b| b.scope == scope && b.action == action)
                {
                    Some(b) => b.keys = keys,
                    None => next.bindings.push(Binding {
                        scope,
                        keys,
                        action,
                        description: action.to_string().replace('_', " "),
                        group: "Custom".to_owned(),
                        hint: None,
                    }),
                }
            }
        }
        if let Some(c) = next.conflicts().first() {
            return Err(Error::Invalid(format!("keymap: {c}")));
        }
        *self = next;
        Ok(())
    }

    /// The default table with the user's overrides from `path`, and a warning to show when the
    /// file could not be used.
    pub fn with_user_file(path: Option<&Path>) -> Result<(Keymap, Option<String>)> {
        let mut map = Keymap::default_map()?;
        let Some(path) = path else {
            return Ok((map, None));
        };
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((map, None)),
            Err(e) => return Ok((map, Some(format!("{}: {e}", path.display())))),
        };
        let warning = map
            .apply_overrides(&text)
            .err()
            .map(|e| format!("{}: {e} (default keys in use)", path.display()));
        Ok((map, warning))
    }

    /// `$XDG_CONFIG_HOME/cttui/keymap.toml`, else `~/.config/cttui/keymap.toml`.
    pub fn user_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("cttui").join("keymap.toml"))
    }

    /// Every key bound to two actions within one scope.
    pub fn conflicts(&self) -> Vec<Conflict> {
        let mut seen: BTreeMap<(Scope, String), Action> = BTreeMap::new();
        let mut out = Vec::new();
        for b in &self.bindings {
            for k in &b.keys {
                match seen.get(&(b.scope, k.to_string())) {
                    Some(&other) if other != b.action => out.push(Conflict {
                        scope: b.scope,
                        key: *k,
                        actions: (other, b.action),
                    }),
                    Some(_) => {}
                    None => {
                        seen.insert((b.scope, k.to_string()), b.action);
                    }
                }
            }
        }
        out
    }

    /// The action for a key, looking through `scopes` in order.
    pub fn resolve(&self, scopes: &[Scope], key: Key) -> Option<Action> {
        scopes.iter().find_map(|&s| {
            self.bindings
                .iter()
                .find(|b| b.scope == s && b.keys.contains(&key))
                .map(|b| b.action)
        })
    }

    /// The first key of an action in the first scope that binds it, for messages ("press e").
    pub fn key_for(&self, scopes: &[Scope], action: Action) -> Option<Key> {
        scopes.iter().find_map(|&s| {
            self.bindings
                .iter()
                .find(|b| b.scope == s && b.action == action)
                .and_then(|b| b.keys.first().copied())
        })
    }

    /// Hint bar entries for a context: (keys, label) in scope order. Bindings that share a label
    /// are joined (`u/i/b/n/a pivot`); keys shadowed by an earlier scope are left out.
    pub fn hints(&self, scopes: &[Scope]) -> Vec<Hint> {
        let mut out: Vec<(Vec<String>, String, Action)> = Vec::new();
        for &s in scopes {
            for b in self.bindings.iter().filter(|b| b.scope == s) {
                let Some(label) = &b.hint else { continue };
                let Some(key) = b
                    .keys
                    .iter()
                    .find(|k| self.resolve(scopes, **k) == Some(b.action))
                else {
                    continue;
                };
                match out.iter_mut().find(|(_, l, _)| l == label) {
                    Some((keys, _, _)) => keys.push(key.to_string()),
                    None => out.push((vec![key.to_string()], label.clone(), b.action)),
                }
            }
        }
        out.into_iter()
            .map(|(k, label, action)| Hint {
                keys: k.join("/"),
                label,
                action,
            })
            .collect()
    }

    /// The help screen's rows: every binding, grouped in table order.
    pub fn help_rows(&self) -> Vec<HelpRow> {
        let mut groups: Vec<&str> = Vec::new();
        for b in &self.bindings {
            if !groups.contains(&b.group.as_str()) {
                groups.push(&b.group);
            }
        }
        let mut out = Vec::new();
        for g in groups {
            for b in self
                .bindings
                .iter()
                .filter(|b| b.group == g && !b.keys.is_empty())
            {
                out.push(HelpRow {
                    group: g.to_owned(),
                    keys: b.keys_text(),
                    description: b.description.clone(),
                    scope: b.scope,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_names_parse_and_normalise() {
        let k = |s: &str| Key::parse(s).expect(s);
        assert_eq!(k("G"), Key::new(KeyCode::Char('G'), KeyModifiers::SHIFT));
        assert_eq!(k("shift-g"), k("G"));
        assert_eq!(
            k("ctrl-c"),
            Key::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(
            k("shift-tab"),
            Key::new(KeyCode::BackTab, KeyModifiers::SHIFT)
        );
        assert_eq!(k("-"), Key::char('-'));
        assert_eq!(k("space"), Key::char(' '));
        assert!(Key::parse("hyper-x").is_err());
        assert!(Key::parse("f13").is_err());
        assert!(Key::parse("shift-1").is_err());
    }
}
