//! Printing objects in every `-o` format kubectl offers for `get` and the commands that take `-o`.

use std::sync::Arc;

use engine::Object;
use serde_json::Value;

use crate::output::custom_columns::{self, Column};
use crate::output::jsonpath::JsonPath;
use crate::output::yaml;
use crate::printers;
use crate::table::Table;

pub const ALLOWED_FORMATS: &str = "custom-columns,custom-columns-file,go-template,go-template-file,json,jsonpath,\
jsonpath-as-json,jsonpath-file,name,template,templatefile,wide,yaml";

/// An `-o` value.
#[derive(Clone, Debug)]
pub enum Format {
    Table { wide: bool },
    Name,
    Json,
    Yaml,
    JsonPath(JsonPath),
    JsonPathAsJson(JsonPath),
    CustomColumns(Vec<Column>),
}

impl Format {
    /// Parses `-o`; `files` resolves `custom-columns-file=PATH`.
    pub fn parse(spec: &str, io: &crate::io::Io) -> Result<Format, String> {
        if let Some(template) = spec.strip_prefix("jsonpath=") {
            return JsonPath::parse(template).map(Format::JsonPath);
        }
        if let Some(template) = spec.strip_prefix("jsonpath-as-json=") {
            return JsonPath::parse(template).map(Format::JsonPathAsJson);
        }
        if let Some(columns) = spec.strip_prefix("custom-columns=") {
            return custom_columns::parse_spec(columns).map(Format::CustomColumns);
        }
        if let Some(path) = spec.strip_prefix("custom-columns-file=") {
            let text = io.files.read(path).map_err(|e| format!("error: {e}\n"))?;
            return custom_columns::parse_file(&text).map(Format::CustomColumns);
        }
        match spec {
            "" => Ok(Format::Table { wide: false }),
            "wide" => Ok(Format::Table { wide: true }),
            "name" => Ok(Format::Name),
            "json" => Ok(Format::Json),
            "yaml" => Ok(Format::Yaml),
            "jsonpath" | "jsonpath-as-json" => Err("error: template format specified but no template given\n".into()),
            "custom-columns" => Err("error: custom-columns format specified but no custom columns given\n".into()),
            other => Err(format!(
                "error: unable to match a printer suitable for the output format \"{other}\", allowed formats are: {ALLOWED_FORMATS}\n"
            )),
        }
    }

    /// Formats that print a document even for an empty list (no "No resources found").
    pub fn is_structured(&self) -> bool {
        matches!(self, Format::Json | Format::Yaml | Format::JsonPath(_) | Format::JsonPathAsJson(_))
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
        Format::Name => names(objects),
        Format::Json => json_text(&as_document(objects, single)),
        Format::Yaml => yaml::to_yaml(&as_document(objects, single))?,
        Format::JsonPath(p) => p.execute(&as_document(objects, single))?,
        Format::JsonPathAsJson(p) => p.execute_as_json(&as_document(objects, single))?,
        Format::CustomColumns(columns) => {
            let items: Vec<Value> = objects.iter().map(|o| o.to_json()).collect();
            custom_columns::render(columns, &items, opts.no_headers)?
        }
    })
}

/// `-o name`: `kind/name` lines (`deployment.apps/web`), written into one buffer.
fn names(objects: &[Arc<Object>]) -> String {
    let mut out = String::with_capacity(objects.len() * 32);
    let mut kind = None;
    let mut qualified = String::new();
    for batch in objects.chunks(PREFETCH_BATCH) {
        batch.iter().for_each(|obj| printers::prefetch(obj));
        for obj in batch {
            if kind != Some(obj.kind()) {
                kind = Some(obj.kind());
                qualified = obj.kind().info().qualified_singular();
            }
            out.push_str(&qualified);
            out.push('/');
            out.push_str(obj.name());
            out.push('\n');
        }
    }
    out
}

thread_local! {
    static SHOW_MANAGED_FIELDS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// `--show-managed-fields` of the running command: without it kubectl's printers drop
/// `metadata.managedFields` (`OmitManagedFieldsPrinter`).
pub fn set_show_managed_fields(show: bool) {
    SHOW_MANAGED_FIELDS.with(|s| s.set(show));
}

/// An object as kubectl prints it: without `metadata.managedFields` unless `--show-managed-fields`.
pub fn printed_json(obj: &Object) -> Value {
    let mut json = obj.to_json();
    omit_managed_fields(&mut json);
    json
}

/// Drops `metadata.managedFields` unless `--show-managed-fields` is on.
pub fn omit_managed_fields(json: &mut Value) {
    if SHOW_MANAGED_FIELDS.with(|s| s.get()) {
        return;
    }
    if let Some(meta) = json.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
}

/// One object as itself, several (or a list) as a `v1` `List`.
pub fn as_document(objects: &[Arc<Object>], single: bool) -> Value {
    if single && objects.len() == 1 {
        printed_json(&objects[0])
    } else {
        serde_json::json!({
            "apiVersion": "v1",
            "items": objects.iter().map(|o| printed_json(o)).collect::<Vec<_>>(),
            "kind": "List",
            "metadata": { "resourceVersion": "" },
        })
    }
}

/// kubectl's JSON: 4-space indentation, sorted keys, Go's HTML escapes, trailing newline.
pub fn json_text(value: &Value) -> String {
    yaml::to_json(value)
}

/// How many objects [`printers::prefetch`] reads ahead of printing them.
const PREFETCH_BATCH: usize = 32;

fn tables(objects: &[Arc<Object>], now: u64, wide: bool, opts: &TableOptions) -> String {
    let mut out = String::new();
    let mut start = 0;
    while start < objects.len() {
        let kind = objects[start].kind();
        let end = start + objects[start..].iter().take_while(|o| o.kind() == kind).count();
        if !out.is_empty() {
            out.push('\n');
        }
        table(&objects[start..end], now, wide, opts).render_into(&mut out);
        start = end;
    }
    out
}

/// The table of `objects`, all of one kind, with its header row unless `--no-headers`.
pub fn table(objects: &[Arc<Object>], now: u64, wide: bool, opts: &TableOptions) -> Table {
    let Some(kind) = objects.first().map(|o| o.kind()) else { return Table::new() };
    let headers = printers::headers(kind, wide);
    let label_headers = printers::label_column_headers(&opts.label_columns);
    let columns = headers.len() + label_headers.len() + usize::from(opts.show_namespace) + 1;
    // About 8 bytes a cell: enough for most tables not to grow their buffer more than once.
    let mut table = Table::with_capacity(objects.len() + 1, columns, (objects.len() + 1) * columns * 8);
    if !opts.no_headers {
        if opts.show_namespace {
            table.cell("NAMESPACE");
        }
        for h in &headers {
            table.cell(h);
        }
        for h in &label_headers {
            table.cell(h);
        }
        if opts.show_labels {
            table.cell("LABELS");
        }
        table.end_row();
    }
    let prefix = opts.show_kind.then(|| format!("{}/", kind.info().qualified_singular()));
    for batch in objects.chunks(PREFETCH_BATCH) {
        batch.iter().for_each(|obj| printers::prefetch(obj));
        for obj in batch {
            if opts.show_namespace {
                table.cell(obj.namespace());
            }
            printers::write_row(&mut table, obj, now, wide, prefix.as_deref());
            if !opts.label_columns.is_empty() {
                for value in printers::label_columns(obj, &opts.label_columns) {
                    table.cell(&value);
                }
            }
            if opts.show_labels {
                table.cell(&printers::labels_cell(obj));
            }
            table.end_row();
        }
    }
    table
}

/// What a command that creates or changes one object prints: with `-o name` or a structured `-o`, the
/// object in that format; otherwise `kind/name <operation>` (with the dry-run suffix, if any).
pub fn emit(
    output: Option<&str>,
    io: &crate::io::Io,
    kind: engine::Kind,
    object: &Value,
    operation: &str,
    dry_suffix: &str,
) -> Result<String, String> {
    let mut printed = object.clone();
    omit_managed_fields(&mut printed);
    let object = &printed;
    let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or_default();
    let qualified = format!("{}/{name}", kind.info().qualified_singular());
    match Format::parse(output.unwrap_or(""), io)? {
        Format::Table { .. } => Ok(format!("{qualified} {operation}{dry_suffix}\n")),
        Format::Name => Ok(format!("{qualified}\n")),
        Format::Json => Ok(json_text(object)),
        Format::Yaml => yaml::to_yaml(object),
        Format::JsonPath(p) => p.execute(object),
        Format::JsonPathAsJson(p) => p.execute_as_json(object),
        Format::CustomColumns(columns) => custom_columns::render(&columns, std::slice::from_ref(object), false),
    }
}
