//! Reading manifests for `-f`: files, directories and standard input, YAML or JSON, several documents per
//! file; and turning YAML into the JSON that is sent to the API server, with kubectl's error texts.

use serde_json::Value;

use crate::io::Io;

/// One document of a manifest, with where it came from (`-f` argument as given, or `STDIN`).
#[derive(Clone, Debug)]
pub struct Document {
    pub source: String,
    pub value: Value,
}

/// Reads every document named by the `-f` arguments, in order. Errors are complete kubectl messages.
pub fn read_all(paths: &[String], recursive: bool, io: &Io) -> Result<Vec<Document>, String> {
    let mut docs = Vec::new();
    for path in paths {
        if path == "-" {
            let text = io.stdin.unwrap_or_default();
            docs.extend(parse_documents(text, "STDIN")?);
            continue;
        }
        if let Some(entries) = io.files.list_dir(path) {
            for entry in entries {
                let full = format!("{}/{entry}", path.trim_end_matches('/'));
                if io.files.list_dir(&full).is_some() {
                    if recursive {
                        docs.extend(read_all(&[full], true, io)?);
                    }
                    continue;
                }
                if [".yaml", ".yml", ".json"].iter().any(|x| entry.ends_with(x)) {
                    let text = io.files.read(&full).map_err(|e| format!("error: {e}\n"))?;
                    docs.extend(parse_documents(&text, &full)?);
                }
            }
            continue;
        }
        let text = io.files.read(path).map_err(|e| format!("error: {e}\n"))?;
        docs.extend(parse_documents(&text, path)?);
    }
    Ok(docs)
}

/// Splits YAML (or JSON) text into documents, skipping empty ones.
pub fn parse_documents(text: &str, source: &str) -> Result<Vec<Document>, String> {
    let mut docs = Vec::new();
    for de in serde_yaml::Deserializer::from_str(text) {
        let node = serde::de::DeserializeSeed::deserialize(NodeSeed { text }, de).map_err(|e| {
            format!("error: error parsing {source}: error converting YAML to JSON: {}\n", go_yaml_error(&e))
        })?;
        if let Node::Null = node {
            continue;
        }
        let json = to_json(node).map_err(|e| format!("error: error parsing {source}: {e}\n"))?;
        docs.push(Document { source: source.to_string(), value: json });
    }
    Ok(docs)
}

/// serde_yaml (libyaml) says `mapping values are not allowed in this context at line 5 column 10`; go-yaml,
/// a port of the same parser, says `yaml: line 5: mapping values are not allowed in this context`.
fn go_yaml_error(e: &serde_yaml::Error) -> String {
    let text = e.to_string();
    let line = e.location().map(|l| l.line());
    let problem = match text.find(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    // Both parsers refuse alias bombs; go-yaml words it its own way and names no line.
    if problem == "repetition limit exceeded" {
        return "yaml: document contains excessive aliasing".to_string();
    }
    match line {
        Some(line) => format!("yaml: line {line}: {problem}"),
        None => format!("yaml: {problem}"),
    }
}

/// A YAML node as go-yaml v2 (the fork inside `sigs.k8s.io/yaml`) decodes it into `interface{}`.
#[derive(Debug, PartialEq)]
enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    /// The plain key `<<`: merge the map (or maps) that is its value.
    Merge,
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// Reads one node. serde_yaml resolves plain scalars by YAML 1.2's core schema; go-yaml v2 keeps YAML 1.1's
/// rules ([`resolve_plain`]). The two agree on every scalar serde_yaml turns into a null, bool or number
/// (but hexadecimal, octal and binary literals beyond 64 bits), so only the ones it hands over as strings are
/// resolved again — if they were written plain, which is told by where the string lies in `text`.
struct NodeSeed<'t> {
    text: &'t str,
}

impl<'de> serde::de::DeserializeSeed<'de> for NodeSeed<'de> {
    type Value = Node;

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for NodeSeed<'de> {
    type Value = Node;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(Node::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Node, E> {
        Ok(Node::Int(n))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Node, E> {
        Ok(Node::Uint(n))
    }

    // Decimal integers beyond 64 bits are floats to go-yaml (Go's ParseInt and ParseUint fail, the float
    // pattern matches).
    fn visit_i128<E>(self, n: i128) -> Result<Node, E> {
        Ok(Node::Float(n as f64))
    }

    fn visit_u128<E>(self, n: u128) -> Result<Node, E> {
        Ok(Node::Float(n as f64))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Node, E> {
        Ok(Node::Float(f))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> Result<Node, E> {
        Ok(if is_plain(self.text, s) { resolve_plain(s) } else { Node::Str(s.to_string()) })
    }

    // Strings serde_yaml cannot borrow were quoted with escapes, block scalars, or plain scalars folded
    // over several lines (which go-yaml leaves strings too: they contain spaces).
    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(Node::Str(s.to_string()))
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(NodeSeed { text: self.text })? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key_seed(NodeSeed { text: self.text })? {
            entries.push((key, map.next_value_seed(NodeSeed { text: self.text })?));
        }
        Ok(Node::Map(entries))
    }

    // A value with a local tag (`!thing value`): go-yaml keeps the value and drops the tag.
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
        let (_tag, value): (String, _) = data.variant()?;
        serde::de::VariantAccess::newtype_variant_seed(value, NodeSeed { text: self.text })
    }
}

/// Whether `s`, a string serde_yaml borrowed from `text`, was written as a plain scalar: quoted ones lie
/// just after their opening quote, and `!!str yes` (or any explicit tag) is taken as written.
fn is_plain(text: &str, s: &str) -> bool {
    let offset = (s.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    let Some(before) = text.get(..offset) else { return false };
    if before.ends_with(['\'', '"']) {
        return false;
    }
    // Node properties before the scalar: an anchor (`&a`) and a tag, in either order.
    let mut rest = before.trim_end();
    for _ in 0..2 {
        let token = rest.rsplit([' ', '\t', '\n', '\r']).next().unwrap_or_default();
        if token.starts_with('!') {
            return false;
        }
        if !token.starts_with('&') {
            break;
        }
        rest = rest[..rest.len() - token.len()].trim_end();
    }
    true
}

/// go-yaml v2's `resolve` for a plain scalar (`resolve.go`): YAML 1.1's booleans (`y`, `yes`, `on`, …),
/// nulls, `.inf`/`.nan`, integers as Go's `strconv.ParseInt(s, 0, 64)` reads them once underscores are
/// dropped (so `0777` is octal, and `0x`, `0o`, `0b` prefixes work), then floats. Timestamps stay strings
/// when decoded into `interface{}`, and there are no base-60 numbers.
fn resolve_plain(s: &str) -> Node {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Node::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => return Node::Bool(true),
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Node::Bool(false)
        }
        ".nan" | ".NaN" | ".NAN" => return Node::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Node::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Node::Float(f64::NEG_INFINITY),
        // Not resolved (its first character is no hint), but a plain `<<` key merges maps.
        "<<" => return Node::Merge,
        _ => {}
    }
    match s.as_bytes()[0] {
        // strconv.ParseFloat, which takes underscores between digits.
        b'.' if underscores_between_digits(s) => {
            if let Some(f) = parse_finite(&s.replace('_', "")) {
                return Node::Float(f);
            }
        }
        b'0'..=b'9' | b'+' | b'-' => {
            let plain = s.replace('_', "");
            if let Some(n) = go_parse_int(&plain) {
                return Node::Int(n);
            }
            if let Some(n) = go_parse_uint(&plain) {
                return Node::Uint(n);
            }
            if let Some(f) = Some(&plain).filter(|p| is_yaml_float(p)).and_then(|p| parse_finite(p)) {
                return Node::Float(f);
            }
        }
        _ => {}
    }
    Node::Str(s.to_string())
}

/// Go's `strconv.ParseUint(s, 0, 64)`: `0x`, `0o`, `0b` prefixes (either case), a bare leading `0` for
/// octal, no sign.
fn go_parse_uint(s: &str) -> Option<u64> {
    let (digits, radix) = match s.as_bytes() {
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'x') => (&s[2..], 16),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'o') => (&s[2..], 8),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'b') => (&s[2..], 2),
        [b'0', ..] => (&s[1..], 8),
        [] => return None,
        _ => (s, 10),
    };
    if digits.is_empty() {
        return (s == "0").then_some(0);
    }
    // from_str_radix would take a sign; Go does not, after the prefix.
    if !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then [`go_parse_uint`] within the int64 range.
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, rest) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let n = go_parse_uint(rest)?;
    if negative {
        0i64.checked_sub_unsigned(n)
    } else {
        i64::try_from(n).ok()
    }
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let digits = |s: &str| s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some((int, frac)) => {
            digits(frac) == frac.len() && digits(int) == int.len() && !(int.is_empty() && frac.is_empty())
        }
        None => !mantissa.is_empty() && digits(mantissa) == mantissa.len(),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e) == e.len()
    });
    mantissa_ok && exponent_ok
}

/// Go's `underscoreOK` for a number without a base prefix: each `_` sits between two digits.
fn underscores_between_digits(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().all(|(i, &c)| {
        c != b'_' || (i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    })
}

/// `strconv.ParseFloat(s, 64)` for the decimal forms above; out of range is an error (not ±Inf), as in Go.
fn parse_finite(s: &str) -> Option<f64> {
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// What `sigs.k8s.io/yaml` makes of a node: `convertToJSONableObject` (map keys as strings, merges done
/// by go-yaml while decoding), then `json.Marshal`.
fn to_json(node: Node) -> Result<Value, String> {
    Ok(match node {
        Node::Null => Value::Null,
        Node::Bool(b) => Value::Bool(b),
        Node::Int(n) => Value::from(n),
        Node::Uint(n) => Value::from(n),
        Node::Float(f) => json_float(f)?,
        Node::Str(s) => Value::String(s),
        Node::Merge => Value::String("<<".into()),
        Node::Seq(items) => Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?),
        Node::Map(entries) => {
            let mut out = serde_json::Map::new();
            for (key, value) in entries {
                if key == Node::Merge {
                    merge(&mut out, to_json(value)?)?;
                    continue;
                }
                // go-yaml v2 (not strict) keeps the last of repeated keys.
                out.insert(key_string(key)?, to_json(value)?);
            }
            Value::Object(out)
        }
    })
}

/// go-yaml's `merge`: a map's entries, or those of a list of maps (earlier ones win), set at the place of
/// the `<<` key — so they override keys before it and are overridden by keys after it.
fn merge(out: &mut serde_json::Map<String, Value>, value: Value) -> Result<(), String> {
    const WANT_MAP: &str =
        "error converting YAML to JSON: yaml: map merge requires map or sequence of maps as the value";
    match value {
        Value::Object(map) => out.extend(map),
        Value::Array(maps) => {
            for map in maps.into_iter().rev() {
                match map {
                    Value::Object(map) => out.extend(map),
                    _ => return Err(WANT_MAP.into()),
                }
            }
        }
        _ => return Err(WANT_MAP.into()),
    }
    Ok(())
}

/// `convertToJSONableObject`'s map keys: strings as they are, numbers and booleans as Go formats them.
fn key_string(key: Node) -> Result<String, String> {
    Ok(match key {
        Node::Str(s) => s,
        Node::Merge => "<<".into(),
        Node::Int(n) => n.to_string(),
        Node::Uint(n) => n.to_string(),
        Node::Bool(b) => b.to_string(),
        Node::Float(f) => go_format_float32_g(f),
        Node::Null => "null".into(),
        Node::Seq(_) | Node::Map(_) => return Err("error converting YAML to JSON: unsupported map key".into()),
    })
}

/// A float as `json.Marshal` writes it: NaN and infinities are errors; others print without exponent below
/// 1e21, so an integral one reads as an integer (`replicas: 3.0` is `3` to the API server).
fn json_float(f: f64) -> Result<Value, String> {
    if !f.is_finite() {
        let text = if f.is_nan() {
            "NaN"
        } else if f > 0.0 {
            "+Inf"
        } else {
            "-Inf"
        };
        return Err(format!("error converting YAML to JSON: json: unsupported value: {text}"));
    }
    if f.fract() == 0.0 && f.abs() < 1e21 {
        if f >= -(2f64.powi(63)) && f < 2f64.powi(63) {
            return Ok(Value::from(f as i64));
        }
        if f >= 0.0 && f < 2f64.powi(64) {
            return Ok(Value::from(f as u64));
        }
    }
    Ok(serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number))
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for the infinities and NaN: the shortest
/// digits that read back as the same float32, with an exponent below 1e-4 or from 1e6 on (Go's shortest
/// `%g` switches at precision 6).
fn go_format_float32_g(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.into();
    }
    // Rust's `{:e}` gives the same shortest digits: `1.5e-7`, `1e6`.
    let sci = format!("{:e}", f as f32);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let point = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let exp_sign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{point}e{exp_sign}{:02}", exp.unsigned_abs());
    }
    let point = exp + 1;
    if point <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{sign}{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn several_documents_and_empty_ones() {
        let docs = parse_documents("a: 1\n---\n---\nb: [x, 2]\n", "f.yaml").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].value, serde_json::json!({"b": ["x", 2]}));
        assert_eq!(docs[0].source, "f.yaml");
    }

    #[test]
    fn syntax_errors_read_as_kubectl_prints_them() {
        // The real kubectl printed this for the same text (kubectl-truth 07-apply-yaml-syntax-error).
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: broken\n   labels:\n    app: broken\n";
        assert_eq!(
            parse_documents(text, "bad-syntax.yaml").unwrap_err(),
            "error: error parsing bad-syntax.yaml: error converting YAML to JSON: yaml: line 5: mapping values are not allowed in this context\n"
        );
    }

    #[test]
    fn json_is_yaml_too() {
        let docs = parse_documents("{\"kind\": \"Pod\", \"n\": 1.5}", "p.json").unwrap();
        assert_eq!(docs[0].value["n"], 1.5);
    }

    /// The JSON a one-line manifest `v: <text>` becomes, or the error.
    fn value_of(text: &str) -> Result<Value, String> {
        let docs = parse_documents(&format!("v: {text}\n"), "x.yaml")?;
        Ok(docs[0].value["v"].clone())
    }

    #[test]
    fn plain_scalars_resolve_as_go_yaml_v2_does() {
        use serde_json::json;
        let cases: &[(&str, Value)] = &[
            // YAML 1.1 booleans, every spelling in go-yaml v2's table; others stay strings.
            ("y", json!(true)),
            ("Y", json!(true)),
            ("yes", json!(true)),
            ("Yes", json!(true)),
            ("YES", json!(true)),
            ("on", json!(true)),
            ("On", json!(true)),
            ("ON", json!(true)),
            ("true", json!(true)),
            ("True", json!(true)),
            ("TRUE", json!(true)),
            ("n", json!(false)),
            ("N", json!(false)),
            ("no", json!(false)),
            ("No", json!(false)),
            ("NO", json!(false)),
            ("off", json!(false)),
            ("Off", json!(false)),
            ("OFF", json!(false)),
            ("false", json!(false)),
            ("False", json!(false)),
            ("FALSE", json!(false)),
            ("yEs", json!("yEs")),
            ("oN", json!("oN")),
            ("nO", json!("nO")),
            ("yes!", json!("yes!")),
            // Quoted or explicitly tagged, they are strings.
            ("'yes'", json!("yes")),
            ("\"no\"", json!("no")),
            ("!!str on", json!("on")),
            ("&a !!str y", json!("y")),
            // Nulls.
            ("~", Value::Null),
            ("null", Value::Null),
            ("Null", Value::Null),
            ("NULL", Value::Null),
            ("", Value::Null),
            ("nULL", json!("nULL")),
            // Integers as Go's ParseInt(s, 0, 64) reads them, underscores dropped first.
            ("0777", json!(511)),
            ("-0777", json!(-511)),
            ("+0777", json!(511)),
            ("0", json!(0)),
            ("-0", json!(0)),
            ("0x1F", json!(31)),
            ("0X1f", json!(31)),
            ("-0x10", json!(-16)),
            ("0o17", json!(15)),
            ("0O17", json!(15)),
            ("0b101", json!(5)),
            ("-0b101", json!(-5)),
            ("1_000", json!(1000)),
            ("0x_ff", json!(255)),
            ("9223372036854775807", json!(i64::MAX)),
            ("-9223372036854775808", json!(i64::MIN)),
            ("18446744073709551615", json!(u64::MAX)),
            // Not integers: floats when the float pattern matches (integral ones print as integers).
            ("08", json!(8)),
            ("0789", json!(789)),
            ("1e3", json!(1000)),
            ("3.0", json!(3)),
            ("1.5", json!(1.5)),
            (".5", json!(0.5)),
            ("+.5", json!(0.5)),
            ("-1.", json!(-1)),
            ("1_0.5", json!(10.5)),
            ("1E-2", json!(0.01)),
            ("18446744073709551616", json!(18446744073709551616.0)),
            // Strings: what neither ParseInt nor the float pattern take.
            ("0x", json!("0x")),
            ("0b", json!("0b")),
            ("0xg", json!("0xg")),
            ("0b102", json!("0b102")),
            ("1e", json!("1e")),
            ("1.2.3", json!("1.2.3")),
            ("+", json!("+")),
            ("-x", json!("-x")),
            (".", json!(".")),
            ("1e400", json!("1e400")),
            ("0x1p-2", json!("0x1p-2")),
            ("inf", json!("inf")),
            ("nan", json!("nan")),
            ("._5", json!("._5")),
            ("2001-12-14", json!("2001-12-14")),
            ("12:30:00", json!("12:30:00")),
            ("1:20", json!("1:20")),
            ("<<", json!("<<")),
            ("0x+1", json!("0x+1")),
        ];
        for (text, want) in cases {
            assert_eq!(value_of(text).as_ref(), Ok(want), "v: {text}");
        }
    }

    #[test]
    fn infinities_and_nan_are_refused_as_json_refuses_them() {
        for (text, go) in [(".inf", "+Inf"), ("-.Inf", "-Inf"), ("+.INF", "+Inf"), (".NaN", "NaN")] {
            assert_eq!(
                value_of(text).unwrap_err(),
                format!("error: error parsing x.yaml: error converting YAML to JSON: json: unsupported value: {go}\n")
            );
        }
    }

    #[test]
    fn keys_become_strings_as_sigs_yaml_makes_them() {
        let docs =
            parse_documents("yes: a\n0777: b\n1.5: c\n1e6: d\n0.0001: e\n.inf: f\n\"on\": g\n", "k.yaml").unwrap();
        let keys: Vec<&String> = docs[0].value.as_object().unwrap().keys().collect();
        let mut want = ["true", "511", "1.5", "1e+06", "0.0001", ".inf", "on"];
        want.sort_unstable();
        let mut keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
        keys.sort_unstable();
        assert_eq!(keys, want);
        assert_eq!(go_format_float32_g(0.1), "0.1");
        assert_eq!(go_format_float32_g(-2.5e-7), "-2.5e-07");
        assert_eq!(go_format_float32_g(123456.0), "123456");
        assert_eq!(go_format_float32_g(1234567.0), "1.234567e+06");
        assert_eq!(go_format_float32_g(0.00012), "0.00012");
    }

    #[test]
    fn merge_keys_and_repeated_keys_as_go_yaml_v2_decodes_them() {
        let text = "base: &b {a: 1, b: 2}\nother: &o {b: 3, c: 4}\none:\n  a: 0\n  <<: *b\n  b: 9\nlist:\n  <<: [*b, *o]\nquoted:\n  \"<<\": *b\nrepeated: {x: 1, x: 2}\n";
        let v = &parse_documents(text, "m.yaml").unwrap()[0].value;
        assert_eq!(v["one"], serde_json::json!({"a": 1, "b": 9}));
        assert_eq!(v["list"], serde_json::json!({"a": 1, "b": 2, "c": 4}));
        assert_eq!(v["quoted"], serde_json::json!({"<<": {"a": 1, "b": 2}}));
        assert_eq!(v["repeated"], serde_json::json!({"x": 2}));
        assert_eq!(
            parse_documents("a:\n  <<: 1\n", "m.yaml").unwrap_err(),
            "error: error parsing m.yaml: error converting YAML to JSON: yaml: map merge requires map or sequence of maps as the value\n"
        );
    }
}
