//! `kubectl get`: resolves resource types and names, reads objects and prints them in the requested format.

use engine::{ApiError, Cluster, Kind, Object};

use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::printers;
use crate::resource::{resolve_type, TypeArg};
use crate::table;
use crate::Output;

pub const FLAGS: &[FlagSpec] = &[
    flag("output", Some('o'), FlagKind::String),
    flag("no-headers", None, FlagKind::Bool),
    flag("show-labels", None, FlagKind::Bool),
];

enum Format {
    Table { wide: bool },
    Name,
    Json,
}

const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,\
jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

pub fn run(cluster: &Cluster, flags: &Parsed, namespace: &str) -> Output {
    let format = match flags.string("output").unwrap_or("") {
        "" => Format::Table { wide: false },
        "wide" => Format::Table { wide: true },
        "name" => Format::Name,
        "json" => Format::Json,
        other => {
            return Output::error(format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: {ALLOWED_FORMATS}\n"
            ))
        }
    };
    if flags.args.is_empty() {
        return Output::error(
            "You must specify the type of resource to get. Use \"kubectl api-resources\" for a complete list of \
supported resources.\n\nerror: Required resource not specified.\nUse \"kubectl explain <resource>\" for a \
detailed description of that resource (e.g. kubectl explain pods).\nSee 'kubectl get -h' for help and examples\n",
        );
    }
    let requests = match resolve_args(&flags.args) {
        Ok(r) => r,
        Err(e) => return Output::error(e),
    };

    let mut out = Output::default();
    let mut found: Vec<&Object> = Vec::new();
    let mut errors: Vec<ApiError> = Vec::new();
    for (kind, names) in &requests {
        let ns = if kind.info().namespaced { namespace } else { "" };
        if names.is_empty() {
            found.extend(cluster.store().list(*kind, Some(ns)));
        } else {
            for name in names {
                match cluster.get(*kind, ns, name) {
                    Ok(obj) => found.push(obj),
                    Err(e) => errors.push(e),
                }
            }
        }
    }

    match format {
        Format::Table { wide } => out.stdout = tables(&found, cluster.now(), wide, flags),
        Format::Name => {
            for obj in &found {
                out.stdout.push_str(&format!("{}/{}\n", obj.kind().info().qualified_singular(), obj.name()));
            }
        }
        Format::Json => out.stdout = json(&found, requests.len() == 1 && requests[0].1.len() == 1),
    }
    let listed_everything = requests.iter().all(|(_, names)| names.is_empty());
    if found.is_empty() && errors.is_empty() && listed_everything {
        let all_namespaced = requests.iter().all(|(k, _)| k.info().namespaced);
        out.stderr = if all_namespaced {
            format!("No resources found in {namespace} namespace.\n")
        } else {
            "No resources found\n".to_string()
        };
    }
    for e in &errors {
        out.stderr.push_str(&format!("{e}\n"));
        out.exit_code = 1;
    }
    out
}

/// `TYPE [NAME...]`, `TYPE1,TYPE2`, or `TYPE/NAME ...` into (kind, names) requests in the order given.
fn resolve_args(args: &[String]) -> Result<Vec<(Kind, Vec<String>)>, String> {
    let mut requests: Vec<(Kind, Vec<String>)> = Vec::new();
    if args[0].contains('/') {
        for arg in args {
            let Some((ty, name)) = arg.split_once('/') else {
                return Err("error: there is no need to specify a resource type as a separate argument when passing \
arguments in resource/name form (e.g. 'kubectl get resource/<resource_name>' instead of 'kubectl get resource \
resource/<resource_name>'\n"
                    .to_string());
            };
            let kind = kind_of(ty)?;
            match requests.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, names)) => names.push(name.to_string()),
                None => requests.push((kind, vec![name.to_string()])),
            }
        }
        return Ok(requests);
    }
    let kinds: Vec<Kind> = args[0].split(',').map(kind_of).collect::<Result<_, _>>()?;
    let names: Vec<String> = args[1..].to_vec();
    if kinds.len() > 1 && !names.is_empty() {
        return Err("error: arguments in resource/name form must have a single resource and name\n".to_string());
    }
    Ok(kinds.into_iter().map(|k| (k, names.clone())).collect())
}

fn kind_of(ty: &str) -> Result<Kind, String> {
    match resolve_type(ty) {
        TypeArg::Known(kind) => Ok(kind),
        TypeArg::Unknown => Err(format!("error: the server doesn't have a resource type \"{ty}\"\n")),
    }
}

fn tables(objects: &[&Object], now: u64, wide: bool, flags: &Parsed) -> String {
    let mut out = String::new();
    let several_kinds = objects.windows(2).any(|w| w[0].kind() != w[1].kind());
    let mut start = 0;
    while start < objects.len() {
        let kind = objects[start].kind();
        let end = start + objects[start..].iter().take_while(|o| o.kind() == kind).count();
        let cols = printers::columns(kind);
        let width = if wide { cols.names.len() } else { cols.narrow };
        let mut rows = Vec::new();
        if !flags.bool("no-headers") {
            let mut header: Vec<String> = cols.names[..width].iter().map(|s| s.to_string()).collect();
            if flags.bool("show-labels") {
                header.push("LABELS".into());
            }
            rows.push(header);
        }
        for obj in &objects[start..end] {
            let mut cells = printers::cells(obj, now);
            cells.truncate(width);
            if several_kinds {
                cells[0] = format!("{}/{}", kind.info().qualified_singular(), cells[0]);
            }
            if flags.bool("show-labels") {
                cells.push(printers::labels_cell(obj));
            }
            rows.push(cells);
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&table::render(&rows));
        start = end;
    }
    out
}

/// One object as itself, several as a `List`, indented as kubectl indents JSON.
fn json(objects: &[&Object], single: bool) -> String {
    let value = if single && objects.len() == 1 {
        objects[0].to_json()
    } else {
        serde_json::json!({
            "apiVersion": "v1",
            "items": objects.iter().map(|o| o.to_json()).collect::<Vec<_>>(),
            "kind": "List",
            "metadata": { "resourceVersion": "" },
        })
    };
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(&value, &mut ser).expect("JSON values always serialize");
    let mut s = String::from_utf8(buf).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}
