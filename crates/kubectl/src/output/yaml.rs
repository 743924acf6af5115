//! `-o yaml` and `-o json`: the whole object, as kubectl's YAML and JSON printers write it.
//!
//! kubectl's YAML printer calls `sigs.k8s.io/yaml.Marshal`, which marshals the object to JSON, reads that
//! JSON back with go-yaml v2 and emits it with go-yaml v2's emitter (a Go port of libyaml). Every visible
//! detail comes from that pipeline, so this module reproduces its three steps:
//!
//! 1. **Reading the JSON back as YAML.** The YAML reader rejects a few characters JSON lets through raw
//!    (DEL, C1 controls, U+FFFE/U+FFFF): kubectl then fails with `yaml: control characters are not
//!    allowed`. A raw NEL (U+0085) is a YAML line break: in a value it is folded like one, in a key it
//!    fails the parse (`yaml: line N: did not find expected ',' or '}'`), and followed by `--- ` or
//!    `... ` it is a document marker (`yaml: line N: found unexpected document indicator`).
//! 2. **Resolving scalars.** A string that would read back as something else if written plain (`"0"`,
//!    `"yes"`, `"1.5"`, `"2024-01-01"`, `"1:20"`, `""`) is double-quoted; numbers print as Go formats
//!    them after the round trip (a non-integral float prints in `%g` form, e.g. `1.2345675e+06`).
//! 3. **Emitting.** The emitter's analysis decides between plain, `'single'`, `"double"` and `|` block
//!    styles, wraps long plain and quoted strings at 80 columns (block literals never), writes keys longer
//!    than 128 bytes in the `? key` form, sorts keys with go-yaml's digit-aware order, and writes empty
//!    maps and lists as `{}` and `[]`.
//!
//! [`to_json`] lives here too: it is the other whole-object printer (`encoding/json`'s `MarshalIndent`).

use std::borrow::Cow;

use serde_json::Value;

use super::golang::{self, go_parse_float, go_parse_int, go_parse_uint, GoNumber};
use engine::util::sort::StableSort;

/// What kubectl prints for `-o yaml` of `value`, or its error text (`error: ...\n`) when go-yaml refuses
/// the object.
pub fn to_yaml(value: &Value) -> Result<String, String> {
    let mut json = String::new();
    golang::json_compact(value, &mut json);
    check_json_as_yaml(&json).map_err(|e| format!("error: {e}\n"))?;
    let node = build(value);
    let mut e = Emitter::new();
    e.emit_node(&node, false, false);
    // Document end: go-yaml finishes the last line.
    e.write_indent();
    Ok(e.out)
}

/// What kubectl prints for `-o json` of `value`: `json.MarshalIndent` with four spaces, keys sorted (API
/// objects are maps by then), `<`, `>` and `&` escaped, and a trailing newline.
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    golang::json_indent(value, 0, &mut out);
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------------
// Step 1 and 2: from JSON values to YAML nodes.

/// A scalar style as the encoder requests it; the emitter may still fall back to a quoted style.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
}

#[derive(Debug)]
struct Scalar {
    value: String,
    style: Style,
}

#[derive(Debug)]
enum Node {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<(Scalar, Node)>),
}

fn build(value: &Value) -> Node {
    match value {
        Value::Null => Node::Scalar(Scalar { value: "null".into(), style: Style::Plain }),
        Value::Bool(b) => Node::Scalar(Scalar { value: b.to_string(), style: Style::Plain }),
        Value::Number(n) => Node::Scalar(Scalar { value: yaml_number(n), style: Style::Plain }),
        Value::String(s) => Node::Scalar(string_scalar(&fold_nel(s))),
        Value::Array(items) => Node::Seq(items.iter().map(build).collect()),
        Value::Object(map) => {
            // Keys never hold a NEL here: check_json_as_yaml turned those into errors.
            let keys: Vec<String> = map.keys().cloned().collect();
            let order = sort_keys(&keys);
            Node::Map(order.into_iter().map(|i| (string_scalar(&keys[i]), build(&map[keys[i].as_str()]))).collect())
        }
    }
}

/// Characters JSON leaves raw that the YAML reader refuses.
fn is_refused(c: char) -> bool {
    c == '\u{7f}' || (('\u{80}'..='\u{9f}').contains(&c) && c != '\u{85}') || c == '\u{fffe}' || c == '\u{ffff}'
}

/// The YAML reader decodes its input 512 bytes at a time, so an error it finds competes with the
/// scanner's and parser's errors by position: this is the read round that decodes byte `end`.
fn read_round(end: usize) -> usize {
    end.div_ceil(512)
}

/// Byte offset just after the `n`th character of `text` from byte `start`: how far the scanner has
/// made the reader decode when it looks `n` characters ahead.
fn lookahead_end(text: &str, start: usize, n: usize) -> usize {
    text[start..].char_indices().nth(n).map_or(text.len(), |(i, _)| start + i)
}

/// Reads kubectl's JSON text the way go-yaml's reader, scanner and parser do, for the only ways that
/// can fail: characters the reader refuses, a key spanning lines (a raw NEL is a YAML line break, and a
/// flow-mapping key must fit on one line), and a document marker (`---`, `...`) starting such a line.
fn check_json_as_yaml(text: &str) -> Result<(), String> {
    const CONTROL: &str = "yaml: control characters are not allowed";
    let control_round = text.char_indices().find(|(_, c)| is_refused(*c)).map(|(i, c)| read_round(i + c.len_utf8()));
    let structural = scan_line_breaks(text);
    match (control_round, structural) {
        (Some(round), Some((needed, _))) if round <= read_round(needed) => Err(CONTROL.into()),
        (_, Some((_, message))) => Err(message),
        (Some(_), None) => Err(CONTROL.into()),
        (None, None) => Ok(()),
    }
}

/// The first error caused by a raw NEL in a JSON string, with how far the reader had to decode by then.
fn scan_line_breaks(text: &str) -> Option<(usize, String)> {
    let b = text.as_bytes();
    let nel_at = |i: usize| b.get(i) == Some(&0xC2) && b.get(i + 1) == Some(&0x85);
    let mut line = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        i += 1;
        let mut has_nel = false;
        let mut column0 = false;
        loop {
            if column0 {
                let rest = &b[i..];
                let marker = rest.starts_with(b"---") || rest.starts_with(b"...");
                if marker && (rest.get(3) == Some(&b' ') || nel_at(i + 3)) {
                    let message = format!("yaml: line {}: found unexpected document indicator", line + 1);
                    return Some((lookahead_end(text, i, 4), message));
                }
            }
            while i < b.len() && b[i] != b'"' && b[i] != b' ' && !nel_at(i) {
                i += match b[i] {
                    b'\\' if b.get(i + 1) == Some(&b'u') => 6,
                    b'\\' => 2,
                    c => char_width(c),
                };
            }
            if i >= b.len() || b[i] == b'"' {
                i += 1;
                break;
            }
            while b.get(i) == Some(&b' ') || nel_at(i) {
                if nel_at(i) {
                    line += 1;
                    has_nel = true;
                    column0 = true;
                    i += 2;
                } else {
                    column0 = false;
                    i += 1;
                }
            }
        }
        if has_nel && b.get(i) == Some(&b':') {
            let message = format!("yaml: line {line}: did not find expected ',' or '}}'");
            return Some((lookahead_end(text, i, 4), message));
        }
    }
    None
}

/// A string value as go-yaml reads it back: a raw NEL (the one line break JSON leaves unescaped) is
/// folded like a line break inside a double-quoted scalar — spaces around it are dropped, one break
/// becomes a space and each further break a newline.
fn fold_nel(s: &str) -> Cow<'_, str> {
    if !s.contains('\u{85}') {
        return Cow::Borrowed(s);
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        while i < chars.len() && chars[i] != ' ' && chars[i] != '\u{85}' {
            out.push(chars[i]);
            i += 1;
        }
        let mut whitespace = String::new();
        let mut leading_break = false;
        let mut trailing_breaks = String::new();
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\u{85}') {
            if chars[i] == ' ' {
                if !leading_break {
                    whitespace.push(' ');
                }
            } else if !leading_break {
                whitespace.clear();
                leading_break = true;
            } else {
                trailing_breaks.push('\n');
            }
            i += 1;
        }
        if leading_break {
            if trailing_breaks.is_empty() {
                out.push(' ');
            } else {
                out.push_str(&trailing_breaks);
            }
        } else {
            out.push_str(&whitespace);
        }
    }
    Cow::Owned(out)
}

/// go-yaml's `stringv`: literal block for multi-line strings, plain when the text would read back as a
/// string, double-quoted otherwise.
fn string_scalar(s: &str) -> Scalar {
    let style = if s.contains('\n') {
        Style::Literal
    } else if !resolves_to_non_string(s) && !is_base60_float(s) {
        Style::Plain
    } else {
        Style::DoubleQuoted
    };
    Scalar { value: s.to_string(), style }
}

/// A number after the JSON → YAML round trip: the JSON text is resolved by go-yaml as an int when it
/// parses as one, otherwise as a float printed with `strconv.FormatFloat(f, 'g', -1, 64)`.
fn yaml_number(n: &serde_json::Number) -> String {
    match golang::go_number(n) {
        GoNumber::Int(i) => i.to_string(),
        GoNumber::Float(f) => {
            let text = golang::json_float(f);
            if let Ok(i) = text.parse::<i64>() {
                i.to_string()
            } else if let Ok(u) = text.parse::<u64>() {
                u.to_string()
            } else {
                golang::format_g(f)
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------
// go-yaml v2's resolve(): would this text, written plain, read back as a non-string?

const RESOLVE_MAP: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO", "false",
    "False", "FALSE", "off", "Off", "OFF", "", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf",
    ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
];

fn resolve_hint(b: u8) -> u8 {
    match b {
        b'+' | b'-' => b'S',
        b'0'..=b'9' => b'D',
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~' => b'M',
        b'.' => b'.',
        _ => 0,
    }
}

fn resolves_to_non_string(s: &str) -> bool {
    // Only texts starting with a hint character are looked up at all (so "<<" stays a plain string).
    let hint = match s.as_bytes().first() {
        None => b'N',
        Some(&b) => resolve_hint(b),
    };
    if hint == 0 {
        return false;
    }
    if RESOLVE_MAP.contains(&s) {
        return true;
    }
    match hint {
        b'.' => go_parse_float(s).is_some(),
        b'D' | b'S' => {
            if is_timestamp(s) {
                return true;
            }
            let plain = s.replace('_', "");
            if go_parse_int(&plain, 0).is_ok() || go_parse_uint(&plain, 0).is_ok() {
                return true;
            }
            if is_yaml_style_float(&plain) && go_parse_float(&plain).is_some() {
                return true;
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                return go_parse_int(rest, 2).is_ok() || go_parse_uint(rest, 2).is_ok();
            }
            if let Some(rest) = plain.strip_prefix("-0b") {
                return go_parse_int(&format!("-{rest}"), 2).is_ok();
            }
            false
        }
        _ => false,
    }
}

/// go-yaml's `yamlStyleFloat`: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if i < b.len() && b[i] == b'.' {
            i += 1;
            digits(&mut i);
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// go-yaml's `isBase60Float`: `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`. Such strings are
/// quoted for the sake of YAML 1.1 parsers.
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    if i >= b.len() || !b[i].is_ascii_digit() || !s.contains(':') {
        return false;
    }
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while i < b.len() && b[i] == b':' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let ok = match i - start {
            1 => true,
            2 => b[start] <= b'5',
            _ => false,
        };
        if !ok {
            return false;
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// go-yaml's `parseTimestamp`: `YYYY-` followed by one of its four `time.Parse` layouts.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let year_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    if year_digits != 4 || b.len() == 4 || b[4] != b'-' {
        return false;
    }
    [Layout::DateTimeZone(b'T'), Layout::DateTimeZone(b't'), Layout::DateSpaceTime, Layout::Date]
        .iter()
        .any(|layout| parse_time(b, *layout))
}

#[derive(Clone, Copy)]
enum Layout {
    /// "2006-1-2T15:4:5.999999999Z07:00" (and with a lower-case 't').
    DateTimeZone(u8),
    /// "2006-1-2 15:4:5.999999999".
    DateSpaceTime,
    /// "2006-1-2".
    Date,
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(v: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    let d0 = *v.first().filter(|c| c.is_ascii_digit())?;
    match v.get(1).filter(|c| c.is_ascii_digit()) {
        Some(&d1) => Some((((d0 - b'0') * 10 + (d1 - b'0')) as u32, &v[2..])),
        None if fixed => None,
        None => Some(((d0 - b'0') as u32, &v[1..])),
    }
}

fn literal(v: &[u8], c: u8) -> Option<&[u8]> {
    (v.first() == Some(&c)).then(|| &v[1..])
}

/// `time.Parse` for go-yaml's layouts: field syntax, ranges and the day of the month.
fn parse_time(v: &[u8], layout: Layout) -> bool {
    let parse = || -> Option<()> {
        let year: u32 = std::str::from_utf8(&v[..4]).ok()?.parse().ok()?;
        let v = literal(&v[4..], b'-')?;
        let (month, v) = getnum(v, false)?;
        let v = literal(v, b'-')?;
        let (day, mut v) = getnum(v, false)?;
        if !(1..=12).contains(&month) {
            return None;
        }
        if !matches!(layout, Layout::Date) {
            v = match layout {
                Layout::DateTimeZone(t) => literal(v, t)?,
                // A layout space matches one or more spaces.
                _ => {
                    if v.first() != Some(&b' ') {
                        return None;
                    }
                    let spaces = v.iter().take_while(|c| **c == b' ').count();
                    &v[spaces..]
                }
            };
            let (hour, rest) = getnum(v, false)?;
            let rest = literal(rest, b':')?;
            let (minute, rest) = getnum(rest, false)?;
            let rest = literal(rest, b':')?;
            let (second, mut rest) = getnum(rest, false)?;
            if hour >= 24 || minute >= 60 || second >= 60 {
                return None;
            }
            // Optional fractional seconds: a comma or period and any number of digits.
            if rest.len() >= 2 && (rest[0] == b'.' || rest[0] == b',') && rest[1].is_ascii_digit() {
                let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                rest = &rest[1 + digits..];
            }
            if let Layout::DateTimeZone(_) = layout {
                if rest.first() == Some(&b'Z') {
                    rest = &rest[1..];
                } else {
                    if rest.len() < 6 || rest[3] != b':' {
                        return None;
                    }
                    let (hh, _) = getnum(&rest[1..3], true)?;
                    let (mm, _) = getnum(&rest[4..6], true)?;
                    if hh > 24 || mm > 60 || (rest[0] != b'+' && rest[0] != b'-') {
                        return None;
                    }
                    rest = &rest[6..];
                }
            }
            v = rest;
        }
        if !v.is_empty() {
            return None;
        }
        let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        (1..=days).contains(&day).then_some(())
    };
    parse().is_some()
}

// ---------------------------------------------------------------------------------------------------
// go-yaml v2's key order (sorter.go): letters sort after everything else, runs of digits compare by
// numeric value.

fn key_less(a: &str, b: &str) -> bool {
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let is_letter = |c: char| c.is_alphabetic() && !c.is_numeric();
    let is_digit = |c: char| c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric());
    let digit_value = |c: char| (c as i64).wrapping_sub('0' as i64);
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let al = is_letter(ar[i]);
        let bl = is_letter(br[i]);
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1]) {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai]) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(ar[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(br[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// The order of `keys` under go-yaml's comparison. For nearly all key sets the comparison is a total
/// order and the result is unique. For some (digit runs compared against letters) it is not, and then
/// kubectl's own order varies from run to run, because Go's `sort.Sort` starts from the random order of
/// a Go map; this merge sort, started from byte order, gives one such order and never panics.
fn sort_keys(keys: &[String]) -> Vec<usize> {
    fn merge_sort(idx: Vec<usize>, keys: &[String]) -> Vec<usize> {
        if idx.len() <= 1 {
            return idx;
        }
        let right = idx[idx.len() / 2..].to_vec();
        let mut left = idx;
        left.truncate(left.len() / 2);
        let (left, right) = (merge_sort(left, keys), merge_sort(right, keys));
        let mut out = Vec::with_capacity(left.len() + right.len());
        let (mut i, mut j) = (0, 0);
        while i < left.len() && j < right.len() {
            if key_less(&keys[right[j]], &keys[left[i]]) {
                out.push(right[j]);
                j += 1;
            } else {
                out.push(left[i]);
                i += 1;
            }
        }
        out.extend_from_slice(&left[i..]);
        out.extend_from_slice(&right[j..]);
        out
    }
    let mut by_bytes: Vec<usize> = (0..keys.len()).collect();
    by_bytes.stable_sort_by(|a, b| keys[*a].cmp(&keys[*b]));
    merge_sort(by_bytes, keys)
}

// ---------------------------------------------------------------------------------------------------
// Step 3: the emitter (emitterc.go), for the events go-yaml's encoder produces from a JSON value.

const BEST_INDENT: i64 = 2;
const BEST_WIDTH: usize = 80;

fn byte_at(v: &[u8], i: usize) -> u8 {
    v.get(i).copied().unwrap_or(0)
}

fn char_width(b: u8) -> usize {
    if b & 0x80 == 0 {
        1
    } else if b & 0xE0 == 0xC0 {
        2
    } else if b & 0xF0 == 0xE0 {
        3
    } else {
        4
    }
}

fn is_space(v: &[u8], i: usize) -> bool {
    byte_at(v, i) == b' '
}

fn is_blank(v: &[u8], i: usize) -> bool {
    matches!(byte_at(v, i), b' ' | b'\t')
}

fn is_break(v: &[u8], i: usize) -> bool {
    let b = byte_at(v, i);
    b == b'\r'
        || b == b'\n'
        || (b == 0xC2 && byte_at(v, i + 1) == 0x85)
        || (b == 0xE2 && byte_at(v, i + 1) == 0x80 && matches!(byte_at(v, i + 2), 0xA8 | 0xA9))
}

fn is_blankz(v: &[u8], i: usize) -> bool {
    is_blank(v, i) || is_break(v, i) || byte_at(v, i) == 0
}

/// libyaml's printable set: tab, C0/C1 controls, DEL, U+FEFF, U+FFFE/U+FFFF and everything outside the
/// BMP are not printable (and so get escaped in double quotes).
fn is_printable(v: &[u8], i: usize) -> bool {
    let b = byte_at(v, i);
    let b1 = byte_at(v, i + 1);
    let b2 = byte_at(v, i + 2);
    b == 0x0A
        || (0x20..=0x7E).contains(&b)
        || (b == 0xC2 && b1 >= 0xA0)
        || (b > 0xC2 && b < 0xED)
        || (b == 0xED && b1 < 0xA0)
        || b == 0xEE
        || (b == 0xEF && !(b1 == 0xBB && b2 == 0xBF) && !(b1 == 0xBF && (b2 == 0xBE || b2 == 0xBF)))
}

/// What the emitter's analysis allows for a scalar (yaml_emitter_analyze_scalar).
struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

fn analyze(value: &str) -> Analysis {
    let v = value.as_bytes();
    if v.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;
    if v.starts_with(b"---") || v.starts_with(b"...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let mut i = 0;
    while i < v.len() {
        let w = char_width(v[i]);
        let followed_by_whitespace = i + w >= v.len() || is_blank(v, i + w);
        if i == 0 {
            match v[i] {
                b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%'
                | b'@' | b'`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                b'?' | b':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                b'-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match v[i] {
                b',' | b'?' | b'[' | b']' | b'{' | b'}' => flow_indicators = true,
                b':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                b'#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(v, i) {
            special_characters = true;
        }
        if is_space(v, i) {
            if i == 0 {
                leading_space = true;
            }
            if i + w == v.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(v, i) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + w == v.len() {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(v, i);
        i += w;
    }
    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

struct Emitter {
    out: String,
    /// Characters written on the current line.
    column: usize,
    whitespace: bool,
    indention: bool,
    indent: i64,
    indents: Vec<i64>,
    flow_level: usize,
    mapping_context: bool,
    simple_key_context: bool,
}

impl Emitter {
    fn new() -> Emitter {
        Emitter {
            out: String::new(),
            column: 0,
            whitespace: true,
            indention: true,
            indent: -1,
            indents: Vec::new(),
            flow_level: 0,
            mapping_context: false,
            simple_key_context: false,
        }
    }

    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push('\n');
        self.column = 0;
    }

    /// Copies one character of `v` at byte `*i`.
    fn write(&mut self, v: &str, i: &mut usize) {
        let w = char_width(v.as_bytes()[*i]);
        self.out.push_str(&v[*i..*i + w]);
        self.column += 1;
        *i += w;
    }

    fn write_break(&mut self, v: &str, i: &mut usize) {
        if v.as_bytes()[*i] == b'\n' {
            self.put_break();
            *i += 1;
        } else {
            self.write(v, i);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn write_indent(&mut self) {
        let indent = self.indent.max(0) as usize;
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(&mut self, indicator: &str, need_whitespace: bool, is_whitespace: bool, is_indention: bool) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        for c in indicator.chars() {
            self.put(c);
        }
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn emit_node(&mut self, node: &Node, mapping: bool, simple_key: bool) {
        self.mapping_context = mapping;
        self.simple_key_context = simple_key;
        match node {
            Node::Scalar(s) => self.emit_scalar(s),
            Node::Seq(items) if items.is_empty() => self.emit_empty_flow("[", "]"),
            Node::Map(entries) if entries.is_empty() => self.emit_empty_flow("{", "}"),
            Node::Seq(items) => {
                let indentless = self.mapping_context && !self.indention;
                self.increase_indent(false, indentless);
                for item in items {
                    self.write_indent();
                    self.write_indicator("-", true, false, true);
                    self.emit_node(item, false, false);
                }
                self.pop_indent();
            }
            Node::Map(entries) => {
                self.increase_indent(false, false);
                for (key, value) in entries {
                    self.write_indent();
                    let analysis = analyze(&key.value);
                    if !analysis.multiline && key.value.len() <= 128 {
                        self.mapping_context = true;
                        self.simple_key_context = true;
                        self.emit_scalar(key);
                        self.write_indicator(":", false, false, false);
                    } else {
                        self.write_indicator("?", true, false, true);
                        self.mapping_context = true;
                        self.simple_key_context = false;
                        self.emit_scalar(key);
                        self.write_indent();
                        self.write_indicator(":", true, false, true);
                    }
                    self.emit_node(value, true, false);
                }
                self.pop_indent();
            }
        }
    }

    fn emit_empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.increase_indent(true, false);
        self.pop_indent();
        self.write_indicator(close, false, false, false);
    }

    fn select_style(&self, requested: Style, value: &str, a: &Analysis) -> Style {
        let mut style = requested;
        if self.simple_key_context && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain {
            if (self.flow_level > 0 && !a.flow_plain_allowed) || (self.flow_level == 0 && !a.block_plain_allowed) {
                style = Style::SingleQuoted;
            }
            if value.is_empty() && (self.flow_level > 0 || self.simple_key_context) {
                style = Style::SingleQuoted;
            }
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!a.block_allowed || self.flow_level > 0 || self.simple_key_context) {
            style = Style::DoubleQuoted;
        }
        style
    }

    fn emit_scalar(&mut self, s: &Scalar) {
        let analysis = analyze(&s.value);
        let style = self.select_style(s.style, &s.value, &analysis);
        self.increase_indent(true, false);
        let allow_breaks = !self.simple_key_context;
        match style {
            Style::Plain => self.write_plain(&s.value, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(&s.value, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(&s.value, allow_breaks),
            Style::Literal => self.write_literal(&s.value),
        }
        self.pop_indent();
    }

    fn write_plain(&mut self, value: &str, allow_breaks: bool) {
        let v = value.as_bytes();
        if !self.whitespace {
            self.put(' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < v.len() {
            if is_space(v, i) {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !is_space(v, i + 1) {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(v, i) {
                if !breaks && v[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, value: &str, allow_breaks: bool) {
        let v = value.as_bytes();
        self.write_indicator("'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < v.len() {
            if is_space(v, i) {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < v.len() - 1
                    && !is_space(v, i + 1)
                {
                    self.write_indent();
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(v, i) {
                if !breaks && v[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if v[i] == b'\'' {
                    self.put('\'');
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &str, allow_breaks: bool) {
        let v = value.as_bytes();
        // libyaml's is_bom looks at the start of the value, not at the current character: after a
        // leading BOM every character is escaped.
        let bom = v.starts_with(&[0xEF, 0xBB, 0xBF]);
        self.write_indicator("\"", true, false, false);
        let mut spaces = false;
        let mut i = 0;
        while i < v.len() {
            if !is_printable(v, i) || bom || is_break(v, i) || v[i] == b'"' || v[i] == b'\\' {
                let c = value[i..].chars().next().unwrap_or('\0');
                i += c.len_utf8();
                self.put('\\');
                match c {
                    '\0' => self.put('0'),
                    '\u{7}' => self.put('a'),
                    '\u{8}' => self.put('b'),
                    '\t' => self.put('t'),
                    '\n' => self.put('n'),
                    '\u{b}' => self.put('v'),
                    '\u{c}' => self.put('f'),
                    '\r' => self.put('r'),
                    '\u{1b}' => self.put('e'),
                    '"' => self.put('"'),
                    '\\' => self.put('\\'),
                    '\u{85}' => self.put('N'),
                    '\u{a0}' => self.put('_'),
                    '\u{2028}' => self.put('L'),
                    '\u{2029}' => self.put('P'),
                    c => {
                        let code = c as u32;
                        let (letter, digits) = match code {
                            0..=0xFF => ('x', 2),
                            0x100..=0xFFFF => ('u', 4),
                            _ => ('U', 8),
                        };
                        self.put(letter);
                        for k in (0..digits).rev() {
                            let digit = (code >> (4 * k)) & 0xF;
                            self.put(char::from_digit(digit, 16).unwrap_or('0').to_ascii_uppercase());
                        }
                    }
                }
                spaces = false;
            } else if is_space(v, i) {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i > 0 && i < v.len() - 1 {
                    self.write_indent();
                    if is_space(v, i + 1) {
                        self.put('\\');
                    }
                    i += 1;
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else {
                self.write(value, &mut i);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_block_scalar_hints(&mut self, value: &str) {
        let v = value.as_bytes();
        if is_space(v, 0) || is_break(v, 0) {
            self.write_indicator(&BEST_INDENT.to_string(), false, false, false);
        }
        let chomp = match value.char_indices().last() {
            None => Some("-"),
            Some((last, _)) if !is_break(v, last) => Some("-"),
            Some((0, _)) => Some("+"),
            Some((last, _)) => match value[..last].char_indices().last() {
                Some((prev, _)) if is_break(v, prev) => Some("+"),
                _ => None,
            },
        };
        if let Some(chomp) = chomp {
            self.write_indicator(chomp, false, false, false);
        }
    }

    fn write_literal(&mut self, value: &str) {
        let v = value.as_bytes();
        self.write_indicator("|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        let mut i = 0;
        while i < v.len() {
            if is_break(v, i) {
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write(value, &mut i);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn yaml(v: Value) -> String {
        to_yaml(&v).expect("valid yaml")
    }

    #[test]
    fn create_configmap_dry_run() {
        // kubectl create configmap x --from-literal=n=0 --from-literal=a='x: y' --dry-run=client -o yaml
        let cm = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x", "creationTimestamp": null}, "data": {"n": "0", "a": "x: y"}});
        assert_eq!(
            yaml(cm),
            "apiVersion: v1\ndata:\n  a: 'x: y'\n  \"n\": \"0\"\nkind: ConfigMap\nmetadata:\n  creationTimestamp: null\n  name: x\n"
        );
    }

    #[test]
    fn create_deployment_dry_run() {
        // kubectl create deployment web --image=nginx --replicas=3 --dry-run=client -o yaml
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"creationTimestamp": null, "labels": {"app": "web"}, "name": "web"},
            "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "strategy": {},
                "template": {"metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
                    "spec": {"containers": [{"image": "nginx", "name": "nginx", "resources": {}}]}}},
            "status": {}});
        assert_eq!(
            yaml(d),
            "apiVersion: apps/v1
kind: Deployment
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  strategy: {}
  template:
    metadata:
      creationTimestamp: null
      labels:
        app: web
    spec:
      containers:
      - image: nginx
        name: nginx
        resources: {}
status: {}
"
        );
    }

    #[test]
    fn create_configmap_from_files_dry_run() {
        // kubectl create configmap x --from-file=f1.txt --from-file=nginx.conf --from-literal=n=0
        //   --from-literal=a='x: y' --dry-run=client -o yaml (f1.txt holds a tab and a trailing space)
        let cm = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "x", "creationTimestamp": null},
            "data": {"a": "x: y", "f1.txt": "line one\nline two  \n\tindented\n", "n": "0",
                "nginx.conf": "server {\n  listen 80;\n}\n"}});
        assert_eq!(
            yaml(cm),
            "apiVersion: v1
data:
  a: 'x: y'
  f1.txt: \"line one\\nline two  \\n\\tindented\\n\"
  \"n\": \"0\"
  nginx.conf: |
    server {
      listen 80;
    }
kind: ConfigMap
metadata:
  creationTimestamp: null
  name: x
"
        );
    }

    #[test]
    fn create_service_nodeport_dry_run() {
        // kubectl create service nodeport web --tcp=80:8080 --node-port=30080 --dry-run=client -o yaml
        let svc = json!({"kind": "Service", "apiVersion": "v1",
            "metadata": {"name": "web", "creationTimestamp": null, "labels": {"app": "web"}},
            "spec": {"ports": [{"name": "80-8080", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": 30080}],
                "selector": {"app": "web"}, "type": "NodePort"},
            "status": {"loadBalancer": {}}});
        assert_eq!(
            yaml(svc),
            "apiVersion: v1
kind: Service
metadata:
  creationTimestamp: null
  labels:
    app: web
  name: web
spec:
  ports:
  - name: 80-8080
    nodePort: 30080
    port: 80
    protocol: TCP
    targetPort: 8080
  selector:
    app: web
  type: NodePort
status:
  loadBalancer: {}
"
        );
    }

    #[test]
    fn nested_lists_and_empty_collections() {
        let v = json!({"a": [[1, 2], [], {}, [{"b": []}]], "e": [], "m": {}});
        assert_eq!(yaml(v), "a:\n- - 1\n  - 2\n- []\n- {}\n- - b: []\ne: []\nm: {}\n");
    }

    /// Every string here went through `kubectl get cm -o yaml` (v1.32) against a server returning it;
    /// the expected text is what kubectl printed after `key: `.
    #[test]
    fn string_styles_match_kubectl() {
        let cases: &[(&str, &str)] = &[
            ("0", "\"0\""),
            ("08", "\"08\""),
            ("Null", "\"Null\""),
            ("Y", "\"Y\""),
            ("&x", "'&x'"),
            ("@x", "'@x'"),
            ("1:20", "\"1:20\""),
            ("190:20:30.15", "\"190:20:30.15\""),
            ("2024-13-01", "2024-13-01"),
            ("!x", "'!x'"),
            ("9999999999999999999999999", "\"9999999999999999999999999\""),
            ("0xffffffffffffffffffff", "0xffffffffffffffffffff"),
            ("0b101", "\"0b101\""),
            ("\u{feff}x", "\"\\uFEFF\\x78\""),
            ("{x", "'{x'"),
            ("`x", "'`x'"),
            ("a:b", "a:b"),
            ("a: b", "'a: b'"),
            ("a,b", "a,b"),
            ("a\r\nb", "\"a\\r\\nb\""),
            ("a\u{8}b\u{c}c\u{1}d\u{2028}f\u{85}g\u{ad}h", "\"a\\bb\\fc\\x01d\\Lf g\u{ad}h\""),
            ("- x", "'- x'"),
            ("-x", "-x"),
            ("---x", "'---x'"),
            ("...", "'...'"),
            ("say \"hi\"", "say \"hi\""),
            ("1e400", "1e400"),
            ("hi 😀", "\"hi \\U0001F600\""),
            ("", "\"\""),
            ("x ", "'x '"),
            ("1.5", "\"1.5\""),
            ("1e3", "\"1e3\""),
            (".5", "\".5\""),
            ("1.", "\"1.\""),
            ("2023-02-29", "2023-02-29"),
            ("a #b", "'a #b'"),
            ("a#b", "a#b"),
            ("0x1F", "\"0x1F\""),
            ("<a href='x'>&amp;</a>", "<a href='x'>&amp;</a>"),
            (".inf", "\".inf\""),
            ("10.0.0.1", "10.0.0.1"),
            (" x", "' x'"),
            ("2024-02-29", "\"2024-02-29\""),
            ("<<", "<<"),
            ("-", "'-'"),
            ("n", "\"n\""),
            (".NaN", "\".NaN\""),
            ("-0b101", "\"-0b101\""),
            ("a\u{a0}b", "a\u{a0}b"),
            ("-5", "\"-5\""),
            ("-.5", "\"-.5\""),
            ("null", "\"null\""),
            ("0o17", "\"0o17\""),
            ("017", "\"017\""),
            ("Off", "\"Off\""),
            ("on", "\"on\""),
            ("%x", "'%x'"),
            ("+1", "\"+1\""),
            ("?x", "?x"),
            ("? x", "'? x'"),
            ("it's", "it's"),
            (" ", "' '"),
            ("*x", "'*x'"),
            ("a\tb", "\"a\\tb\""),
            ("~", "\"~\""),
            ("line \nnext", "\"line \\nnext\""),
            ("2024-01-01", "\"2024-01-01\""),
            ("2024-01-01T10:00:00Z", "\"2024-01-01T10:00:00Z\""),
            ("2024-1-1 1:2:3.5", "\"2024-1-1 1:2:3.5\""),
            ("1_000", "\"1_000\""),
            ("héllo wörld", "héllo wörld"),
            ("1.2.3", "1.2.3"),
            ("y", "\"y\""),
            ("yes", "\"yes\""),
        ];
        for (input, want) in cases {
            let got = yaml(json!({ "k": input }));
            assert_eq!(got, format!("k: {want}\n"), "{input:?}");
        }
    }

    #[test]
    fn block_literals_match_kubectl() {
        let cases: &[(&str, &str)] = &[
            ("a\n\n", "|+\n    a\n\n"),
            ("\n", "|2+\n\n"),
            ("\n x", "|2-\n\n     x\n"),
            ("line1\nline2", "|-\n    line1\n    line2\n"),
            ("line1\nline2\n", "|\n    line1\n    line2\n"),
        ];
        for (input, want) in cases {
            assert_eq!(yaml(json!({"data": { "k": input }})), format!("data:\n  k: {want}"), "{input:?}");
        }
    }

    #[test]
    fn long_strings_wrap_at_80_columns_and_long_keys_use_the_complex_form() {
        // kubectl get cm w -o yaml (v1.32), data as below.
        let long = (0..40).map(|i| format!("word{i}")).collect::<Vec<_>>().join(" ");
        let v = json!({"data": {
            "k".repeat(130): "v",
            "long": long,
            "longq": format!("x: {long}"),
            "multi": format!("line1\nline2 {long}\n"),
        }});
        assert_eq!(
            yaml(v),
            format!(
                "data:
  ? {}
  : v
  long: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11
    word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23
    word24 word25 word26 word27 word28 word29 word30 word31 word32 word33 word34 word35
    word36 word37 word38 word39
  longq: 'x: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11
    word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23
    word24 word25 word26 word27 word28 word29 word30 word31 word32 word33 word34 word35
    word36 word37 word38 word39'
  multi: |
    line1
    line2 {long}
",
                "k".repeat(130)
            )
        );
    }

    #[test]
    fn keys_sort_like_go_yaml() {
        // The order kubectl v1.32 printed for these keys.
        let keys = ["b60b", "0", "dash2", "Null", "08", "badts", "dashes", "b60", "Y", "a10", "a9", "a_b", "aB", "nl2"];
        let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        let sorted: Vec<&str> = sort_keys(&keys).into_iter().map(|i| keys[i].as_str()).collect();
        assert_eq!(
            sorted,
            ["0", "08", "Null", "Y", "a_b", "a9", "a10", "aB", "b60", "b60b", "badts", "dash2", "dashes", "nl2"]
        );
    }

    #[test]
    fn numbers_after_the_round_trip() {
        // kubectl get -o yaml of {"big":1234567.5,"e20":1e20,"e21":1e21,"f0":3.0,"huge":123456789012,...}
        let v = json!({"big": 1234567.5, "e20": 1e20, "e21": 1e21, "f0": 3.0, "huge": 123456789012u64,
            "i": 1000000, "neg": -0.5, "p": 0.1, "small": 0.00001, "tiny": 1.5e-7, "u": 18446744073709551615u64,
            "b": true});
        assert_eq!(
            yaml(v),
            "b: true\nbig: 1.2345675e+06\ne20: 1e+20\ne21: 1e+21\nf0: 3\nhuge: 123456789012\ni: 1000000\nneg: -0.5\np: 0.1\nsmall: 1e-05\ntiny: 1.5e-07\nu: 1.8446744073709552e+19\n"
        );
    }

    #[test]
    fn refused_characters_fail_like_kubectl() {
        for bad in ["a\u{7f}", "\u{80}", "\u{9f}", "\u{fffe}"] {
            assert_eq!(to_yaml(&json!({ "k": bad })), Err("error: yaml: control characters are not allowed\n".into()));
        }
        assert_eq!(to_yaml(&json!({ "k\u{7f}": 1 })), Err("error: yaml: control characters are not allowed\n".into()));
    }

    /// Strings holding a raw NEL, through `kubectl get cm -o yaml` (v1.32).
    #[test]
    fn nel_is_a_yaml_line_break() {
        let values: &[(&str, &str)] = &[
            ("a \u{85} b\u{85}\u{85} c \u{85}", "k: \"a b\\nc \"\n"),
            ("x\u{85}", "k: 'x '\n"),
            ("\u{85}\u{85}\u{85}", "k: |2+\n\n\n"),
            ("\u{85}---", "k: ' ---'\n"),
            ("\u{85} --- x", "k: ' --- x'\n"),
            ("a  \u{85}  \u{85} b", "k: |-\n  a\n  b\n"),
        ];
        for (input, want) in values {
            assert_eq!(yaml(json!({ "k": input })), *want, "{input:?}");
        }
        assert_eq!(yaml(json!({"k": ["x\u{85}y"]})), "k:\n- x y\n");
        let errors: &[(Value, &str)] = &[
            (json!({"data": {"a\u{85}b": "v"}}), "line 1: did not find expected ',' or '}'"),
            (json!({"data": {"\u{85}\u{85}k": "v"}}), "line 2: did not find expected ',' or '}'"),
            (json!({"zz": "a\u{85}\u{85}b", "zzz": {"q\u{85}": 1}}), "line 3: did not find expected ',' or '}'"),
            (json!({"k": ["x\u{85}y", {"a\u{85}b": 1}]}), "line 2: did not find expected ',' or '}'"),
            (json!({"k": "\u{85}--- x"}), "line 2: found unexpected document indicator"),
            (json!({"k": "\u{85}---\u{85}"}), "line 2: found unexpected document indicator"),
            (json!({"k": "\u{85}...\u{85}x"}), "line 2: found unexpected document indicator"),
        ];
        for (input, want) in errors {
            assert_eq!(to_yaml(input), Err(format!("error: yaml: {want}\n")), "{input}");
        }
    }

    #[test]
    fn scalar_roots() {
        assert_eq!(yaml(json!("abc")), "abc\n");
        assert_eq!(yaml(json!({})), "{}\n");
        assert_eq!(yaml(json!([])), "[]\n");
        assert_eq!(yaml(json!(null)), "null\n");
    }

    #[test]
    fn json_printer() {
        // kubectl annotate --local -f o.json b=c -o json (v1.32)
        let v = json!({"apiVersion": "v1", "kind": "ConfigMap", "data": {"k": "v", "h": "<b>&"},
            "metadata": {"name": "x", "annotations": {"z": "1", "b": "c"}}, "l": [], "m": {}});
        assert_eq!(
            to_json(&v),
            r#"{
    "apiVersion": "v1",
    "data": {
        "h": "\u003cb\u003e\u0026",
        "k": "v"
    },
    "kind": "ConfigMap",
    "l": [],
    "m": {},
    "metadata": {
        "annotations": {
            "b": "c",
            "z": "1"
        },
        "name": "x"
    }
}
"#
        );
    }
}
