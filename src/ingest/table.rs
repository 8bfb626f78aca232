//! All batches to the event table, in one pass per column.
//!
//! The row order (time, then input order) and the repeated deliveries to drop are decided first on
//! the few columns they need; every column is then written once, directly in its final order: no
//! stacking, no sorted copy, no filtered copy. Delivered logs are nearly always time-ordered
//! already, so the sort is usually skipped. String columns share one copy of each distinct value
//! (views into a dictionary), which is most of the memory saved on real logs.
use polars::prelude::*;
use polars_arrow::array::{Utf8ViewArray, View};
use polars_arrow::bitmap::Bitmap;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::batch::{Batch, NULL_CODE, StrCol};
use crate::error::Result;
use crate::model::raw::RawStore;
use crate::model::schema::{self, STRING_COLUMNS, s};

/// Largest byte buffer behind a string column (views address buffers with 32-bit offsets).
const MAX_BUFFER: usize = 1 << 30;

/// Value bytes behind views: filled buffer by buffer.
#[derive(Default)]
struct Arena {
    done: Vec<Vec<u8>>,
    current: Vec<u8>,
}

impl Arena {
    fn view(&mut self, bytes: &[u8]) -> View {
        if bytes.len() <= View::MAX_INLINE_SIZE as usize {
            return View::new_inline(bytes);
        }
        if !self.current.is_empty() && self.current.len() + bytes.len() > MAX_BUFFER {
            self.done.push(std::mem::take(&mut self.current));
        }
        let offset = self.current.len() as u32;
        self.current.extend_from_slice(bytes);
        View::new_from_bytes(bytes, self.done.len() as u32, offset)
    }

    fn buffers(mut self) -> Vec<Vec<u8>> {
        if !self.current.is_empty() {
            self.done.push(self.current);
        }
        self.done
    }
}

/// A string column from views in final order (`None` = null) and the bytes they point into.
fn string_column(name: &str, views: Vec<Option<View>>, arena: Arena) -> Result<Column> {
    let validity = views
        .iter()
        .any(Option::is_none)
        .then(|| views.iter().map(Option::is_some).collect::<Bitmap>());
    let views: Vec<View> = views.into_iter().map(Option::unwrap_or_default).collect();
    let buffers = arena.buffers().into_iter().map(|b| b.into()).collect();
    let arr = Utf8ViewArray::try_new(ArrowDataType::Utf8View, views.into(), buffers, validity)?;
    Ok(StringChunked::with_chunk(name.into(), arr).into_column())
}

/// A dictionary column: each distinct value stored once, rows point at it.
fn dict_column(parts: Vec<StrCol>, col: usize, rows: &[u32], n: usize) -> Result<Column> {
    let mut global: FxHashMap<&str, u32> = FxHashMap::default();
    let mut arena = Arena::default();
    let mut dict_views: Vec<View> = Vec::new();
    // Every row's global code, in input order.
    let mut codes: Vec<u32> = Vec::with_capacity(n);
    for part in &parts {
        let StrCol::Dict(d) = part else {
            continue;
        };
        let remap: Vec<u32> = d
            .values()
            .into_iter()
            .map(|v| {
                *global.entry(v).or_insert_with(|| {
                    dict_views.push(arena.view(v.as_bytes()));
                    (dict_views.len() - 1) as u32
                })
            })
            .collect();
        codes.extend(d.codes.iter().map(|&c| {
            if c == NULL_CODE {
                NULL_CODE
            } else {
                remap[c as usize]
            }
        }));
    }
    drop(global);
    drop(parts);
    let views = rows
        .iter()
        .map(|&r| match codes[r as usize] {
            NULL_CODE => None,
            c => Some(dict_views[c as usize]),
        })
        .collect();
    string_column(STRING_COLUMNS[col], views, arena)
}

/// A plain column: values copied once, in input order, into the column's buffers.
fn plain_column(parts: Vec<StrCol>, col: usize, rows: &[u32], n: usize) -> Result<Column> {
    let mut arena = Arena::default();
    let mut input: Vec<Option<View>> = Vec::with_capacity(n);
    for part in parts {
        let StrCol::Plain(p) = part else {
            continue;
        };
        for i in 0..p.spans.len() {
            input.push(p.get(i).map(|v| arena.view(v)));
        }
    }
    let views = rows.iter().map(|&r| input[r as usize]).collect();
    string_column(STRING_COLUMNS[col], views, arena)
}

/// One flat vector of a per-row field over all batches, in input order.
fn flat<T: Copy>(batches: &[Batch], field: impl Fn(&Batch) -> &[T]) -> Vec<T> {
    let mut out = Vec::with_capacity(batches.iter().map(Batch::len).sum());
    for b in batches {
        out.extend_from_slice(field(b));
    }
    out
}

fn gather<T: Copy>(v: &[T], rows: &[u32]) -> Vec<T> {
    rows.iter().map(|&r| v[r as usize]).collect()
}

/// Input rows in time order (unparsed times last, ties in input order); `None` when the input is
/// in that order already.
fn time_order(times: &[Option<i64>], raw_ids: &[u32]) -> Option<Vec<u32>> {
    let key = |i: usize| (times[i].is_none(), times[i].unwrap_or(0), raw_ids[i]);
    let sorted = (1..times.len()).all(|i| key(i - 1) <= key(i));
    if sorted {
        return None;
    }
    let mut rows: Vec<u32> = (0..times.len() as u32).collect();
    // Keys are unique (raw ids are), so an unstable sort is deterministic.
    rows.par_sort_unstable_by_key(|&r| key(r as usize));
    Some(rows)
}

/// Drops repeated deliveries from `order`: a repeat has the same eventID, time and name as an
/// earlier row, and the same record text (whitespace aside). Test corpora reuse placeholder
/// eventIDs for different events, and those are kept. Repeats share a time, so only rows of equal
/// time are compared, and record texts only when the cheap key matches.
fn drop_repeats<'a>(
    order: Vec<u32>,
    times: &[Option<i64>],
    raw_ids: &[u32],
    ids: &dyn Fn(usize) -> Option<&'a [u8]>,
    names: &[u32],
    raw: &RawStore,
) -> (Vec<u32>, usize) {
    let mut kept: Vec<u32> = Vec::with_capacity(order.len());
    let mut dropped = 0;
    let mut group: FxHashMap<(&'a [u8], u32), Vec<u32>> = FxHashMap::default();
    let mut start = 0;
    while start < order.len() {
        let t = times[order[start] as usize];
        let mut end = start + 1;
        while end < order.len() && times[order[end] as usize] == t {
            end += 1;
        }
        if end - start == 1 {
            kept.push(order[start]);
        } else {
            group.clear();
            for &r in &order[start..end] {
                let r_us = r as usize;
                let Some(id) = ids(r_us) else {
                    kept.push(r);
                    continue;
                };
                let rid = raw_ids[r_us];
                let same = group.entry((id, names[r_us])).or_default();
                let repeat = !same.is_empty() && {
                    let text = raw.compact(rid);
                    same.iter().any(|&other| raw.compact(other) == text)
                };
                if repeat {
                    dropped += 1;
                } else {
                    same.push(rid);
                    kept.push(r);
                }
            }
        }
        start = end;
    }
    (kept, dropped)
}

/// Global dictionary codes of one dictionary column, in input order (for keys, not output).
fn dict_codes(parts: &[StrCol], n: usize) -> Vec<u32> {
    let mut global: FxHashMap<&str, u32> = FxHashMap::default();
    let mut codes = Vec::with_capacity(n);
    for part in parts {
        let StrCol::Dict(d) = part else {
            continue;
        };
        let remap: Vec<u32> = d
            .values()
            .into_iter()
            .map(|v| {
                let next = global.len() as u32;
                *global.entry(v).or_insert(next)
            })
            .collect();
        codes.extend(d.codes.iter().map(|&c| {
            if c == NULL_CODE {
                NULL_CODE
            } else {
                remap[c as usize]
            }
        }));
    }
    codes
}

/// The event table from all batches, and how many repeated deliveries were dropped.
/// `mark` receives phase names for timings.
pub fn build(
    batches: Vec<Batch>,
    raw: &RawStore,
    mark: &dyn Fn(&str),
) -> Result<(DataFrame, usize)> {
    let mut batches: Vec<Batch> = batches.into_iter().filter(|b| !b.is_empty()).collect();
    let total: usize = batches.iter().map(Batch::len).sum();
    // Columns by column, so each one's batch data is freed as soon as it is built.
    let mut by_column: Vec<Vec<StrCol>> = (0..STRING_COLUMNS.len())
        .map(|_| Vec::with_capacity(batches.len()))
        .collect();
    for b in &mut batches {
        for (c, part) in std::mem::take(&mut b.strings).into_iter().enumerate() {
            by_column[c].push(part);
        }
    }
    let times = flat(&batches, |b| &b.time);
    let raw_ids = flat(&batches, |b| &b.raw_id);
    let order = time_order(&times, &raw_ids).unwrap_or_else(|| (0..total as u32).collect());
    mark("sort");
    let (rows, duplicates) = {
        let names = dict_codes(&by_column[s::EVENT_NAME], total);
        // (part, row in part) of every input row, for eventID lookups.
        let id_parts = &by_column[s::EVENT_ID];
        let mut loc: Vec<(u32, u32)> = Vec::with_capacity(total);
        for (pi, part) in id_parts.iter().enumerate() {
            if let StrCol::Plain(p) = part {
                loc.extend((0..p.spans.len() as u32).map(|i| (pi as u32, i)));
            }
        }
        let ids = |r: usize| -> Option<&[u8]> {
            let (pi, i) = loc[r];
            match &id_parts[pi as usize] {
                StrCol::Plain(p) => p.get(i as usize),
                StrCol::Dict(_) => None,
            }
        };
        drop_repeats(order, &times, &raw_ids, &ids, &names, raw)
    };
    mark("duplicates");
    let n = rows.len();
    let strings: Vec<Column> = by_column
        .into_par_iter()
        .enumerate()
        .map(|(c, parts)| {
            if super::batch::is_plain(c) {
                plain_column(parts, c, &rows, total)
            } else {
                dict_column(parts, c, &rows, total)
            }
        })
        .collect::<Result<_>>()?;
    let mut cols: Vec<Column> = Vec::with_capacity(STRING_COLUMNS.len() + 10);
    cols.push(
        Int64Chunked::from_iter_options(
            schema::EVENT_TIME.into(),
            rows.iter().map(|&r| times[r as usize]),
        )
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_column(),
    );
    cols.extend(strings);
    for (name, v) in [
        (schema::READ_ONLY, flat(&batches, |b| &b.read_only)),
        (schema::MANAGEMENT_EVENT, flat(&batches, |b| &b.management)),
        (schema::MFA_AUTHENTICATED, flat(&batches, |b| &b.mfa)),
    ] {
        cols.push(
            BooleanChunked::from_iter_options(name.into(), gather(&v, &rows).into_iter())
                .into_column(),
        );
    }
    cols.push(
        BooleanChunked::from_slice(
            schema::OUTSIDE_AWS.into(),
            &gather(&flat(&batches, |b| &b.outside), &rows),
        )
        .into_column(),
    );
    let net = gather(&flat(&batches, |b| &b.net), &rows);
    cols.push(
        StringChunked::from_iter_values(schema::NET_CLASS.into(), net.iter().map(|c| c.label()))
            .into_column(),
    );
    for (name, v) in [
        (schema::BYTES_OUT, flat(&batches, |b| &b.bytes_out)),
        (schema::BYTES_IN, flat(&batches, |b| &b.bytes_in)),
    ] {
        cols.push(
            Int64Chunked::from_iter_options(name.into(), gather(&v, &rows).into_iter())
                .into_column(),
        );
    }
    cols.push(
        UInt32Chunked::from_vec(schema::RAW_ID.into(), gather(&raw_ids, &rows)).into_column(),
    );
    let mut file_ids: Vec<u32> = Vec::with_capacity(times.len());
    for b in &batches {
        file_ids.extend(std::iter::repeat_n(b.file_id, b.len()));
    }
    cols.push(
        UInt32Chunked::from_vec(schema::FILE_ID.into(), gather(&file_ids, &rows)).into_column(),
    );
    cols.push(
        UInt32Chunked::from_vec(schema::ROW_ID.into(), (0..n as u32).collect()).into_column(),
    );
    let df = DataFrame::new(n, cols)?;
    mark("columns");
    Ok((df, duplicates))
}
