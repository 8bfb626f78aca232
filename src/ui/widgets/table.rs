//! A virtual table: the caller hands over only the visible rows, already as text. Column widths
//! come from natural widths measured once per view, fitted to the screen by priority.
use std::cell::Cell;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::text::{cut, width};

#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub title: &'static str,
    pub min: u16,
    pub max: u16,
    /// The width a column grows to before less important columns get room.
    pub comfy: u16,
    /// Lower is kept first when the screen is narrow.
    pub priority: u8,
    pub right: bool,
}

impl ColumnSpec {
    /// A left-aligned column.
    pub const fn new(title: &'static str, min: u16, max: u16, priority: u8) -> ColumnSpec {
        ColumnSpec {
            title,
            min,
            max,
            comfy: min,
            priority,
            right: false,
        }
    }

    /// The same column, right-aligned (numbers).
    pub const fn right(self) -> ColumnSpec {
        ColumnSpec {
            right: true,
            ..self
        }
    }

    /// The same column, growing to `comfy` before lower priorities are admitted.
    pub const fn comfy(self, comfy: u16) -> ColumnSpec {
        ColumnSpec { comfy, ..self }
    }
}

/// Widths for a screen `total` columns wide (one space between columns); `None` hides a column.
///
/// Columns with a natural width of 0 (no values) are hidden. Priority levels are taken in turn:
/// a level's columns are admitted at their minimum width if it fits, then grow towards their
/// comfortable width (never past their natural width) before the next level is considered.
/// Room left at the end grows columns towards their natural width, level by level, and the
/// column allowed to be widest takes the rest. Columns of one level take turns a cell at a time.
pub fn fit_columns(specs: &[ColumnSpec], natural: &[u16], total: u16) -> Vec<Option<u16>> {
    let mut levels: Vec<u8> = specs.iter().map(|s| s.priority).collect();
    levels.sort_unstable();
    levels.dedup();
    let want = |i: usize| {
        natural
            .get(i)
            .copied()
            .unwrap_or(0)
            .clamp(specs[i].min, specs[i].max)
    };
    let mut widths: Vec<Option<u16>> = vec![None; specs.len()];
    let mut used: u16 = 0;
    // Grows `members` a cell at a time up to `target(i)` while room is left.
    let grow = |widths: &mut Vec<Option<u16>>,
                used: &mut u16,
                members: &[usize],
                target: &dyn Fn(usize) -> u16| loop {
        let mut grew = false;
        for &i in members {
            if *used >= total {
                return;
            }
            if let Some(w) = widths[i].as_mut()
                && *w < target(i)
            {
                *w += 1;
                *used += 1;
                grew = true;
            }
        }
        if !grew {
            return;
        }
    };
    let members = |widths: &[Option<u16>], level: u8| -> Vec<usize> {
        (0..specs.len())
            .filter(|&i| specs[i].priority == level && widths[i].is_some())
            .collect()
    };
    for &level in &levels {
        for i in (0..specs.len()).filter(|&i| specs[i].priority == level) {
            if natural.get(i) == Some(&0) {
                continue;
            }
            let need = specs[i].min + u16::from(used > 0);
            if used + need <= total {
                widths[i] = Some(specs[i].min);
                used += need;
            }
        }
        let m = members(&widths, level);
        grow(&mut widths, &mut used, &m, &|i| {
            want(i).min(specs[i].comfy.max(specs[i].min))
        });
    }
    for &level in &levels {
        let m = members(&widths, level);
        grow(&mut widths, &mut used, &m, &want);
    }
    let spare = total.saturating_sub(used);
    let flex = (0..specs.len())
        .filter(|&i| widths[i].is_some())
        .max_by_key(|&i| (specs[i].max, std::cmp::Reverse(i)));
    if let Some(w) = flex.and_then(|i| widths[i].as_mut()) {
        *w += spare;
    }
    widths
}

/// Scroll position of a list: the selected index and the first visible row. The offset is a
/// viewport metric the renderer keeps, so scrolling only moves the window when the selection
/// leaves it.
#[derive(Debug, Default, Clone)]
pub struct ListNav {
    pub selected: usize,
    pub offset: Cell<usize>,
}

impl ListNav {
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    pub fn move_by(&mut self, delta: isize, len: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let s = self.selected as isize + delta;
        self.selected = s.clamp(0, len as isize - 1) as usize;
    }

    pub fn select(&mut self, idx: usize, len: usize) {
        self.selected = idx;
        self.clamp(len);
    }

    /// The first visible row for a window of `height` rows, keeping the selection in view.
    pub fn window(&self, height: usize, len: usize) -> usize {
        let height = height.max(1);
        let mut off = self.offset.get();
        if self.selected < off {
            off = self.selected;
        } else if self.selected >= off + height {
            off = self.selected + 1 - height;
        }
        let off = off.min(len.saturating_sub(height));
        self.offset.set(off);
        off
    }
}

/// Draws the header row.
pub fn draw_header(
    buf: &mut Buffer,
    area: Rect,
    specs: &[ColumnSpec],
    widths: &[Option<u16>],
    style: Style,
) {
    buf.set_style(Rect { height: 1, ..area }, style);
    let cells: Vec<(String, Style)> = specs.iter().map(|s| (s.title.to_owned(), style)).collect();
    draw_cells(buf, area.x, area.y, area.width, specs, widths, &cells);
}

/// Draws one row of cells (already sanitised) in the given widths.
pub fn draw_cells(
    buf: &mut Buffer,
    x0: u16,
    y: u16,
    total: u16,
    specs: &[ColumnSpec],
    widths: &[Option<u16>],
    cells: &[(String, Style)],
) {
    let mut x = x0;
    let end = x0 + total;
    for ((spec, w), (text, style)) in specs.iter().zip(widths).zip(cells) {
        let Some(w) = *w else { continue };
        if x >= end {
            break;
        }
        let w = w.min(end - x);
        let shown = cut(text, w as usize);
        let pad = w as usize - width(&shown).min(w as usize);
        let at = if spec.right { x + pad as u16 } else { x };
        buf.set_stringn(at, y, &shown, w as usize, *style);
        x += w + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(min: u16, max: u16, priority: u8) -> ColumnSpec {
        ColumnSpec::new("x", min, max, priority)
    }

    #[test]
    fn narrow_screens_drop_low_priority_columns() {
        let specs = [spec(10, 20, 0), spec(10, 20, 2), spec(10, 20, 1)];
        let w = fit_columns(&specs, &[15, 15, 15], 25);
        assert_eq!(w, vec![Some(14), None, Some(10)]);
        let w = fit_columns(&specs, &[15, 15, 0], 25);
        assert_eq!(w, vec![Some(14), Some(10), None]);
        let w = fit_columns(&specs, &[15, 15, 15], 80);
        assert_eq!(w.iter().flatten().map(|w| w + 1).sum::<u16>() - 1, 80);
        assert_eq!(w, vec![Some(48), Some(15), Some(15)]);
    }

    #[test]
    fn comfortable_widths_come_before_less_important_columns() {
        let a = spec(5, 30, 0);
        let b = spec(10, 10, 1);
        assert_eq!(
            fit_columns(&[a, b], &[25, 10], 25),
            vec![Some(14), Some(10)]
        );
        assert_eq!(
            fit_columns(&[a.comfy(20), b], &[25, 10], 25),
            vec![Some(25), None]
        );
        // Comfort never goes past the natural width.
        assert_eq!(
            fit_columns(&[a.comfy(20), b], &[8, 10], 25),
            vec![Some(14), Some(10)]
        );
    }

    #[test]
    fn window_follows_the_selection() {
        let mut nav = ListNav::default();
        nav.select(30, 100);
        assert_eq!(nav.window(10, 100), 21);
        nav.select(25, 100);
        assert_eq!(nav.window(10, 100), 21);
        nav.select(5, 100);
        assert_eq!(nav.window(10, 100), 5);
        nav.select(99, 100);
        assert_eq!(nav.window(10, 100), 90);
    }
}
