//! `kubectl wait`: checks a condition on objects, letting simulated time pass (one second at a time) until
//! it holds or the timeout runs out, as real kubectl watches until then.

use engine::apiserver::{Request, RequestOptions, Verb};
use engine::{Cluster, Object};

use crate::builder::parse_args;
use crate::client::{send, server_error};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::Output;

pub const FLAGS: &[FlagSpec] = &[
    flag("for", None, FlagKind::String),
    flag("timeout", None, FlagKind::String),
    flag("selector", Some('l'), FlagKind::String),
    flag("all", None, FlagKind::Bool),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
];

enum Condition {
    Delete,
    /// `condition=Ready` (status `True`) or `condition=Ready=false`.
    Status {
        name: String,
        want: String,
    },
}

/// Parses Go-style durations kubectl accepts for `--timeout` (`30s`, `5m`, `1h30m`, `90`), in ms.
pub fn parse_duration(text: &str) -> Option<u64> {
    if let Ok(secs) = text.parse::<u64>() {
        return Some(secs * 1000);
    }
    let mut total = 0f64;
    let mut number = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let mut unit = c.to_string();
        if c == 'm' && chars.peek() == Some(&'s') {
            unit.push(chars.next()?);
        }
        let n: f64 = number.parse().ok()?;
        number.clear();
        total += n * match unit.as_str() {
            "h" => 3_600_000.0,
            "m" => 60_000.0,
            "s" => 1000.0,
            "ms" => 1.0,
            _ => return None,
        };
    }
    number.is_empty().then_some(total as u64)
}

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str) -> Output {
    let Some(spec) = flags.string("for") else {
        return Output::error("error: --for must be set\n");
    };
    let condition = if spec == "delete" {
        Condition::Delete
    } else if let Some(rest) = spec.strip_prefix("condition=") {
        let (name, want) = match rest.split_once('=') {
            Some((n, v)) => (n.to_string(), v.to_string()),
            None => (rest.to_string(), "true".to_string()),
        };
        Condition::Status { name, want }
    } else {
        return Output::error(format!("error: unrecognized condition: \"{spec}\"\n"));
    };
    let timeout_text = flags.string("timeout").unwrap_or("30s");
    let Some(timeout) = parse_duration(timeout_text) else {
        return Output::error(format!(
            "Error: invalid argument \"{timeout_text}\" for \"--timeout\" flag: time: invalid duration \"{timeout_text}\"\nSee 'kubectl wait --help' for usage.\n"
        ));
    };
    let selection = match parse_args(&flags.args) {
        Ok(s) => s,
        Err(e) => return Output::error(e),
    };
    if selection.is_empty() {
        return Output::error("error: resource(s) were provided, but no name was specified\n");
    }
    // The objects to wait on, fixed at the start.
    let mut targets: Vec<(engine::Kind, String, String)> = Vec::new();
    for (kind, names) in &selection {
        if names.is_empty() {
            let mut req = Request::new(Verb::List, *kind).options(RequestOptions {
                label_selector: flags.string("selector").map(String::from),
                ..Default::default()
            });
            if !flags.bool("all-namespaces") {
                req = req.namespace(namespace);
            }
            match send(cluster, req).list() {
                Ok(items) => {
                    targets.extend(items.iter().map(|o| (*kind, o.namespace().to_string(), o.name().to_string())))
                }
                Err(e) => return Output::error(server_error(&e, None)),
            }
        } else {
            targets.extend(names.iter().map(|n| (*kind, namespace.to_string(), n.clone())));
        }
    }
    if targets.is_empty() {
        return Output::error("error: no matching resources found\n");
    }
    let mut out = Output::default();
    let deadline = cluster.now() + timeout;
    for (kind, ns, name) in targets {
        let what = format!("{}/{name}", kind.info().qualified_singular());
        loop {
            let got = send(cluster, Request::new(Verb::Get, kind).namespace(&ns).name(&name)).object();
            let met = match (&condition, &got) {
                (Condition::Delete, Err(e)) if e.code == 404 => true,
                (Condition::Delete, _) => false,
                (Condition::Status { .. }, Err(e)) => {
                    out.fail(server_error(e, None));
                    break;
                }
                (Condition::Status { name: cond, want }, Ok(obj)) => has_condition(obj, cond, want),
            };
            if met {
                out.stdout.push_str(&format!("{what} condition met\n"));
                break;
            }
            if cluster.now() >= deadline {
                let plural = kind.info().qualified_plural();
                out.fail(format!("error: timed out waiting for the condition on {plural}/{name}\n"));
                break;
            }
            cluster.step_to_next_change(deadline - cluster.now());
        }
    }
    out
}

fn has_condition(obj: &Object, name: &str, want: &str) -> bool {
    let json = obj.to_json();
    json["status"]["conditions"].as_array().into_iter().flatten().any(|c| {
        c["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case(name))
            && c["status"].as_str().is_some_and(|s| s.eq_ignore_ascii_case(want))
    })
}

#[cfg(test)]
mod tests {
    use super::parse_duration;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("30s"), Some(30_000));
        assert_eq!(parse_duration("5m"), Some(300_000));
        assert_eq!(parse_duration("1h30m"), Some(5_400_000));
        assert_eq!(parse_duration("90"), Some(90_000));
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("soon"), None);
    }
}
