//! `kubectl get`: reads objects through the API and prints them in the requested format.

use engine::apiserver::{Request, RequestOptions, Verb};
use std::sync::Arc;

use engine::{ApiError, Cluster, Object};

use crate::builder::{parse_args, ALL_CATEGORY};
use crate::client::{send, server_error};
use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::printers;
use crate::printing::{self, Format};
use crate::Output;

pub const FLAGS: &[FlagSpec] = &[
    flag("output", Some('o'), FlagKind::String),
    flag("no-headers", None, FlagKind::Bool),
    flag("show-labels", None, FlagKind::Bool),
    flag("all-namespaces", Some('A'), FlagKind::Bool),
    flag("selector", Some('l'), FlagKind::String),
    flag("field-selector", None, FlagKind::String),
    flag("label-columns", Some('L'), FlagKind::StringArray),
    flag("show-kind", None, FlagKind::Bool),
    flag("ignore-not-found", None, FlagKind::Bool),
    flag("show-managed-fields", None, FlagKind::Bool),
    flag("sort-by", None, FlagKind::String),
    // Watching streams in the page until Ctrl-C (`playground::stream`); a script gets the first listing.
    flag("watch", Some('w'), FlagKind::Bool),
    flag("watch-only", None, FlagKind::Bool),
];

pub fn run(cluster: &mut Cluster, flags: &Parsed, namespace: &str, io: &crate::io::Io) -> Output {
    let format = match Format::parse(flags.string("output").unwrap_or(""), io) {
        Ok(f) => f,
        Err(e) => return Output::error(e),
    };
    if flags.args.is_empty() {
        return Output::error(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of \
supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a \
detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n",
        );
    }
    let requests = match parse_args(&flags.args) {
        Ok(r) => r,
        Err(e) => return Output::error(e),
    };
    let all_namespaces = flags.bool("all-namespaces");
    let watch_only = flags.bool("watch-only");
    if flags.bool("watch") || watch_only {
        // kubectl's `watch`: one resource type (the builder's SingleResourceType), then one object or one
        // collection (checked once the objects are read, below).
        if requests.len() > 1 {
            return Output::error("error: you may only specify a single resource type\n");
        }
        if format.is_structured() || !matches!(flags.string("output").unwrap_or(""), "" | "wide") {
            return Output::error("error: kubeground streams watches only as tables (no -o or -o wide)\n");
        }
    }
    let options = RequestOptions {
        label_selector: flags.string("selector").map(String::from),
        field_selector: flags.string("field-selector").map(String::from),
        ..Default::default()
    };

    let mut out = Output::default();
    let mut found: Vec<Arc<Object>> = Vec::new();
    let mut errors: Vec<ApiError> = Vec::new();
    for (kind, names) in &requests {
        let ns_for = |r: Request| if all_namespaces && names.is_empty() { r } else { r.namespace(namespace) };
        if names.is_empty() {
            let req = ns_for(Request::new(Verb::List, *kind)).options(options.clone());
            match send(cluster, req).list() {
                Ok(items) if found.is_empty() => found = items,
                Ok(items) => found.extend(items),
                Err(e) => {
                    out.fail(server_error(&e, None));
                    return out;
                }
            }
        } else {
            for name in names {
                match send(cluster, ns_for(Request::new(Verb::Get, *kind)).name(name)).object() {
                    Ok(obj) => found.push(Arc::new(obj)),
                    Err(e) if e.code == 404 && flags.bool("ignore-not-found") => {}
                    Err(e) => errors.push(e),
                }
            }
        }
    }

    if let Some(sort_by) = flags.string("sort-by") {
        if let Err(e) = crate::output::sort_by::sort(&mut found, sort_by) {
            out.fail(e);
            return out;
        }
    }
    let listed = requests.iter().all(|(_, names)| names.is_empty());
    let show_namespace = all_namespaces && listed;
    let single = !listed && requests.len() == 1 && requests[0].1.len() == 1;
    let now = cluster.now();
    let several_kinds = requests.len() > 1 || flags.bool("show-kind") || is_all_category(&requests);
    // One named object that could not be read prints nothing but the error, in every format (kubectl's
    // `printGeneric` returns the error at once when a single item is implied).
    let single_failed = single && !errors.is_empty();
    let watching = flags.bool("watch") || watch_only;
    if watching && requests.iter().any(|(_, names)| names.len() > 1) {
        // The first object that cannot be read stops it; with all of them read, they are too many to watch.
        return match errors.first() {
            Some(e) => Output::error(server_error(e, None)),
            None => Output::error(format!(
                "error: watch is only supported on individual resources and resource collections, but {} resources were found\n",
                found.len()
            )),
        };
    }
    if watch_only {
        // Only what changes from now on (the page streams it).
        found.clear();
    }
    match printing::print(
        &format,
        &found,
        now,
        single,
        &printing::TableOptions {
            no_headers: flags.bool("no-headers"),
            show_labels: flags.bool("show-labels"),
            show_namespace,
            show_kind: several_kinds,
            label_columns: flags.strings("label-columns"),
        },
    ) {
        Ok(_) if single_failed => {}
        Ok(text) => out.stdout = text,
        Err(e) => out.fail(e),
    }
    if found.is_empty() && errors.is_empty() && listed && !format.is_structured() && !watching {
        let all_namespaced = requests.iter().all(|(k, _)| k.info().namespaced);
        out.stderr.push_str(&if all_namespaced && !all_namespaces {
            format!("No resources found in {namespace} namespace.\n")
        } else {
            "No resources found\n".to_string()
        });
    }
    for e in &errors {
        out.fail(server_error(e, None));
    }
    out
}

fn is_all_category(requests: &[(engine::Kind, Vec<String>)]) -> bool {
    requests.len() == ALL_CATEGORY.len() && requests.iter().zip(ALL_CATEGORY).all(|((k, _), a)| k == a)
}

/// Re-exported for other commands that print tables.
pub use printers::labels_cell;
