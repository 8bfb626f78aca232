//! The selected row of any table in full (`w`): every cell a table cuts to fit (ARNs, keys, user
//! agents, reasons, rule titles, exposure states) as label and whole value, wrapped in a pane.
use super::{App, Overlay, Tab, Workspace};
use crate::analysis::timefmt;
use crate::ui::widgets::text::{self, clean};

/// A titled list of label and full value, sanitised.
#[derive(Debug, Clone, PartialEq)]
pub struct RowText {
    pub title: String,
    pub fields: Vec<(String, String)>,
    pub scroll: usize,
}

impl RowText {
    fn new(title: impl Into<String>) -> RowText {
        RowText {
            title: clean(&title.into()).into_owned(),
            fields: Vec::new(),
            scroll: 0,
        }
    }

    /// Adds a field; empty values are left out.
    fn add(&mut self, label: &str, value: impl AsRef<str>) {
        let v = value.as_ref();
        if !v.is_empty() {
            self.fields.push((label.to_owned(), clean(v).into_owned()));
        }
    }
}

fn timeline_row(s: &Workspace) -> Option<RowText> {
    let row = s.selected_row()? as usize;
    let store = &s.inv.store;
    let c = &s.inv.cols;
    let get = |ca: &polars::prelude::StringChunked| ca.get(row).unwrap_or("").to_owned();
    let mut r = RowText::new(format!("Event {}", get(&c.name)));
    r.add("Time (UTC)", timefmt::show(store.time_at(row)));
    r.add("Principal", get(&c.principal));
    r.add("Identity type", get(&c.identity_type));
    r.add("Event", get(&c.name));
    r.add("Event source", get(&c.source));
    r.add("Error", get(&c.error));
    r.add(
        "Error message",
        store.str_at("error_message", row).unwrap_or_default(),
    );
    let ip = get(&c.ip);
    let net = crate::export::network_class(store, row);
    r.add(
        "Source IP",
        if net.is_empty() || ip.is_empty() {
            ip
        } else {
            format!("{ip} ({net})")
        },
    );
    r.add("Bucket", get(&c.bucket));
    r.add("Key", get(&c.key));
    r.add("Region", get(&c.region));
    r.add("User agent", get(&c.user_agent));
    r.add("Access key", get(&c.access_key));
    r.add("Event ID", get(&c.event_id));
    Some(r)
}

fn principal_row(p: &crate::analysis::PrincipalReport) -> RowText {
    let mut r = RowText::new(format!("Principal #{}", p.rank));
    r.add("Principal", &p.principal);
    r.add("Risk", p.risk.to_string());
    r.add(
        "Score",
        p.score.map(|v| format!("{v:.2}")).unwrap_or_default(),
    );
    r.add("Events", text::thousands(p.features.events as usize));
    for (i, why) in p.reasons.iter().enumerate() {
        r.add(&format!("Why {}", i + 1), &why.text);
    }
    for (i, why) in p.risk_reasons.iter().enumerate() {
        r.add(&format!("Risk {}", i + 1), why);
    }
    for (rule, n) in &p.rules {
        r.add("Rule", format!("{rule} ({} event(s))", text::thousands(*n)));
    }
    r
}

fn finding_row(f: &crate::analysis::rules::findings::Finding) -> RowText {
    let mut r = RowText::new(format!("Finding {}", f.rule_id));
    r.add("Level", f.level.to_string());
    r.add("Rule", &f.rule_id);
    r.add("Title", &f.title);
    r.add("Principal", &f.principal);
    r.add(
        "Hits",
        format!(
            "{} ({} succeeded, {} failed)",
            text::thousands(f.count),
            text::thousands(f.succeeded),
            text::thousands(f.failed)
        ),
    );
    r.add("Outcome", f.outcome_note.as_deref().unwrap_or(""));
    r.add("First (UTC)", timefmt::show(f.first));
    r.add("Last (UTC)", timefmt::show(f.last));
    r.add("Detail", f.detail.as_deref().unwrap_or(""));
    r
}

fn s3_row(s: &Workspace) -> Option<RowText> {
    let a = s.analysis.as_ref()?;
    if s.s3.changes_focus {
        let c = a.s3.exposure_changes.get(s.s3.changes.selected)?;
        let mut r = RowText::new(format!("Change {}", c.event_name));
        r.add("Time (UTC)", timefmt::show(c.time));
        r.add("Event", &c.event_name);
        r.add("Bucket", c.bucket.as_deref().unwrap_or(""));
        r.add("Principal", c.principal.as_deref().unwrap_or(""));
        r.add("Source IP", c.source_ip.as_deref().unwrap_or(""));
        r.add(
            "Outcome",
            match &c.error_code {
                Some(e) => format!("failed: {e} (an attempt, nothing changed)"),
                None => "succeeded".to_owned(),
            },
        );
        r.add("Event ID", c.event_id.as_deref().unwrap_or(""));
        if let Some(e) = a.exposure.iter().find(|e| e.bucket == c.bucket) {
            r.add("Bucket at the end", &e.state);
        }
        return Some(r);
    }
    let b = a.s3.buckets.get(s.s3.buckets.selected)?;
    let mut r = RowText::new(format!("Bucket {}", b.bucket));
    r.add("Bucket", &b.bucket);
    r.add(
        "Events",
        format!(
            "{} ({} data, {} management, {} failed)",
            text::thousands(b.events),
            text::thousands(b.data_events),
            text::thousands(b.management_events),
            text::thousands(b.failures)
        ),
    );
    r.add("GetObject", text::thousands(b.get_object));
    r.add("Bytes out", text::bytes(b.bytes_out));
    r.add("First (UTC)", timefmt::show(b.first));
    r.add("Last (UTC)", timefmt::show(b.last));
    for p in &b.top_principals {
        r.add(
            "Principal",
            format!("{} ({} event(s))", p.value, text::thousands(p.count)),
        );
    }
    match a
        .exposure
        .iter()
        .find(|e| e.bucket.as_deref() == Some(b.bucket.as_str()))
    {
        Some(e) => r.add("Exposure", &e.state),
        None => r.add("Exposure", "no permission change in the log"),
    }
    Some(r)
}

impl App {
    /// The selected row of the current tab in full, if the tab has one.
    pub fn selected_row_text(&self) -> Option<RowText> {
        let s = self.workspace()?;
        match self.tab {
            Tab::Timeline => timeline_row(s),
            Tab::S3 => s3_row(s),
            Tab::Principals => s.selected_principal_report().map(principal_row),
            Tab::Anomalies => s
                .analysis
                .as_ref()?
                .principals
                .get(s.anomalies.selected)
                .map(principal_row),
            Tab::Findings => s
                .visible_findings()
                .get(s.findings.nav.selected)
                .map(|f| finding_row(f)),
            _ => None,
        }
    }

    pub(super) fn open_row_text(&mut self) {
        match self.selected_row_text() {
            Some(r) => self.overlay = Some(Overlay::Row(Box::new(r))),
            None => self.info("no row selected here"),
        }
    }
}
