use std::io::Write;
use std::process::ExitCode;

use clap::Parser;
use cttui::cli::{self, Cli, Command};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    let quiet = cli.load.quiet;
    let settings = || cli::settings(&cli.rules, quiet);
    let result = match cli.command {
        Some(Command::Summary { paths, format }) => {
            cli::run_summary(&mut stdout, &paths, format, &cli.load)
        }
        Some(Command::Events {
            paths,
            filter,
            format,
            columns,
            limit,
        }) => settings().and_then(|s| {
            cli::run_events_with(
                &mut stdout,
                &cli::EventsArgs {
                    paths: &paths,
                    filter: filter.as_deref(),
                    format,
                    columns: columns.as_deref(),
                    limit,
                },
                &cli.load,
                &s,
            )
        }),
        Some(Command::Report {
            paths,
            output,
            session,
            suspect,
            bucket,
        }) => settings().and_then(|s| {
            cli::run_report(
                &mut stdout,
                cli::ReportArgs {
                    paths: &paths,
                    output: output.as_deref(),
                    session: session.as_deref(),
                    suspect,
                    bucket,
                },
                &cli.load,
                &s,
            )
        }),
        Some(Command::Demo { events, seed, out }) => cli::run_demo(&out, events, seed),
        Some(Command::Convert(ref args)) => cttui::convert::command::run_convert(args, &cli.load),
        Some(Command::Sql(ref args)) => {
            settings().and_then(|s| cttui::sql::command::run_sql(&mut stdout, args, &cli.load, &s))
        }
        Some(Command::Scale(ref args)) => cttui::scale::run_scale(args, &cli.load),
        Some(Command::Analyze(ref args)) => settings()
            .and_then(|s| cli::analyze::run_analyze(&mut stdout, args, &cli.load, &s.analysis)),
        Some(Command::Timeline { paths, format }) => {
            settings().and_then(|s| cli::run_timeline(&mut stdout, &paths, format, &cli.load, &s))
        }
        Some(Command::Completions { shell }) => cli::run_completions(&mut stdout, shell),
        Some(Command::Man) => cli::run_man(&mut stdout),
        None if cli.paths.is_empty() => {
            let _ = writeln!(
                std::io::stderr(),
                "cttui: give log files or directories to open (see --help)"
            );
            return ExitCode::from(2);
        }
        None => {
            drop(stdout);
            settings().and_then(|s| {
                let load = cli.load.prepare(&cli.paths, None)?;
                cttui::ui::run(&cli.paths, load, &s)
            })
        }
    };
    // Flush here so a closed pipe is an error we see, not a panic at exit.
    let result = result.and_then(|()| {
        std::io::stdout()
            .flush()
            .map_err(|e| cttui::Error::io("stdout", e))
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `cttui … | head`: the reader has all it wanted.
        Err(e) if cli::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // stderr may be closed too; nothing more to do then.
            let _ = writeln!(std::io::stderr(), "cttui: {e}");
            ExitCode::FAILURE
        }
    }
}
