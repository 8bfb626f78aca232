//! The TUI gives the analysis' answers and opens evidence without piling filters up (issue 10):
//! principal counts from the analysis, evidence replacing the filter stack, no double push, the
//! flagged window, whole-log labels, the Report tab, playbook keys, notes and the help layout.

use cttui::ingest::LoadOptions;
use cttui::ui::action::Action;
use cttui::ui::app::{App, Tab};
use cttui::ui::loaded_log::LoadedLog;
use cttui::ui::theme::Theme;

use crate::support::bound;
use crate::support::tui::{env, screen, screen_at, settle};

fn analysed(paths: &[String]) -> App {
    let inv = LoadedLog::load(paths, &LoadOptions::default()).expect("loads");
    let mut app = App::with_investigation(env(Theme::monochrome()), inv);
    app.start_analysis();
    settle(&mut app);
    app
}

/// Three events: two by named users, one with no identity at all.
fn anonymous_log(dir: &std::path::Path) -> String {
    let path = dir.join("anon.json");
    let ev = |id: u32, t: &str, who: &str| {
        let identity = if who.is_empty() {
            String::new()
        } else {
            format!(
                r#","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/{who}","accountId":"111122223333"}}"#
            )
        };
        format!(
            r#"{{"eventTime":"{t}","eventSource":"s3.amazonaws.com","eventName":"GetObject","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.{id}","eventID":"e{id}"{identity},"requestParameters":{{"bucketName":"b1","key":"k{id}"}}}}"#
        )
    };
    let body = format!(
        r#"{{"Records":[{},{},{}]}}"#,
        ev(1, "2024-04-15T03:00:00Z", "alice"),
        ev(2, "2024-04-15T03:10:00Z", "bob"),
        ev(3, "2024-04-15T03:20:00Z", "")
    );
    std::fs::write(&path, body).expect("write");
    path.display().to_string()
}

#[test]
fn principal_counts_come_from_the_analysis() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut app = analysed(&[anonymous_log(dir.path())]);
    let n = app
        .workspace()
        .and_then(|s| s.analysis.as_ref())
        .map(|a| a.principals.len())
        .expect("analysed");
    // The analysis ranks the events without a principal as a group of their own; counts leave
    // that group out (as `analyze` and the report do), the list shows it.
    assert_eq!(n, 3);
    assert!(screen(&app).contains("2 principals"), "{}", screen(&app));
    app.apply(Action::GotoPrincipals);
    let text = screen(&app);
    assert!(text.contains("2 principal(s)"), "{text}");
    assert!(text.contains("(no principal)"), "{text}");
    assert!(text.contains("(whole log)"), "{text}");
    // Enter twice on that row opens its one event (no query can name it).
    let idx = app
        .workspace()
        .and_then(|s| {
            let a = s.analysis.as_ref()?;
            s.principals
                .order
                .iter()
                .position(|&i| a.principals[i].principal == "(no principal)")
        })
        .expect("the events without a principal are listed");
    for _ in 0..idx {
        app.apply(Action::Down);
    }
    app.apply(Action::ShowInTimeline);
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    let s = app.workspace().expect("ready");
    assert_eq!(s.view().len(), 1);
    assert_eq!(s.inv.cols.principal.get(s.view().rows[0] as usize), None);
}

#[test]
fn evidence_replaces_the_filter_and_is_not_pushed_twice() {
    let mut app = analysed(&["tests/fixtures/tui".to_owned()]);
    // A filter the analyst was looking at.
    app.apply(Action::Filter);
    app.type_text("region:us-east-1");
    app.apply(Action::Submit);
    settle(&mut app);
    assert_eq!(app.workspace().expect("ready").views.len(), 2);
    // A finding's evidence: all its rows, as the only filter.
    app.apply(Action::GotoFindings);
    app.apply(Action::ShowInTimeline);
    let (rows, views) = {
        let s = app.workspace().expect("ready");
        let f = s.visible_findings()[0].rows.clone();
        (f, s.views.len())
    };
    assert_eq!(views, 2, "evidence replaces the filter instead of stacking");
    assert_eq!(*app.workspace().expect("ready").top().rows, rows);
    // Principals: enter enter, twice over, gives one view.
    for _ in 0..2 {
        app.apply(Action::GotoPrincipals);
        app.apply(Action::ShowInTimeline);
        app.apply(Action::ShowInTimeline);
        settle(&mut app);
        assert_eq!(app.tab, Tab::Timeline);
        assert_eq!(app.workspace().expect("ready").views.len(), 2);
    }
    // Anomalies then Principals on the same principal: still one filter on the stack.
    app.apply(Action::GotoAnomalies);
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    app.apply(Action::GotoPrincipals);
    app.apply(Action::ShowInTimeline);
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    app.apply(Action::GotoPrincipals);
    app.apply(Action::ShowInTimeline);
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    assert_eq!(app.workspace().expect("ready").views.len(), 2);
}

#[test]
fn anomalies_enter_opens_the_flagged_window() {
    let mut app = analysed(&["demo-logs".to_owned()]);
    app.apply(Action::GotoAnomalies);
    let (start, secs, all) = {
        let s = app.workspace().expect("ready");
        let a = s.analysis.as_ref().expect("analysed");
        let p = &a.principals[0];
        (
            p.top_window
                .expect("the top principal has a flagged window"),
            a.model.window_secs,
            a.entity_rows(p.entity).len(),
        )
    };
    app.apply(Action::ShowInTimeline);
    settle(&mut app);
    let s = app.workspace().expect("ready");
    let view = s.view();
    assert!(!view.is_empty());
    assert!(
        view.len() < all,
        "the window, not all of the principal's events"
    );
    for &r in view.rows.iter() {
        let t = s.inv.store.time_at(r as usize).expect("timed");
        assert!(
            t >= start && t < start + secs * 1000,
            "event outside the window"
        );
    }
    assert!(
        s.top()
            .query
            .as_deref()
            .is_some_and(|q| q.contains("time>=")),
        "the window shows in the breadcrumb"
    );
    // The Principals tab counts what `cttui analyze` counts.
    let n = s.principal_count();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(["analyze", "demo-logs"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run cttui analyze");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let want = format!(
        " {} principals,",
        cttui::analysis::humanize::count(n as u64)
    );
    assert!(stdout.contains(&want), "analyze says otherwise: {stdout}");
    app.apply(Action::GotoPrincipals);
    assert!(screen(&app).contains(&format!(
        "{} principal(s)",
        cttui::analysis::humanize::count(n as u64)
    )));
}

#[test]
fn tab_texts_say_what_they_do() {
    let mut app = analysed(&["tests/fixtures/tui".to_owned()]);
    for tab in [Action::GotoS3, Action::GotoAnomalies, Action::GotoFindings] {
        app.apply(tab);
        let text = screen(&app);
        assert!(text.contains("whole log"), "{text}");
    }
    app.apply(Action::GotoReport);
    let text = screen_at(&app, 120, 40);
    assert!(!text.contains("not in this build"), "{text}");
    assert!(
        text.contains("R        write the incident report"),
        "{text}"
    );
    app.apply(Action::Filter);
    let text = screen(&app);
    assert!(
        !text.contains("? lists"),
        "? types a wildcard in the prompt: {text}"
    );
}

#[test]
fn playbook_keys_open_the_parts_they_name() {
    let mut app = analysed(&["tests/fixtures/tui".to_owned()]);
    app.apply(Action::GotoPlaybook);
    let part = |app: &App| {
        let s = app.workspace().expect("ready");
        let book = s.case.book.as_ref().expect("the playbook");
        book.steps[s.case.step].part.clone()
    };
    for (c, want) in [
        ('1', "1"),
        ('2', "2"),
        ('3', "3"),
        ('4', "4"),
        ('5', "5"),
        ('b', "4b"),
    ] {
        app.handle_key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char(c),
        ));
        assert_eq!(part(&app), want, "key {c}");
    }
    // A case note shows on the tab.
    app.apply(Action::AddNote);
    app.type_text("called the bucket owner");
    app.apply(Action::Submit);
    assert!(screen(&app).contains("called the bucket owner"));
}

#[test]
fn help_keeps_keys_apart_from_descriptions() {
    let mut app = analysed(&["tests/fixtures/tui".to_owned()]);
    app.apply(Action::Help);
    let text = screen_at(&app, 100, 200);
    let line = text
        .lines()
        .find(|l| l.contains("pgdn ctrl-f ctrl-d"))
        .expect("the page-down keys are listed");
    assert!(!line.contains("ctrl-dpage"), "{line}");
    // Every key name stands apart from its description.
    for b in app.env.keymap.bindings() {
        let keys: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
        let keys = keys.join(" ");
        assert!(
            !text.contains(&format!("{keys}{}", b.description)),
            "'{keys}' runs into its description"
        );
    }
}

#[test]
fn clicks_are_actions() {
    let mut app = analysed(&["tests/fixtures/tui".to_owned()]);
    let _ = screen(&app);
    // " 1 Overview  2 Timeline ..." : column 14 is on the second tab.
    app.apply(Action::Click { x: 14, y: 0 });
    assert_eq!(app.tab, Tab::Timeline);
}

#[test]
fn playbook_evidence_replaces_the_filter() {
    let mut app = analysed(&["tests/fixtures/tui".to_owned()]);
    app.apply(Action::Filter);
    app.type_text("region:us-east-1");
    app.apply(Action::Submit);
    settle(&mut app);
    assert_eq!(app.workspace().expect("ready").views.len(), 2);
    // Part 3's q9 (bucket policy and ACL changes), the item after "ongoing?".
    app.apply(Action::GotoPlaybook);
    app.apply(Action::PlaybookPart3);
    settle(&mut app);
    let rows = {
        let s = app.workspace().expect("ready");
        let case = s.case.case().expect("computed");
        let q9 = case.queries.iter().find(|q| q.id == "q9").expect("q9");
        q9.rows.clone()
    };
    app.apply(Action::Down);
    app.apply(Action::OpenItem);
    settle(&mut app);
    assert_eq!(app.tab, Tab::Timeline);
    let s = app.workspace().expect("ready");
    assert_eq!(s.views.len(), 2, "the evidence replaces the filter");
    assert_eq!(*s.top().rows, rows, "all of the query's rows");
    // A triage answer's evidence (opened as its query text) replaces it too.
    app.apply(Action::Filter);
    app.type_text("region:us-east-1");
    app.apply(Action::Submit);
    settle(&mut app);
    assert_eq!(app.workspace().expect("ready").views.len(), 3);
    app.apply(Action::GotoPlaybook);
    app.apply(Action::PlaybookPart2);
    settle(&mut app);
    let rows = {
        let s = app.workspace().expect("ready");
        let case = s.case.case().expect("computed");
        let q1 = case.findings.answers.iter().find(|a| a.id == "Q1");
        q1.expect("Q1").evidence.clone()
    };
    app.apply(Action::OpenItem);
    settle(&mut app);
    assert_eq!(app.tab, Tab::Timeline);
    let s = app.workspace().expect("ready");
    assert_eq!(
        s.views.len(),
        2,
        "the answer's evidence replaces the filters"
    );
    assert_eq!(*s.top().rows, rows, "all of Q1's evidence");
}

/// Durations and bytes come from `analysis::humanize` on every tab, as in the report and the CLI
/// ("20 d 23 h", not "20d 23h"; "GetObject / bytes out" is the object reads' bytes).
#[test]
fn durations_and_bytes_read_alike_everywhere() {
    use cttui::analysis::humanize;
    let mut app = analysed(&["demo-logs".to_owned()]);
    // The principal whose calls other than object reads send the most bytes: its GetObject
    // bytes and its bytes of all calls read differently.
    let (span, who, want_bytes, get_object) = {
        let s = app.workspace().expect("ready");
        let (a, b) = s.inv.store.time_span().expect("timed");
        let an = s.analysis.as_ref().expect("analysed");
        let reads = |p: &cttui::analysis::PrincipalReport| {
            cttui::model::facts::object_read_bytes(&s.inv.store, Some(an.entity_rows(p.entity)))
                .bytes
        };
        let p = an
            .principals
            .iter()
            .max_by_key(|p| p.features.bytes_out - reads(p))
            .expect("principals");
        assert_ne!(
            humanize::bytes(reads(p) as f64),
            humanize::bytes(p.features.bytes_out as f64),
            "{}",
            p.principal
        );
        (b - a, p.principal.clone(), reads(p), p.features.get_object)
    };
    let text = screen_at(&app, 160, 50);
    assert!(
        text.contains(&format!("({})", humanize::elapsed(span))),
        "{text}"
    );
    assert!(!text.contains("20d 23h"), "{text}");
    // The S3 tab's bytes out: binary units, as the report and `analyze` write them.
    app.apply(Action::GotoS3);
    let want = {
        let s = app.workspace().expect("ready");
        let an = s.analysis.as_ref().expect("analysed");
        let b = an
            .s3
            .buckets
            .iter()
            .find(|b| b.bucket == "acme-customer-data");
        humanize::bytes(b.expect("bucket").bytes_out as f64)
    };
    assert!(want.ends_with(" GiB"), "{want}");
    let text = screen_at(&app, 160, 50);
    let row = text
        .lines()
        .find(|l| l.starts_with("acme-customer-data"))
        .expect("the bucket's row");
    assert!(row.contains(&want), "{row}");
    // Its drill-down: its GetObject and their bytes, as the report and the CLI count them.
    app.apply(Action::GotoPrincipals);
    let idx = {
        let s = app.workspace().expect("ready");
        let a = s.analysis.as_ref().expect("analysed");
        s.principals
            .order
            .iter()
            .position(|&i| a.principals[i].principal == who)
            .expect("listed")
    };
    for _ in 0..idx {
        app.apply(Action::Down);
    }
    app.apply(Action::ShowInTimeline);
    let text = screen_at(&app, 160, 50);
    let line = text
        .lines()
        .find(|l| l.contains("GetObject / bytes out"))
        .expect("the drill-down shows GetObject and bytes");
    assert!(
        line.contains(&format!(
            "{get_object} / {}",
            humanize::bytes(want_bytes as f64)
        )),
        "{line}"
    );
}

#[test]
fn pin_hints_name_the_keys_that_pin() {
    // No analysis, no bucket to suggest, nothing pinned: the playbook says how to pin.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sts.json");
    std::fs::write(
        &path,
        r#"{"Records":[{"eventTime":"2024-04-15T03:00:00Z","eventSource":"sts.amazonaws.com","eventName":"GetCallerIdentity","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.1","eventID":"e1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333"}}]}"#,
    )
    .expect("write");
    let inv =
        LoadedLog::load(&[path.display().to_string()], &LoadOptions::default()).expect("loads");
    let mut app = App::with_investigation(env(Theme::monochrome()), inv);
    settle(&mut app);
    app.apply(Action::GotoPlaybook);
    settle(&mut app);
    let text = screen_at(&app, 160, 40);
    let line = text
        .lines()
        .find(|l| l.contains("pins: none ("))
        .expect("the pins line says how to pin");
    let hint = |what: &str| {
        let at = line.find(what).expect(what);
        line[..at]
            .trim_end()
            .rsplit([' ', '('])
            .next()
            .expect("key")
            .to_owned()
    };
    assert!(bound(&hint(" pins SUSPECT"), Action::PinSuspect), "{line}");
    assert!(bound(&hint(" pins BUCKET"), Action::PinBucket), "{line}");
    assert!(bound(&hint(" the window"), Action::PinWindow), "{line}");
}
