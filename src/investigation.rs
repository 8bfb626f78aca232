//! An investigation: the event store, the account of its load, and everything computed over it.
//! The TUI and the headless commands share it, so both show the same answers.
use crate::Result;
use crate::ingest::LoadReport;
use crate::model::store::EventStore;
use crate::playbook::Standing;
use crate::playbook::report::{ReportInput, render};
use crate::playbook::session::Session;

pub struct Investigation {
    pub store: EventStore,
    pub load: LoadReport,
    /// The anomaly standing of every ranked principal, best rank first.
    pub standings: Vec<Standing>,
}

impl Investigation {
    /// Runs the analysis over a loaded store.
    pub fn analyze(store: EventStore, load: LoadReport) -> Investigation {
        Investigation {
            store,
            load,
            standings: Vec::new(),
        }
    }

    pub fn report_markdown(&self, session: &Session) -> Result<String> {
        render(&ReportInput {
            store: &self.store,
            load: &self.load,
            session,
            standings: &self.standings,
            analysis_sections: Vec::new(),
        })
    }
}
