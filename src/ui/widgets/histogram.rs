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

/// Bin lengths a histogram may use, so bins start on round times (never "3h 35m").
const STEPS: [i64; 17] = [
    1_000,
    5_000,
    15_000,
    30_000,
    60_000,
    300_000,
    900_000,
    1_800_000,
    3_600_000,
    3 * 3_600_000,
    6 * 3_600_000,
    12 * 3_600_000,
    86_400_000,
    2 * 86_400_000,
    7 * 86_400_000,
    14 * 86_400_000,
    28 * 86_400_000,
];

/// Counts in bins aligned to round times (minutes, hours, days).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aligned {
    /// Start of the first bin (a multiple of `step` since the epoch).
    pub start: i64,
    pub step: i64,
    pub counts: Vec<u64>,
}

impl Aligned {
    /// The last millisecond of the last bin.
    pub fn end(&self) -> i64 {
        self.start + self.step * self.counts.len() as i64 - 1
    }

    /// The counts spread over `w` columns (each bin as wide as the columns allow).
    pub fn spread(&self, w: usize) -> Vec<u64> {
        let n = self.counts.len();
        if n == 0 || w == 0 {
            return Vec::new();
        }
        (0..w)
            .map(|c| self.counts[(c * n / w).min(n - 1)])
            .collect()
    }

    /// "1 h", "15 min", "1 d": the analysis' window format.
    pub fn step_label(&self) -> String {
        crate::analysis::humanize::duration(self.step / 1000)
    }
}

/// The smallest round bin length that puts `[start, end]` in at most `max` bins, and the counts.
pub fn aligned_bins(
    times: &[Option<i64>],
    rows: &[u32],
    start: i64,
    end: i64,
    max: usize,
) -> Aligned {
    let max = max.max(1) as i64;
    let step = STEPS
        .iter()
        .copied()
        .find(|&st| end.div_euclid(st) - start.div_euclid(st) < max)
        .unwrap_or(STEPS[STEPS.len() - 1]);
    let first = start.div_euclid(step) * step;
    let n = (end.div_euclid(step) - start.div_euclid(step) + 1) as usize;
    let mut counts = Vec::with_capacity(n);
    let mut lo = first_at_or_after(times, rows, first);
    for i in 1..=n {
        let hi = first_at_or_after(times, rows, first + step * i as i64);
        counts.push((hi - lo) as u64);
        lo = hi;
    }
    Aligned {
        start: first,
        step,
        counts,
    }
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
    fn aligned_bins_start_on_round_times() {
        const H: i64 = 3_600_000;
        // 10:20 .. 13:50 in at most 4 bins: 1 h bins from 10:00 (8 would take 30 min bins).
        let times: Vec<Option<i64>> = [10 * H + 1_200_000, 11 * H, 11 * H + 5, 13 * H + 3_000_000]
            .into_iter()
            .map(Some)
            .collect();
        let rows: Vec<u32> = (0..4).collect();
        let b = aligned_bins(&times, &rows, 10 * H + 1_200_000, 13 * H + 3_000_000, 4);
        assert_eq!(b.step, H);
        assert_eq!(b.start, 10 * H);
        assert_eq!(b.counts, vec![1, 2, 0, 1]);
        assert_eq!(b.step_label(), "1 h");
        assert_eq!(b.end(), 14 * H - 1);
        // Fewer columns: 3 h bins, still on the hour.
        let b = aligned_bins(&times, &rows, 10 * H + 1_200_000, 13 * H + 3_000_000, 2);
        assert_eq!((b.start, b.step), (9 * H, 3 * H));
        assert_eq!(b.counts, vec![3, 1]);
        assert_eq!(b.spread(4), vec![3, 3, 1, 1]);
    }

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
