//! Background work through one runner with a lane per kind of job. Each lane runs one job at a
//! time on its own thread; what waits behind it depends on the kind: for most kinds only the
//! newest request matters (a filter being typed, the triage for the latest pins, the session's
//! latest state), so a newer request replaces the waiting one and stale work never queues. An
//! export or a report is the analyst's own request for a file, so those wait in turn instead.
//! Results come back to the UI over one channel with the caller's generation, so the app can
//! drop results that newer requests made stale (no shared locks on the model).
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use strum::{EnumCount, EnumIter, IntoStaticStr};

use super::loaded_log::LoadedLog;
use super::view::View;
use crate::error::Result;
use crate::model::query::Query;

/// The kinds of background work; each has its own lane in the runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumCount, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum JobKind {
    Load,
    Filter,
    Analysis,
    Triage,
    SaveSession,
    Export,
    Copy,
    Report,
}

/// What happens to a request that arrives while one of its kind runs and another waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coalesce {
    /// It replaces the waiting request (only the newest state matters).
    Latest,
    /// It waits behind the others (each request is a file the analyst asked for).
    Queue,
}

impl JobKind {
    pub fn coalesce(self) -> Coalesce {
        match self {
            JobKind::Export | JobKind::Report => Coalesce::Queue,
            JobKind::Load
            | JobKind::Filter
            | JobKind::Analysis
            | JobKind::Triage
            | JobKind::SaveSession
            | JobKind::Copy => Coalesce::Latest,
        }
    }

    fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        self.into()
    }
}

/// A finished piece of background work.
pub enum JobResult {
    Loaded(Box<Loaded>),
    Filtered(std::result::Result<View, String>),
    Exported(std::result::Result<ExportDone, String>),
    Copied(std::result::Result<CopyDone, String>),
    /// The behaviour analysis over the loaded store.
    Analyzed(Box<std::result::Result<crate::ui::app::analysis_flow::AnalysisDone, String>>),
    /// Triage answers and queries for the pins the request was made with.
    Cased(std::result::Result<Box<crate::ui::app::casework::CaseResult>, String>),
    /// The session file written (or why not).
    Saved(std::result::Result<(), String>),
    /// A report written (or the error).
    Reported(std::result::Result<ExportDone, String>),
}

/// The loaded logs and, unless the input was stdin only, the session file found for them.
pub struct Loaded {
    pub investigation: Result<LoadedLog>,
    pub session: Option<(std::path::PathBuf, crate::playbook::session::Loaded)>,
}

/// A result from the runner: the kind and generation of its request, and the job's result, or
/// why it has none (it panicked, or its thread could not start).
pub struct Done {
    pub kind: JobKind,
    pub generation: u64,
    pub result: std::result::Result<JobResult, String>,
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
    pub inv: Arc<LoadedLog>,
    pub query: Query,
    pub within: Option<Arc<Vec<u32>>>,
}
/// Runs a filter with the query code `cttui events --filter` uses and measures the new view.
///
/// A filter stacked on a large view runs over the whole store and is intersected with the view:
/// `Query::rows(.., within)` first copies every column of the rows it is given, which for a
/// large view costs more than scanning the few columns the query reads. The rows are the same.
pub fn run_filter(inv: &LoadedLog, query: &str, within: Option<&[u32]>) -> Result<View> {
    run_query(inv, &Query::parse(query)?, within)
}

/// [`run_filter`] for a query already parsed or built; the view's breadcrumb is its text.
pub fn run_query(inv: &LoadedLog, q: &Query, within: Option<&[u32]>) -> Result<View> {
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

type Work = Box<dyn FnOnce() -> JobResult + Send>;

struct Request {
    generation: u64,
    work: Work,
}

#[derive(Default)]
struct Waiting {
    queue: VecDeque<Request>,
    closed: bool,
}

/// One kind's lane: its waiting requests and the thread that runs them in turn.
struct Lane {
    shared: Arc<(Mutex<Waiting>, Condvar)>,
}

impl Lane {
    fn start(kind: JobKind, tx: Sender<Done>, runs: Arc<AtomicU64>) -> std::io::Result<Lane> {
        let shared = Arc::new((Mutex::new(Waiting::default()), Condvar::new()));
        let worker = Arc::clone(&shared);
        thread::Builder::new()
            .name(format!("cttui-{}", kind.name()))
            .spawn(move || lane_worker(kind, &worker, &tx, &runs))?;
        Ok(Lane { shared })
    }

    /// Adds a request; true when it replaced a waiting one (which then never runs).
    fn push(&self, req: Request, coalesce: Coalesce) -> bool {
        let (lock, cv) = &*self.shared;
        let Ok(mut w) = lock.lock() else {
            return false;
        };
        let replaced = coalesce == Coalesce::Latest && w.queue.pop_back().is_some();
        w.queue.push_back(req);
        cv.notify_one();
        replaced
    }
}

impl Drop for Lane {
    fn drop(&mut self) {
        let (lock, cv) = &*self.shared;
        if let Ok(mut w) = lock.lock() {
            w.closed = true;
            w.queue.clear();
            cv.notify_one();
        }
    }
}

fn lane_worker(
    kind: JobKind,
    shared: &(Mutex<Waiting>, Condvar),
    tx: &Sender<Done>,
    runs: &AtomicU64,
) {
    let (lock, cv) = shared;
    loop {
        let req = {
            let Ok(mut w) = lock.lock() else { return };
            while w.queue.is_empty() && !w.closed {
                w = match cv.wait(w) {
                    Ok(w) => w,
                    Err(_) => return,
                };
            }
            if w.closed {
                return;
            }
            w.queue.pop_front()
        };
        let Some(req) = req else { continue };
        runs.fetch_add(1, Ordering::Relaxed);
        let done = Done {
            kind,
            generation: req.generation,
            result: guarded(req.work),
        };
        if tx.send(done).is_err() {
            return;
        }
    }
}

/// The UI's end of background work: one lane per [`JobKind`], started on first use.
pub struct Jobs {
    tx: Sender<Done>,
    rx: Receiver<Done>,
    lanes: [Option<Lane>; JobKind::COUNT],
    /// Requests of each kind submitted whose result the UI has not received yet (a replaced
    /// request no longer counts: it never runs).
    in_flight: [usize; JobKind::COUNT],
    /// Jobs of each kind that started running.
    runs: [Arc<AtomicU64>; JobKind::COUNT],
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
            lanes: Default::default(),
            in_flight: [0; JobKind::COUNT],
            runs: Default::default(),
        }
    }

    /// Hands `work` to its kind's lane. `generation` comes back with the result, so the caller
    /// can tell a stale result from the one it waits for. If the lane's thread cannot start, the
    /// failure comes back as the result.
    pub fn submit(
        &mut self,
        kind: JobKind,
        generation: u64,
        work: impl FnOnce() -> JobResult + Send + 'static,
    ) {
        let i = kind.index();
        if self.lanes[i].is_none() {
            match Lane::start(kind, self.tx.clone(), Arc::clone(&self.runs[i])) {
                Ok(lane) => self.lanes[i] = Some(lane),
                Err(e) => {
                    self.in_flight[i] += 1;
                    let _ = self.tx.send(Done {
                        kind,
                        generation,
                        result: Err(format!("cannot start the {} job: {e}", kind.name())),
                    });
                    return;
                }
            }
        }
        let req = Request {
            generation,
            work: Box::new(work),
        };
        let replaced = self.lanes[i]
            .as_ref()
            .is_some_and(|lane| lane.push(req, kind.coalesce()));
        if !replaced {
            self.in_flight[i] += 1;
        }
    }

    /// Whether a job of `kind` runs or waits, or its result is still to be received.
    pub fn busy(&self, kind: JobKind) -> bool {
        self.in_flight[kind.index()] > 0
    }

    pub fn any_busy(&self) -> bool {
        self.in_flight.iter().any(|&n| n > 0)
    }

    /// How many jobs of `kind` have started running so far (coalesced requests never do).
    pub fn runs(&self, kind: JobKind) -> u64 {
        self.runs[kind.index()].load(Ordering::Relaxed)
    }

    fn received(&mut self, done: Done) -> Done {
        let n = &mut self.in_flight[done.kind.index()];
        *n = n.saturating_sub(1);
        done
    }

    pub fn try_recv(&mut self) -> Option<Done> {
        let done = self.rx.try_recv().ok()?;
        Some(self.received(done))
    }

    /// Waits up to `timeout` for a result.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Done> {
        let done = self.rx.recv_timeout(timeout).ok()?;
        Some(self.received(done))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::{Done, JobKind, JobResult, Jobs, intersect};

    const WAIT: Duration = Duration::from_secs(20);

    fn saved(generation: u64) -> impl FnOnce() -> JobResult + Send + 'static {
        move || JobResult::Saved(Err(generation.to_string()))
    }

    fn next(jobs: &mut Jobs) -> Done {
        jobs.recv_timeout(WAIT).expect("a result in time")
    }

    /// Blocks the kind's lane until the returned sender is dropped or sent to.
    fn block(jobs: &mut Jobs, kind: JobKind) -> mpsc::Sender<()> {
        let (go, wait) = mpsc::channel::<()>();
        let (started, running) = mpsc::channel::<()>();
        jobs.submit(kind, 0, move || {
            let _ = started.send(());
            let _ = wait.recv();
            JobResult::Saved(Ok(()))
        });
        running
            .recv_timeout(WAIT)
            .expect("the blocking job started");
        go
    }

    #[test]
    fn a_panicking_job_reports_instead_of_hanging() {
        let mut jobs = Jobs::new();
        jobs.submit(JobKind::Copy, 7, || panic!("boom"));
        let done = next(&mut jobs);
        assert_eq!((done.kind, done.generation), (JobKind::Copy, 7));
        assert_eq!(done.result.err().as_deref(), Some("internal error: boom"));
        assert!(!jobs.any_busy());
    }

    #[test]
    fn a_newer_request_replaces_the_waiting_one() {
        let mut jobs = Jobs::new();
        let go = block(&mut jobs, JobKind::SaveSession);
        for g in 1..=10 {
            jobs.submit(JobKind::SaveSession, g, saved(g));
        }
        assert!(jobs.busy(JobKind::SaveSession));
        drop(go);
        let first = next(&mut jobs);
        let second = next(&mut jobs);
        assert_eq!((first.generation, second.generation), (0, 10));
        assert!(matches!(second.result, Ok(JobResult::Saved(Err(ref g))) if g == "10"));
        assert_eq!(
            jobs.runs(JobKind::SaveSession),
            2,
            "the blocked job and the last"
        );
        assert!(!jobs.busy(JobKind::SaveSession));
        assert!(jobs.recv_timeout(Duration::from_millis(50)).is_none());
    }

    #[test]
    fn exports_wait_in_turn_and_kinds_do_not_block_each_other() {
        let mut jobs = Jobs::new();
        let go = block(&mut jobs, JobKind::Export);
        for g in 1..=3 {
            jobs.submit(JobKind::Export, g, saved(g));
        }
        // Another kind runs while the export lane is blocked.
        jobs.submit(JobKind::Copy, 1, saved(1));
        let copy = next(&mut jobs);
        assert_eq!(copy.kind, JobKind::Copy);
        drop(go);
        let order: Vec<u64> = (0..4).map(|_| next(&mut jobs).generation).collect();
        assert_eq!(order, vec![0, 1, 2, 3]);
        assert_eq!(jobs.runs(JobKind::Export), 4);
        assert!(!jobs.any_busy());
    }

    #[test]
    fn intersects_sorted_rows() {
        assert_eq!(intersect(&[1, 3, 5, 7, 9], &[0, 3, 4, 9, 10]), vec![3, 9]);
        assert!(intersect(&[], &[1]).is_empty());
    }
}
