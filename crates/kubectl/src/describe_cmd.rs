//! `kubectl describe`: finds the objects (by name, name prefix, label selector or all of a kind) and
//! prints each with its related objects and events (see the `describe` module for the layouts).

use engine::apiserver::{Request, RequestOptions, Verb};
use engine::{Cluster, Kind, Object};

use crate::builder::parse_args;
use crate::client::{send, server_error};
use crate::describe::{self, Lookup};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::Output;

pub const FLAGS: &[FlagSpec] = &[
    flag("selector", Some('l'), FlagKind::String),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("show-events", None, FlagKind::Bool),
];

/// Related objects, read from the cluster's store (describe only reads).
struct StoreLookup<'a>(&'a Cluster);

impl Lookup for StoreLookup<'_> {
    fn list(&self, kind: Kind, namespace: Option<&str>) -> Vec<Object> {
        self.0.store().list(kind, namespace).cloned().collect()
    }
}

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str) -> Output {
    if flags.args.is_empty() {
        return Output::error(
            "error: You must specify the type of resource to describe. Use \"kubectl api-resources\" for a complete list of supported resources.\n",
        );
    }
    let selection = match parse_args(&flags.args) {
        Ok(s) => s,
        Err(e) => return Output::error(e),
    };
    let all_namespaces = flags.bool("all-namespaces");
    let mut out = Output::default();
    let mut described: Vec<Object> = Vec::new();
    let mut by_prefix: Vec<Object> = Vec::new();
    for (kind, names) in &selection {
        if names.is_empty() {
            let mut req = Request::new(Verb::List, *kind).options(RequestOptions {
                label_selector: flags.string("selector").map(String::from),
                ..Default::default()
            });
            if !all_namespaces {
                req = req.namespace(namespace);
            }
            match send(cluster, req).list() {
                Ok(items) => described.extend(items.iter().map(|o| o.as_ref().clone())),
                Err(e) => {
                    out.fail(server_error(&e, None));
                    return out;
                }
            }
            continue;
        }
        for name in names {
            match send(cluster, Request::new(Verb::Get, *kind).namespace(namespace).name(name)).object() {
                Ok(obj) => described.push(obj),
                Err(e) if e.code == 404 => {
                    // kubectl falls back to every object whose name starts with what was typed.
                    let req = Request::new(Verb::List, *kind).namespace(namespace);
                    let matches: Vec<Object> = send(cluster, req)
                        .list()
                        .unwrap_or_default()
                        .iter()
                        .filter(|o| o.name().starts_with(name.as_str()))
                        .map(|o| o.as_ref().clone())
                        .collect();
                    if matches.is_empty() {
                        out.fail(server_error(&e, None));
                    } else {
                        by_prefix.extend(matches);
                    }
                }
                Err(e) => out.fail(server_error(&e, None)),
            }
        }
    }
    let now = cluster.now();
    let lookup = StoreLookup(cluster);
    if !described.is_empty() {
        out.stdout.push_str(&describe::describe_many(&described, &lookup, now));
    }
    if !by_prefix.is_empty() {
        out.stdout.push_str(&describe::describe_prefix_matches(&by_prefix, &lookup, now));
    }
    let listed = selection.iter().all(|(_, n)| n.is_empty());
    if listed && described.is_empty() && out.exit_code == 0 {
        out.stderr.push_str(&if all_namespaces {
            "No resources found\n".to_string()
        } else {
            format!("No resources found in {namespace} namespace.\n")
        });
    }
    out
}
