//! The API schema of the supported kinds (OpenAPI v1.34): every named type with its fields and their
//! documentation, read from `schema_data/types.txt` (written by `tools/explain-gen`). `kubectl explain` prints
//! it; strict decoding uses it to name the Go struct that holds a mistyped field.
//!
//! Each named type (`api.core.v1.PodSpec`) is stored once with its description and fields; a field names the
//! type it leads to, so shared types such as `ObjectMeta` cost nothing per use. The text is parsed once, on the
//! first `kubectl explain`, into borrowed slices: no copies of the descriptions are made.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

const DATA: &str = include_str!("schema_data/types.txt");

/// A supported kind and the type that describes it.
pub struct KindDoc<'a> {
    pub kind: &'a str,
    pub group: &'a str,
    pub version: &'a str,
    pub ty: &'a str,
}

/// A named type: its description and its fields, sorted by name as kubectl prints them.
#[derive(Default)]
pub struct TypeDoc<'a> {
    pub description: Cow<'a, str>,
    pub fields: Vec<FieldDoc<'a>>,
}

pub struct FieldDoc<'a> {
    pub name: &'a str,
    /// The type as kubectl prints it between `<` and `>`, e.g. `[]Container` or `map[string]string`.
    pub ty: &'a str,
    pub required: bool,
    /// The named type this field leads to (through arrays and maps), if any.
    pub target: Option<&'a str>,
    pub description: Cow<'a, str>,
    pub enum_values: Vec<&'a str>,
}

pub struct Docs<'a> {
    pub kinds: Vec<KindDoc<'a>>,
    pub types: HashMap<&'a str, TypeDoc<'a>>,
}

impl<'a> Docs<'a> {
    pub fn type_doc(&self, name: &str) -> Option<&TypeDoc<'a>> {
        self.types.get(name)
    }
}

/// The Go struct that holds the field at `path` (JSON keys from the object's root, list indices left out) of
/// an object of kind `kind`: `("Deployment", ["spec", "replicas"])` → `DeploymentSpec`.
pub fn parent_struct(kind: &str, path: &[&str]) -> Option<String> {
    let docs = docs();
    let mut ty = docs.kinds.iter().find(|k| k.kind == kind)?.ty;
    for key in path.iter().take(path.len().saturating_sub(1)) {
        let field = docs.type_doc(ty)?.fields.iter().find(|f| f.name == *key)?;
        ty = field.target?;
    }
    Some(ty.rsplit('.').next().unwrap_or(ty).to_string())
}

/// The type of the field at `path` as kubectl explain prints it (`[]Container`, `map[string]string`), for an
/// object of kind `kind`.
pub fn field_type(kind: &str, path: &[&str]) -> Option<&'static str> {
    let docs = docs();
    let mut ty = docs.kinds.iter().find(|k| k.kind == kind)?.ty;
    let (last, parents) = path.split_last()?;
    for key in parents {
        ty = docs.type_doc(ty)?.fields.iter().find(|f| f.name == *key)?.target?;
    }
    docs.type_doc(ty)?.fields.iter().find(|f| f.name == *last).map(|f| f.ty)
}

/// The parsed documentation of every supported kind.
pub fn docs() -> &'static Docs<'static> {
    static DOCS: OnceLock<Docs<'static>> = OnceLock::new();
    DOCS.get_or_init(|| parse(DATA))
}

/// Undoes the generator's escaping of `\`, newlines and tabs; borrows when there is nothing to undo.
fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('\\') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// Parses the data file. Malformed lines are skipped rather than trusted: the file is generated, and a bad line
/// must cost at most its own field.
pub fn parse(data: &str) -> Docs<'_> {
    let mut docs = Docs { kinds: Vec::new(), types: HashMap::new() };
    let mut current: Option<&str> = None;
    for line in data.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        match cols.as_slice() {
            ["K", kind, group, version, ty] => docs.kinds.push(KindDoc { kind, group, version, ty }),
            ["T", name, description] => {
                docs.types.insert(name, TypeDoc { description: unescape(description), fields: Vec::new() });
                current = Some(name);
            }
            ["F", name, ty, required, target, description, enums] => {
                let Some(ty_doc) = current.and_then(|c| docs.types.get_mut(c)) else { continue };
                ty_doc.fields.push(FieldDoc {
                    name,
                    ty,
                    required: *required == "r",
                    target: (!target.is_empty()).then_some(*target),
                    description: unescape(description),
                    enum_values: if enums.is_empty() { Vec::new() } else { enums.split('|').collect() },
                });
            }
            _ => {}
        }
    }
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_type() {
        let docs = docs();
        assert_eq!(docs.kinds.len(), crate::Kind::ALL.len());
        for kind in &docs.kinds {
            let ty = docs.type_doc(kind.ty).unwrap_or_else(|| panic!("{}", kind.ty));
            assert!(!ty.fields.is_empty(), "{}", kind.kind);
        }
    }

    #[test]
    fn every_target_is_a_known_type() {
        let docs = docs();
        for ty in docs.types.values() {
            for field in &ty.fields {
                if let Some(target) = field.target {
                    assert!(docs.type_doc(target).is_some(), "{target}");
                }
            }
        }
    }

    #[test]
    fn parses_escapes_and_skips_malformed_lines() {
        let docs = parse("T\tx.A\ta\\nb\\tc\\\\d\nF\tf\tstring\tr\t\tone\tX|Y\nF\tbroken\ngarbage\n");
        let a = docs.type_doc("x.A").expect("type");
        assert_eq!(a.description, "a\nb\tc\\d");
        assert_eq!(a.fields.len(), 1);
        assert!(a.fields[0].required);
        assert_eq!(a.fields[0].target, None);
        assert_eq!(a.fields[0].enum_values, ["X", "Y"]);
    }
}
