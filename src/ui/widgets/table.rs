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
}

/// Widths for a screen `total` columns wide (one space between columns); `None` hides a column.
/// Columns with a natural width of 0 (no values) are hidden. The others are admitted by priority
/// while their minimum widths fit, then grow towards their natural width by priority, and the
/// column allowed to be widest takes what is left.
pub fn fit_columns(specs: &[ColumnSpec], natural: &[u16], total: u16) -> Vec<Option<u16>> {
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| (specs[i].priority, i));
    let mut shown = vec![false; specs.len()];
    let mut used: u16 = 0;
    for &i in &order {
        if natural.get(i) == Some(&0) {
            continue;
        }
        let sep = u16::from(used > 0);
        let need = specs[i].min + sep;
        if used + need <= total {
            shown[i] = true;
            used += need;
        }
    }
    let mut widths: Vec<Option<u16>> = specs
        .iter()
        .zip(&shown)
        .map(|(s, &on)| on.then_some(s.min))
        .collect();
    let mut spare = total.saturating_sub(used);
    let want = |i: usize| {
        natural
            .get(i)
            .copied()
            .unwrap_or(0)
            .clamp(specs[i].min, specs[i].max)
    };
    // Growth by priority level; columns of one level take turns a cell at a time, so two
    // equally important columns share the room.
    let mut levels: Vec<u8> = specs.iter().map(|s| s.priority).collect();
    levels.sort_unstable();
    levels.dedup();
    for level in levels {
        let members: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| specs[i].priority == level && widths[i].is_some())
            .collect();
        loop {
            let mut grew = false;
            for &i in &members {
                if spare == 0 {
                    break;
                }
                if let Some(w) = widths[i].as_mut()
                    && *w < want(i)
                {
                    *w += 1;
                    spare -= 1;
                    grew = true;
                }
            }
            if !grew || spare == 0 {
                break;
            }
        }
    }
    // What is left goes to the widest-allowed visible column (bucket/key, names).
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
        ColumnSpec {
            title: "x",
            min,
            max,
            priority,
            right: false,
        }
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
