//! Command-line flags parsed as kubectl's flag library (spf13/pflag) parses them, with its error texts.
//!
//! Accepted forms: `--name=value`, `--name value`, `-n value`, `-nvalue`, `-n=value`, boolean `--name`,
//! `--name=false`, grouped boolean shorthands (`-Aw`), and `--` to end flags. Positional arguments may come
//! anywhere, as with kubectl.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlagKind {
    Bool,
    String,
    /// Repeatable; each value is also split on commas (pflag's StringSlice), e.g. `-f a.yaml,b.yaml -f c.yaml`.
    StringArray,
}

#[derive(Clone, Copy, Debug)]
pub struct FlagSpec {
    pub name: &'static str,
    pub shorthand: Option<char>,
    pub kind: FlagKind,
}

pub const fn flag(name: &'static str, shorthand: Option<char>, kind: FlagKind) -> FlagSpec {
    FlagSpec { name, shorthand, kind }
}

/// The outcome of parsing: flag values by long name (last one wins) and the positional arguments.
#[derive(Debug, Default)]
pub struct Parsed {
    values: BTreeMap<&'static str, String>,
    lists: BTreeMap<&'static str, Vec<String>>,
    pub args: Vec<String>,
}

impl Parsed {
    pub fn string(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub fn bool(&self, name: &str) -> bool {
        self.values.get(name).is_some_and(|v| v == "true")
    }

    /// Whether the flag was given at all (`--all=false` counts).
    pub fn has(&self, name: &str) -> bool {
        self.values.contains_key(name) || self.lists.contains_key(name)
    }

    pub fn strings(&self, name: &str) -> Vec<String> {
        self.lists.get(name).cloned().unwrap_or_default()
    }

    fn set(&mut self, spec: &FlagSpec, value: String) {
        if spec.kind == FlagKind::StringArray {
            let list = self.lists.entry(spec.name).or_default();
            list.extend(value.split(',').filter(|v| !v.is_empty()).map(String::from));
        } else {
            self.values.insert(spec.name, value);
        }
    }
}

/// Parses `args` against `specs`. The error is pflag's message, without the `Error: ` prefix.
pub fn parse(args: &[String], specs: &[FlagSpec]) -> Result<Parsed, String> {
    let mut parsed = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            parsed.args.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let spec = specs.iter().find(|s| s.name == name).ok_or_else(|| format!("unknown flag: --{name}"))?;
            let value = match (spec.kind, inline) {
                (FlagKind::Bool, Some(v)) => parse_bool(&v, spec.name)?,
                (FlagKind::Bool, None) => "true".to_string(),
                (FlagKind::String | FlagKind::StringArray, Some(v)) => v,
                (FlagKind::String | FlagKind::StringArray, None) => {
                    let v = args.get(i).ok_or_else(|| format!("flag needs an argument: --{name}"))?;
                    i += 1;
                    v.clone()
                }
            };
            parsed.set(spec, value);
        } else if arg.len() > 1 && arg.starts_with('-') {
            let shorts: Vec<char> = arg[1..].chars().collect();
            let mut j = 0;
            while j < shorts.len() {
                let c = shorts[j];
                let spec = specs
                    .iter()
                    .find(|s| s.shorthand == Some(c))
                    .ok_or_else(|| format!("unknown shorthand flag: '{c}' in {arg}"))?;
                let rest: String = shorts[j + 1..].iter().collect();
                match spec.kind {
                    FlagKind::Bool => {
                        if let Some(v) = rest.strip_prefix('=') {
                            parsed.values.insert(spec.name, parse_bool(v, spec.name)?);
                            break;
                        }
                        parsed.values.insert(spec.name, "true".to_string());
                        j += 1;
                    }
                    FlagKind::String | FlagKind::StringArray => {
                        let value = if !rest.is_empty() {
                            rest.strip_prefix('=').unwrap_or(&rest).to_string()
                        } else {
                            let v = args.get(i).ok_or_else(|| format!("flag needs an argument: '{c}' in -{c}"))?;
                            i += 1;
                            v.clone()
                        };
                        parsed.set(spec, value);
                        break;
                    }
                }
            }
        } else {
            parsed.args.push(arg.clone());
        }
    }
    Ok(parsed)
}

/// Go's `strconv.ParseBool`, with pflag's message on failure.
fn parse_bool(v: &str, name: &str) -> Result<String, String> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok("true".into()),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok("false".into()),
        _ => Err(format!(
            "invalid argument \"{v}\" for \"--{name}\" flag: strconv.ParseBool: parsing \"{v}\": invalid syntax"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[FlagSpec] = &[
        flag("output", Some('o'), FlagKind::String),
        flag("all-namespaces", Some('A'), FlagKind::Bool),
        flag("no-headers", None, FlagKind::Bool),
        flag("watch", Some('w'), FlagKind::Bool),
    ];

    fn p(line: &str) -> Result<Parsed, String> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&args, SPECS)
    }

    #[test]
    fn accepted_forms() {
        for line in ["nodes -o wide", "nodes -owide", "nodes -o=wide", "--output=wide nodes", "nodes --output wide"] {
            let parsed = p(line).unwrap();
            assert_eq!(parsed.string("output"), Some("wide"), "{line}");
            assert_eq!(parsed.args, ["nodes"], "{line}");
        }
        let parsed = p("pods -Aw --no-headers=false").unwrap();
        assert!(parsed.bool("all-namespaces") && parsed.bool("watch") && !parsed.bool("no-headers"));
        assert_eq!(p("a -- -o b").unwrap().args, ["a", "-o", "b"]);
    }

    #[test]
    fn pflag_errors() {
        let cases = [
            ("nodes --bogus", "unknown flag: --bogus"),
            ("nodes -x", "unknown shorthand flag: 'x' in -x"),
            ("nodes -o", "flag needs an argument: 'o' in -o"),
            ("nodes --output", "flag needs an argument: --output"),
            (
                "--no-headers=3 nodes",
                "invalid argument \"3\" for \"--no-headers\" flag: strconv.ParseBool: parsing \"3\": invalid syntax",
            ),
        ];
        for (line, want) in cases {
            assert_eq!(p(line).unwrap_err(), want, "{line}");
        }
    }
}
