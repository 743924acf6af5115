//! The playground's small shell: runs one parsed command (`kubectl`, `sleep`, `echo`) against the cluster.

use engine::clock::Millis;
use engine::Cluster;
use kubectl::{Files, Io, Output};

use crate::script::ScriptCommand;

/// Runs `cmd`, advancing simulated time where the command waits (`sleep`). `files` resolves `-f` paths.
pub fn run(cluster: &mut Cluster, cmd: &ScriptCommand, files: &dyn Files) -> Output {
    if let Some(op) = &cmd.unsupported {
        return Output::error(format!(
            "kubeground: the shell operator '{op}' is not supported here; run one command per line\n"
        ));
    }
    let Some((program, args)) = cmd.words.split_first() else {
        return Output::default();
    };
    match program.as_str() {
        "kubectl" => {
            let out = kubectl::run(cluster, args, &Io { stdin: cmd.stdin.as_deref(), files });
            // Controllers react to what the command changed before the next command, as in a real
            // cluster where they act within milliseconds.
            cluster.settle();
            out
        }
        "minikube" => {
            let out = crate::minikube::run(cluster, args);
            cluster.settle();
            out
        }
        "sleep" => match sleep_millis(args) {
            Ok(ms) => {
                cluster.step(ms);
                Output::default()
            }
            Err(e) => Output::error(e),
        },
        "echo" => echo(args),
        other => Output { stderr: format!("sh: {other}: not found\n"), exit_code: 127, ..Default::default() },
    }
}

fn echo(args: &[String]) -> Output {
    let (newline, words) = match args.first() {
        Some(first) if first == "-n" => (false, &args[1..]),
        _ => (true, args),
    };
    let mut s = words.join(" ");
    if newline {
        s.push('\n');
    }
    Output::ok(s)
}

/// `sleep` as coreutils reads its operands: numbers with an optional `s`, `m`, `h` or `d` suffix, summed.
pub fn sleep_millis(args: &[String]) -> Result<Millis, String> {
    if args.is_empty() {
        return Err("sleep: missing operand\n".to_string());
    }
    let mut total = 0.0f64;
    for arg in args {
        let (number, unit) = match arg.char_indices().last() {
            Some((i, c @ ('s' | 'm' | 'h' | 'd'))) => (&arg[..i], c),
            _ => (arg.as_str(), 's'),
        };
        let value: f64 = number
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0 && !number.starts_with('+'))
            .ok_or_else(|| format!("sleep: invalid time interval '{arg}'\n"))?;
        let factor = match unit {
            's' => 1.0,
            'm' => 60.0,
            'h' => 3600.0,
            _ => 86400.0,
        };
        total += value * factor;
    }
    // A year of simulated time is far beyond any lesson; longer sleeps are clamped rather than overflowing.
    Ok((total.min(365.0 * 86400.0) * 1000.0).round() as Millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_durations() {
        let s = |a: &[&str]| sleep_millis(&a.iter().map(|x| x.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&["30"]), Ok(30_000));
        assert_eq!(s(&["30s"]), Ok(30_000));
        assert_eq!(s(&["5m"]), Ok(300_000));
        assert_eq!(s(&["1h"]), Ok(3_600_000));
        assert_eq!(s(&["1.5"]), Ok(1_500));
        assert_eq!(s(&["1m", "30s"]), Ok(90_000));
        assert_eq!(s(&["x"]), Err("sleep: invalid time interval 'x'\n".into()));
        assert_eq!(s(&["-1"]), Err("sleep: invalid time interval '-1'\n".into()));
        assert_eq!(s(&[]), Err("sleep: missing operand\n".into()));
    }
}
