//! Field-level validation errors, rendered exactly as apimachinery's `field.Error` renders them
//! (`staging/src/k8s.io/apimachinery/pkg/util/validation/field/errors.go`, v1.34 era), plus the field paths
//! they point at (`field/path.go`) and the aggregate text the apiserver and kubectl build from a list of them.

use std::fmt;

use super::gotext::{go_json_string, go_quote};
use crate::util::sort::StableSort;

/// The kind of a field error (`field.ErrorType`), in the words the API prints for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Required,
    Duplicate,
    Invalid,
    /// The supported values are already rendered into the error's `detail` (`supported values: "a", "b"`).
    NotSupported,
    Forbidden,
    TooLong,
    TooMany,
    Internal,
}

impl ErrorKind {
    /// `ErrorType.String()`: the words that start the error body.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "Not found",
            ErrorKind::Required => "Required value",
            ErrorKind::Duplicate => "Duplicate value",
            ErrorKind::Invalid => "Invalid value",
            ErrorKind::NotSupported => "Unsupported value",
            ErrorKind::Forbidden => "Forbidden",
            ErrorKind::TooLong => "Too long",
            ErrorKind::TooMany => "Too many",
            ErrorKind::Internal => "Internal error",
        }
    }

    /// The `reason` of the matching `metav1.StatusCause` in a 422 response.
    pub fn cause_type(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "FieldValueNotFound",
            ErrorKind::Required => "FieldValueRequired",
            ErrorKind::Duplicate => "FieldValueDuplicate",
            ErrorKind::Invalid => "FieldValueInvalid",
            ErrorKind::NotSupported => "FieldValueNotSupported",
            ErrorKind::Forbidden => "FieldValueForbidden",
            ErrorKind::TooLong => "FieldValueTooLong",
            ErrorKind::TooMany => "FieldValueTooMany",
            ErrorKind::Internal => "InternalError",
        }
    }
}

/// A JSON value as Go's `encoding/json` writes it: object members keep the order given here (Go writes struct
/// fields in declaration order and map keys sorted), strings use Go's escaping (`<` becomes `\u003c`).
#[derive(Clone, Debug, PartialEq)]
pub enum GoJson {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    Array(Vec<GoJson>),
    Object(Vec<(String, GoJson)>),
}

impl GoJson {
    /// A Go `map[string]string`: keys sorted, as `json.Marshal` sorts map keys.
    pub fn string_map<'a>(map: impl IntoIterator<Item = (&'a String, &'a String)>) -> GoJson {
        let mut members: Vec<(String, GoJson)> =
            map.into_iter().map(|(k, v)| (k.clone(), GoJson::Str(v.clone()))).collect();
        members.stable_sort_by(|a, b| a.0.cmp(&b.0));
        GoJson::Object(members)
    }

    /// A Go `[]string`.
    pub fn string_list<'a>(items: impl IntoIterator<Item = &'a String>) -> GoJson {
        GoJson::Array(items.into_iter().map(|s| GoJson::Str(s.clone())).collect())
    }

    /// Any serde value, with object keys sorted (how Go marshals maps; struct field order is not known here).
    pub fn from_value(value: &serde_json::Value) -> GoJson {
        match value {
            serde_json::Value::Null => GoJson::Null,
            serde_json::Value::Bool(b) => GoJson::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => GoJson::Int(i),
                None => GoJson::Str(n.to_string()),
            },
            serde_json::Value::String(s) => GoJson::Str(s.clone()),
            serde_json::Value::Array(items) => GoJson::Array(items.iter().map(GoJson::from_value).collect()),
            serde_json::Value::Object(members) => {
                let mut out: Vec<(String, GoJson)> =
                    members.iter().map(|(k, v)| (k.clone(), GoJson::from_value(v))).collect();
                out.stable_sort_by(|a, b| a.0.cmp(&b.0));
                GoJson::Object(out)
            }
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            GoJson::Null => out.push_str("null"),
            GoJson::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            GoJson::Int(i) => out.push_str(&i.to_string()),
            GoJson::Str(s) => out.push_str(&go_json_string(s)),
            GoJson::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            GoJson::Object(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&go_json_string(k));
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for GoJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write(&mut out);
        f.write_str(&out)
    }
}

/// The offending value of an error. `ErrorBody` prints Go strings with `%q`, integers and booleans with `%v`,
/// and everything else (typed strings, pointers, maps, slices, structs) as JSON (since kubernetes#132314,
/// which real v1.34 output confirms: `spec.selector: Invalid value: {"matchLabels":{"app":"x"}}`).
#[derive(Clone, Debug, PartialEq)]
pub enum BadValue {
    /// A value of Go type `string`.
    Str(String),
    /// A Go `int`, `int32` or `int64`.
    Int(i64),
    Bool(bool),
    /// Anything Go renders through `json.Marshal`, including named string types such as `core.RestartPolicy`.
    Json(GoJson),
}

impl BadValue {
    /// A value of a named Go string type (`core.Protocol`, `core.RestartPolicy`, …): rendered as JSON.
    pub fn typed(s: &str) -> BadValue {
        BadValue::Json(GoJson::Str(s.to_string()))
    }

    /// A nil Go pointer.
    pub fn null() -> BadValue {
        BadValue::Json(GoJson::Null)
    }
}

impl fmt::Display for BadValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadValue::Str(s) => f.write_str(&go_quote(s)),
            BadValue::Int(i) => write!(f, "{i}"),
            BadValue::Bool(b) => write!(f, "{b}"),
            BadValue::Json(j) => write!(f, "{j}"),
        }
    }
}

/// One field error: `<field>: <kind words>[: <value>][: <detail>]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldError {
    pub kind: ErrorKind,
    /// The field path as `field.Path.String()` prints it, e.g. `spec.containers[0].image`.
    pub field: String,
    /// `None` is apimachinery's "omitted value": only the kind words are printed.
    pub bad_value: Option<BadValue>,
    pub detail: String,
}

impl FieldError {
    /// `field.Error.ErrorBody()`: the message without the field path, as it appears in a status cause.
    pub fn body(&self) -> String {
        let mut s = match self.kind {
            ErrorKind::Required | ErrorKind::Forbidden | ErrorKind::TooLong | ErrorKind::Internal => {
                self.kind.as_str().to_string()
            }
            _ => match &self.bad_value {
                None => self.kind.as_str().to_string(),
                Some(v) => format!("{}: {}", self.kind.as_str(), v),
            },
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }

    /// The `reason` of the status cause for this error.
    pub fn cause_type(&self) -> &'static str {
        self.kind.cause_type()
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// A field path being built up, as `field.NewPath(...).Child(...).Index(...).Key(...)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path(String);

impl Path {
    pub fn new(root: &str) -> Path {
        Path(root.to_string())
    }

    /// `field.NewPath("")`: a root without a name prints as `[]` (an empty index), which is why an oversized
    /// ConfigMap is reported as `[]: Too long: ...`.
    pub fn empty_root() -> Path {
        Path("[]".to_string())
    }

    pub fn child(&self, name: &str) -> Path {
        Path(format!("{}.{}", self.0, name))
    }

    pub fn index(&self, i: usize) -> Path {
        Path(format!("{}[{}]", self.0, i))
    }

    pub fn key(&self, key: &str) -> Path {
        Path(format!("{}[{}]", self.0, key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `field.Required(path, detail)`.
pub fn required(path: &Path, detail: &str) -> FieldError {
    FieldError { kind: ErrorKind::Required, field: path.0.clone(), bad_value: None, detail: detail.to_string() }
}

/// `field.Invalid(path, value, detail)`.
pub fn invalid(path: &Path, value: BadValue, detail: &str) -> FieldError {
    FieldError { kind: ErrorKind::Invalid, field: path.0.clone(), bad_value: Some(value), detail: detail.to_string() }
}

/// `field.Invalid(path, field.OmitValueType{}, detail)`: only the kind words, no value.
pub fn invalid_omitted(path: &Path, detail: &str) -> FieldError {
    FieldError { kind: ErrorKind::Invalid, field: path.0.clone(), bad_value: None, detail: detail.to_string() }
}

/// `field.NotSupported(path, value, validValues)`: the detail lists each value with `strconv.Quote`.
pub fn not_supported(path: &Path, value: BadValue, valid: &[&str]) -> FieldError {
    let detail = if valid.is_empty() {
        String::new()
    } else {
        let quoted: Vec<String> = valid.iter().map(|v| go_quote(v)).collect();
        format!("supported values: {}", quoted.join(", "))
    };
    FieldError { kind: ErrorKind::NotSupported, field: path.0.clone(), bad_value: Some(value), detail }
}

/// `field.Duplicate(path, value)`.
pub fn duplicate(path: &Path, value: BadValue) -> FieldError {
    FieldError { kind: ErrorKind::Duplicate, field: path.0.clone(), bad_value: Some(value), detail: String::new() }
}

/// `field.NotFound(path, value)`.
pub fn not_found(path: &Path, value: BadValue) -> FieldError {
    FieldError { kind: ErrorKind::NotFound, field: path.0.clone(), bad_value: Some(value), detail: String::new() }
}

/// `field.Forbidden(path, detail)`.
pub fn forbidden(path: &Path, detail: &str) -> FieldError {
    FieldError { kind: ErrorKind::Forbidden, field: path.0.clone(), bad_value: None, detail: detail.to_string() }
}

/// `field.TooLong(path, _, max)`: the value is never printed.
pub fn too_long(path: &Path, max_bytes: usize) -> FieldError {
    let unit = if max_bytes == 1 { "byte" } else { "bytes" };
    FieldError {
        kind: ErrorKind::TooLong,
        field: path.0.clone(),
        bad_value: None,
        detail: format!("may not be more than {max_bytes} {unit}"),
    }
}

/// `field.TooMany(path, actual, max)`.
pub fn too_many(path: &Path, actual: usize, max: usize) -> FieldError {
    let unit = if max == 1 { "item" } else { "items" };
    FieldError {
        kind: ErrorKind::TooMany,
        field: path.0.clone(),
        bad_value: Some(BadValue::Int(i64::try_from(actual).unwrap_or(i64::MAX))),
        detail: format!("must have at most {max} {unit}"),
    }
}

/// The messages of `ErrorList.ToAggregate()`, duplicates (same rendered text) dropped, first one kept.
pub fn deduplicated(errors: &[FieldError]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for e in errors {
        let msg = e.to_string();
        if !seen.contains(&msg) {
            seen.push(msg);
        }
    }
    seen
}

/// `utilerrors.Aggregate.Error()`: one message as is, several as `[a, b]`.
pub fn aggregate(errors: &[FieldError]) -> String {
    let msgs = deduplicated(errors);
    match msgs.len() {
        0 => String::new(),
        1 => msgs.into_iter().next().unwrap_or_default(),
        _ => format!("[{}]", msgs.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_apimachinery() {
        let name = Path::new("metadata").child("name");
        let port = Path::new("spec").child("ports").index(0).child("port");
        let sel = Path::new("spec").child("template").child("metadata").child("labels");
        let labels: std::collections::BTreeMap<String, String> = [("app".to_string(), "x".to_string())].into();
        let cases: Vec<(FieldError, &str)> = vec![
            (required(&Path::new("spec").child("containers").index(0).child("image"), ""), "spec.containers[0].image: Required value"),
            (invalid(&name, BadValue::Str("My_Pod".into()), "bad"), "metadata.name: Invalid value: \"My_Pod\": bad"),
            (invalid(&port, BadValue::Int(0), "must be between 1 and 65535, inclusive"), "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"),
            (
                not_supported(&Path::new("spec").child("restartPolicy"), BadValue::typed("Sometimes"), &["Always", "OnFailure", "Never"]),
                "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
            ),
            (
                invalid(&sel, BadValue::Json(GoJson::string_map(&labels)), "`selector` does not match template `labels`"),
                "spec.template.metadata.labels: Invalid value: {\"app\":\"x\"}: `selector` does not match template `labels`",
            ),
            (too_long(&Path::new("data"), 1048576), "data: Too long: may not be more than 1048576 bytes"),
            (too_long(&Path::empty_root(), 1048576), "[]: Too long: may not be more than 1048576 bytes"),
            (too_many(&Path::new("x"), 25, 20), "x: Too many: 25: must have at most 20 items"),
            (forbidden(&Path::new("spec"), "nope"), "spec: Forbidden: nope"),
            (not_found(&Path::new("v").index(0).child("name"), BadValue::Str("x".into())), "v[0].name: Not found: \"x\""),
            (duplicate(&Path::new("n"), BadValue::Str("a".into())), "n: Duplicate value: \"a\""),
            (invalid_omitted(&Path::new("r"), "why"), "r: Invalid value: why"),
            (invalid(&Path::new("p"), BadValue::null(), "x"), "p: Invalid value: null: x"),
            (invalid(&Path::new("k").key("a/b"), BadValue::Str("<&>".into()), "x"), "k[a/b]: Invalid value: \"<&>\": x"),
            (invalid(&Path::new("k"), BadValue::typed("<&>"), "x"), "k: Invalid value: \"\\u003c\\u0026\\u003e\": x"),
        ];
        for (err, want) in cases {
            assert_eq!(err.to_string(), want);
        }
    }

    #[test]
    fn aggregates_like_utilerrors() {
        let a = required(&Path::new("a"), "");
        let b = required(&Path::new("b"), "");
        assert_eq!(aggregate(&[]), "");
        assert_eq!(aggregate(std::slice::from_ref(&a)), "a: Required value");
        assert_eq!(aggregate(&[a.clone(), b.clone(), a]), "[a: Required value, b: Required value]");
    }
}
