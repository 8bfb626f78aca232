//! Shaping tables and seeing what they cut, on small hand-built logs rendered at 80x24: the
//! timeline sorted by any column and its widths, the selected row of any table in full, the S3
//! tab's exposure changes (selectable, with each bucket's state at the end of the log), the
//! Overview's source addresses with their network class, and pivots built as typed filters.
use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use cttui::ingest::LoadOptions;
use cttui::model::query::{Field, Filter, Query};
use cttui::ui::action::Action;
use cttui::ui::app::{App, Clock, Env, Overlay, Tab};
use cttui::ui::keymap::Keymap;
use cttui::ui::loaded_log::LoadedLog;
use cttui::ui::tabs::timeline::{COLS, Col};
use cttui::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::Color;
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(30);
const ACCOUNT: &str = "111122223333";

/// One CloudTrail record; `extra` is merged over the defaults.
fn rec(minute: u32, user: &str, name: &str, ip: &str, extra: Value) -> Value {
    let mut r = json!({
        "eventVersion": "1.08",
        "userIdentity": {
            "type": "IAMUser",
            "arn": format!("arn:aws:iam::{ACCOUNT}:user/{user}"),
            "accountId": ACCOUNT,
            "accessKeyId": format!("AKIA{}", user.to_uppercase()),
            "userName": user
        },
        "eventTime": format!("2024-05-01T10:{minute:02}:00Z"),
        "eventSource": "s3.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": ip,
        "userAgent": format!("agent-of-{user}"),
        "requestID": format!("REQ{minute}"),
        "eventID": format!("00000000-0000-4000-8000-0000000000{minute:02}"),
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT
    });
    if let (Value::Object(m), Value::Object(e)) = (&mut r, extra) {
        m.extend(e);
    }
    r
}

fn bucket(b: &str, more: Value) -> Value {
    let mut p = json!({ "bucketName": b });
    if let (Value::Object(m), Value::Object(e)) = (&mut p, more) {
        m.extend(e);
    }
    json!({ "requestParameters": p })
}

fn public_policy(b: &str) -> Value {
    bucket(
        b,
        json!({"bucketPolicy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{b}/*")}
        ]}}),
    )
}

fn block_on(b: &str) -> Value {
    bucket(
        b,
        json!({"PublicAccessBlockConfiguration": {
            "BlockPublicAcls": true, "IgnorePublicAcls": true,
            "BlockPublicPolicy": true, "RestrictPublicBuckets": true
        }}),
    )
}

/// A data event (object-level), as CloudTrail marks one.
fn data(mut v: Value) -> Value {
    v["managementEvent"] = json!(false);
    v["eventCategory"] = json!("Data");
    v
}

fn denied(mut v: Value) -> Value {
    v["errorCode"] = json!("AccessDenied");
    v["errorMessage"] = json!("Access Denied");
    v
}

/// A small log: three users, a long user agent, and permission changes on three buckets.
fn records() -> Vec<Value> {
    let long_ua = format!("aws-cli/2.15.0 Python/3.11 {}", "x".repeat(90));
    vec![
        rec(1, "carol", "ListBuckets", "198.51.100.7", json!({})),
        data(rec(
            2,
            "alice",
            "GetObject",
            "10.0.0.5",
            bucket(
                "open-data",
                json!({"key": format!("reports/{}/q1.csv", "deep".repeat(20))}),
            ),
        )),
        rec(
            3,
            "mallory",
            "DeleteBucketPublicAccessBlock",
            "203.0.113.77",
            bucket("open-data", json!({})),
        ),
        rec(
            4,
            "mallory",
            "PutBucketPolicy",
            "203.0.113.77",
            public_policy("open-data"),
        ),
        rec(
            5,
            "mallory",
            "PutBucketPolicy",
            "203.0.113.77",
            denied(public_policy("safe-store")),
        ),
        rec(
            6,
            "bob",
            "DeleteBucketPublicAccessBlock",
            "198.51.100.9",
            bucket("fixed-logs", json!({})),
        ),
        rec(
            7,
            "bob",
            "PutBucketPublicAccessBlock",
            "198.51.100.9",
            block_on("fixed-logs"),
        ),
        data(rec(
            8,
            "alice",
            "GetObject",
            "10.0.0.5",
            json!({"userAgent": long_ua, "requestParameters": {"bucketName": "open-data", "key": "a.csv"}}),
        )),
    ]
}

fn load(records: &[Value]) -> (tempfile::TempDir, LoadedLog) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path: PathBuf = dir.path().join("log.json");
    std::fs::write(&path, json!({ "Records": records }).to_string()).expect("write");
    let inv = LoadedLog::load(
        &[path.to_string_lossy().into_owned()],
        &LoadOptions::default(),
    )
    .expect("the log loads");
    (dir, inv)
}

fn env(theme: Theme) -> Env {
    Env {
        theme,
        keymap: Keymap::default_map().expect("keymap"),
        export_dir: PathBuf::from("exports"),
        clock: Clock::Fixed(1_700_000_000_000),
    }
}

fn app_with(theme: Theme) -> (tempfile::TempDir, App) {
    let (dir, inv) = load(&records());
    let mut app = App::with_investigation(env(theme), inv);
    app.start_analysis();
    settle(&mut app);
    (dir, app)
}

fn settle(app: &mut App) {
    assert!(app.wait_idle(WAIT), "background work did not finish");
}

fn key(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
}

fn render(app: &App) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(80, 24)).expect("terminal");
    term.draw(|f| app.render(f)).expect("draw");
    term
}

fn text(buf: &Buffer) -> String {
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn screen(app: &App) -> String {
    text(render(app).backend().buffer())
}

/// The event names of the view in the order the timeline shows them.
fn shown_names(app: &App) -> Vec<String> {
    let s = app.workspace().expect("loaded");
    (0..s.view().len())
        .map(|i| {
            let r = s.row_at(i).expect("row") as usize;
            s.inv.cols.name.get(r).unwrap_or("").to_owned()
        })
        .collect()
}

fn cursor_to(app: &mut App, col: Col) {
    app.apply(Action::GotoTimeline);
    for _ in 0..COLS.len() {
        app.apply(Action::PrevColumn);
    }
    let at = COLS.iter().position(|&c| c == col).expect("a column");
    for _ in 1..at {
        app.apply(Action::NextColumn);
    }
    let s = app.workspace().expect("loaded");
    assert_eq!(COLS[s.timeline.columns.cursor], col);
}

#[test]
fn timeline_sorts_by_the_cursors_column_and_back_to_time() {
    let (_d, mut app) = app_with(Theme::colored());
    let time_order = shown_names(&app);
    cursor_to(&mut app, Col::Name);
    key(&mut app, 'o');
    let mut asc = time_order.clone();
    asc.sort();
    assert_eq!(shown_names(&app), asc);
    let term = render(&app);
    insta::assert_snapshot!("sorted_by_name_80x24", term.backend());
    let t = text(term.backend().buffer());
    assert!(t.contains("sorted: event name ▲"), "{t}");
    // The arrow sits in the Event header, in the key style.
    let buf = term.backend().buffer();
    let header_y = t
        .lines()
        .position(|l| l.contains("Time (UTC)"))
        .expect("header") as u16;
    let arrow_x = (0..80)
        .find(|&x| buf[(x, header_y)].symbol() == "▲")
        .expect("an arrow in the header");
    let title_x = t
        .lines()
        .nth(header_y as usize)
        .expect("line")
        .find("Event")
        .expect("Event") as u16;
    assert!(
        arrow_x > title_x && arrow_x < title_x + 12,
        "arrow {arrow_x} after Event {title_x}"
    );
    key(&mut app, 'o');
    let mut desc = asc.clone();
    desc.reverse();
    assert_eq!(shown_names(&app), desc);
    assert!(screen(&app).contains("sorted: event name ▼"));
    key(&mut app, 'o');
    assert_eq!(shown_names(&app), time_order, "third press: time order");
    assert!(!screen(&app).contains("sorted:"));
}

#[test]
fn sorting_keeps_the_selected_event_and_ranges_follow_the_screen() {
    let (_d, mut app) = app_with(Theme::colored());
    cursor_to(&mut app, Col::Ip);
    app.apply(Action::Bottom);
    let before = app.workspace().and_then(|s| s.selected_row()).expect("row");
    key(&mut app, 'o');
    let s = app.workspace().expect("loaded");
    assert_eq!(
        s.selected_row(),
        Some(before),
        "the same event stays selected"
    );
    // Mark the first row (the cursor moves on), then the range to the second, as shown sorted
    // by address: the two calls from 10.0.0.5, though they are not adjacent in time.
    app.apply(Action::Top);
    app.apply(Action::ToggleMark);
    app.apply(Action::MarkRange);
    let s = app.workspace().expect("loaded");
    let mut shown: Vec<u32> = (0..2).filter_map(|i| s.row_at(i)).collect();
    shown.sort_unstable();
    assert_eq!(s.marks.rows(), shown);
    let ips: Vec<&str> = shown
        .iter()
        .map(|&r| s.inv.cols.ip.get(r as usize).unwrap_or(""))
        .collect();
    assert_eq!(ips, ["10.0.0.5", "10.0.0.5"]);
    assert!(shown[1] - shown[0] > 1, "not adjacent in time order");
    // n moves through search matches in screen order.
    app.apply(Action::Search);
    app.type_text("mallory");
    app.apply(Action::Submit);
    let s = app.workspace().expect("loaded");
    let first = s.timeline.nav.selected;
    app.apply(Action::SearchNext);
    let s = app.workspace().expect("loaded");
    assert!(
        s.timeline.nav.selected > first,
        "the next match is lower on screen"
    );
}

#[test]
fn width_keys_resize_the_cursors_column_and_plus_resets() {
    let (_d, mut app) = app_with(Theme::colored());
    cursor_to(&mut app, Col::Principal);
    render(&app);
    let i = COLS.iter().position(|&c| c == Col::Principal).expect("col");
    let drawn = |app: &App| app.viewport.columns.borrow()[i].expect("principal shown");
    let w0 = drawn(&app);
    key(&mut app, '>');
    render(&app);
    assert_eq!(drawn(&app), w0 + 2);
    key(&mut app, '<');
    key(&mut app, '<');
    render(&app);
    assert_eq!(drawn(&app), w0 - 2);
    key(&mut app, '+');
    render(&app);
    assert_eq!(drawn(&app), w0, "+ gives the column its own width back");
}

#[test]
fn the_full_row_pane_shows_what_every_table_cuts() {
    let (_d, mut app) = app_with(Theme::colored());
    // Timeline: the long agent and the object key, whole, wrapped in the pane.
    app.apply(Action::GotoTimeline);
    app.apply(Action::Bottom);
    key(&mut app, 'w');
    let Some(Overlay::Row(r)) = &app.overlay else {
        panic!("w opens the row pane");
    };
    let ua = r
        .fields
        .iter()
        .find(|(l, _)| l == "User agent")
        .map(|(_, v)| v.clone())
        .expect("user agent");
    assert!(ua.ends_with(&"x".repeat(90)), "{ua}");
    let source = r.fields.iter().find(|(l, _)| l == "Source IP").expect("ip");
    assert_eq!(source.1, "10.0.0.5 (private)");
    insta::assert_snapshot!("row_pane_timeline_80x24", render(&app).backend());
    key(&mut app, 'q');
    assert!(app.overlay.is_none());
    // The other tables: the principal's whole ARN, the finding's title, the bucket's state.
    for (tab, label, want) in [
        (
            Tab::Principals,
            "Principal",
            format!("arn:aws:iam::{ACCOUNT}:user/"),
        ),
        (
            Tab::Anomalies,
            "Principal",
            format!("arn:aws:iam::{ACCOUNT}:user/"),
        ),
        (Tab::S3, "Exposure", "still public".to_owned()),
    ] {
        app.tab = tab;
        key(&mut app, 'w');
        let Some(Overlay::Row(r)) = &app.overlay else {
            panic!("{tab:?}: w opens the row pane");
        };
        let v = r
            .fields
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        assert!(v.contains(&want), "{tab:?}: {label} = {v:?}");
        key(&mut app, 'q');
    }
    app.tab = Tab::Findings;
    let has_findings = app
        .workspace()
        .and_then(|s| s.analysis.as_ref())
        .is_some_and(|a| !a.findings.is_empty());
    key(&mut app, 'w');
    assert_eq!(
        matches!(app.overlay, Some(Overlay::Row(_))),
        has_findings,
        "findings: a pane exactly when there is a finding"
    );
}

#[test]
fn s3_exposure_state_and_selectable_changes() {
    let (_d, mut app) = app_with(Theme::colored());
    let a = app
        .workspace()
        .and_then(|s| s.analysis.clone())
        .expect("analysed");
    let state = |b: &str| {
        a.exposure
            .iter()
            .find(|e| e.bucket.as_deref() == Some(b))
            .map(|e| e.state.clone())
            .expect("bucket state")
    };
    assert_eq!(
        state("open-data"),
        "still public: the bucket policy grants anyone (public access block removed)"
    );
    assert_eq!(state("fixed-logs"), "was exposed, closed again");
    assert_eq!(state("safe-store"), "unchanged: 1 failed attempt(s)");
    app.apply(Action::GotoS3);
    let term = render(&app);
    insta::assert_snapshot!("s3_exposure_80x24", term.backend());
    let buf = term.backend().buffer();
    let t = text(buf);
    // "public" in the bucket table is drawn as an error; "restored" is not.
    let y = t
        .lines()
        .position(|l| l.starts_with("open-data"))
        .expect("open-data row") as u16;
    let x = t
        .lines()
        .nth(y as usize)
        .expect("line")
        .find("public")
        .expect("label") as u16;
    assert_eq!(buf[(x, y)].fg, Color::Red, "public is red");
    let y2 = t
        .lines()
        .position(|l| l.starts_with("fixed-logs"))
        .expect("row") as u16;
    let x2 = t
        .lines()
        .nth(y2 as usize)
        .expect("line")
        .find("restored")
        .expect("label") as u16;
    assert_ne!(buf[(x2, y2)].fg, Color::Red);
    // The cursor moves to the changes; enter narrows the timeline to the bucket's changes.
    key(&mut app, 'c');
    app.apply(Action::Down);
    let t = screen(&app);
    assert!(
        t.contains("Exposure changes: open-data at the end: still public"),
        "{t}"
    );
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    settle(&mut app);
    assert_eq!(app.tab, Tab::Timeline);
    let s = app.workspace().expect("loaded");
    let names = cttui::analysis::catalog::names(cttui::analysis::catalog::ApiSet::S3Exposure);
    let built = Filter::is(Field::Bucket, "open-data").and(Filter::any(
        names.iter().map(|n| Filter::is(Field::Name, n.as_str())),
    ));
    assert_eq!(s.top().query, Some(built.to_string()));
    assert_eq!(
        Query::parse(&built.to_string())
            .expect("reads back")
            .filter(),
        &built
    );
    assert_eq!(s.view().len(), 2, "the block removal and the policy");
    let row = s.selected_row().expect("selected") as usize;
    assert_eq!(
        s.inv.cols.name.get(row),
        Some("PutBucketPolicy"),
        "the change chosen"
    );
}

#[test]
fn s3_tab_without_color_still_says_the_state() {
    let (_d, mut app) = app_with(Theme::monochrome());
    app.apply(Action::GotoS3);
    let term = render(&app);
    insta::assert_snapshot!("s3_exposure_no_color_80x24", term.backend());
    let t = text(term.backend().buffer());
    for w in ["public", "restored", "attempted"] {
        assert!(t.contains(w), "{w} in words without colour\n{t}");
    }
}

#[test]
fn overview_names_the_network_class_of_source_addresses() {
    let (_d, app) = app_with(Theme::colored());
    let t = screen(&app);
    assert!(t.contains("203.0.113.77 outside"), "{t}");
    assert!(t.contains("10.0.0.5 private"), "{t}");
}

#[test]
fn exports_name_keys_and_agents_and_chart_large_selections() {
    // 60 calls over two days: the export charts them; the table has the key and the agent.
    let mut recs = Vec::new();
    for i in 0..60u32 {
        let mut r = rec(
            i % 60,
            if i % 3 == 0 { "mallory" } else { "alice" },
            "GetObject",
            "203.0.113.77",
            json!({}),
        );
        r["eventTime"] = json!(format!("2024-05-0{}T10:{:02}:00Z", 1 + i / 40, i % 60));
        recs.push(r);
    }
    let (_d, inv) = load(&recs);
    let rows: Vec<u32> = (0..inv.len() as u32).collect();
    let md = cttui::export::markdown::events_markdown(&inv.store, &rows, &Default::default());
    let doc = crate::support::markdown::parse(&md);
    let table = doc
        .table(&["#", "Time (UTC)", "Principal"])
        .expect("events table");
    let head = &table[0];
    let akid = head
        .iter()
        .position(|h| h == "Access key")
        .expect("access key column");
    let ua = head
        .iter()
        .position(|h| h == "User agent")
        .expect("user agent column");
    assert_eq!(table[1][akid], "AKIAMALLORY");
    assert_eq!(table[1][ua], "agent-of-mallory");
    assert!(doc.heading("Charts"), "{:?}", doc.headings);
    let mermaid: Vec<&String> = doc
        .code_blocks
        .iter()
        .filter(|(info, _)| info == "mermaid")
        .map(|(_, b)| b)
        .collect();
    assert_eq!(mermaid.len(), 2, "events per day and events by name");
    assert!(mermaid[0].contains("bar [40, 20]"), "{}", mermaid[0]);
    let per_day = doc
        .table(&["day", "events"])
        .expect("numbers beside the chart");
    assert_eq!(per_day[1], ["2024-05-01", "40"]);
    assert_eq!(per_day[2], ["2024-05-02", "20"]);
    // A handful of events reads better without charts.
    let few = cttui::export::markdown::events_markdown(&inv.store, &rows[..5], &Default::default());
    assert!(!few.contains("```mermaid"));
}

#[test]
fn the_frequency_table_writes_a_cut_value_whole() {
    let (_d, mut app) = app_with(Theme::colored());
    cursor_to(&mut app, Col::UserAgent);
    key(&mut app, 'F');
    assert!(matches!(app.overlay, Some(Overlay::Frequency(_))));
    let xs = |app: &App| screen(app).matches('x').count();
    let before = xs(&app);
    // The long agent sorts last (one event, and "aws-cli" after "agent-of-…").
    app.apply(Action::Bottom);
    let t = screen(&app);
    assert!(
        xs(&app) >= before + 90,
        "all 90 x of the agent are on screen\n{t}"
    );
    assert!(t.contains("aws-cli/2.15.0 Python/3.11 xxx"), "{t}");
}
