//! Charts of the investigation's series (`export::charts`, the numbers the reports print) drawn
//! with ratatui's `BarChart` and `Sparkline`: labelled horizontal bars, and activity sparklines.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Bar, BarChart, Sparkline, Widget};

use super::text::{clean, cut, width};
use crate::export::charts::Series;
use crate::ui::theme::Theme;

/// The series as horizontal bars under its title: label, bar, value. `style_of` colours a bar by
/// its label (risk levels); other charts use the theme's bar colour. Returns the rows used.
pub fn draw_bars(
    buf: &mut Buffer,
    area: Rect,
    s: &Series,
    t: Theme,
    style_of: &dyn Fn(&str) -> Style,
) -> u16 {
    if area.height < 2 || area.width < 12 {
        return 0;
    }
    buf.set_stringn(
        area.x,
        area.y,
        cut(&s.title, area.width as usize),
        area.width as usize,
        t.title(),
    );
    let rows = (area.height - 1) as usize;
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 1);
    if s.points.is_empty() || s.is_empty() {
        buf.set_stringn(body.x, body.y, "  no data", body.width as usize, t.dim());
        return 2;
    }
    let label_w = (area.width as usize / 3).clamp(4, 24);
    let bars: Vec<Bar> = s
        .points
        .iter()
        .take(rows)
        .map(|(k, v)| {
            let label = cut(&clean(k), label_w).into_owned();
            let shown = if s.percent {
                format!("{v:.1}%")
            } else {
                crate::analysis::humanize::count(*v as u64)
            };
            // Percentages keep one decimal in the bar's length too.
            let value = if s.percent {
                (v * 10.0).round() as u64
            } else {
                *v as u64
            };
            Bar::default()
                .label(Line::from(label))
                .value(value)
                .text_value(shown)
                .style(style_of(k))
        })
        .collect();
    let n = bars.len() as u16;
    let mut chart = BarChart::horizontal(bars)
        .bar_width(1)
        .bar_gap(0)
        .bar_style(t.bar())
        .value_style(t.base())
        .label_style(t.base());
    if s.percent {
        chart = chart.max(1000);
    }
    chart.render(Rect { height: n, ..body }, buf);
    n + 1
}

/// Activity over time as a sparkline (one cell per bin).
pub fn draw_activity(buf: &mut Buffer, area: Rect, counts: &[u64], style: Style) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    Sparkline::default()
        .data(counts)
        .style(style)
        .render(area, buf);
}

/// The width a value column needs for `s`'s labels (for layouts that put charts side by side).
pub fn label_width(s: &Series) -> usize {
    s.points.iter().map(|(k, _)| width(k)).max().unwrap_or(0)
}

/// Activity as a one-line text sparkline (eight levels a cell; any activity shows at least the
/// lowest), for a column of a table.
pub fn spark(counts: &[u64]) -> String {
    const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = counts.iter().copied().max().unwrap_or(0);
    counts
        .iter()
        .map(|&c| {
            if c == 0 || max == 0 {
                ' '
            } else {
                LEVELS[((c * 8).div_ceil(max)).clamp(1, 8) as usize]
            }
        })
        .collect()
}

/// A risk level's bar colour, by the label `export::charts::risk_levels` gives it, so the chart
/// reads like the timeline's rows.
pub fn risk_label_style(t: Theme, label: &str) -> Style {
    use crate::analysis::Level;
    let level = match label {
        "Critical" => Level::Critical,
        "High" => Level::High,
        "Medium" => Level::Medium,
        _ => Level::Low,
    };
    t.level_bar(level)
}
