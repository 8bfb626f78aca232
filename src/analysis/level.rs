//! The ordered risk level shared by rules, events and principals.
use serde::{Deserialize, Serialize};

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::EnumString,
    strum::EnumIter,
)]
#[serde(rename_all = "lowercase")]
#[strum(serialize_all = "lowercase", ascii_case_insensitive)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    /// One step up, saturating at Critical.
    pub fn raise(self) -> Level {
        match self {
            Level::Low => Level::Medium,
            Level::Medium => Level::High,
            Level::High | Level::Critical => Level::Critical,
        }
    }
}

/// How many events, principals or findings sit at each level.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LevelCounts {
    pub low: usize,
    pub medium: usize,
    pub high: usize,
    pub critical: usize,
}

impl LevelCounts {
    pub fn add(&mut self, level: Level) {
        match level {
            Level::Low => self.low += 1,
            Level::Medium => self.medium += 1,
            Level::High => self.high += 1,
            Level::Critical => self.critical += 1,
        }
    }

    pub fn from_levels<'a>(levels: impl IntoIterator<Item = &'a Option<Level>>) -> Self {
        let mut c = LevelCounts::default();
        for l in levels.into_iter().flatten() {
            c.add(*l);
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_and_parsed() {
        assert!(Level::Low < Level::Medium && Level::High < Level::Critical);
        assert_eq!("HIGH".parse::<Level>().ok(), Some(Level::High));
        assert_eq!(Level::High.raise(), Level::Critical);
        assert_eq!(Level::Critical.raise(), Level::Critical);
        assert_eq!(Level::Medium.to_string(), "medium");
    }
}
