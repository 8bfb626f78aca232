//! Background work. Worker threads move finished results to the UI over one channel (no shared
//! locks on the model). Filters go through a coalescing runner: one filter runs, at most one waits,
//! and a newer request replaces the waiting one, so typing never queues stale work.
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use super::investigation::Investigation;
use super::view::View;
use crate::error::Result;
use crate::model::query::Query;

/// A finished piece of background work.
pub enum JobResult {
    Loaded(Box<Result<Investigation>>),
    Filtered {
        generation: u64,
        result: std::result::Result<View, String>,
    },
    Exported(std::result::Result<ExportDone, String>),
    Copied(std::result::Result<CopyDone, String>),
    /// The behaviour analysis over the loaded store.
    Analyzed(Box<std::result::Result<crate::ui::app::analysis_flow::AnalysisDone, String>>),
    /// Triage answers and queries for the pins of `generation` (newer pins make older ones stale).
    Cased {
        generation: u64,
        result: std::result::Result<Box<crate::ui::app::casework::CaseResult>, String>,
    },
    /// A report written (or the error).
    Reported(std::result::Result<ExportDone, String>),
}

#[derive(Debug, Clone)]
pub struct ExportDone {
    pub path: std::path::PathBuf,
    pub events: usize,
    pub bytes: usize,
}

#[derive(Debug, Clone)]
pub struct CopyDone {
    pub markdown: String,
    pub events: usize,
}

/// Runs `f`, turning a panic into an error message (a library bug must not hang or kill the UI).
fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown cause".to_owned());
        format!("internal error: {msg}")
    })
}

/// One filter to run: `query` (typed, or built as a value by a pivot) over the rows of `within`
/// (all events when `None`).
pub struct FilterRequest {
    pub generation: u64,
    pub inv: Arc<Investigation>,
    pub query: Query,
    pub within: Option<Arc<Vec<u32>>>,
}

/// Runs a filter with the query code `cttui events --filter` uses and measures the new view.
///
/// A filter stacked on a large view runs over the whole store and is intersected with the view:
/// `Query::rows(.., within)` first copies every column of the rows it is given, which for a
/// large view costs more than scanning the few columns the query reads. The rows are the same.
pub fn run_filter(inv: &Investigation, query: &str, within: Option<&[u32]>) -> Result<View> {
    run_query(inv, &Query::parse(query)?, within)
}

/// [`run_filter`] for a query already parsed or built; the view's breadcrumb is its text.
pub fn run_query(inv: &Investigation, q: &Query, within: Option<&[u32]>) -> Result<View> {
    let rows = match within {
        Some(w) if w.len() * 8 >= inv.len() => intersect(&q.rows(&inv.store, None)?, w),
        other => q.rows(&inv.store, other)?,
    };
    let mut view = View::filtered(inv, q.text().to_owned(), rows);
    view.filter = Some(q.filter().clone());
    Ok(view)
}

/// Row ids in both ascending lists.
fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

#[derive(Default)]
struct Slot {
    queued: Option<FilterRequest>,
    closed: bool,
}

/// The coalescing single-job runner for filters.
pub struct FilterRunner {
    shared: Arc<(Mutex<Slot>, Condvar)>,
}

impl FilterRunner {
    fn start(tx: Sender<JobResult>) -> FilterRunner {
        let shared = Arc::new((Mutex::new(Slot::default()), Condvar::new()));
        let worker = Arc::clone(&shared);
        thread::Builder::new()
            .name("cttui-filter".to_owned())
            .spawn(move || filter_worker(&worker, &tx))
            .ok();
        FilterRunner { shared }
    }

    /// Queues a request, replacing one that has not started yet.
    pub fn submit(&self, req: FilterRequest) {
        let (lock, cv) = &*self.shared;
        if let Ok(mut slot) = lock.lock() {
            slot.queued = Some(req);
            cv.notify_one();
        }
    }
}

impl Drop for FilterRunner {
    fn drop(&mut self) {
        let (lock, cv) = &*self.shared;
        if let Ok(mut slot) = lock.lock() {
            slot.closed = true;
            slot.queued = None;
            cv.notify_one();
        }
    }
}

fn filter_worker(shared: &(Mutex<Slot>, Condvar), tx: &Sender<JobResult>) {
    let (lock, cv) = shared;
    loop {
        let req = {
            let Ok(mut slot) = lock.lock() else { return };
            while slot.queued.is_none() && !slot.closed {
                slot = match cv.wait(slot) {
                    Ok(s) => s,
                    Err(_) => return,
                };
            }
            if slot.closed {
                return;
            }
            slot.queued.take()
        };
        let Some(req) = req else { continue };
        let result = guarded(|| {
            run_query(
                &req.inv,
                &req.query,
                req.within.as_ref().map(|w| w.as_slice()),
            )
            .map_err(|e| e.to_string())
        })
        .and_then(|r| r);
        let msg = JobResult::Filtered {
            generation: req.generation,
            result,
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
}

/// The UI's end of background work.
pub struct Jobs {
    tx: Sender<JobResult>,
    rx: Receiver<JobResult>,
    filter: Option<FilterRunner>,
}

impl Default for Jobs {
    fn default() -> Self {
        Jobs::new()
    }
}

impl Jobs {
    pub fn new() -> Jobs {
        let (tx, rx) = mpsc::channel();
        Jobs {
            tx,
            rx,
            filter: None,
        }
    }

    /// Runs `work` on its own thread and delivers its result; if the work panics, `failed`
    /// turns the panic message into the result instead, so the UI never waits forever.
    pub fn spawn(
        &self,
        name: &str,
        work: impl FnOnce() -> JobResult + Send + 'static,
        failed: fn(String) -> JobResult,
    ) -> std::io::Result<()> {
        let tx = self.tx.clone();
        thread::Builder::new()
            .name(format!("cttui-{name}"))
            .spawn(move || {
                let _ = tx.send(guarded(work).unwrap_or_else(failed));
            })
            .map(|_| ())
    }

    pub fn submit_filter(&mut self, req: FilterRequest) {
        let tx = self.tx.clone();
        self.filter
            .get_or_insert_with(|| FilterRunner::start(tx))
            .submit(req);
    }

    pub fn try_recv(&self) -> Option<JobResult> {
        self.rx.try_recv().ok()
    }

    /// Waits up to `timeout` for a result.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<JobResult> {
        self.rx.recv_timeout(timeout).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::intersect;

    #[test]
    fn a_panicking_job_reports_instead_of_hanging() {
        let jobs = super::Jobs::new();
        jobs.spawn(
            "test",
            || panic!("boom"),
            |e| super::JobResult::Copied(Err(e)),
        )
        .expect("spawns");
        match jobs.recv_timeout(std::time::Duration::from_secs(10)) {
            Some(super::JobResult::Copied(Err(e))) => assert_eq!(e, "internal error: boom"),
            _ => panic!("expected the failure as a result"),
        }
    }

    #[test]
    fn intersects_sorted_rows() {
        assert_eq!(intersect(&[1, 3, 5, 7, 9], &[0, 3, 4, 9, 10]), vec![3, 9]);
        assert!(intersect(&[], &[1]).is_empty());
    }
}
