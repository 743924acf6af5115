//! kubectl's top-level commands, in the order kubectl registers them, and how an unknown one is answered.

/// Every command real kubectl v1.34 offers, in registration order (which is the order its
/// "Did you mean this?" suggestions are listed in).
pub const KUBECTL_COMMANDS: &[&str] = &[
    "create",
    "expose",
    "run",
    "set",
    "explain",
    "get",
    "edit",
    "delete",
    "rollout",
    "scale",
    "autoscale",
    "certificate",
    "cluster-info",
    "top",
    "cordon",
    "uncordon",
    "drain",
    "taint",
    "describe",
    "logs",
    "attach",
    "exec",
    "port-forward",
    "proxy",
    "cp",
    "auth",
    "debug",
    "events",
    "diff",
    "apply",
    "patch",
    "replace",
    "wait",
    "kustomize",
    "label",
    "annotate",
    "completion",
    "config",
    "plugin",
    "version",
    "api-versions",
    "api-resources",
    "options",
];

/// Cobra's suggestions for a mistyped command: commands within Levenshtein distance 2 (ignoring case) or
/// starting with what was typed, in registration order.
pub fn suggestions(typed: &str) -> Vec<&'static str> {
    let typed = typed.to_lowercase();
    KUBECTL_COMMANDS.iter().copied().filter(|c| levenshtein(&typed, c) <= 2 || c.starts_with(&typed)).collect()
}

/// The error for an unknown command, as cobra prints it (on stderr, exit code 1).
pub fn unknown_command(typed: &str) -> String {
    let mut msg = format!("Error: unknown command \"{typed}\" for \"kubectl\"\n");
    let found = suggestions(typed);
    if !found.is_empty() {
        msg.push_str("\nDid you mean this?\n");
        for s in found {
            msg.push('\t');
            msg.push_str(s);
            msg.push('\n');
        }
        msg.push('\n');
    }
    msg
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_match_real_kubectl() {
        // Each list was printed by the real kubectl for the mistyped command.
        let cases: &[(&str, &[&str])] = &[
            ("gett", &["set", "get"]),
            ("foo", &["top"]),
            ("api", &["cp", "api-versions", "api-resources"]),
            ("co", &["top", "cordon", "cp", "completion", "config"]),
            ("ver", &["set", "get", "version"]),
            ("e", &["expose", "set", "explain", "get", "edit", "exec", "cp", "events"]),
            ("zzzzzzz", &[]),
        ];
        for (typed, want) in cases {
            assert_eq!(suggestions(typed), *want, "{typed}");
        }
    }

    #[test]
    fn unknown_command_text() {
        assert_eq!(unknown_command("zzzzzzz"), "Error: unknown command \"zzzzzzz\" for \"kubectl\"\n");
        assert_eq!(
            unknown_command("gett"),
            "Error: unknown command \"gett\" for \"kubectl\"\n\nDid you mean this?\n\tset\n\tget\n\n"
        );
    }
}
