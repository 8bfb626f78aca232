//! The integration tests, as one crate: one test binary links the library (and polars) once,
//! instead of once per file. Each former `tests/<name>.rs` is a module here; helpers shared by
//! several of them live in `support`. Add new test files as modules below, not as `tests/*.rs`.
mod support;

mod analysis_cli;
mod analysis_demo;
mod analysis_features;
mod analysis_golden;
mod analysis_real_logs;
mod analysis_rules;
mod analysis_scenario;
mod cli_conventions;
mod cli_formats;
mod consistency;
mod demo;
mod detect_detectors;
mod detect_incidents;
mod detect_real_logs;
mod export_markdown;
mod fuzz;
mod hostile_files;
mod hostile_gzip;
mod hostile_input;
mod hostile_session;
mod hostile_terminal;
mod hostile_writes;
mod ingest_bad_input;
mod ingest_shapes;
mod layers;
mod parquet_foreign;
mod parquet_roundtrip;
mod playbook_report;
mod query;
mod rules_benign;
mod rules_coverage;
mod rules_invictus;
mod shared_cloudtrail;
mod sigma_rules;
mod sql_output;
mod tui;
mod tui_charts;
mod tui_consistency;
mod tui_export;
mod tui_keymap;
mod tui_playbook;
mod tui_pty;
mod tui_shape;
