//! Events over time. Views hold row ids in store order, and the store is sorted by time (events
//! without a time last), so counting a bin is two binary searches: a histogram of any view at any
//! width costs O(width · log n) and needs no cache.
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::text::{time, time_minutes, width};

/// Index of the first row in `rows` whose time is at or after `t` (rows without a time sort last).
pub fn first_at_or_after(times: &[Option<i64>], rows: &[u32], t: i64) -> usize {
    rows.partition_point(|&r| {
        times
            .get(r as usize)
            .copied()
            .flatten()
            .is_some_and(|x| x < t)
    })
}

/// First and last time among `rows`.
pub fn span(times: &[Option<i64>], rows: &[u32]) -> Option<(i64, i64)> {
    let first = rows
        .first()
        .and_then(|&r| times.get(r as usize).copied().flatten())?;
    let last = rows
        .iter()
        .rev()
        .find_map(|&r| times.get(r as usize).copied().flatten())?;
    Some((first, last))
}

/// Counts of `rows` in `n` equal bins over `[start, end]`.
pub fn bins(times: &[Option<i64>], rows: &[u32], start: i64, end: i64, n: usize) -> Vec<u64> {
    if n == 0 {
        return Vec::new();
    }
    let len = (end - start).max(0) as i128 + 1;
    let bound = |i: usize| start + (len * i as i128 / n as i128) as i64;
    let mut out = Vec::with_capacity(n);
    let mut lo = first_at_or_after(times, rows, start);
    for i in 1..=n {
        let hi = first_at_or_after(times, rows, bound(i));
        out.push((hi - lo) as u64);
        lo = hi;
    }
    out
}

const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Bars filling `area` bottom-up, eight levels per cell; any non-empty bin shows at least one level.
pub fn draw_bars(buf: &mut Buffer, area: Rect, counts: &[u64], style: Style) {
    let max = counts.iter().copied().max().unwrap_or(0);
    if max == 0 || area.height == 0 {
        return;
    }
    let levels = u64::from(area.height) * 8;
    for (i, &c) in counts.iter().enumerate().take(area.width as usize) {
        let mut h = if c == 0 {
            0
        } else {
            (c * levels).div_ceil(max).max(1)
        };
        for row in (0..area.height).rev() {
            let step = h.min(8);
            h -= step;
            if step > 0 {
                buf.set_string(
                    area.x + i as u16,
                    area.y + row,
                    LEVELS[step as usize].to_string(),
                    style,
                );
            }
        }
    }
}

/// The column of `area` that time `t` falls in.
fn column_of(area: Rect, start: i64, end: i64, t: i64) -> u16 {
    let w = i128::from(area.width.max(1));
    let len = i128::from((end - start).max(0)) + 1;
    let col = (i128::from((t - start).max(0)) * w / len).clamp(0, w - 1);
    area.x + col as u16
}

/// A vertical cursor through the bars at time `t` (the selected event).
pub fn draw_cursor(buf: &mut Buffer, area: Rect, start: i64, end: i64, t: i64, style: Style) {
    if area.width == 0 {
        return;
    }
    let x = column_of(area, start, end, t);
    for y in area.y..area.y + area.height {
        if let Some(cell) = buf.cell_mut((x, y)) {
            if cell.symbol() == " " {
                cell.set_symbol("│");
            }
            cell.set_style(style);
        }
    }
}

/// The time axis under the bars, with start and end labels.
pub fn draw_axis(buf: &mut Buffer, area: Rect, start: i64, end: i64, line: Style) {
    if area.width == 0 {
        return;
    }
    let w = area.width as usize;
    buf.set_string(area.x, area.y, "─".repeat(w), line);
    // Seconds matter on short spans.
    let label = if end - start < 3_600_000 {
        time
    } else {
        time_minutes
    };
    let a = label(start);
    let b = label(end);
    if width(&a) + width(&b) + 2 <= w {
        buf.set_string(area.x, area.y, &a, line);
        buf.set_string(area.x + (w - width(&b)) as u16, area.y, &b, line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_count_every_timed_row_once() {
        let times = vec![Some(0), Some(5), Some(5), Some(9), Some(10), None];
        let rows: Vec<u32> = (0..6).collect();
        let b = bins(&times, &rows, 0, 10, 2);
        assert_eq!(b, vec![1, 4]);
        assert_eq!(b.iter().sum::<u64>(), 5);
        assert_eq!(span(&times, &rows), Some((0, 10)));
        assert_eq!(first_at_or_after(&times, &rows, 6), 3);
        assert_eq!(first_at_or_after(&times, &rows, 11), 5);
        let sub = [1u32, 3];
        assert_eq!(bins(&times, &sub, 0, 10, 3), vec![0, 1, 1]);
    }
}
