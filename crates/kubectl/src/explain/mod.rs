//! `kubectl explain RESOURCE[.field.path]`: the field documentation of a kind, printed exactly as kubectl v1.34's
//! default `plaintext` output (its OpenAPI v3 template, `pkg/explain/v2/templates/plaintext.tmpl`) prints it.
//!
//! The documentation is the official v1.34 OpenAPI text, stored in `types.txt` (see [`schema`] and
//! `tools/explain-gen`). Rendering follows the template step by step:
//! * a header (`GROUP:` for named groups, `KIND:`, `VERSION:`, blank line);
//! * for a field path, `FIELD: name <type>` (and an `ENUM:` list) and two line breaks;
//! * `DESCRIPTION:` — the field's own description followed by its type's, wrapped at 76 and indented by 4;
//! * `FIELDS:` — each field `  name\t<type> -required-`, its description wrapped at `78 - indent`, a blank line;
//!   with `--recursive` only the names, nested two spaces per level;
//! * a final line break.
//!
//! A field path that does not exist fails after the header was printed, with the *last* path element in the
//! message, as kubectl's template does.

pub mod wrap;

use std::collections::HashSet;

use crate::flags::{flag, FlagKind, FlagSpec, Parsed};
use crate::resource::{resolve_type, TypeArg};
use crate::Output;
use engine::schema::{self, FieldDoc, TypeDoc};
use wrap::{indent, wrap};

pub const FLAGS: &[FlagSpec] = &[flag("recursive", None, FlagKind::Bool), flag("api-version", None, FlagKind::String)];

const NO_TYPE: &str = "error: You must specify the type of resource to explain. Use \"kubectl api-resources\" for a \
                       complete list of supported resources.\n";

/// Runs `kubectl explain` with its parsed flags and arguments.
pub fn run(flags: &Parsed) -> Output {
    let arg = match flags.args.as_slice() {
        [] => return Output::error(NO_TYPE),
        [arg] => arg,
        _ => return Output::error("error: We accept only this format: explain RESOURCE\n"),
    };
    // kubectl splits at the first dot: `deploy.v1.apps` is the field path `v1.apps` of `deploy`.
    let (resource, path) = match arg.split_once('.') {
        Some((resource, path)) => (resource, path.split('.').collect::<Vec<_>>()),
        None => (arg.as_str(), Vec::new()),
    };
    let TypeArg::Known(kind) = resolve_type(resource) else {
        // kubectl prints the RESTMapper's message through its standard error handler, without `error: `.
        return Output::error(format!("the server doesn't have a resource type \"{}\"\n", resource.to_lowercase()));
    };
    let info = kind.info();
    if let Some(api_version) = flags.string("api-version") {
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        // The RESTMapper matches on the version; the OpenAPI lookup then needs the group too.
        if version != info.version {
            return Output::error(format!(
                "error: couldn't find resource for \"{group}/{version}, Resource={}\"\n",
                info.plural
            ));
        }
        if group != info.group {
            return Output::error(format!(
                "error: GVR ({group}/{version}, Resource={}) not found in OpenAPI schema\n",
                info.plural
            ));
        }
    }
    let docs = schema::docs();
    let Some(kind_doc) = docs.kinds.iter().find(|k| k.kind == info.kind) else {
        return Output::error(format!(
            "error: GVR ({}/{}, Resource={}) not found in OpenAPI schema\n",
            info.group, info.version, info.plural
        ));
    };
    let mut out = String::new();
    if !kind_doc.group.is_empty() {
        out.push_str(&format!("GROUP:      {}\n", kind_doc.group));
    }
    out.push_str(&format!("KIND:       {}\nVERSION:    {}\n\n", kind_doc.kind, kind_doc.version));
    match explain(&mut out, kind_doc.ty, &path, flags.bool("recursive")) {
        Ok(()) => {
            out.push('\n');
            Output::ok(out)
        }
        Err(field) => Output { stdout: out, ..Output::error(format!("error: field \"{field}\" does not exist\n")) },
    }
}

/// Where a field path ends: the kind itself, or one of its (nested) fields.
enum Target<'d> {
    Type(&'d TypeDoc<'static>),
    Field(&'d FieldDoc<'static>),
}

/// Appends the description and fields of `ty` or of the field `path` leads to; on a missing field returns the
/// path's last element, which is what kubectl names in its error.
fn explain(out: &mut String, ty: &str, path: &[&str], recursive: bool) -> Result<(), String> {
    let docs = schema::docs();
    let missing = || path.last().map_or_else(String::new, |last| last.to_string());
    let mut target = Target::Type(docs.type_doc(ty).ok_or_else(missing)?);
    for (i, name) in path.iter().enumerate() {
        let fields = match target {
            Target::Type(t) => &t.fields,
            Target::Field(f) => &f.target.and_then(|t| docs.type_doc(t)).ok_or_else(missing)?.fields,
        };
        let field = fields.iter().find(|f| f.name == *name).ok_or_else(missing)?;
        if i + 1 == path.len() {
            out.push_str(&format!("FIELD: {} <{}>\n", field.name, field.ty));
            if !field.enum_values.is_empty() {
                out.push_str("ENUM:");
                for value in &field.enum_values {
                    out.push_str("\n    ");
                    out.push_str(enum_text(value));
                }
            }
            out.push_str("\n\n");
        }
        target = Target::Field(field);
    }

    // The template's "description" walks the schema and everything it refers to: for a field, its own text
    // and then its type's.
    let (description, fields_of) = match target {
        Target::Type(t) => (line(&t.description), Some(t)),
        Target::Field(f) => {
            let ty = f.target.and_then(|t| docs.type_doc(t));
            (format!("{}{}", line(&f.description), ty.map(|t| line(&t.description)).unwrap_or_default()), ty)
        }
    };
    let description = if description.is_empty() { "<empty>".to_string() } else { description };
    out.push_str("DESCRIPTION:\n");
    out.push_str(&indent(4, &wrap(&description, 76)));
    out.push('\n');

    if let Some(ty) = fields_of.filter(|t| !t.fields.is_empty()) {
        out.push_str("FIELDS:\n");
        let mut seen = HashSet::new();
        if let Target::Field(f) = target {
            seen.extend(f.target);
        }
        field_list(out, ty, 1, recursive, &mut seen);
    }
    Ok(())
}

/// A description as the template emits it: the text and a line break, or nothing when there is no text.
fn line(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!("{text}\n")
    }
}

/// kubectl shows an empty enum value as `""`.
fn enum_text(value: &str) -> &str {
    if value.is_empty() {
        "\"\""
    } else {
        value
    }
}

/// The template's "fieldList": every field of `ty` at `level`; with `recursive` only one line per field, nested
/// into each field's type unless that type is already being listed further up (kubectl's cycle guard).
fn field_list(
    out: &mut String,
    ty: &TypeDoc<'static>,
    level: usize,
    recursive: bool,
    seen: &mut HashSet<&'static str>,
) {
    let docs = schema::docs();
    let pad = level * 2;
    for field in &ty.fields {
        out.push_str(&indent(pad, field.name));
        out.push_str(&format!("\t<{}>", field.ty));
        if field.required {
            out.push_str(" -required-");
        }
        if !field.enum_values.is_empty() {
            // Short view: at most four values, then `, ....`.
            out.push('\n');
            out.push_str(&" ".repeat(pad));
            out.push_str("enum: ");
            for (i, value) in field.enum_values.iter().enumerate() {
                if i == 4 {
                    out.push_str(", ....");
                    break;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(enum_text(value));
            }
        }
        out.push('\n');
        if recursive {
            let Some(target) = field.target else { continue };
            if !seen.insert(target) {
                continue;
            }
            if let Some(sub) = docs.type_doc(target) {
                field_list(out, sub, level + 1, recursive, seen);
            }
            seen.remove(target);
        } else {
            let text = if field.description.is_empty() { "<no description>" } else { &field.description };
            out.push_str(&indent(pad + 2, &wrap(text, 78usize.saturating_sub(pad))));
            out.push_str("\n\n");
        }
    }
}

#[cfg(test)]
mod tests;
