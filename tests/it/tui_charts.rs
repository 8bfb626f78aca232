//! The charts: ratatui bars and sparklines from small hand-built series, snapshotted at 80x24
//! and 120x40 with colour and with NO_COLOR, and the same series as Mermaid blocks with their
//! numbers in a table, parsed back as a Markdown reader sees them.

use crate::support::markdown::parse;
use cttui::analysis::AnalysisOptions;
use cttui::analysis::level::LevelCounts;
use cttui::export::charts::{self, Series};
use cttui::ingest::LoadOptions;
use cttui::ui::theme::Theme;
use cttui::ui::widgets::charts::{draw_bars, risk_label_style, spark};
use cttui::ui::widgets::histogram::aligned_bins;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

fn series(title: &str, points: &[(&str, f64)], percent: bool) -> Series {
    Series {
        title: title.to_owned(),
        label: "label".to_owned(),
        value: "value".to_owned(),
        points: points.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
        percent,
    }
}

fn risk() -> Series {
    charts::risk_levels(&LevelCounts {
        critical: 40,
        high: 12,
        medium: 0,
        low: 130,
    })
}

fn top_events() -> Series {
    series(
        "Top events by risk",
        &[
            ("GetObject", 4101.0),
            ("ListBuckets", 17.0),
            ("GetSecretValue", 9.0),
            ("StopLogging", 1.0),
        ],
        false,
    )
}

fn regions() -> Series {
    series(
        "Flagged share by region",
        &[
            ("us-east-1", 12.5),
            ("eu-west-1", 100.0),
            ("ap-south-1", 0.0),
        ],
        true,
    )
}

fn source_ips() -> Series {
    series(
        "Top source IPs",
        &[("203.0.113.77", 4090.0), ("198.51.100.7", 30.0)],
        false,
    )
}

fn render(s: &Series, theme: Theme, w: u16, h: u16, by_level: bool) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
    let style = move |label: &str| {
        if by_level {
            risk_label_style(theme, label)
        } else {
            theme.bar()
        }
    };
    draw_bars(&mut buf, Rect::new(0, 0, w, h), s, theme, &style);
    buf
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

#[test]
fn bar_charts_at_both_sizes() {
    for (name, s, by_level) in [
        ("risk_levels", risk(), true),
        ("top_events", top_events(), false),
        ("region_share", regions(), false),
        ("source_ips", source_ips(), false),
    ] {
        for (w, h) in [(80, 24), (120, 40)] {
            let buf = render(&s, Theme::colored(), w, h, by_level);
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&buf));
            // Every label and its value is on screen.
            let t = text(&buf);
            for (k, v) in &s.points {
                assert!(t.contains(k.as_str()), "{name}: {k} missing\n{t}");
                let shown = if s.percent {
                    format!("{v:.1}%")
                } else {
                    cttui::analysis::humanize::count(*v as u64)
                };
                assert!(t.contains(&shown), "{name}: {shown} missing\n{t}");
            }
        }
    }
}

/// The first bar cell on the line that shows `label`.
fn bar_cell(buf: &Buffer, label: &str) -> (u16, u16) {
    let t = text(buf);
    let y = t
        .lines()
        .position(|l| l.contains(label))
        .expect("the label") as u16;
    let x = (0..buf.area.width)
        .find(|&x| buf[(x, y)].symbol() == "█")
        .expect("a bar");
    (x, y)
}

#[test]
fn risk_bars_are_coloured_by_level_and_plain_without_colour() {
    let buf = render(&risk(), Theme::colored(), 80, 24, true);
    assert_eq!(buf[bar_cell(&buf, "Critical")].fg, Color::LightRed);
    assert_eq!(buf[bar_cell(&buf, "High")].fg, Color::Red);
    assert_eq!(buf[bar_cell(&buf, "Low")].fg, Color::Blue);
    // The longest bar is the largest count.
    let len = |label: &str| {
        let (x, y) = bar_cell(&buf, label);
        (x..buf.area.width)
            .take_while(|&i| buf[(i, y)].symbol() == "█")
            .count()
    };
    assert!(len("Low") > len("Critical") && len("Critical") > len("High"));
    // NO_COLOR: the same chart, no colour at all (labels carry the level).
    let buf = render(&risk(), Theme::monochrome(), 80, 24, true);
    insta::assert_snapshot!("risk_levels_no_color", text(&buf));
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            let c = &buf[(x, y)];
            assert!(
                c.fg == Color::Reset && c.bg == Color::Reset,
                "colour at {x},{y} without colour"
            );
        }
    }
}

#[test]
fn sparklines_and_hour_aligned_bins() {
    assert_eq!(spark(&[0, 1, 8, 4]), " ▁█▄");
    assert_eq!(spark(&[0, 0]), "  ");
    const H: i64 = 3_600_000;
    let times: Vec<Option<i64>> = [3 * H + 60_000, 3 * H + 120_000, 5 * H + 1]
        .into_iter()
        .map(Some)
        .collect();
    let rows: Vec<u32> = (0..3).collect();
    let b = aligned_bins(&times, &rows, 3 * H + 60_000, 5 * H + 1, 80);
    // 80 columns hold the span in 5-minute bins that start on the hour.
    assert_eq!(b.start % b.step, 0);
    assert_eq!(b.step_label(), "5 min");
    assert_eq!(b.counts.iter().sum::<u64>(), 3);
}

#[test]
fn mermaid_charts_parse_back_with_their_numbers() {
    for (s, pie) in [(risk(), true), (top_events(), false), (regions(), false)] {
        let md = format!(
            "{}\n{}",
            if pie {
                charts::mermaid_pie(&s)
            } else {
                charts::mermaid_bar(&s)
            },
            charts::table(&s)
        );
        let doc = parse(&md);
        assert_eq!(doc.code_blocks.len(), 1, "{md}");
        let (info, body) = &doc.code_blocks[0];
        assert_eq!(info, "mermaid");
        assert!(
            body.starts_with(if pie { "pie" } else { "xychart-beta" }),
            "{body}"
        );
        let table = &doc.tables[0];
        assert_eq!(table.len(), s.points.len() + 1, "one row per point");
        for ((k, v), row) in s.points.iter().zip(&table[1..]) {
            assert_eq!(&row[0], k);
            let shown = if s.percent {
                format!("{v:.1}%")
            } else {
                cttui::analysis::humanize::count(*v as u64)
            };
            assert_eq!(row[1], shown);
        }
        if pie {
            // Empty slices are left out of the pie but kept in the table.
            assert!(!body.contains("Medium"));
            assert!(body.contains("\"Critical\" : 40"));
        } else {
            let bar = body
                .lines()
                .find(|l| l.trim_start().starts_with("bar ["))
                .expect("a bar line");
            let values: Vec<f64> = bar
                .trim()
                .trim_start_matches("bar [")
                .trim_end_matches(']')
                .split(", ")
                .map(|v| v.parse().expect("a number"))
                .collect();
            let want: Vec<f64> = s
                .points
                .iter()
                .map(|(_, v)| (v * 10.0).round() / 10.0)
                .collect();
            assert_eq!(values, want);
        }
    }
}

#[test]
fn hostile_labels_stay_inside_their_chart() {
    let s = series(
        "evil",
        &[("a\"]\n```\n# pwned | x", 3.0), ("\u{1b}[2Jok", 1.0)],
        false,
    );
    let md = format!("{}\n{}", charts::mermaid_bar(&s), charts::table(&s));
    let doc = parse(&md);
    assert_eq!(
        doc.code_blocks.len(),
        1,
        "the fence is not closed early: {md}"
    );
    assert!(doc.headings.is_empty(), "no heading escapes: {md}");
    assert_eq!(doc.tables[0].len(), 3);
    assert!(!md.contains('\u{1b}'), "no raw control bytes");
    let axis = doc.code_blocks[0]
        .1
        .lines()
        .find(|l| l.contains("x-axis"))
        .expect("an axis")
        .to_owned();
    assert_eq!(axis.matches('"').count(), 4, "two quoted labels: {axis}");
}

#[test]
fn the_report_section_adds_up_on_a_small_log() {
    let (store, _) =
        cttui::ingest::load(&["tests/fixtures/tui".to_owned()], &LoadOptions::default())
            .expect("loads");
    let a = cttui::analysis::analyze(&store, &AnalysisOptions::default()).expect("analyses");
    let md = charts::section(&store, &a, 2);
    let doc = parse(&md);
    assert!(doc.heading("Charts"));
    assert_eq!(doc.headings.len(), 6, "{md}");
    let sum = |header: &str| -> usize {
        doc.table(&[header])
            .unwrap_or_else(|| panic!("a {header} table in {md}"))[1..]
            .iter()
            .map(|r| r[1].replace(',', "").parse::<usize>().expect("a count"))
            .sum()
    };
    let c = a.event_risk_counts;
    assert_eq!(sum("risk level"), c.critical + c.high + c.medium + c.low);
    let timed = store.times().iter().flatten().count();
    assert_eq!(sum("day"), timed);
    assert!(
        doc.code_blocks.iter().all(|(info, _)| info == "mermaid"),
        "{md}"
    );
}
