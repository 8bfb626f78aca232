//! The Playbook tab's items as data: what each selected step lists (triage answers, health,
//! queries, persistence, the quiet-period check, notes) and what enter opens. `update` reads
//! them here; the tab only draws them.
use crate::playbook::health;
use crate::playbook::triage::Status;
use crate::ui::app::Workspace;
use crate::ui::app::casework::{CaseResult, QUIET_MINUTES};
use crate::ui::app::step::{StepKind, StepView};
use crate::ui::widgets::text::{self, clean, short_principal};

/// How a status reads; the tab turns it into the theme's style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Base,
    Dim,
    Ok,
    Warning,
    Error,
    Title,
    Key,
}

/// What enter on an item opens.
#[derive(Debug, Clone, PartialEq)]
pub enum Open {
    /// A filter over all events (the triage evidence query).
    Query(String),
    /// Exact rows with a label (queries bound to a window, rule hits).
    Rows(String, Vec<u32>),
}

/// One line of the step's list.
pub struct Item {
    pub name: String,
    pub status: (String, Tone),
    pub text: String,
    pub open: Option<Open>,
}

pub fn item_count(s: &Workspace) -> usize {
    items(s).len()
}

fn item(name: &str, status: (String, Tone), text: String, open: Option<Open>) -> Item {
    Item {
        name: name.to_owned(),
        status,
        text,
        open,
    }
}

/// The items of the selected step (empty until the case is computed).
pub fn items(s: &Workspace) -> Vec<Item> {
    let Some(step) = s.case.book.as_ref().and_then(|b| b.steps.get(s.case.step)) else {
        return Vec::new();
    };
    let Some(case) = s.case.case() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if StepKind::of(&step.id) == Some(StepKind::Contain)
        && let Some(a) = case.findings.answers.iter().find(|a| a.id == "Q8")
    {
        // "Ongoing?" is Q8: the suspect's last event against the end of the log.
        out.push(item(
            "ongoing?",
            (a.status.label().to_owned(), Tone::Title),
            clean(&a.answer).into_owned(),
            a.evidence_query.clone().map(Open::Query),
        ));
    }
    for v in step.views.iter().filter_map(|v| StepView::of(v)) {
        match v {
            StepView::Health => health_items(case, &mut out),
            StepView::Persistence => {
                if let Some(rows) = &case.suspect_persistence {
                    out.push(item(
                        "suspect",
                        count_status(rows.len(), true),
                        "the suspect's persistence and logging tampering".to_owned(),
                        Some(Open::Rows(
                            "suspect persistence and tampering".to_owned(),
                            rows.clone(),
                        )),
                    ));
                }
                let rows = case.findings.persistence_rows.clone();
                out.push(item(
                    "persist",
                    count_status(rows.len(), true),
                    "persistence and logging tampering (all principals)".to_owned(),
                    Some(Open::Rows("persistence and tampering".to_owned(), rows)),
                ));
            }
            StepView::Quiet => out.push(quiet_item(case)),
            StepView::Report => out.push(item(
                "report",
                ("R".to_owned(), Tone::Key),
                "write the incident report (Markdown) with the pins, answers and notes".to_owned(),
                None,
            )),
            StepView::Query(q) => {
                if let Some(r) = case.queries.iter().find(|r| r.id == q) {
                    out.push(query_item(r));
                }
            }
            StepView::Triage => triage_items(s, case, &mut out),
        }
    }
    // Case notes show on every step: they are the analyst's own record.
    for (i, n) in s.case.saved.notes.iter().enumerate() {
        out.push(item(
            &format!("note {}", i + 1),
            (String::new(), Tone::Dim),
            clean(n).into_owned(),
            None,
        ));
    }
    out
}

fn count_status(n: usize, bad: bool) -> (String, Tone) {
    let style = if n > 0 && bad {
        Tone::Warning
    } else {
        Tone::Base
    };
    (format!("{} event(s)", text::thousands(n)), style)
}

fn triage_items(s: &Workspace, case: &CaseResult, out: &mut Vec<Item>) {
    for a in &case.findings.answers {
        let saved = s.case.saved.answers.get(&a.id);
        let overridden = saved.is_some_and(|o| o.answer.is_some());
        let note = saved
            .and_then(|o| o.note.as_deref())
            .map(|n| format!("note: {} · ", clean(n)))
            .unwrap_or_default();
        let style = match a.status {
            Status::Yes => Tone::Error,
            Status::Suspected => Tone::Warning,
            Status::No => Tone::Ok,
            Status::Unknown | Status::Analyst => Tone::Dim,
        };
        let label = if overridden {
            "analyst".to_owned()
        } else {
            a.status.label().to_owned()
        };
        out.push(item(
            &a.id,
            (label, style),
            format!("{note}{}", clean(&a.answer)),
            a.evidence_query.clone().map(Open::Query),
        ));
    }
    let f = &case.findings;
    let chosen = f
        .severity_override
        .map(|p| format!("set {}", p.label()))
        .unwrap_or_else(|| "auto".to_owned());
    out.push(item(
        "severity",
        (chosen, Tone::Title),
        format!(
            "suggested {}: {}",
            f.severity.priority.label(),
            clean(&f.severity.reasons.join("; "))
        ),
        None,
    ));
}

fn health_items(case: &CaseResult, out: &mut Vec<Item>) {
    let h = &case.findings.health;
    let ok = |b: bool| {
        if b {
            ("ok".to_owned(), Tone::Ok)
        } else {
            ("warning".to_owned(), Tone::Warning)
        }
    };
    out.push(item(
        "s3 data",
        ok(h.s3_data_events > 0),
        format!(
            "{} S3 data event(s) (without them object reads are invisible)",
            text::thousands(h.s3_data_events)
        ),
        None,
    ));
    out.push(item(
        "regions",
        ok(!h.missing_us_east_1),
        clean(&format!(
            "{} region(s): {}{}",
            h.regions.len(),
            h.regions.join(", "),
            if h.missing_us_east_1 {
                " (us-east-1 missing: global services log there)"
            } else {
                ""
            }
        ))
        .into_owned(),
        None,
    ));
    out.push(item(
        "accounts",
        ("".to_owned(), Tone::Dim),
        clean(&h.accounts.join(", ")).into_owned(),
        None,
    ));
    out.push(item(
        "tampering",
        count_status(h.tampering_events, true),
        if h.tampering_failed > 0 {
            format!(
                "{} failed (attempts: logging went on) · {}",
                text::thousands(h.tampering_failed),
                health::tampering_names()
            )
        } else {
            health::tampering_names()
        },
        Some(Open::Rows(
            "logging tampering".to_owned(),
            h.tampering.clone(),
        )),
    ));
    out.push(item(
        "gaps",
        ok(h.silences.is_empty()),
        format!(
            "{} silence(s) over {} min in an account-region",
            h.silences.len(),
            h.silence_threshold_minutes
        ),
        None,
    ));
    for w in &h.warnings {
        out.push(item(
            "warning",
            ("!".to_owned(), Tone::Warning),
            clean(w).into_owned(),
            None,
        ));
    }
}

fn query_item(r: &crate::playbook::queries::QueryResult) -> Item {
    let title = clean(&r.title).into_owned();
    if let Some(why) = &r.unavailable {
        return item(
            &r.id,
            ("n/a".to_owned(), Tone::Dim),
            clean(why).into_owned(),
            None,
        );
    }
    if !r.missing.is_empty() {
        return item(
            &r.id,
            ("needs pin".to_owned(), Tone::Warning),
            format!(
                "pin {} first: {title}",
                r.missing
                    .iter()
                    .map(|m| m.to_uppercase())
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
            None,
        );
    }
    let groups = if r.group_by.is_empty() {
        String::new()
    } else {
        format!(", {} group(s)", r.groups.len())
    };
    item(
        &r.id,
        count_status(r.events, false),
        format!("{title}{groups}"),
        Some(Open::Rows(format!("{} {}", r.id, title), r.rows.clone())),
    )
}

fn quiet_item(case: &CaseResult) -> Item {
    let who = case
        .findings
        .pins
        .suspect
        .as_deref()
        .map(|p| clean(short_principal(p)).into_owned());
    match (&case.quiet, who) {
        (_, None) => item(
            "quiet",
            ("needs pin".to_owned(), Tone::Warning),
            "quiet-period check: pin SUSPECT first".to_owned(),
            None,
        ),
        (None, Some(_)) => item(
            "quiet",
            ("no time".to_owned(), Tone::Dim),
            "quiet-period check: press Q on an event in the timeline to start from its time"
                .to_owned(),
            None,
        ),
        (Some((from, rows)), Some(who)) => {
            let status = if rows.is_empty() {
                ("quiet".to_owned(), Tone::Ok)
            } else {
                (format!("{} event(s)", rows.len()), Tone::Error)
            };
            item(
                "quiet",
                status,
                format!(
                    "no activity by {who} for {QUIET_MINUTES} min after {}?",
                    text::time(*from)
                ),
                Some(Open::Rows(
                    format!("{who} after {}", text::time(*from)),
                    rows.clone(),
                )),
            )
        }
    }
}
