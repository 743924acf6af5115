//! How Go prints the values kubectl holds: numbers, strings, maps and lists decoded from JSON.
//!
//! kubectl works on API objects decoded into `map[string]interface{}`: a JSON number becomes an `int64`
//! when it is integral and fits, a `float64` otherwise. Every output format then prints those values with
//! one of Go's formatters, and each has its own rules: `encoding/json` (`-o json`, maps in `-o jsonpath`),
//! `fmt`'s `%v` (custom-columns cells, some error texts), `%#v` (jsonpath's debugging dump) and
//! `strconv.FormatFloat`. This module reproduces those formatters over `serde_json::Value` so the format
//! modules never guess.

use engine::util::sort::StableSort;
use serde_json::{Map, Number, Value};

/// A JSON number as kubectl holds it after decoding: `int64` or `float64`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum GoNumber {
    Int(i64),
    Float(f64),
}

/// Classifies a number the way apimachinery's JSON decoding does. The API server writes whole floats
/// without a fraction ("3", not "3.0"), so they come back as `int64`; numbers beyond `int64` stay floats.
pub(crate) fn go_number(n: &Number) -> GoNumber {
    if let Some(i) = n.as_i64() {
        return GoNumber::Int(i);
    }
    if let Some(u) = n.as_u64() {
        return GoNumber::Float(u as f64);
    }
    let f = n.as_f64().unwrap_or(0.0);
    match json_float(f).parse::<i64>() {
        Ok(i) => GoNumber::Int(i),
        Err(_) => GoNumber::Float(f),
    }
}

/// The shortest decimal digits of a finite, non-zero float and its decimal point position:
/// the value is `0.DIGITS × 10^dp`. Rust and Go both pick the shortest digits that round-trip.
fn shortest_digits(f: f64) -> (String, i32) {
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    (digits, exp + 1)
}

/// `strconv.FormatFloat(f, 'e', -1, 64)`: `d.ddde±XX` with at least two exponent digits.
fn format_e(neg: bool, digits: &str, dp: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    s.push_str(&digits[..1]);
    if digits.len() > 1 {
        s.push('.');
        s.push_str(&digits[1..]);
    }
    let exp = dp - 1;
    s.push('e');
    s.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        s.push('0');
    }
    s.push_str(&abs.to_string());
    s
}

/// `strconv.FormatFloat(f, 'f', -1, 64)`: plain decimal notation with the shortest digits.
fn format_f(neg: bool, digits: &str, dp: i32) -> String {
    let mut s = String::new();
    if neg {
        s.push('-');
    }
    let nd = digits.len() as i32;
    if dp > 0 {
        for i in 0..dp {
            s.push(if i < nd { digits.as_bytes()[i as usize] as char } else { '0' });
        }
    } else {
        s.push('0');
    }
    let frac = (nd - dp).max(0);
    if frac > 0 {
        s.push('.');
        for i in 0..frac {
            let pos = dp + i;
            s.push(if pos < 0 || pos >= nd { '0' } else { digits.as_bytes()[pos as usize] as char });
        }
    }
    s
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`, which is also what `fmt` prints for `%v`: exponent notation
/// when the exponent is below -4 or at least 6 (Go's rule for the shortest form), plain otherwise.
pub(crate) fn format_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let (digits, dp) = shortest_digits(f);
    let exp = dp - 1;
    if !(-4..6).contains(&exp) {
        format_e(f < 0.0, &digits, dp)
    } else {
        format_f(f < 0.0, &digits, dp)
    }
}

/// A float as `encoding/json` writes it: plain decimals between 1e-6 and 1e21, exponent form outside,
/// with Go's clean-up of `e-07` to `e-7`.
pub(crate) fn json_float(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    if !f.is_finite() {
        // encoding/json refuses these; serde_json never holds them.
        return "null".into();
    }
    let (digits, dp) = shortest_digits(f);
    let abs = f.abs();
    if !(1e-6..1e21).contains(&abs) {
        let mut s = format_e(f < 0.0, &digits, dp);
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        s
    } else {
        format_f(f < 0.0, &digits, dp)
    }
}

/// A number as `encoding/json` writes it.
pub(crate) fn json_number(n: &Number) -> String {
    match go_number(n) {
        GoNumber::Int(i) => i.to_string(),
        GoNumber::Float(f) => json_float(f),
    }
}

/// A number as `fmt` prints it with `%v` (and `%#v`, which is the same for numbers).
pub(crate) fn sprint_number(n: &Number) -> String {
    match go_number(n) {
        GoNumber::Int(i) => i.to_string(),
        GoNumber::Float(f) => format_g(f),
    }
}

/// A JSON string literal as `encoding/json` writes it, with its default HTML escaping: `<`, `>` and `&`
/// become `\u003c`, `\u003e`, `\u0026`, and U+2028/U+2029 are escaped for JavaScript's sake.
pub(crate) fn json_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '<' | '>' | '&' | '\u{0}'..='\u{1f}' => {
                let b = c as u32 as usize;
                out.push_str("\\u00");
                out.push(HEX[b >> 4] as char);
                out.push(HEX[b & 0xf] as char);
            }
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The keys of an object in the order Go's encoders and `fmt` use for maps: sorted by bytes.
pub(crate) fn sorted_keys(map: &Map<String, Value>) -> Vec<&String> {
    let mut keys: Vec<&String> = map.keys().collect();
    keys.stable_sort();
    keys
}

/// `json.Marshal`: compact JSON with sorted keys.
pub(crate) fn json_compact(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(n)),
        Value::String(s) => json_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_compact(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, key) in sorted_keys(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(key, out);
                out.push(':');
                json_compact(&map[key.as_str()], out);
            }
            out.push('}');
        }
    }
}

/// `json.MarshalIndent(v, "", "    ")`: one member per line, four spaces per level, and empty
/// objects and arrays kept as `{}` and `[]`. No trailing newline.
pub(crate) fn json_indent(value: &Value, level: usize, out: &mut String) {
    fn newline(level: usize, out: &mut String) {
        out.push('\n');
        for _ in 0..level {
            out.push_str("    ");
        }
    }
    match value {
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(level + 1, out);
                json_indent(item, level + 1, out);
            }
            newline(level, out);
            out.push(']');
        }
        Value::Object(map) if !map.is_empty() => {
            out.push('{');
            for (i, key) in sorted_keys(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(level + 1, out);
                json_string(key, out);
                out.push_str(": ");
                json_indent(&map[key.as_str()], level + 1, out);
            }
            newline(level, out);
            out.push('}');
        }
        other => json_compact(other, out),
    }
}

/// `fmt.Sprint(v)` of a decoded JSON value: `map[k:v k2:v2]` with sorted keys, `[a b]` for lists,
/// `<nil>` for null, strings as they are.
pub(crate) fn sprint(value: &Value) -> String {
    let mut out = String::new();
    sprint_into(value, &mut out);
    out
}

fn sprint_into(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&sprint_number(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                sprint_into(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push_str("map[");
            for (i, key) in sorted_keys(map).into_iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(key);
                out.push(':');
                sprint_into(&map[key.as_str()], out);
            }
            out.push(']');
        }
    }
}

/// `fmt.Sprintf("%#v", v)` of a decoded JSON value, as jsonpath's error dump prints the object:
/// `map[string]interface {}{"k":"v"}`, `[]interface {}{1, 2}`, `interface {}(nil)`.
pub(crate) fn go_syntax(value: &Value) -> String {
    let mut out = String::new();
    go_syntax_into(value, &mut out);
    out
}

fn go_syntax_into(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("interface {}(nil)"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&sprint_number(n)),
        Value::String(s) => out.push_str(&quote(s)),
        Value::Array(items) => {
            out.push_str("[]interface {}{");
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                go_syntax_into(item, out);
            }
            out.push('}');
        }
        Value::Object(map) => {
            out.push_str("map[string]interface {}{");
            for (i, key) in sorted_keys(map).into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&quote(key));
                out.push(':');
                go_syntax_into(&map[key.as_str()], out);
            }
            out.push('}');
        }
    }
}

/// Go's `strconv.IsPrint`, as far as it can be told without Unicode tables: letters, marks, numbers,
/// punctuation and symbols print; controls, format characters, non-ASCII spaces and surrogates do not.
pub(crate) fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(c,
        '\u{ad}' | '\u{600}'..='\u{605}' | '\u{61c}' | '\u{6dd}' | '\u{70f}' | '\u{180e}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}' | '\u{fffe}' | '\u{ffff}'
        | '\u{e000}'..='\u{f8ff}' | '\u{f0000}'..='\u{10ffff}')
}

/// `strconv.Quote`: a double-quoted Go string literal.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_print(c) => out.push(c),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------------
// strconv's number parsing.

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum NumError {
    Syntax,
    Range,
}

/// `strconv.ParseUint(s, base, 64)`, with base 0 meaning "by prefix" (0x, 0o, 0b, leading 0 for octal).
pub(crate) fn go_parse_uint(s: &str, base: u32) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let b = s.as_bytes();
    let (base, digits) = if base == 0 {
        if b[0] == b'0' {
            let second = b.get(1).map(|c| c.to_ascii_lowercase());
            match second {
                Some(b'b') if b.len() >= 3 => (2, &s[2..]),
                Some(b'o') if b.len() >= 3 => (8, &s[2..]),
                Some(b'x') if b.len() >= 3 => (16, &s[2..]),
                _ => (8, &s[1..]),
            }
        } else {
            (10, s)
        }
    } else {
        (base, s)
    };
    let mut n: u64 = 0;
    for c in digits.bytes() {
        let d = match c {
            b'0'..=b'9' => (c - b'0') as u32,
            c if c.is_ascii_alphabetic() => (c.to_ascii_lowercase() - b'a') as u32 + 10,
            _ => return Err(NumError::Syntax),
        };
        if d >= base {
            return Err(NumError::Syntax);
        }
        n = n.checked_mul(base as u64).and_then(|n| n.checked_add(d as u64)).ok_or(NumError::Range)?;
    }
    Ok(n)
}

/// `strconv.ParseInt(s, base, 64)`.
pub(crate) fn go_parse_int(s: &str, base: u32) -> Result<i64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let (neg, rest) = match s.as_bytes()[0] {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = match go_parse_uint(rest, base) {
        Ok(u) => u,
        Err(NumError::Syntax) => return Err(NumError::Syntax),
        Err(NumError::Range) => return Err(NumError::Range),
    };
    const CUTOFF: u64 = 1 << 63;
    if (!neg && un >= CUTOFF) || (neg && un > CUTOFF) {
        return Err(NumError::Range);
    }
    Ok(if neg { (un as i64).wrapping_neg() } else { un as i64 })
}

/// strconv's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscore_ok(s: &str) -> bool {
    let mut b = s.as_bytes();
    if let Some(&c) = b.first() {
        if c == b'-' || c == b'+' {
            b = &b[1..];
        }
    }
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// `strconv.ParseFloat(s, 64)` for decimal texts (the only ones go-yaml and jsonpath hand it): `None` on
/// bad syntax or overflow.
pub(crate) fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut underscores = false;
    let mut saw_dot = false;
    let mut saw_digits = false;
    while i < b.len() {
        match b[i] {
            b'_' => underscores = true,
            b'.' if !saw_dot => saw_dot = true,
            b'0'..=b'9' => saw_digits = true,
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return None;
    }
    if i < b.len() && b[i].eq_ignore_ascii_case(&b'e') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if i >= b.len() || !b[i].is_ascii_digit() {
            return None;
        }
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            underscores |= b[i] == b'_';
            i += 1;
        }
    }
    if i != b.len() || (underscores && !underscore_ok(s)) {
        return None;
    }
    let f: f64 = s.replace('_', "").parse().ok()?;
    f.is_finite().then_some(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn floats_follow_strconv_and_encoding_json() {
        // Expected strings are what kubectl v1.32 printed for these numbers in -o jsonpath (fmt %v)
        // and -o json (encoding/json).
        let cases: &[(f64, &str, &str)] = &[
            (1234567.5, "1.2345675e+06", "1234567.5"),
            (0.00001, "1e-05", "0.00001"),
            (-0.5, "-0.5", "-0.5"),
            (1e21, "1e+21", "1e+21"),
            (1e20, "1e+20", "100000000000000000000"),
            (1.5e-7, "1.5e-07", "1.5e-7"),
            (18446744073709551615.0, "1.8446744073709552e+19", "18446744073709552000"),
            (0.1, "0.1", "0.1"),
            (123456.5, "123456.5", "123456.5"),
            (0.0001, "0.0001", "0.0001"),
        ];
        for (f, g, j) in cases {
            assert_eq!(format_g(*f), *g, "g of {f}");
            assert_eq!(json_float(*f), *j, "json of {f}");
        }
    }

    #[test]
    fn numbers_decode_like_apimachinery() {
        let cases: &[(Value, GoNumber)] = &[
            (json!(3), GoNumber::Int(3)),
            (json!(3.0), GoNumber::Int(3)),
            (json!(1e20), GoNumber::Float(1e20)),
            (json!(18446744073709551615u64), GoNumber::Float(18446744073709551615.0)),
            (json!(1.5), GoNumber::Float(1.5)),
        ];
        for (v, want) in cases {
            let Value::Number(n) = v else { unreachable!("test inputs are numbers") };
            assert_eq!(go_number(n), *want, "{v}");
        }
    }

    #[test]
    fn json_escapes_html_and_controls() {
        let mut out = String::new();
        json_string("<a href='x'>&amp;</a>\u{8}\u{c}\u{1}\u{2028}\t", &mut out);
        assert_eq!(out, r#""\u003ca href='x'\u003e\u0026amp;\u003c/a\u003e\b\f\u0001\u2028\t""#);
    }

    #[test]
    fn json_indent_matches_marshal_indent() {
        let mut out = String::new();
        json_indent(&json!({"b": [1, {"c": {}}], "a": [], "s": "x"}), 0, &mut out);
        assert_eq!(
            out,
            "{\n    \"a\": [],\n    \"b\": [\n        1,\n        {\n            \"c\": {}\n        }\n    ],\n    \"s\": \"x\"\n}"
        );
    }

    #[test]
    fn fmt_verbs() {
        let v = json!({"q": "r", "s": [1, 2], "z": null, "f": 1.5});
        assert_eq!(sprint(&v), "map[f:1.5 q:r s:[1 2] z:<nil>]");
        assert_eq!(
            go_syntax(&v),
            r#"map[string]interface {}{"f":1.5, "q":"r", "s":[]interface {}{1, 2}, "z":interface {}(nil)}"#
        );
        assert_eq!(quote("{\"\\n\"}\t\u{7f}é"), r#""{\"\\n\"}\t\x7fé""#);
    }
}
