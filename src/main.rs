use std::process::ExitCode;

use clap::Parser;
use cttui::cli::{self, Cli, Command};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let result = match cli.command {
        Some(Command::Summary { paths, format }) => {
            cli::run_summary(&mut stdout, &paths, format, &cli.load)
        }
        Some(Command::Events {
            paths,
            filter,
            format,
            limit,
        }) => cli::run_events(
            &mut stdout,
            &paths,
            filter.as_deref(),
            format,
            limit,
            &cli.load,
        ),
        Some(Command::Report {
            paths,
            output,
            session,
            suspect,
            bucket,
        }) => cli::run_report(
            &mut stdout,
            cli::ReportArgs {
                paths: &paths,
                output: output.as_deref(),
                session: session.as_deref(),
                suspect,
                bucket,
            },
            &cli.load,
        ),
        Some(Command::Demo { events, seed, out }) => cttui::demo::write_demo(&out, events, seed),
        Some(Command::Convert(args)) => cttui::convert::command::run_convert(&args, &cli.load),
        Some(Command::Sql(args)) => cttui::sql::command::run_sql(&mut stdout, &args, &cli.load),
        Some(Command::Scale(args)) => cttui::scale::run_scale(&args, &cli.load),
        Some(Command::Analyze(args)) => {
            cttui::analysis::command::run_analyze(&mut stdout, &args, &cli.load)
        }
        None if cli.paths.is_empty() => {
            eprintln!("cttui: give log files or directories to open (see --help)");
            return ExitCode::from(2);
        }
        None => {
            drop(stdout);
            cttui::ui::run(&cli.paths, &cli.load)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cttui: {e}");
            ExitCode::FAILURE
        }
    }
}
