//! The playbook's parts, steps and step views as the app knows them. The playbook file names them
//! with strings; they are read into these enums once, where they are looked up, so the app never
//! matches on the text itself.
use strum::{EnumIter, EnumString, IntoStaticStr};

/// A part of the playbook (the keys `1`..`6` select one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumString, IntoStaticStr)]
pub enum Part {
    #[strum(serialize = "1")]
    Prepare,
    #[strum(serialize = "2")]
    Detect,
    #[strum(serialize = "3")]
    Contain,
    #[strum(serialize = "4")]
    Eradicate,
    #[strum(serialize = "4b")]
    Recover,
    #[strum(serialize = "5")]
    PostIncident,
}

impl Part {
    /// The part a playbook step names (`"4b"`), if the app knows it.
    pub fn of(text: &str) -> Option<Part> {
        text.parse().ok()
    }

    /// The part's number as the playbook writes it.
    pub fn label(self) -> &'static str {
        self.into()
    }
}

/// The steps the app lists something of its own for (the answers, "ongoing?", the quiet check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, EnumString, IntoStaticStr)]
#[strum(serialize_all = "lowercase")]
pub enum StepKind {
    Prepare,
    Detect,
    Contain,
    Eradicate,
    Recover,
    Post,
}

impl StepKind {
    /// The step a playbook id names, if the app knows it.
    pub fn of(id: &str) -> Option<StepKind> {
        id.parse().ok()
    }
}

/// What a step's view lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepView {
    /// The triage answers (the Detect step lists them whatever its views say).
    Triage,
    /// The logging health checks.
    Health,
    /// The suspect's and everyone's persistence and tampering.
    Persistence,
    /// The quiet-period check after containment.
    Quiet,
    /// The report key.
    Report,
    /// One of the playbook's queries, by id (`q1`..`q12`).
    Query(String),
}

impl StepView {
    /// A view as the playbook names it; `None` for a name the app does not know.
    pub fn of(name: &str) -> Option<StepView> {
        Some(match name {
            "triage" => StepView::Triage,
            "health" => StepView::Health,
            "persistence" => StepView::Persistence,
            "quiet" => StepView::Quiet,
            "report" => StepView::Report,
            q if q.starts_with('q') && q[1..].parse::<u32>().is_ok() => {
                StepView::Query(q.to_owned())
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::{Part, StepKind, StepView};
    use crate::playbook::Playbook;

    #[test]
    fn every_step_part_and_view_of_the_builtin_playbook_is_known() {
        let book = Playbook::builtin().expect("the built-in playbook parses");
        for step in &book.steps {
            assert!(Part::of(&step.part).is_some(), "part {}", step.part);
            assert!(StepKind::of(&step.id).is_some(), "step {}", step.id);
            for v in &step.views {
                assert!(StepView::of(v).is_some(), "view {v} of {}", step.id);
            }
        }
        // And every part the keys select is a part of the playbook.
        for part in Part::iter() {
            assert!(
                book.steps.iter().any(|s| Part::of(&s.part) == Some(part)),
                "{part:?} has no step"
            );
        }
    }

    #[test]
    fn names_read_into_enums() {
        assert_eq!(Part::of("4b"), Some(Part::Recover));
        assert_eq!(Part::Recover.label(), "4b");
        assert_eq!(Part::of("6"), None);
        assert_eq!(StepKind::of("eradicate"), Some(StepKind::Eradicate));
        assert_eq!(StepView::of("q12"), Some(StepView::Query("q12".to_owned())));
        assert_eq!(StepView::of("quiet"), Some(StepView::Quiet));
        assert_eq!(StepView::of("queries"), None);
    }
}
