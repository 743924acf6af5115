//! Printing objects in every `-o` format kubectl offers for `get` and the commands that take `-o`.

use std::sync::Arc;

use engine::Object;
use serde_json::Value;

use crate::printers;
use crate::table;

pub const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,\
jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

/// An `-o` value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Format {
    Table { wide: bool },
    Name,
    Json,
}

impl Format {
    pub fn parse(spec: &str) -> Result<Format, String> {
        match spec {
            "" => Ok(Format::Table { wide: false }),
            "wide" => Ok(Format::Table { wide: true }),
            "name" => Ok(Format::Name),
            "json" => Ok(Format::Json),
            other => Err(format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: {ALLOWED_FORMATS}\n"
            )),
        }
    }

    /// Formats that print a document even for an empty list (no "No resources found").
    pub fn is_structured(&self) -> bool {
        matches!(self, Format::Json)
    }
}

pub struct TableOptions {
    pub no_headers: bool,
    pub show_labels: bool,
    pub show_namespace: bool,
    pub show_kind: bool,
    pub label_columns: Vec<String>,
}

/// Prints `objects`; `single` means one object was asked for by name (printed as itself, not a List).
pub fn print(
    format: &Format,
    objects: &[Arc<Object>],
    now: u64,
    single: bool,
    opts: &TableOptions,
) -> Result<String, String> {
    Ok(match format {
        Format::Table { wide } => tables(objects, now, *wide, opts),
        Format::Name => {
            objects.iter().map(|o| format!("{}/{}\n", o.kind().info().qualified_singular(), o.name())).collect()
        }
        Format::Json => json_text(&as_document(objects, single)),
    })
}

/// One object as itself, several (or a list) as a `v1` `List`.
pub fn as_document(objects: &[Arc<Object>], single: bool) -> Value {
    if single && objects.len() == 1 {
        objects[0].to_json()
    } else {
        serde_json::json!({
            "apiVersion": "v1",
            "items": objects.iter().map(|o| o.to_json()).collect::<Vec<_>>(),
            "kind": "List",
            "metadata": { "resourceVersion": "" },
        })
    }
}

/// kubectl's JSON: 4-space indentation, trailing newline.
pub fn json_text(value: &Value) -> String {
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(value, &mut ser).expect("JSON values always serialize");
    let mut s = String::from_utf8(buf).expect("serde_json writes UTF-8");
    s.push('\n');
    s
}

fn tables(objects: &[Arc<Object>], now: u64, wide: bool, opts: &TableOptions) -> String {
    let mut out = String::new();
    let mut start = 0;
    while start < objects.len() {
        let kind = objects[start].kind();
        let end = start + objects[start..].iter().take_while(|o| o.kind() == kind).count();
        let name_col = printers::name_column(kind, wide);
        let mut rows = Vec::new();
        if !opts.no_headers {
            let mut header: Vec<String> = Vec::new();
            if opts.show_namespace {
                header.push("NAMESPACE".into());
            }
            header.extend(printers::headers(kind, wide).iter().map(|s| s.to_string()));
            header.extend(printers::label_column_headers(&opts.label_columns));
            if opts.show_labels {
                header.push("LABELS".into());
            }
            rows.push(header);
        }
        for obj in &objects[start..end] {
            let mut cells = printers::row(obj, now, wide);
            if let (true, Some(i)) = (opts.show_kind, name_col) {
                cells[i] = format!("{}/{}", kind.info().qualified_singular(), cells[i]);
            }
            if opts.show_namespace {
                cells.insert(0, obj.namespace().to_string());
            }
            cells.extend(printers::label_columns(obj, &opts.label_columns));
            if opts.show_labels {
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
