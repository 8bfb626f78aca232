//! Tab 8: the IRP-DataAccess playbook. A strip of the parts (1, 2, 3, 4, 4b, 5) with their state,
//! the selected step's goal, the pins, and the step's evidence as a list: logging health (1),
//! triage Q1-Q9 and severity (2), the 12 queries bound to the pins, persistence, secrets and the
//! quiet-period check (4). Enter opens the selected item's events as a timeline view.
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::grid::{self, Cells};
use crate::playbook::session::StepState;
use crate::playbook::triage::Status;
use crate::ui::app::casework::{CaseResult, QUIET_MINUTES};
use crate::ui::app::{App, Session};
use crate::ui::theme::Theme;
use crate::ui::widgets::table::ColumnSpec;
use crate::ui::widgets::text::{self, clean, short_principal};

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
    pub status: (String, Style),
    pub text: String,
    pub open: Option<Open>,
}

const SPECS: [ColumnSpec; 3] = [
    ColumnSpec::new("Item", 6, 14, 0),
    ColumnSpec::new("Status", 9, 16, 0),
    ColumnSpec::new("Answer / result", 10, 400, 0),
];

pub fn item_count(s: &Session) -> usize {
    items(Theme::monochrome(), s).len()
}

fn item(name: &str, status: (String, Style), text: String, open: Option<Open>) -> Item {
    Item {
        name: name.to_owned(),
        status,
        text,
        open,
    }
}

/// The items of the selected step (empty until the case is computed).
pub fn items(t: Theme, s: &Session) -> Vec<Item> {
    let Some(step) = s.case.book.as_ref().and_then(|b| b.steps.get(s.case.step)) else {
        return Vec::new();
    };
    let Some(case) = s.case.case() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if step.id == "detect" {
        triage_items(t, s, case, &mut out);
    }
    if step.id == "contain"
        && let Some(a) = case.findings.answers.iter().find(|a| a.id == "Q8")
    {
        // "Ongoing?" is Q8: the suspect's last event against the end of the log.
        out.push(item(
            "ongoing?",
            (a.status.label().to_owned(), t.title()),
            clean(&a.answer).into_owned(),
            a.evidence_query.clone().map(Open::Query),
        ));
    }
    for v in &step.views {
        match v.as_str() {
            "health" => health_items(t, case, &mut out),
            "persistence" => {
                if let Some(rows) = &case.suspect_persistence {
                    out.push(item(
                        "suspect",
                        count_status(t, rows.len(), true),
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
                    count_status(t, rows.len(), true),
                    "persistence and logging tampering (all principals)".to_owned(),
                    Some(Open::Rows("persistence and tampering".to_owned(), rows)),
                ));
            }
            "quiet" => out.push(quiet_item(t, case)),
            "report" => out.push(item(
                "report",
                ("R".to_owned(), t.key()),
                "write the incident report (Markdown) with the pins, answers and notes".to_owned(),
                None,
            )),
            q if q.starts_with('q') => {
                if let Some(r) = case.queries.iter().find(|r| r.id == q) {
                    out.push(query_item(t, r));
                }
            }
            _ => {}
        }
    }
    if step.id == "post" {
        for (i, n) in s.case.saved.notes.iter().enumerate() {
            out.push(item(
                &format!("note {}", i + 1),
                (String::new(), t.dim()),
                clean(n).into_owned(),
                None,
            ));
        }
    }
    out
}

fn count_status(t: Theme, n: usize, bad: bool) -> (String, Style) {
    let style = if n > 0 && bad { t.warning() } else { t.base() };
    (format!("{} event(s)", text::thousands(n)), style)
}

fn triage_items(t: Theme, s: &Session, case: &CaseResult, out: &mut Vec<Item>) {
    for a in &case.findings.answers {
        let overridden = s
            .case
            .saved
            .answers
            .get(&a.id)
            .is_some_and(|o| o.answer.is_some());
        let style = match a.status {
            Status::Yes => t.error(),
            Status::Suspected => t.warning(),
            Status::No => t.ok(),
            Status::Unknown | Status::Analyst => t.dim(),
        };
        let label = if overridden {
            "analyst".to_owned()
        } else {
            a.status.label().to_owned()
        };
        out.push(item(
            &a.id,
            (label, style),
            clean(&a.answer).into_owned(),
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
        (chosen, t.title()),
        format!(
            "suggested {}: {}",
            f.severity.priority.label(),
            clean(&f.severity.reasons.join("; "))
        ),
        None,
    ));
}

fn health_items(t: Theme, case: &CaseResult, out: &mut Vec<Item>) {
    let h = &case.findings.health;
    let ok = |b: bool| {
        if b {
            ("ok".to_owned(), t.ok())
        } else {
            ("warning".to_owned(), t.warning())
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
        ("".to_owned(), t.dim()),
        clean(&h.accounts.join(", ")).into_owned(),
        None,
    ));
    out.push(item(
        "tampering",
        count_status(t, h.tampering_events, true),
        "StopLogging, DeleteTrail, UpdateTrail, PutEventSelectors".to_owned(),
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
            ("!".to_owned(), t.warning()),
            clean(w).into_owned(),
            None,
        ));
    }
}

fn query_item(t: Theme, r: &crate::playbook::queries::QueryResult) -> Item {
    let title = clean(&r.title).into_owned();
    if let Some(why) = &r.unavailable {
        return item(
            &r.id,
            ("n/a".to_owned(), t.dim()),
            clean(why).into_owned(),
            None,
        );
    }
    if !r.missing.is_empty() {
        return item(
            &r.id,
            ("needs pin".to_owned(), t.warning()),
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
        count_status(t, r.events, false),
        format!("{title}{groups}"),
        Some(Open::Rows(format!("{} {}", r.id, title), r.rows.clone())),
    )
}

fn quiet_item(t: Theme, case: &CaseResult) -> Item {
    let who = case
        .findings
        .pins
        .suspect
        .as_deref()
        .map(|p| clean(short_principal(p)).into_owned());
    match (&case.quiet, who) {
        (_, None) => item(
            "quiet",
            ("needs pin".to_owned(), t.warning()),
            "quiet-period check: pin SUSPECT first".to_owned(),
            None,
        ),
        (None, Some(_)) => item(
            "quiet",
            ("no time".to_owned(), t.dim()),
            "quiet-period check: press Q on an event in the timeline to start from its time"
                .to_owned(),
            None,
        ),
        (Some((from, rows)), Some(who)) => {
            let status = if rows.is_empty() {
                ("quiet".to_owned(), t.ok())
            } else {
                (format!("{} event(s)", rows.len()), t.error())
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

/// The pins in short, for the tab and the status bar.
pub fn pins_text(s: &Session) -> String {
    let p = &s.case.saved.pins;
    let mut parts = Vec::new();
    if let Some(sus) = &p.suspect {
        parts.push(format!("SUSPECT {}", clean(short_principal(sus))));
    }
    if let Some(b) = &p.bucket {
        parts.push(format!("BUCKET {}", clean(b)));
    }
    if let Some((a, b)) = p.window {
        parts.push(format!(
            "WINDOW {}..{}",
            text::time_short(a),
            text::time_short(b)
        ));
    }
    parts.join(" ")
}

pub fn draw(app: &App, s: &Session, frame: &mut Frame, area: Rect) {
    let t = app.env.theme;
    if area.height < 5 {
        return;
    }
    let Some(book) = &s.case.book else {
        frame.buffer_mut().set_stringn(
            area.x,
            area.y,
            "The built-in playbook did not load.",
            area.width as usize,
            t.error(),
        );
        return;
    };
    let buf = frame.buffer_mut();
    let mut spans = Vec::new();
    for (i, st) in book.steps.iter().enumerate() {
        let done = s.case.step_state(&st.id) == StepState::Done;
        let name = st.title.split(':').next().unwrap_or(&st.title);
        let label = format!(" {} {}{} ", st.part, name, if done { " ✓" } else { "" });
        let style = if i == s.case.step {
            t.tab_active()
        } else if done {
            t.ok()
        } else {
            t.tab()
        };
        spans.push(Span::styled(label, style));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
    let Some(step) = book.steps.get(s.case.step) else {
        return;
    };
    let state = match s.case.step_state(&step.id) {
        StepState::Done => "done",
        StepState::Todo => "to do",
    };
    buf.set_stringn(
        area.x,
        area.y + 1,
        format!("Part {} [{state}]: {}", step.part, step.title),
        area.width as usize,
        t.title(),
    );
    buf.set_stringn(area.x, area.y + 2, &step.goal, area.width as usize, t.dim());
    let pins = pins_text(s);
    let suggested = s
        .case
        .case()
        .map(|c| {
            let p = &c.findings.pins;
            let mut v = Vec::new();
            if s.case.saved.pins.suspect.is_none()
                && let Some(x) = &p.suspect
            {
                v.push(format!("SUSPECT {}", clean(short_principal(x))));
            }
            if s.case.saved.pins.bucket.is_none()
                && let Some(x) = &p.bucket
            {
                v.push(format!("BUCKET {}", clean(x)));
            }
            v.join(" ")
        })
        .unwrap_or_default();
    let pins_line = match (pins.is_empty(), suggested.is_empty()) {
        (true, true) => "pins: none (P pins SUSPECT, B pins BUCKET, W the window)".to_owned(),
        (true, false) => format!("pins: none; suggested {suggested}"),
        (false, true) => format!("pins: {pins}"),
        (false, false) => format!("pins: {pins}; suggested {suggested}"),
    };
    buf.set_stringn(area.x, area.y + 3, pins_line, area.width as usize, t.base());
    let table = Rect::new(area.x, area.y + 4, area.width, area.height - 4);
    let empty = match &s.case.result {
        Some(Err(e)) => format!("the playbook checks failed: {}", clean(e)),
        _ if s.case.pending => "computing the answers for the pins...".to_owned(),
        _ => "nothing to show".to_owned(),
    };
    let rows: Vec<Cells> = items(t, s)
        .into_iter()
        .map(|i| vec![(i.name, t.base()), i.status, (i.text, t.base())])
        .collect();
    grid::draw(app, buf, table, &SPECS, &rows, &s.playbook, &empty);
}
