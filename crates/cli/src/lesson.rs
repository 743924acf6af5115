//! `kubeground lesson list|verify [ID]|ID [--lang ja]`: the lessons in a terminal.

use std::process::ExitCode;

use lessons::Lang;
use playground::lesson::{verify, LessonRun, LessonState};

pub fn main(what: &str, id: Option<&str>, lang: &str, seed: u64) -> ExitCode {
    let Some(lang) = Lang::parse(lang) else {
        eprintln!("kubeground: unknown language {lang:?} (en or ja)");
        return ExitCode::from(2);
    };
    let all = match lessons::all() {
        Ok(all) => all,
        Err(e) => {
            eprintln!("kubeground: {e}");
            return ExitCode::from(2);
        }
    };
    match (what, id) {
        ("list", None) => {
            for l in &all {
                let covers: Vec<&str> = l.covers().into_iter().collect();
                println!(
                    "{:<16} {:<40} {:>2} steps  {}",
                    l.id,
                    l.title(lang),
                    l.steps.len(),
                    if covers.is_empty() { "-".to_string() } else { covers.join(", ") }
                );
            }
            ExitCode::SUCCESS
        }
        ("verify", id) => {
            let chosen: Vec<_> = all.iter().filter(|l| id.is_none_or(|id| l.id == id)).collect();
            if chosen.is_empty() {
                eprintln!("kubeground: no lesson {:?}", id.unwrap_or_default());
                return ExitCode::from(2);
            }
            let (mut passed, mut failed) = (0, 0);
            for l in chosen {
                let report = verify(l);
                if report.passed() {
                    passed += 1;
                    match report.par {
                        Some(par) => println!("ok    {} ({} steps, par {par})", l.id, l.steps.len()),
                        None => println!("ok    {} ({} steps)", l.id, l.steps.len()),
                    }
                } else {
                    failed += 1;
                    println!("FAIL  {}: {}", l.id, report.problems.join("; "));
                }
            }
            println!("{passed} passed, {failed} failed");
            if failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        (id, None) => match all.into_iter().find(|l| l.id == id) {
            Some(l) => play(l, lang, seed),
            None => {
                eprintln!("kubeground: no lesson {id:?}; `kubeground lesson list` lists them");
                ExitCode::from(2)
            }
        },
        (what, Some(_)) => {
            eprintln!("kubeground: `lesson {what}` takes no second argument");
            ExitCode::from(2)
        }
    }
}

fn print_step(state: &LessonState, lang: Lang) {
    let Some(i) = state.current else { return };
    let step = &state.steps[i];
    println!("\n── {} {}/{}: {} ──", lang.pick("Step", "ステップ"), i + 1, state.steps.len(), step.title);
    println!("{}", step.text.trim_end());
    if let Some(par) = step.par {
        println!(
            "{}",
            lang.pick(
                format!("Par: {par} commands. Can you beat it?"),
                format!("パー：コマンド {par} 回。これより少なくできますか？")
            )
        );
    }
    println!(
        "{}",
        lang.pick(
            "(type `hint` for a hint, `solution` for the answer)",
            "（`hint` でヒント、`solution` で解答を表示）"
        )
    );
}

fn print_checks(state: &LessonState, index: usize, lang: Lang) {
    let step = &state.steps[index];
    if let Some(par) = step.par {
        println!(
            "  {}",
            lang.pick(
                format!("commands: {} (par {par})", step.commands),
                format!("コマンド：{} 回（パー {par}）", step.commands)
            )
        );
    }
    for c in &step.checks {
        if c.pass {
            println!("  [x] {}", c.label);
        } else if c.detail.is_empty() {
            println!("  [ ] {}", c.label);
        } else {
            println!("  [ ] {} — {}", c.label, c.detail);
        }
    }
}

/// Plays a lesson: the step's prose, then commands read as in `kubeground repl`, with the check list after
/// each command.
fn play(lesson: lessons::Lesson, lang: Lang, seed: u64) -> ExitCode {
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("kubeground: cannot start the terminal: {e}");
            return ExitCode::from(2);
        }
    };
    let mut run = LessonRun::start(lesson, seed);
    let state = run.state(lang);
    println!("{}\n{}", state.title, state.summary.trim_end());
    for r in run.start_transcript() {
        print!("{}", r.transcript());
    }
    print_step(&state, lang);
    let mut hints_shown = 0usize;
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { "$ " } else { "> " };
        let line = match editor.readline(prompt) {
            Ok(line) => line,
            Err(rustyline::error::ReadlineError::Interrupted) => {
                pending.clear();
                continue;
            }
            Err(_) => return ExitCode::SUCCESS,
        };
        let before = run.state(lang);
        if pending.is_empty() {
            if let Some(i) = before.current {
                match line.trim() {
                    "hint" => {
                        let hints = &before.steps[i].hints;
                        println!("{}", hints[hints_shown.min(hints.len() - 1)]);
                        hints_shown += 1;
                        continue;
                    }
                    "solution" => {
                        println!("{}", before.steps[i].solution.trim_end());
                        continue;
                    }
                    _ => {}
                }
            }
        }
        if crate::feed_line(&mut pending, &line, &mut editor, |text| run.exec(text)) != crate::Fed::Ran {
            continue;
        }
        let after = run.state(lang);
        if let Some(i) = before.current {
            print_checks(&after, i, lang);
        }
        if after.current != before.current {
            hints_shown = 0;
            for step in after.steps.iter().skip(before.current.unwrap_or(0)).take_while(|s| s.status.as_str() == "done")
            {
                if let Some(score) = step.score() {
                    let line = score.describe(lang);
                    println!("{}", lang.pick(format!("{}: {line}", step.title), format!("{}：{line}", step.title)));
                }
            }
            if after.finished {
                println!(
                    "\n{}",
                    lang.pick("Every step is done. Well done!", "すべてのステップが完了しました。お疲れさまでした！")
                );
                if let Some(score) = after.score {
                    let line = score.describe(lang);
                    println!("{}", lang.pick(format!("In all: {line}"), format!("合計：{line}")));
                }
                return ExitCode::SUCCESS;
            }
            print_step(&after, lang);
        }
    }
}
