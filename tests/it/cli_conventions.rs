//! Unix conventions of the binary: completions, man page, quiet broken pipes, global options
//! before the subcommand, help on every argument, `-q`, and inputs that cannot be opened.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{cttui, rule_ids, stdout};
use clap::CommandFactory;

#[test]
fn completions_for_each_shell_and_a_man_page() {
    for (shell, marker) in [
        ("bash", "complete -F _cttui"),
        ("zsh", "#compdef cttui"),
        ("fish", "complete -c cttui"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let out = cttui(&["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let text = stdout(&out);
        assert!(
            text.contains(marker),
            "{shell}: {}",
            &text[..text.len().min(200)]
        );
        assert!(text.contains("timeline"), "{shell} completes subcommands");
    }
    let man = cttui(&["man"]);
    assert!(man.status.success());
    let text = stdout(&man);
    assert!(
        text.starts_with(".ie") || text.contains(".TH cttui 1"),
        "{text}"
    );
    assert!(text.contains("completions") && text.contains("\\-\\-rules"));
    assert!(!cttui(&["completions", "tcsh"]).status.success());
}

/// `cttui … | head` ends quietly with 0, also when stderr is a pipe.
#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["events", "demo-logs"][..],
        &["events", "--format", "csv", "demo-logs"][..],
        &["timeline", "--format", "jsonl", "demo-logs"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cttui"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let out = child.stdout.take().expect("stdout");
        let mut first = String::new();
        BufReader::new(out).read_line(&mut first).expect("a line");
        assert!(!first.is_empty());
        // The reader is gone now; the writer must notice and stop quietly.
        let done = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&done.stderr);
        assert_eq!(done.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("Broken pipe") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
}

#[test]
fn global_options_before_the_subcommand() {
    let out = cttui(&["-q", "events", "-n", "2", "demo-logs"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout(&out).lines().count(), 2);
    let out = cttui(&[
        "--max-inflate",
        "1G",
        "-q",
        "summary",
        "--format",
        "json",
        "demo-logs",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert!(v["events"].as_u64().is_some_and(|n| n > 1000), "{v}");
}

/// Every argument of every subcommand says what it is for.
#[test]
fn help_on_every_argument() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            if matches!(id, "help" | "version") {
                continue;
            }
            if a.get_help().is_none() && a.get_long_help().is_none() {
                missing.push(format!("{path} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_about().is_none() {
                missing.push(format!("{path} {} (no about)", sub.get_name()));
            }
            walk(sub, &format!("{path} {}", sub.get_name()), missing);
        }
    }
    let mut missing = Vec::new();
    walk(&cttui::cli::Cli::command(), "cttui", &mut missing);
    assert!(missing.is_empty(), "arguments without help: {missing:?}");
    let help = stdout(&cttui(&["--help"]));
    assert!(
        help.contains("Examples:") && help.contains("config.toml"),
        "{help}"
    );
    let help = stdout(&cttui(&["events", "--help"]));
    assert!(help.contains("time,user,ip,ua,akid,risk"), "{help}");
}

#[test]
fn quiet_silences_skip_notes() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        "tests/fixtures/ingest/records_pretty.json",
        dir.path().join("ok.json"),
    )
    .expect("copy");
    std::fs::write(dir.path().join("junk.json"), "{ not json").expect("write");
    let d = dir.path().to_string_lossy().into_owned();
    let loud = cttui(&["events", &d]);
    assert!(loud.status.success());
    assert!(String::from_utf8_lossy(&loud.stderr).contains("skipped input"));
    let quiet = cttui(&["-q", "events", &d]);
    assert!(quiet.status.success());
    assert_eq!(String::from_utf8_lossy(&quiet.stderr), "");
    assert_eq!(stdout(&quiet), stdout(&loud));
}

#[test]
fn missing_or_unreadable_input_says_why_and_fails() {
    let out = cttui(&["-q", "events", "no/such/trail.json"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no/such/trail.json") && err.contains("No such file"),
        "{err}"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("locked.json");
    std::fs::copy("tests/fixtures/ingest/records_pretty.json", &p).expect("copy");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    if std::fs::read(&p).is_ok() {
        eprintln!("SKIP: running as a user who reads mode-000 files (root)");
        return;
    }
    let out = cttui(&["summary", &p.to_string_lossy()]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("Permission denied"));
}

#[test]
fn a_bad_config_file_names_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("cttui/config.toml");
    std::fs::create_dir_all(cfg.parent().expect("parent")).expect("mkdir");
    std::fs::write(&cfg, "known_cidrs = [\"10.0.0.0/8\"]\ntheme = \"plaid\"\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(["-q", "analyze", "demo-logs"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("run");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("{}:2:", cfg.display())), "{err}");
    // A good one is used: its rules directory runs for `analyze`.
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).expect("mkdir");
    std::fs::write(
        rules.join("mine.toml"),
        "[[rule]]\nid = \"my-getobject\"\ntitle = \"Object read\"\ndescription = \"d\"\n\
         level = \"low\"\ntactic = \"TA0009 Collection\"\ntechnique = \"T1530\"\n\
         [[rule.match]]\neventName = \"GetObject\"\n",
    )
    .expect("write");
    std::fs::write(&cfg, "rules = [\"../rules\"]\nno_builtin_rules = true\n").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_cttui"))
        .args(["-q", "analyze", "--format", "json", "demo-logs"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let ids = rule_ids(&v);
    assert_eq!(ids, ["my-getobject"]);
}

/// Sessions stay out of the evidence folder unless asked (config `sessions = "beside"`).
#[test]
fn sessions_default_under_xdg_data() {
    use cttui::playbook::session::{beside_path, session_path_in, xdg_path};
    let dir = tempfile::tempdir().expect("tempdir");
    let log = dir.path().join("trail.json");
    std::fs::copy("tests/fixtures/ingest/records_pretty.json", &log).expect("copy");
    let inputs = [log.to_string_lossy().into_owned()];
    let data = session_path_in(&inputs, false);
    assert_eq!(data, xdg_path(&inputs));
    assert!(data.ends_with(data.file_name().expect("name")));
    assert!(
        data.parent().expect("dir").ends_with("cttui/sessions"),
        "{}",
        data.display()
    );
    assert!(!data.starts_with(dir.path()));
    let beside = beside_path(&inputs).expect("beside");
    assert_eq!(session_path_in(&inputs, true), beside);
    // A session an earlier run left beside the log is still the one used.
    std::fs::write(&beside, "{}").expect("write");
    assert_eq!(session_path_in(&inputs, false), beside);
}

/// The library hands phase timings to the caller (`ingest::Timings`); the CLI prints them on
/// stderr only when `CTTUI_TIMINGS` is set, and stdout stays the command's output.
#[test]
fn phase_timings_reach_stderr_only_when_asked() {
    let path = crate::support::fixture("records_pretty.json");
    let run = |timings: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cttui"));
        cmd.args(["summary", "-q", &path]);
        if timings {
            cmd.env("CTTUI_TIMINGS", "1");
        } else {
            cmd.env_remove("CTTUI_TIMINGS");
        }
        let out = cmd.output().expect("runs");
        assert!(out.status.success());
        (
            stdout(&out),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (quiet_out, quiet_err) = run(false);
    let (timed_out, timed_err) = run(true);
    assert!(!quiet_err.contains("cttui timing:"), "{quiet_err}");
    for phase in ["read and parse", "store"] {
        assert!(
            timed_err
                .lines()
                .any(|l| l.starts_with(&format!("cttui timing: {phase}: "))),
            "{phase} missing from: {timed_err}"
        );
    }
    assert_eq!(quiet_out, timed_out);
}
