//! `kubeground`: the playground's engine in a terminal (CONTRACT §1).
//!
//! This binary is the only place besides `web` that touches the outside world: it reads script files and
//! standard input and writes transcripts, and `kubeground serve` ([`serve`]) answers HTTP on 127.0.0.1. Everything it prints about the cluster comes from the
//! `playground` façade, so `kubeground run` and the page cannot disagree.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod lesson;
mod serve;

#[derive(Parser)]
#[command(name = "kubeground", version, about = "A simulated Kubernetes cluster for learning, in your terminal")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a session script against a fresh default cluster and print the transcript
    Run {
        /// The script to run, or `-` for standard input
        file: PathBuf,
        /// Seed for generated names, UIDs and IPs; the same seed gives the same transcript
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// An interactive terminal on a fresh default cluster (history, line editing; Ctrl-D to quit)
    Repl {
        /// Seed for generated names, UIDs and IPs
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Lessons: `lesson list`, `lesson verify [ID]`, or `lesson ID [--lang ja]` to play one
    Lesson {
        /// `list`, `verify`, or a lesson id
        what: String,
        /// The lesson to verify (all when omitted)
        id: Option<String>,
        /// The language of the prose: en or ja
        #[arg(long, default_value = "en")]
        lang: String,
        /// Seed for generated names, UIDs and IPs
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
    /// Serve the Kubernetes REST API of a fresh default cluster on 127.0.0.1, for a real kubectl
    Serve {
        /// The port to listen on (0: any free port)
        #[arg(long, default_value_t = 6443)]
        port: u16,
        /// Seed for generated names, UIDs and IPs
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Where to write the kubeconfig (default: kubeground-PORT.kubeconfig in the temporary folder)
        #[arg(long)]
        kubeconfig: Option<PathBuf>,
        /// How fast simulated time runs, relative to real time (0 freezes it)
        #[arg(long, default_value_t = 1.0)]
        speed: f64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Run { file, seed } => run(&file, seed),
        Command::Repl { seed } => repl(seed),
        Command::Lesson { what, id, lang, seed } => lesson::main(&what, id.as_deref(), &lang, seed),
        Command::Serve { port, seed, kubeconfig, speed } => {
            serve::serve(serve::Options { port, seed, kubeconfig, speed })
        }
    }
}

/// Exit 0 once the whole script ran, whatever its commands printed; exit 2 when the script cannot be read or
/// parsed (CONTRACT §1).
fn run(file: &std::path::Path, seed: u64) -> ExitCode {
    let (name, text) = if file.as_os_str() == "-" {
        let mut text = String::new();
        if let Err(e) = std::io::stdin().read_to_string(&mut text) {
            eprintln!("kubeground: cannot read standard input: {e}");
            return ExitCode::from(2);
        }
        ("<stdin>".to_string(), text)
    } else {
        match std::fs::read_to_string(file) {
            Ok(text) => (file.display().to_string(), text),
            Err(e) => {
                eprintln!("kubeground: cannot read {}: {e}", file.display());
                return ExitCode::from(2);
            }
        }
    };
    // `-f` paths in a script are relative to the script's folder (standard input: the current folder).
    let base = if file.as_os_str() == "-" {
        PathBuf::from(".")
    } else {
        file.parent().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."))
    };
    match playground::run_script_with_files(&text, seed, Box::new(playground::DiskFiles::new(base))) {
        Ok(transcript) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`kubeground run x | head`) is not an error worth a panic.
            let _ = stdout.write_all(transcript.as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("kubeground: {name}: {e}");
            ExitCode::from(2)
        }
    }
}

/// The interactive shell: each line (with its continuation lines and heredoc body) runs as in a script.
/// Simulated time stands still between commands; `sleep` moves it, as in scripts.
fn repl(seed: u64) -> ExitCode {
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("kubeground: cannot start the terminal: {e}");
            return ExitCode::from(2);
        }
    };
    let mut pg = playground::Playground::new(seed).with_files(Box::new(playground::DiskFiles::new(PathBuf::from("."))));
    println!(
        "kubeground {}: a simulated Kubernetes cluster. Type kubectl or minikube commands; Ctrl-D quits.",
        env!("CARGO_PKG_VERSION")
    );
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { "$ " } else { "> " };
        match editor.readline(prompt) {
            Ok(line) => {
                feed_line(&mut pending, &line, &mut editor, |text| pg.exec(text));
            }
            Err(rustyline::error::ReadlineError::Interrupted) => pending.clear(),
            Err(_) => return ExitCode::SUCCESS,
        }
    }
}

/// What [`feed_line`] did with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fed {
    /// The command ran (its output is printed).
    Ran,
    /// An open quote or heredoc: more lines are needed, as a shell keeps reading.
    Incomplete,
    /// It did not parse (the error is printed).
    Refused,
}

/// Adds `line` to the command being typed and, once it is complete, runs it with `exec` and prints what it
/// printed (the interactive shell and `kubeground lesson ID` read lines the same way).
pub(crate) fn feed_line(
    pending: &mut String,
    line: &str,
    editor: &mut rustyline::DefaultEditor,
    exec: impl FnOnce(&str) -> Result<Vec<playground::CommandResult>, playground::ParseError>,
) -> Fed {
    if !pending.is_empty() {
        pending.push('\n');
    }
    pending.push_str(line);
    match exec(pending) {
        Ok(results) => {
            let _ = editor.add_history_entry(pending.as_str());
            for r in results {
                print!("{}", r.output.stdout);
                eprint!("{}", r.output.stderr);
            }
            pending.clear();
            Fed::Ran
        }
        Err(e) if e.message.starts_with("unterminated") => Fed::Incomplete,
        Err(e) => {
            eprintln!("kubeground: {e}");
            pending.clear();
            Fed::Refused
        }
    }
}
