//! Go's text forms that leak into patch error messages: `fmt`'s `%v` and `%s` of values decoded into
//! `interface{}`, `reflect.TypeOf(x).String()`, and `strconv.Atoi`'s errors.
//!
//! The apiserver and kubectl print these messages verbatim (`map: map[image:x] does not contain declared merge
//! key: name`), so they are reproduced here rather than approximated. Numbers follow k8s.io/apimachinery's
//! `util/json`, which decodes integral JSON numbers as `int64` and the rest as `float64`.

use serde_json::Value;

/// The Go dynamic type a JSON value decodes to; two values of different types never merge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GoType {
    Nil,
    Bool,
    Int,
    Float,
    String,
    Slice,
    Map,
}

pub(crate) fn go_type(value: &Value) -> GoType {
    match value {
        Value::Null => GoType::Nil,
        Value::Bool(_) => GoType::Bool,
        Value::Number(n) if n.is_i64() || n.is_u64() => GoType::Int,
        Value::Number(_) => GoType::Float,
        Value::String(_) => GoType::String,
        Value::Array(_) => GoType::Slice,
        Value::Object(_) => GoType::Map,
    }
}

/// `reflect.TypeOf(x).String()`.
pub(crate) fn type_name(t: GoType) -> &'static str {
    match t {
        GoType::Nil => "<nil>",
        GoType::Bool => "bool",
        GoType::Int => "int64",
        GoType::Float => "float64",
        GoType::String => "string",
        GoType::Slice => "[]interface {}",
        GoType::Map => "map[string]interface {}",
    }
}

/// `fmt.Sprintf("%v", x)`. Maps print with sorted keys, as Go's fmt does since Go 1.12.
pub(crate) fn v(value: &Value) -> String {
    let mut out = String::new();
    write_v(value, &mut out);
    out
}

/// `%v` of a list of values, e.g. `[[a b] [c]]` for `fmt.Sprint([][]interface{}{...})`.
pub(crate) fn v_list(values: &[Value]) -> String {
    let mut out = String::from("[");
    for (i, item) in values.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_v(item, &mut out);
    }
    out.push(']');
    out
}

fn write_v(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => out.push_str(&i.to_string()),
            (None, Some(u), _) => out.push_str(&u.to_string()),
            (None, None, Some(f)) => out.push_str(&float(f)),
            (None, None, None) => out.push_str(&n.to_string()),
        },
        Value::String(s) => out.push_str(s),
        Value::Array(items) => out.push_str(&v_list(items)),
        Value::Object(map) => {
            out.push_str("map[");
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(item, out);
            }
            out.push(']');
        }
    }
}

/// `%v` of a float64: `strconv.FormatFloat(f, 'g', -1, 64)`, which switches to exponent form when the decimal
/// exponent is below -4 or at least 6 (`1e+06`, `1.5e-05`).
pub(crate) fn float(f: f64) -> String {
    if f == 0.0 || !f.is_finite() {
        return match f {
            f if f.is_nan() => "NaN".into(),
            f if f == f64::INFINITY => "+Inf".into(),
            f if f == f64::NEG_INFINITY => "-Inf".into(),
            _ => "0".into(),
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits, like Go's shortest formatting.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

/// `fmt.Sprintf("%s", x)` of an `interface{}`: strings print bare, anything else as `%!s(type=value)`.
pub(crate) fn s(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "%!s(<nil>)".into(),
        other => format!("%!s({}={})", type_name(go_type(other)), v(other)),
    }
}

/// `strconv.Quote` (one implementation for the whole engine).
pub(crate) use crate::admission::gotext::go_quote as quote;

/// `strconv.Atoi`: an optional sign then decimal digits (leading zeros allowed), as a 64-bit int.
pub(crate) fn atoi(s: &str) -> Result<i64, String> {
    let syntax = || format!("strconv.Atoi: parsing {}: invalid syntax", quote(s));
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax());
    }
    s.parse::<i64>().map_err(|_| format!("strconv.Atoi: parsing {}: value out of range", quote(s)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn percent_v_matches_go() {
        let cases = [
            (json!({"name": "x", "image": "nginx"}), "map[image:nginx name:x]"),
            (json!([1, "a", null, true]), "[1 a <nil> true]"),
            (json!({"a": {"b": [1.5]}}), "map[a:map[b:[1.5]]]"),
            (json!(1000000.0), "1e+06"),
            (json!(123456.0), "123456"),
            (json!(0.00001), "1e-05"),
            (json!(0.0001), "0.0001"),
            (json!(1234567.5), "1.2345675e+06"),
        ];
        for (value, want) in cases {
            assert_eq!(v(&value), want, "{value}");
        }
    }

    #[test]
    fn percent_s_and_types() {
        assert_eq!(s(&json!("merge")), "merge");
        assert_eq!(s(&json!(1)), "%!s(int64=1)");
        assert_eq!(type_name(go_type(&json!(1.5))), "float64");
        assert_eq!(type_name(go_type(&json!({}))), "map[string]interface {}");
    }

    #[test]
    fn atoi_matches_strconv() {
        assert_eq!(atoi("007"), Ok(7));
        assert_eq!(atoi("-1"), Ok(-1));
        assert_eq!(atoi("+2"), Ok(2));
        assert_eq!(atoi("-"), Err("strconv.Atoi: parsing \"-\": invalid syntax".into()));
        assert_eq!(atoi(""), Err("strconv.Atoi: parsing \"\": invalid syntax".into()));
        assert_eq!(atoi("1a"), Err("strconv.Atoi: parsing \"1a\": invalid syntax".into()));
        assert_eq!(
            atoi("99999999999999999999"),
            Err("strconv.Atoi: parsing \"99999999999999999999\": value out of range".into())
        );
    }
}
