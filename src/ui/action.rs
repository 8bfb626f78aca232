//! Everything the investigator can do, as one flat enum: the keymap names these (snake_case),
//! the help screen lists them and tests drive the app with them.
use strum::{Display, EnumIter, EnumString, IntoStaticStr};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Display, EnumString, EnumIter, IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    // General.
    Quit,
    Help,
    NextTab,
    PrevTab,
    GotoOverview,
    GotoTimeline,
    GotoS3,
    GotoPrincipals,
    GotoAnomalies,
    GotoFindings,
    GotoReport,
    GotoPlaybook,
    Redraw,
    Filter,
    Search,
    Export,
    CopyMarkdown,
    // Moving in lists, tables and text.
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    // Timeline.
    OpenDetail,
    PopFilter,
    JumpTime,
    ToggleMark,
    MarkRange,
    MarkAllInView,
    ClearMarks,
    PivotPrincipal,
    PivotIp,
    PivotBucket,
    PivotEventName,
    PivotAccessKey,
    SearchNext,
    SearchPrev,
    NextColumn,
    PrevColumn,
    HideColumn,
    ShowColumns,
    SortColumn,
    ShowRow,
    SwitchList,
    NarrowerColumn,
    WiderColumn,
    Frequency,
    Narrow,
    // Overview, S3, Principals.
    ShowLoadReport,
    ShowInTimeline,
    // Analysis tabs.
    CycleSort,
    CycleLevel,
    // Pins (the playbook's SUSPECT, BUCKET and time window).
    PinSuspect,
    PinBucket,
    PinWindow,
    QuietFrom,
    // Playbook.
    PlaybookPart1,
    PlaybookPart2,
    PlaybookPart3,
    PlaybookPart4,
    PlaybookPart4b,
    PlaybookPart5,
    NextStep,
    ToggleStepDone,
    OpenItem,
    OverrideAnswer,
    AddNote,
    CycleSeverity,
    WriteReport,
    // Overlays and prompts.
    Close,
    NextEvent,
    PrevEvent,
    Submit,
    Cancel,
    Yes,
    No,
    // Internal: produced by the run loop, never bound to a key.
    Tick,
    Resize,
    /// A left click at this screen cell (column, row).
    Click {
        x: u16,
        y: u16,
    },
}

impl Action {
    /// Actions the run loop produces itself; every other action must have a key.
    pub fn is_internal(self) -> bool {
        matches!(self, Action::Tick | Action::Resize | Action::Click { .. })
    }
}
