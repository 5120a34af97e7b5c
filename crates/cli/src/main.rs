//! The `specforge` command line.

#![forbid(unsafe_code)]

mod generate;
mod render;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use specforge_server::config::{Config, ServeArgs};
use specforge_server::logging;
use specforge_spec::span::LineIndex;
use specforge_spec::{Analysis, Format, analyze_bytes};

/// mimalloc: fewer cycles per allocation than the system allocator for the server's many
/// short-lived request buffers (docs/benchmarks.md). Built without transparent huge pages, which
/// would add 10 MB to the resident memory of an idle server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// specforge turns requirement specifications into complete, working codebases.
#[derive(Debug, Parser)]
#[command(name = "specforge", version, about, long_about = None, propagate_version = true)]
#[command(
    after_help = "Examples:\n  specforge check examples/bookstore.yaml\n  specforge check --json spec.md\n  \
                        cat spec.yaml | specforge inspect -\n  specforge serve\n  \
                        DATABASE_URL=postgres://app@db/specforge specforge migrate"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check specifications and print their diagnostics like a compiler.
    ///
    /// Exits 0 when every file is valid (warnings allowed), 1 when any is invalid, 2 on a usage
    /// or I/O error.
    Check {
        /// Specification files (YAML, JSON, Markdown or OpenAPI); `-` reads standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Read the files as this format (yaml, json, markdown or openapi) instead of detecting it.
        #[arg(long, short, value_name = "FORMAT", value_parser = parse_format)]
        format: Option<Format>,
        /// Print `{valid, diagnostics, summary}` as JSON (an array of them for several files).
        #[arg(long)]
        json: bool,
    },
    /// Print the normalized model of a specification as JSON.
    ///
    /// Exits 1 (with the diagnostics on standard error) when the specification is invalid.
    Inspect {
        /// Specification file; `-` reads standard input.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Read the file as this format (yaml, json, markdown or openapi) instead of detecting it.
        #[arg(long, short, value_name = "FORMAT", value_parser = parse_format)]
        format: Option<Format>,
    },
    /// Generate a project from a specification.
    ///
    /// A new or empty folder gets the project through a temporary folder beside it, renamed
    /// into place once every file is written, so a failure leaves nothing half-written. A
    /// folder that holds a specforge project (it has .specforge/manifest.json) is regenerated:
    /// generated files the user did not edit are updated, added or removed; user-owned files,
    /// and files the user added, are kept; an edited file that would change refuses the whole
    /// run unless --force. The same specification, target, options and specforge version give
    /// byte-identical files.
    ///
    /// Exits 0 on success, 1 when the specification is invalid or cannot be generated for the
    /// target (its diagnostics are printed) or when regeneration is refused (the files in the
    /// way are listed, and nothing is written), 2 on a usage or I/O error.
    #[command(
        after_help = "Examples:\n  specforge generate examples/bookstore.yaml --target python-fastapi --out bookstore\n  \
                      specforge generate spec.md -t rust-axum --archive app.tar.gz\n  \
                      specforge generate spec.yaml -t rust-axum -o bookstore --dry-run\n  \
                      specforge generate spec.yaml -t rust-axum -o bookstore -O crate_name=shop --force"
    )]
    Generate {
        /// Specification file (YAML, JSON, Markdown or OpenAPI); `-` reads standard input.
        #[arg(value_name = "SPEC")]
        spec: PathBuf,
        /// The target (see `specforge targets`).
        #[arg(long, short, value_name = "TARGET")]
        target: String,
        /// The folder to write the project into: created when missing; regenerated in place
        /// when it holds a specforge project of the same target; any other non-empty folder is
        /// refused unless --force.
        #[arg(
            long,
            short,
            value_name = "DIR",
            required_unless_present = "archive",
            conflicts_with = "archive"
        )]
        out: Option<PathBuf>,
        /// Write a .zip or .tar.gz archive instead of a folder.
        #[arg(long, value_name = "FILE")]
        archive: Option<PathBuf>,
        /// A target option, `key=value` (repeatable).
        #[arg(long = "option", short = 'O', value_name = "KEY=VALUE", value_parser = specforge_codegen::options::parse_pair)]
        options: Vec<(String, String)>,
        /// In a specforge project: overwrite generated files you edited, and files of yours at
        /// new generated paths (an edited file no longer generated is kept). In any other
        /// non-empty folder: replace its whole contents. With --archive: replace the file.
        #[arg(long)]
        force: bool,
        /// Print what would be done to each file (create, update, remove, keep, conflict) and
        /// the counts, and write nothing. Exits 1 when the run would be refused.
        #[arg(long, conflicts_with = "archive")]
        dry_run: bool,
        /// Read the specification as this format instead of detecting it.
        #[arg(long, short, value_name = "FORMAT", value_parser = parse_format)]
        format: Option<Format>,
    },
    /// List the targets and their options.
    Targets {
        /// Print them as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run the REST service until SIGTERM or Ctrl-C.
    ///
    /// With no configuration it listens on 127.0.0.1:8080, keeps its SQLite database and
    /// signing key in ./data, and enables development login. A flag wins over its environment
    /// variable, which wins over a `.env` file in the working directory (see
    /// docs/configuration.md). Applies the database migrations before it starts listening.
    ///
    /// Exits 0 after a graceful shutdown, 1 when it cannot start (database unreachable, port
    /// taken), 2 on a configuration mistake.
    #[command(after_help = SERVICE_HELP)]
    Serve {
        #[command(flatten)]
        args: ServeArgs,
    },
    /// Apply the database migrations and exit.
    ///
    /// Takes the same settings as `serve` (only the database ones matter). `serve` applies
    /// migrations too; run this first when several servers share one PostgreSQL database.
    #[command(after_help = SERVICE_HELP)]
    Migrate {
        #[command(flatten)]
        args: ServeArgs,
    },
}

const SERVICE_HELP: &str = "Every setting can also be given as the environment variable shown in \
     brackets, or in a `.env` file in the working directory; a flag wins over the environment, \
     and the environment over `.env`.\n\n\
     Examples:\n  specforge serve\n  specforge serve --bind 0.0.0.0:8080 --log-format json\n  \
     APP_ENV=production JWT_SECRET_KEY=$(openssl rand -base64 48) \\\n    \
     DATABASE_URL=postgres://app@db/specforge specforge serve";

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn main() -> ExitCode {
    if runs_the_service(std::env::args_os().skip(1))
        && let Err(message) = load_dotenv(Path::new(DOTENV))
    {
        let _ = writeln!(std::io::stderr(), "specforge: {message}");
        return ExitCode::from(2);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            files,
            format,
            json,
        } => check(&files, format, json),
        Command::Inspect { file, format } => inspect(&file, format),
        Command::Generate {
            spec,
            target,
            out,
            archive,
            options,
            force,
            dry_run,
            format,
        } => {
            let dest = match (out, archive) {
                (_, Some(path)) => generate::Destination::Archive { path, force },
                (Some(path), None) => generate::Destination::Folder {
                    path,
                    force,
                    dry_run,
                },
                (None, None) => unreachable!("clap requires --out or --archive"),
            };
            generate_command(&spec, &target, &options, &dest, format)
        }
        Command::Targets { json } => generate::list_targets(json),
        Command::Serve { args } => return service(&args, Service::Serve),
        Command::Migrate { args } => return service(&args, Service::Migrate),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "specforge: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn generate_command(
    spec: &PathBuf,
    target: &str,
    options: &[(String, String)],
    dest: &generate::Destination,
    format: Option<Format>,
) -> anyhow::Result<ExitCode> {
    let existing = generate::check_destination(dest)?;
    let input = read_input(spec)?;
    let analysis = analyze_input(&input, format);
    let Reported { text, lines, style } = report_to_stderr(&input, &analysis)?;
    let Some(model) = analysis.model.as_ref() else {
        writeln!(
            std::io::stderr(),
            "{}: invalid: {} error(s); nothing generated",
            input.display,
            analysis.error_count()
        )?;
        return Ok(ExitCode::from(1));
    };
    let output = match specforge_codegen::generate(model, target, options) {
        Ok(output) => output,
        Err(specforge_codegen::Error::Spec(problems)) => {
            // Names the target cannot use: compiler-style, at the name in the source.
            let source = specforge_spec::Source::new(&text);
            let mut err = String::new();
            for p in &problems {
                // Implicit fields are described after the entity's pointer.
                let pointer = p.path.split(" (").next().unwrap_or(&p.path);
                let span = analysis
                    .locate(pointer)
                    .unwrap_or(specforge_spec::Span::point(0));
                let d = source
                    .error(
                        specforge_spec::Code::NameCollision,
                        span,
                        pointer,
                        &p.message,
                    )
                    .with_hint(format!("rename one of them for target `{target}`"));
                render::diagnostic(&mut err, &input.display, &text, &lines, &d, style);
            }
            err.push_str(&format!(
                "{}: cannot be generated for {target}: {} error(s); nothing generated\n",
                input.display,
                problems.len()
            ));
            std::io::stderr().write_all(err.as_bytes())?;
            return Ok(ExitCode::from(1));
        }
        Err(e) => {
            let (message, code) = generate::describe_error(&e);
            std::io::stderr().write_all(message.as_bytes())?;
            return Ok(ExitCode::from(code));
        }
    };
    generate::write(&output, dest, existing, &model.name, &input.display)
}

/// The optional environment file of `serve` and `migrate`, in the working directory.
const DOTENV: &str = ".env";

/// Whether the command line names `serve` or `migrate`. Only they read `.env`, so a malformed
/// `.env` meant for another tool does not break `check` in the same folder. The environment
/// must be set before clap parses, since clap reads the variables while parsing.
fn runs_the_service(mut args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    args.find(|a| !a.to_string_lossy().starts_with('-'))
        .is_some_and(|a| a == "serve" || a == "migrate")
}

/// Sets the variables of an environment file that are not already set. A missing file is fine.
fn load_dotenv(path: &Path) -> Result<(), String> {
    match dotenvy::from_path(path) {
        Ok(()) => Ok(()),
        Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(dotenvy::Error::LineParse(line, _)) => Err(format!(
            "cannot read {}: `{line}` is not a NAME=value line",
            path.display()
        )),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[derive(Clone, Copy, Debug)]
enum Service {
    Serve,
    Migrate,
}

/// Runs `serve` or `migrate`: exit 2 on a configuration mistake, 1 when start-up fails.
fn service(args: &ServeArgs, which: Service) -> ExitCode {
    let config = match Config::from_args(args) {
        Ok(config) => config,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "specforge: {err}");
            return ExitCode::from(2);
        }
    };
    logging::init(config.log_format);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(threads) = config.worker_threads {
        builder.worker_threads(threads);
    }
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => {
            let _ = writeln!(
                std::io::stderr(),
                "specforge: cannot start the runtime: {err}"
            );
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async move {
        match which {
            Service::Serve => specforge_server::serve(config).await,
            Service::Migrate => specforge_server::migrate(config).await,
        }
    });
    // Requests have finished; do not wait long for stray background work.
    runtime.shutdown_timeout(std::time::Duration::from_secs(5));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "specforge: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// A specification read from a file or standard input.
struct Input {
    display: String,
    bytes: Vec<u8>,
    name_for_detection: Option<String>,
}

fn read_input(path: &PathBuf) -> anyhow::Result<Input> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| anyhow::anyhow!("cannot read standard input: {e}"))?;
        return Ok(Input {
            display: "<stdin>".into(),
            bytes,
            name_for_detection: None,
        });
    }
    let bytes =
        std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(Input {
        display: path.display().to_string(),
        bytes,
        name_for_detection: Some(path.display().to_string()),
    })
}

fn analyze_input(input: &Input, format: Option<Format>) -> Analysis {
    analyze_bytes(&input.bytes, input.name_for_detection.as_deref(), format)
}

fn color_for(stream_is_terminal: bool) -> render::Style {
    render::Style {
        color: stream_is_terminal && std::env::var_os("NO_COLOR").is_none(),
    }
}

fn check(files: &[PathBuf], format: Option<Format>, json: bool) -> anyhow::Result<ExitCode> {
    let inputs = files
        .iter()
        .map(read_input)
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut all_valid = true;
    let mut stdout = std::io::stdout().lock();
    let style = color_for(std::io::stdout().is_terminal());
    let mut reports = Vec::new();
    for input in &inputs {
        let analysis = analyze_input(input, format);
        all_valid &= analysis.valid;
        if json {
            reports.push(serde_json::json!({
                "file": input.display,
                "format": analysis.format,
                "valid": analysis.valid,
                "diagnostics": analysis.diagnostics,
                "summary": analysis.summary,
            }));
            continue;
        }
        let text = String::from_utf8_lossy(&input.bytes);
        let lines = LineIndex::new(&text);
        let mut out = String::new();
        render::diagnostics(
            &mut out,
            &input.display,
            &text,
            &lines,
            &analysis.diagnostics,
            style,
        );
        let s = analysis.summary;
        let verdict = if analysis.valid { "valid" } else { "invalid" };
        out.push_str(&format!(
            "{}: {verdict} {} ({}, {}, {}): {}, {}\n",
            input.display,
            analysis.format,
            count(s.entities, "entity", "entities"),
            count(s.fields, "field", "fields"),
            count(s.relations, "relation", "relations"),
            count(analysis.error_count(), "error", "errors"),
            count(analysis.warning_count(), "warning", "warnings"),
        ));
        stdout.write_all(out.as_bytes())?;
    }
    if json {
        let value = if reports.len() == 1 {
            reports.remove(0)
        } else {
            serde_json::Value::Array(reports)
        };
        serde_json::to_writer_pretty(&mut stdout, &value)?;
        writeln!(stdout)?;
    }
    stdout.flush()?;
    Ok(if all_valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The source of a specification whose diagnostics went to standard error, for rendering more.
struct Reported<'a> {
    text: std::borrow::Cow<'a, str>,
    lines: LineIndex,
    style: render::Style,
}

/// Prints the diagnostics of `analysis` to standard error, compiler-style.
fn report_to_stderr<'a>(input: &'a Input, analysis: &Analysis) -> anyhow::Result<Reported<'a>> {
    let text = String::from_utf8_lossy(&input.bytes);
    let lines = LineIndex::new(&text);
    let style = color_for(std::io::stderr().is_terminal());
    let mut err = String::new();
    render::diagnostics(
        &mut err,
        &input.display,
        &text,
        &lines,
        &analysis.diagnostics,
        style,
    );
    std::io::stderr().write_all(err.as_bytes())?;
    Ok(Reported { text, lines, style })
}

fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn inspect(file: &PathBuf, format: Option<Format>) -> anyhow::Result<ExitCode> {
    let input = read_input(file)?;
    let analysis = analyze_input(&input, format);
    report_to_stderr(&input, &analysis)?;
    let Some(model) = analysis.model else {
        writeln!(
            std::io::stderr(),
            "{}: invalid: {} error(s)",
            input.display,
            analysis.error_count()
        )?;
        return Ok(ExitCode::from(1));
    };
    let mut stdout = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut stdout, &model)?;
    writeln!(stdout)?;
    Ok(ExitCode::SUCCESS)
}
