//! kubectl's JSONPath template dialect (`-o jsonpath=…`, `-o jsonpath-as-json=…`): a port of
//! `k8s.io/client-go/util/jsonpath`, checked case by case against a real kubectl (v1.32).
//!
//! A template is text with `{…}` actions. Inside an action: fields (`.a.b`, `.a\.b` for a dotted key),
//! `[n]`, `[-1]`, slices `[a:b:step]`, `[*]`, unions `[0,2]` / `['a','b']`, `..` recursive descent, `.*`,
//! filters `[?(@.x=="v")]` with `==`, `!=`, `<`, `>`, `<=`, `>=` or bare existence, `range`/`end`,
//! string literals `{"\n"}`, numbers and `true`/`false`. The quirks are client-go's and kept on purpose:
//! `['a.b']` is two fields, not one dotted key; `{.}` yields nothing while `{@}` is the whole object; an
//! action's results are joined by single spaces; maps and lists print as compact JSON, `null` as `null`.
//!
//! Results that come from Go map iteration (`.*`, `..` over maps) have no fixed order in kubectl; here
//! they come in key order, one of the orders kubectl can print.
//!
//! Errors are the complete stderr text kubectl prints, including the debugging dump of the object that
//! `-o jsonpath` adds when executing a template fails.

use serde_json::{Number, Value};

use super::golang::{self, go_parse_float, go_parse_int, GoNumber};

/// A parsed template.
#[derive(Clone, Debug)]
pub struct JsonPath {
    template: String,
    nodes: Vec<Node>,
    allow_missing_keys: bool,
}

impl JsonPath {
    /// Parses a template as `-o jsonpath=TEMPLATE` does. Missing keys are allowed, as kubectl's
    /// `--allow-missing-template-keys` defaults to true.
    pub fn parse(template: &str) -> Result<JsonPath, String> {
        if template.is_empty() {
            return Err("error: template format specified but no template given\n".into());
        }
        JsonPath::parse_raw(template).map_err(|e| format!("error: error parsing jsonpath {template}, {e}\n"))
    }

    /// Parses a template and returns client-go's bare parser error (custom columns print it as is).
    pub(crate) fn parse_raw(template: &str) -> Result<JsonPath, String> {
        Ok(JsonPath { template: template.to_string(), nodes: parse_template(template)?, allow_missing_keys: true })
    }

    /// `--allow-missing-template-keys=false` makes a missing field an error instead of no result.
    pub fn allow_missing_keys(mut self, allow: bool) -> JsonPath {
        self.allow_missing_keys = allow;
        self
    }

    /// Runs the template against `value` (the object kubectl prints: one object, or a `List`).
    pub fn execute(&self, value: &Value) -> Result<String, String> {
        let groups = self.find(value).map_err(|e| self.execution_error(value, &e))?;
        let mut out = String::new();
        for group in &groups {
            for (i, v) in group.iter().enumerate() {
                match v {
                    Val::Json(j @ (Value::Object(_) | Value::Array(_))) => golang::json_compact(j, &mut out),
                    other => out.push_str(&text(other)),
                }
                if i + 1 != group.len() {
                    out.push(' ');
                }
            }
        }
        Ok(out)
    }

    /// `-o jsonpath-as-json=TEMPLATE`: each group of results (each action, each text, each range
    /// iteration) as an indented JSON array on its own.
    pub fn execute_as_json(&self, value: &Value) -> Result<String, String> {
        let groups = self.find(value).map_err(|e| self.execution_error(value, &e))?;
        let mut out = String::new();
        for group in &groups {
            if group.iter().any(|v| matches!(v, Val::Invalid)) {
                return Err(format!("{PANIC_INTERFACE}\n"));
            }
            let array = Value::Array(group.iter().map(to_json_value).collect());
            golang::json_indent(&array, 0, &mut out);
            out.push('\n');
        }
        Ok(out)
    }

    /// The values each group of results holds, as `fmt.Sprint` prints them (custom columns' cells), or
    /// client-go's bare error.
    pub(crate) fn find_sprint(&self, value: &Value) -> Result<Vec<Vec<String>>, String> {
        let groups = self.find(value)?;
        Ok(groups.iter().map(|g| g.iter().map(sprint).collect()).collect())
    }

    /// The first value the template finds (what `--sort-by` compares), if any.
    pub(crate) fn find_first(&self, value: &Value) -> Option<Value> {
        let groups = self.find(value).ok()?;
        groups.first()?.first().map(to_json_value)
    }

    fn find<'v>(&'v self, value: &'v Value) -> Result<Vec<Vec<Val<'v>>>, String> {
        let mut exec = Exec {
            nodes: &self.nodes,
            allow_missing_keys: self.allow_missing_keys,
            begin_range: 0,
            in_range: 0,
            end_range: 0,
            last_end_node: None,
        };
        exec.find_results(Val::Json(value), 0)
    }

    /// kubectl's JSONPathPrinter wraps execution errors with the template and a `%#v` dump of the object.
    fn execution_error(&self, value: &Value, err: &str) -> String {
        if err.starts_with("panic: ") {
            return format!("{err}\n");
        }
        format!(
            "error: error executing jsonpath {}: Error executing template: {err}. Printing more information for \
             debugging the template:\n\ttemplate was:\n\t\t{}\n\tobject given to jsonpath engine was:\n\t\t{}\n\n\n",
            golang::quote(&self.template),
            self.template,
            golang::go_syntax(value)
        )
    }
}

// ---------------------------------------------------------------------------------------------------
// Parsing (parser.go).

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Param {
    value: i64,
    known: bool,
    derived: bool,
}

#[derive(Clone, Debug)]
enum Node {
    /// An action: `{…}`, or the inside of a sub-expression (union member, filter side).
    List(Vec<Node>),
    Text(String),
    Field(String),
    Array([Param; 3]),
    Filter {
        left: Vec<Node>,
        right: Vec<Node>,
        op: String,
    },
    Int(i64),
    Float(f64),
    Bool(bool),
    Wildcard,
    Recursive,
    Union(Vec<Vec<Node>>),
    Identifier(String),
}

fn is_digit(c: char) -> bool {
    // unicode.IsDigit; outside ASCII, Rust's numeric class stands in for Go's Nd.
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn is_alphanumeric(c: char) -> bool {
    c == '_' || (c.is_alphabetic() && !c.is_numeric()) || is_digit(c)
}

fn is_terminator(r: Option<char>) -> bool {
    matches!(r, None | Some(' ' | '\t' | '\r' | '\n' | '.' | ',' | '[' | ']' | '$' | '@' | '{' | '}'))
}

/// Go's `%#U`: `U+007E '~'`, without the character when it does not print.
fn unicode_verb(c: char) -> String {
    if golang::is_print(c) {
        format!("U+{:04X} '{c}'", c as u32)
    } else {
        format!("U+{:04X}", c as u32)
    }
}

struct Parser<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    width: usize,
}

fn parse_template(text: &str) -> Result<Vec<Node>, String> {
    let mut p = Parser { input: text, pos: 0, start: 0, width: 0 };
    let mut root = Vec::new();
    loop {
        // parseText: everything up to the next '{' is text.
        while !p.rest().starts_with('{') {
            if p.next().is_none() {
                if p.pos > p.start {
                    root.push(Node::Text(p.consume().to_string()));
                }
                return Ok(root);
            }
        }
        if p.pos > p.start {
            root.push(Node::Text(p.consume().to_string()));
        }
        p.pos += 1;
        p.consume();
        let mut action = Vec::new();
        p.parse_inside_action(&mut action)?;
        root.push(Node::List(action));
    }
}

/// client-go's parseAction: parses `{text}` and returns the action's nodes.
fn parse_action(text: &str) -> Result<Vec<Node>, String> {
    match parse_template(&format!("{{{text}}}"))?.into_iter().next() {
        Some(Node::List(nodes)) => Ok(nodes),
        _ => Ok(Vec::new()),
    }
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    fn next(&mut self) -> Option<char> {
        match self.rest().chars().next() {
            None => {
                self.width = 0;
                None
            }
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
        }
    }

    fn peek(&mut self) -> Option<char> {
        let r = self.next();
        self.backup();
        r
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn consume(&mut self) -> &str {
        let value = &self.input[self.start..self.pos];
        self.start = self.pos;
        value
    }

    /// The byte two before the current position: the one before the character just read.
    fn before_last(&self) -> Option<u8> {
        self.pos.checked_sub(2).map(|i| self.input.as_bytes()[i])
    }

    /// Parses the inside of an action up to and including its closing '}'.
    fn parse_inside_action(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            if self.rest().starts_with('}') {
                self.pos += 1;
                self.consume();
                return Ok(());
            }
            if self.rest().starts_with("[?(") {
                self.parse_filter(cur)?;
                continue;
            }
            if self.rest().starts_with("..") {
                if matches!(cur.last(), Some(Node::Recursive)) {
                    return Err("invalid multiple recursive descent".into());
                }
                self.pos += 2;
                self.consume();
                cur.push(Node::Recursive);
                if self.peek().is_some_and(is_alphanumeric) {
                    self.parse_field(cur);
                }
                continue;
            }
            match self.next() {
                None | Some('\r' | '\n') => return Err("unclosed action".into()),
                Some(' ' | '@' | '$') => {
                    self.consume();
                }
                Some('[') => self.parse_array(cur)?,
                Some(q @ ('"' | '\'')) => self.parse_quote(cur, q)?,
                Some('.') => self.parse_field(cur),
                Some(c) if c == '+' || c == '-' || is_digit(c) => {
                    self.backup();
                    self.parse_number(cur)?;
                }
                Some(c) if is_alphanumeric(c) => {
                    self.backup();
                    self.parse_identifier(cur);
                }
                Some(c) => return Err(format!("unrecognized character in action: {}", unicode_verb(c))),
            }
        }
    }

    fn parse_identifier(&mut self, cur: &mut Vec<Node>) {
        loop {
            let r = self.next();
            if is_terminator(r) {
                self.backup();
                break;
            }
        }
        let value = self.consume();
        cur.push(match value {
            "true" => Node::Bool(true),
            "false" => Node::Bool(false),
            other => Node::Identifier(other.to_string()),
        });
    }

    fn parse_number(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        if matches!(self.peek(), Some('+' | '-')) {
            self.next();
        }
        loop {
            match self.next() {
                Some(c) if c == '.' || is_digit(c) => {}
                _ => {
                    self.backup();
                    break;
                }
            }
        }
        let value = self.consume();
        if let Ok(i) = go_parse_int(value, 10) {
            cur.push(Node::Int(i));
        } else if let Some(f) = go_parse_float(value) {
            cur.push(Node::Float(f));
        } else {
            return Err(format!("cannot parse number {value}"));
        }
        Ok(())
    }

    fn parse_array(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated array".into()),
                Some(']') => break,
                Some(_) => {}
            }
        }
        let consumed = self.consume();
        let mut text = &consumed[1..consumed.len() - 1];
        if text == "*" {
            text = ":";
        }
        let parts: Vec<&str> = text.split(',').collect();
        if parts.len() > 1 {
            let mut union = Vec::new();
            for part in parts {
                union.push(parse_action(&format!("[{}]", part.trim_matches(' ')))?);
            }
            cur.push(Node::Union(union));
            return Ok(());
        }
        // A quoted dictionary key: `['key']` is parsed as `.key`.
        if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') && !text[1..text.len() - 1].contains('\'')
        {
            cur.extend(parse_action(&format!(".{}", &text[1..text.len() - 1]))?);
            return Ok(());
        }
        let groups = slice_groups(text).ok_or_else(|| format!("invalid array index {text}"))?;
        let mut params = [Param::default(); 3];
        for i in 0..3 {
            let mut value = groups[i];
            if !value.is_empty() {
                if i > 0 {
                    value = &value[1..];
                }
                if i > 0 && value.is_empty() {
                    params[i].known = false;
                } else {
                    params[i].known = true;
                    params[i].value =
                        go_parse_int(value, 10).map_err(|_| format!("array index {value} is not a number"))?;
                }
            } else if i == 1 {
                params[i] = Param { value: params[0].value.wrapping_add(1), known: true, derived: true };
            } else {
                params[i] = Param::default();
            }
        }
        cur.push(Node::Array(params));
        Ok(())
    }

    fn parse_filter(&mut self, cur: &mut Vec<Node>) -> Result<(), String> {
        self.pos += 3;
        self.consume();
        let mut begin = false;
        let mut end = false;
        let mut pair = '\0';
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated filter".into()),
                Some(q @ ('"' | '\'')) => {
                    if !begin {
                        begin = true;
                        pair = q;
                        continue;
                    }
                    if self.before_last() != Some(b'\\') && q == pair {
                        end = true;
                    }
                }
                Some(')') if begin == end => break,
                Some(_) => {}
            }
        }
        if self.next() != Some(']') {
            return Err("unclosed array expect ]".into());
        }
        let consumed = self.consume();
        let text = &consumed[..consumed.len() - 2];
        match filter_parts(text) {
            None => {
                let left = parse_action(text)?;
                cur.push(Node::Filter { left, right: Vec::new(), op: "exists".into() });
            }
            Some((left, op, right)) => {
                let left = parse_action(left)?;
                let right = parse_action(right)?;
                cur.push(Node::Filter { left, right, op: op.to_string() });
            }
        }
        Ok(())
    }

    fn parse_quote(&mut self, cur: &mut Vec<Node>, end: char) -> Result<(), String> {
        loop {
            match self.next() {
                None | Some('\n') => return Err("unterminated quoted string".into()),
                Some(c) if c == end && self.before_last() != Some(b'\\') => break,
                Some(_) => {}
            }
        }
        let value = self.consume();
        let s = unquote_extend(value).map_err(|e| format!("unquote string {value} error {e}"))?;
        cur.push(Node::Text(s));
        Ok(())
    }

    fn parse_field(&mut self, cur: &mut Vec<Node>) {
        self.consume();
        loop {
            let r = self.next();
            if r == Some('\\') {
                self.next();
            } else if is_terminator(r) {
                self.backup();
                break;
            }
        }
        let value = self.consume();
        cur.push(if value == "*" { Node::Wildcard } else { Node::Field(value.replace('\\', "")) });
    }
}

/// The groups of `^(-?[\d]*)(:-?[\d]*)?(:-?[\d]*)?$`, unmatched ones empty.
fn slice_groups(text: &str) -> Option<[&str; 3]> {
    let b = text.as_bytes();
    let mut groups = [""; 3];
    let mut i = 0;
    for (g, group) in groups.iter_mut().enumerate() {
        let start = i;
        if g > 0 {
            if b.get(i) != Some(&b':') {
                break;
            }
            i += 1;
        }
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        *group = &text[start..i];
    }
    (i == b.len()).then_some(groups)
}

/// The groups of `^([^!<>=]+)([!<>=]+)(.+?)$`: left side, operator, right side.
fn filter_parts(text: &str) -> Option<(&str, &str, &str)> {
    let is_op = |c: char| matches!(c, '!' | '<' | '>' | '=');
    let op_start = text.find(is_op)?;
    if op_start == 0 {
        return None;
    }
    let op_len = text[op_start..].find(|c: char| !is_op(c)).unwrap_or(text.len() - op_start);
    let mut op_end = op_start + op_len;
    if op_end == text.len() {
        // The right side needs a character: the regexp backtracks one out of the operator.
        if op_len < 2 {
            return None;
        }
        op_end -= 1;
    }
    Some((&text[..op_start], &text[op_start..op_end], &text[op_end..]))
}

/// client-go's UnquoteExtend: `strconv.Unquote` that also accepts single quotes.
fn unquote_extend(s: &str) -> Result<String, &'static str> {
    const SYNTAX: &str = "invalid syntax";
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b[b.len() - 1] || (b[0] != b'"' && b[0] != b'\'') {
        return Err(SYNTAX);
    }
    let quote = b[0] as char;
    let inner = &s[1..s.len() - 1];
    if !inner.contains('\\') && !inner.contains(quote) {
        return Ok(inner.to_string());
    }
    let chars: Vec<char> = inner.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == quote {
            return Err(SYNTAX);
        }
        if c != '\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let e = *chars.get(i + 1).ok_or(SYNTAX)?;
        i += 2;
        let simple = match e {
            'a' => Some('\u{7}'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\u{b}'),
            '\\' => Some('\\'),
            '\'' | '"' if e == quote => Some(e),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            continue;
        }
        match e {
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let digits: String = chars.get(i..i + n).ok_or(SYNTAX)?.iter().collect();
                if !digits.chars().all(|c| c.is_ascii_hexdigit()) {
                    return Err(SYNTAX);
                }
                let v = u32::from_str_radix(&digits, 16).map_err(|_| SYNTAX)?;
                i += n;
                if e == 'x' {
                    // A single byte: bytes above 0x7f make the text invalid UTF-8 in Go, which a Rust
                    // string cannot hold; they show as U+FFFD.
                    out.push(if v < 0x80 { v as u8 as char } else { '\u{fffd}' });
                } else {
                    out.push(char::from_u32(v).ok_or(SYNTAX)?);
                }
            }
            '0'..='7' => {
                let mut v = e as u32 - '0' as u32;
                for _ in 0..2 {
                    let d = chars.get(i).copied().ok_or(SYNTAX)?;
                    if !('0'..='7').contains(&d) {
                        return Err(SYNTAX);
                    }
                    v = (v << 3) | (d as u32 - '0' as u32);
                    i += 1;
                }
                if v > 255 {
                    return Err(SYNTAX);
                }
                out.push(if v < 0x80 { v as u8 as char } else { '\u{fffd}' });
            }
            _ => return Err(SYNTAX),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------
// Evaluation (jsonpath.go).

/// A `reflect.Value` as client-go's evaluation sees it.
#[derive(Clone, Debug)]
enum Val<'v> {
    /// A value read from the object (JSON null is an interface holding nil).
    Json(&'v Value),
    /// A string literal from the template.
    Str(String),
    /// An integer literal (Go `int`).
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A byte of a string, as `.*` and `..` visit them.
    Byte(u8),
    /// `reflect.ValueOf(nil)`: what a range over a null element starts from.
    Invalid,
}

impl<'v> Val<'v> {
    /// `value.Interface()` fed back to `reflect.ValueOf`, as `range` does with each element.
    fn reinterface(self) -> Val<'v> {
        match self {
            Val::Json(Value::Null) => Val::Invalid,
            other => other,
        }
    }

    fn is_nil(&self) -> bool {
        matches!(self, Val::Json(Value::Null))
    }

    /// The children `.*` and `..` visit: map values, list items, string bytes.
    fn children(&self) -> Vec<Val<'v>> {
        match self {
            Val::Json(Value::Object(map)) => golang::sorted_keys(map).into_iter().map(|k| Val::Json(&map[k])).collect(),
            Val::Json(Value::Array(items)) => items.iter().map(Val::Json).collect(),
            Val::Json(Value::String(s)) => s.bytes().map(Val::Byte).collect(),
            Val::Str(s) => s.bytes().map(Val::Byte).collect(),
            _ => Vec::new(),
        }
    }

    /// The Go type name client-go's errors print.
    fn type_name(&self) -> &'static str {
        match self {
            Val::Json(Value::Object(_)) => "map[string]interface {}",
            Val::Json(Value::Array(_)) => "[]interface {}",
            Val::Json(Value::String(_)) | Val::Str(_) => "string",
            Val::Json(Value::Bool(_)) | Val::Bool(_) => "bool",
            Val::Json(Value::Number(n)) => match golang::go_number(n) {
                GoNumber::Int(_) => "int64",
                GoNumber::Float(_) => "float64",
            },
            Val::Json(Value::Null) => "interface {}",
            Val::Int(_) => "int",
            Val::Float(_) => "float64",
            Val::Byte(_) => "uint8",
            // Never printed: eval_array reports kubectl's panic for it instead.
            Val::Invalid => "invalid",
        }
    }
}

/// `fmt.Sprint` of a value (custom columns' cells, filter errors).
fn sprint(v: &Val) -> String {
    match v {
        Val::Json(j) => golang::sprint(j),
        Val::Str(s) => s.clone(),
        Val::Int(i) => i.to_string(),
        Val::Float(f) => golang::format_g(*f),
        Val::Bool(b) => b.to_string(),
        Val::Byte(b) => b.to_string(),
        Val::Invalid => "<invalid reflect.Value>".into(),
    }
}

/// evalToText: how a scalar result prints.
fn text(v: &Val) -> String {
    match v {
        Val::Json(Value::Null) => "null".into(),
        Val::Invalid => "<no value>".into(),
        other => sprint(other),
    }
}

fn to_json_value(v: &Val) -> Value {
    match v {
        Val::Json(j) => (*j).clone(),
        Val::Str(s) => Value::String(s.clone()),
        Val::Int(i) => Value::Number((*i).into()),
        Val::Float(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Val::Bool(b) => Value::Bool(*b),
        Val::Byte(b) => Value::Number((*b).into()),
        // Unreachable: execute_as_json reports these as kubectl's panic first.
        Val::Invalid => Value::Null,
    }
}

/// kubectl crashes where client-go calls `reflect.Value.Type` or `.Interface()` on the zero Value: a
/// range over nothing whose body starts with `[…]`, a range over such a value, or `-o jsonpath-as-json`
/// printing it. kubectl then prints a Go panic and a stack trace; these are its first line.
const PANIC_TYPE: &str = "panic: reflect: call of reflect.Value.Type on zero Value";
const PANIC_INTERFACE: &str = "panic: reflect: call of reflect.Value.Interface on zero Value";

/// An evaluation failure with the values the failing step returned alongside its error (an existence
/// filter looks at them).
struct Failure<'v> {
    partial: Vec<Val<'v>>,
    message: String,
}

type Eval<'v> = Result<Vec<Val<'v>>, Failure<'v>>;

fn fail<'v>(partial: Vec<Val<'v>>, message: impl Into<String>) -> Eval<'v> {
    Err(Failure { partial, message: message.into() })
}

struct Exec<'v> {
    nodes: &'v [Node],
    allow_missing_keys: bool,
    begin_range: usize,
    in_range: usize,
    end_range: usize,
    last_end_node: Option<usize>,
}

impl<'v> Exec<'v> {
    /// FindResults over the top-level nodes from `start` on (client-go narrows the parser's node list
    /// to a suffix for each range iteration).
    fn find_results(&mut self, data: Val<'v>, start: usize) -> Result<Vec<Vec<Val<'v>>>, String> {
        let nodes = self.nodes;
        let cur = vec![data];
        let mut full = Vec::new();
        let mut i = start;
        while i < nodes.len() {
            let results = self.walk(&cur, &nodes[i]).map_err(|f| f.message)?;
            if self.end_range > 0 && self.end_range <= self.in_range {
                self.end_range -= 1;
                self.last_end_node = Some(i);
                break;
            }
            if self.begin_range > 0 {
                self.begin_range -= 1;
                self.in_range += 1;
                if results.is_empty() {
                    // The body still runs once (on nothing) so the end node is found.
                    self.find_results(Val::Invalid, i + 1)?;
                } else {
                    for value in results {
                        if matches!(value, Val::Invalid) {
                            return Err(PANIC_INTERFACE.into());
                        }
                        let next = self.find_results(value.reinterface(), i + 1)?;
                        full.extend(next);
                    }
                }
                self.in_range -= 1;
                if let Some(k) = (i + 1..nodes.len()).find(|k| Some(*k) == self.last_end_node) {
                    i = k;
                }
                i += 1;
                continue;
            }
            full.push(results);
            i += 1;
        }
        Ok(full)
    }

    fn walk(&mut self, input: &[Val<'v>], node: &'v Node) -> Eval<'v> {
        match node {
            Node::List(nodes) => self.eval_list(input.to_vec(), nodes),
            Node::Text(t) => Ok(vec![Val::Str(t.clone())]),
            Node::Field(name) => self.eval_field(input, name),
            Node::Array(params) => eval_array(input, params),
            Node::Filter { left, right, op } => self.eval_filter(input, left, right, op),
            Node::Int(i) => Ok(vec![Val::Int(*i); input.len()]),
            Node::Float(f) => Ok(vec![Val::Float(*f); input.len()]),
            Node::Bool(b) => Ok(vec![Val::Bool(*b); input.len()]),
            Node::Wildcard => Ok(input.iter().filter(|v| !v.is_nil()).flat_map(Val::children).collect()),
            Node::Recursive => Ok(eval_recursive(input)),
            Node::Union(lists) => {
                let mut result = Vec::new();
                for list in lists {
                    match self.eval_list(input.to_vec(), list) {
                        Ok(values) => result.extend(values),
                        Err(f) => return fail(input.to_vec(), f.message),
                    }
                }
                Ok(result)
            }
            Node::Identifier(name) => self.eval_identifier(input, name),
        }
    }

    fn eval_list(&mut self, input: Vec<Val<'v>>, nodes: &'v [Node]) -> Eval<'v> {
        let mut cur = input;
        for node in nodes {
            cur = self.walk(&cur, node)?;
        }
        Ok(cur)
    }

    fn eval_identifier(&mut self, input: &[Val<'v>], name: &str) -> Eval<'v> {
        match name {
            "range" => {
                self.begin_range += 1;
                Ok(input.to_vec())
            }
            "end" if self.in_range > 0 => {
                self.end_range += 1;
                Ok(Vec::new())
            }
            "end" => fail(Vec::new(), "not in range, nothing to end"),
            other => fail(input.to_vec(), format!("unrecognized identifier {other}")),
        }
    }

    fn eval_field(&self, input: &[Val<'v>], name: &str) -> Eval<'v> {
        let results: Vec<Val<'v>> = input
            .iter()
            .filter_map(|v| match v {
                Val::Json(Value::Object(map)) => map.get(name).map(Val::Json),
                _ => None,
            })
            .collect();
        if results.is_empty() && !input.is_empty() && !self.allow_missing_keys {
            return fail(results, format!("{name} is not found"));
        }
        Ok(results)
    }

    fn eval_filter(&mut self, input: &[Val<'v>], left: &'v [Node], right: &'v [Node], op: &str) -> Eval<'v> {
        let mut results = Vec::new();
        for value in input {
            let Val::Json(Value::Array(items)) = value else {
                let shown = match value {
                    Val::Json(Value::Null) => "<nil>".to_string(),
                    other => sprint(other),
                };
                return fail(input.to_vec(), format!("{shown} is not array or slice and cannot be filtered"));
            };
            for item in items {
                let temp = vec![Val::Json(item)];
                let lefts = self.eval_list(temp.clone(), left);
                if op == "exists" {
                    let found = match &lefts {
                        Ok(values) => !values.is_empty(),
                        Err(f) => !f.partial.is_empty(),
                    };
                    if found {
                        results.push(Val::Json(item));
                    }
                    continue;
                }
                let lefts = lefts.map_err(|f| Failure { partial: input.to_vec(), message: f.message })?;
                let l = match lefts.as_slice() {
                    [] => continue,
                    [one] => one.clone(),
                    _ => return fail(input.to_vec(), "can only compare one element at a time"),
                };
                let rights =
                    self.eval_list(temp, right).map_err(|f| Failure { partial: input.to_vec(), message: f.message })?;
                let r = match rights.as_slice() {
                    [] => continue,
                    [one] => one.clone(),
                    _ => return fail(input.to_vec(), "can only compare one element at a time"),
                };
                let pass = match op {
                    "<" => less(&l, &r),
                    ">" => less_equal(&l, &r).map(|le| !le),
                    "==" => equal(&l, &r),
                    "!=" => equal(&l, &r).map(|eq| !eq),
                    "<=" => less_equal(&l, &r),
                    ">=" => less(&l, &r).map(|lt| !lt),
                    other => return fail(results, format!("unrecognized filter operator {other}")),
                };
                match pass {
                    Ok(true) => results.push(Val::Json(item)),
                    Ok(false) => {}
                    Err(e) => return fail(results, e),
                }
            }
        }
        Ok(results)
    }
}

fn eval_array<'v>(input: &[Val<'v>], node_params: &[Param; 3]) -> Eval<'v> {
    let mut result = Vec::new();
    for value in input {
        if value.is_nil() {
            continue;
        }
        let Val::Json(Value::Array(items)) = value else {
            let message = match value {
                Val::Invalid => PANIC_TYPE.to_string(),
                other => format!("{} is not array or slice", other.type_name()),
            };
            return fail(input.to_vec(), message);
        };
        let len = items.len() as i64;
        let mut params = *node_params;
        if !params[0].known {
            params[0].value = 0;
        }
        if params[0].value < 0 {
            params[0].value += len;
        }
        if !params[1].known {
            params[1].value = len;
        }
        if params[1].value < 0 || (params[1].value == 0 && params[1].derived) {
            params[1].value += len;
        }
        if params[1].value == params[0].value {
            return Ok(result);
        }
        if params[0].value >= len || params[0].value < 0 {
            let message = format!("array index out of bounds: index {}, length {len}", params[0].value);
            return fail(input.to_vec(), message);
        }
        if params[1].value > len || params[1].value < 0 {
            let message = format!("array index out of bounds: index {}, length {len}", params[1].value.wrapping_sub(1));
            return fail(input.to_vec(), message);
        }
        if params[0].value > params[1].value {
            let message =
                format!("starting index {} is greater than ending index {}", params[0].value, params[1].value);
            return fail(input.to_vec(), message);
        }
        let step = if params[2].known {
            if params[2].value <= 0 {
                return fail(input.to_vec(), "step must be > 0");
            }
            params[2].value as usize
        } else {
            1
        };
        let slice = &items[params[0].value as usize..params[1].value as usize];
        result.extend(slice.iter().step_by(step).map(Val::Json));
    }
    Ok(result)
}

fn eval_recursive<'v>(input: &[Val<'v>]) -> Vec<Val<'v>> {
    let mut result = Vec::new();
    for value in input {
        if value.is_nil() {
            continue;
        }
        let children = value.children();
        if !children.is_empty() {
            result.push(value.clone());
            result.extend(eval_recursive(&children));
        }
    }
    result
}

// The comparisons of client-go's fork of text/template (funcs.go).

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Bool,
    Int,
    Uint,
    Float,
    String,
}

enum Basic<'a> {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    String(&'a str),
}

impl Basic<'_> {
    fn kind(&self) -> Kind {
        match self {
            Basic::Bool(_) => Kind::Bool,
            Basic::Int(_) => Kind::Int,
            Basic::Uint(_) => Kind::Uint,
            Basic::Float(_) => Kind::Float,
            Basic::String(_) => Kind::String,
        }
    }
}

const BAD_COMPARISON_TYPE: &str = "invalid type for comparison";
const BAD_COMPARISON: &str = "incompatible types for comparison";

fn basic<'a>(v: &'a Val) -> Result<Basic<'a>, String> {
    Ok(match v {
        Val::Json(Value::Bool(b)) | Val::Bool(b) => Basic::Bool(*b),
        Val::Json(Value::Number(n)) => match golang::go_number(n) {
            GoNumber::Int(i) => Basic::Int(i),
            GoNumber::Float(f) => Basic::Float(f),
        },
        Val::Json(Value::String(s)) => Basic::String(s),
        Val::Str(s) => Basic::String(s),
        Val::Int(i) => Basic::Int(*i),
        Val::Float(f) => Basic::Float(*f),
        Val::Byte(b) => Basic::Uint(*b as u64),
        _ => return Err(BAD_COMPARISON_TYPE.into()),
    })
}

fn equal(a: &Val, b: &Val) -> Result<bool, String> {
    let (a, b) = (basic(a)?, basic(b)?);
    Ok(match (a, b) {
        (Basic::Bool(x), Basic::Bool(y)) => x == y,
        (Basic::Int(x), Basic::Int(y)) => x == y,
        (Basic::Uint(x), Basic::Uint(y)) => x == y,
        (Basic::Float(x), Basic::Float(y)) => x == y,
        (Basic::String(x), Basic::String(y)) => x == y,
        (Basic::Int(x), Basic::Uint(y)) => x >= 0 && x as u64 == y,
        (Basic::Uint(x), Basic::Int(y)) => y >= 0 && x == y as u64,
        _ => return Err(BAD_COMPARISON.into()),
    })
}

fn less(a: &Val, b: &Val) -> Result<bool, String> {
    let (a, b) = (basic(a)?, basic(b)?);
    Ok(match (a, b) {
        (Basic::Int(x), Basic::Int(y)) => x < y,
        (Basic::Uint(x), Basic::Uint(y)) => x < y,
        (Basic::Float(x), Basic::Float(y)) => x < y,
        (Basic::String(x), Basic::String(y)) => x < y,
        (Basic::Int(x), Basic::Uint(y)) => x < 0 || (x as u64) < y,
        (Basic::Uint(x), Basic::Int(y)) => y >= 0 && x < y as u64,
        (a, b) if a.kind() == b.kind() => return Err(BAD_COMPARISON_TYPE.into()),
        _ => return Err(BAD_COMPARISON.into()),
    })
}

fn less_equal(a: &Val, b: &Val) -> Result<bool, String> {
    if less(a, b)? {
        return Ok(true);
    }
    equal(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The object the expected outputs below were produced with: `kubectl get cm x -o jsonpath=…`
    /// (v1.32) against a server returning it.
    fn object() -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x", "labels": {"app": "web", "tier": "fe", "a.b": "dotted"}},
            "data": {"k": "v"},
            "xs": [
                {"name": "a", "n": 1, "f": 1.5, "b": true, "z": null,
                 "conds": [{"type": "Ready", "status": "True"}, {"type": "X", "status": "False"}]},
                {"name": "b", "n": 2, "f": 2.5, "b": false, "m": {"q": "r", "s": [1, 2]}},
                {"name": "c", "n": 3}]})
    }

    fn run(template: &str) -> Result<String, String> {
        JsonPath::parse(template)?.execute(&object())
    }

    #[test]
    fn templates_match_kubectl() {
        let cases: &[(&str, &str)] = &[
            ("{.metadata.name}", "x"),
            ("{.}", ""),
            ("{.xs[0].z}", "null"),
            ("{.xs[*].name}", "a b c"),
            (
                "{.xs[0]}",
                r#"{"b":true,"conds":[{"status":"True","type":"Ready"},{"status":"False","type":"X"}],"f":1.5,"n":1,"name":"a","z":null}"#,
            ),
            ("{.xs[1].m}", r#"{"q":"r","s":[1,2]}"#),
            ("{.xs[0].f}{\"|\"}{.xs[0].b}", "1.5|true"),
            ("{.xs[?(@.n>1)].name}", "b c"),
            ("{.nosuch}", ""),
            ("{range .xs[*]}{.name}{\"\\n\"}{end}", "a\nb\nc\n"),
            ("{range .xs[*]}[{.name}]{end}after", "[a][b][c]after"),
            ("{range .xs[*]}{range .conds[*]}{.type}{end};{end}|{.metadata.name}", "ReadyX;;;|x"),
            ("{range .nosuch[*]}[{.name}]{end}after", "after"),
            ("{range .xs[*]}[{.name}]{end}{range .xs[*]}<{.n}>{end}!", "[a][b][c]<1><2><3>!"),
            ("{.metadata.name}{@.kind}", "xConfigMap"),
            ("{.xs[-1].name}", "c"),
            ("{.xs[0:2].name}", "a b"),
            ("{.xs[:2].name}", "a b"),
            ("{.xs[1:].name}", "b c"),
            ("{.xs[::2].name}", "a c"),
            ("{.xs[0:3:2].name}", "a c"),
            ("{.xs[1:1]}", ""),
            ("{.metadata['name']}", "x"),
            ("{.metadata.labels['app','tier']}", "web fe"),
            ("{.xs[0,2].name}", "a c"),
            ("{.xs..type}", "Ready X"),
            ("{..n}", "1 2 3"),
            ("{.xs[*].conds[?(@.status==\"True\")].type}", "Ready"),
            ("{.xs[?(@.m)].name}", "b"),
            ("{.xs[?(@.f>2.0)].name}", "b"),
            ("{.xs[?(@.n==2)].name}", "b"),
            ("{.xs[?(@.b==true)].name}", "a"),
            ("{.xs[?(@.name<\"b\")].name}", "a"),
            ("{.xs[?(@.name!=\"b\")].name}", "a c"),
            ("{.xs[*].m.s[*]}", "1 2"),
            ("{.xs[0].name.x}", ""),
            ("{'a'}", "a"),
            ("{\"a\\\"b\"}", "a\"b"),
            ("{ .metadata.name }", "x"),
            ("{.metadata.name}}", "x}"),
            ("}", "}"),
            (".metadata.name", ".metadata.name"),
            ("{.xs[?(@.n)].name}", "a b c"),
            ("{.xs[?(@.nope)].name}", ""),
            ("{.xs[?(@.name=='a')].n}", "1"),
            ("{.xs[?(@.name== \"a\")].n}", "1"),
            ("{.xs[?(@..name)].n}", "1 2 3"),
            ("{.xs[?(@.conds[*].type)].name}", "a"),
            ("{.xs[?(@.m.q==\"r\")].name}", "b"),
            ("{1}", "1"),
            ("{-1.5}", "-1.5"),
            ("{true}", "true"),
            ("{1.}", "1"),
            ("{.xs[0].n}{1}", "11"),
            ("{\"\\t\"}|{\"\\u00e9\"}|{\"\\x41\"}", "\t|é|A"),
            ("{.metadata.labels.a\\.b}", "dotted"),
            ("{.metadata.labels['a.b']}", ""),
            ("{.metadata.name.*}", "120"),
            (
                "{.xs[]}",
                r#"{"b":true,"conds":[{"status":"True","type":"Ready"},{"status":"False","type":"X"}],"f":1.5,"n":1,"name":"a","z":null}"#,
            ),
            ("{.xs[0 ,1].name}", "a b"),
            ("{.xs[-1:]}", r#"{"n":3,"name":"c"}"#),
            ("{.xs[-2:-1].name}", "b"),
            ("{.xs[:-1].name}", "a b"),
            ("{.xs[0:0]}", ""),
            ("{.xs[3:3]}", ""),
            ("{range .xs[*]}", ""),
            ("{.metadata.labels.*}", "dotted web fe"),
        ];
        for (template, want) in cases {
            assert_eq!(run(template).as_deref(), Ok(*want), "{template}");
        }
        let whole = run("{@}").expect("whole object");
        assert!(whole.starts_with(r#"{"apiVersion":"v1","data":{"k":"v"},"kind":"ConfigMap""#), "{whole}");
        assert_eq!(run("{$}"), Ok(whole));
    }

    #[test]
    fn parse_errors_match_kubectl() {
        let cases: &[(&str, &str)] = &[
            ("{.items[}", "unterminated array"),
            ("{", "unclosed action"),
            ("{.a", "unclosed action"),
            ("{.xs[0}", "unterminated array"),
            ("{.xs[?(@.n==1}", "unterminated filter"),
            ("{.xs[?(@.n==1)", "unclosed array expect ]"),
            ("{\"abc}", "unterminated quoted string"),
            ("{\"a\\qb\"}", "unquote string \"a\\qb\" error invalid syntax"),
            ("{.xs[a]}", "invalid array index a"),
            ("{.xs[1:x]}", "invalid array index 1:x"),
            ("{....a}", "invalid multiple recursive descent"),
            ("{#}", "unrecognized character in action: U+0023 '#'"),
            ("{{.metadata.name}}", "unrecognized character in action: U+007B '{'"),
            ("{1.2.3}", "cannot parse number 1.2.3"),
            ("{.xs[\"name\"]}", "invalid array index \"name\""),
            ("{.xs[ 0 ]}", "invalid array index  0 "),
            ("{.metadata[ 'name' ]}", "invalid array index  'name' "),
            ("{.xs[-]}", "array index - is not a number"),
            ("{\"a\\\\\"}", "unterminated quoted string"),
            ("{\t}", "unrecognized character in action: U+0009"),
            ("{.xs[?(@.name=~\"a\")].name}", "unrecognized character in action: U+007E '~'"),
            ("{.metadata.labels.app,.metadata.name}", "unrecognized character in action: U+002C ','"),
        ];
        for (template, want) in cases {
            let err = JsonPath::parse(template).expect_err(template);
            assert_eq!(err, format!("error: error parsing jsonpath {template}, {want}\n"));
        }
        assert_eq!(JsonPath::parse("").unwrap_err(), "error: template format specified but no template given\n");
    }

    #[test]
    fn execution_errors_match_kubectl() {
        let cases: &[(&str, &str)] = &[
            ("{.xs[5]}", "array index out of bounds: index 5, length 3"),
            ("{.xs[2:1]}", "starting index 2 is greater than ending index 1"),
            ("{.xs[-5]}", "array index out of bounds: index -2, length 3"),
            ("{.xs[0:9]}", "array index out of bounds: index 8, length 3"),
            ("{.xs[0::0]}", "step must be > 0"),
            ("{.xs[?(@.f>2)].name}", "incompatible types for comparison"),
            ("{.xs[?(@.n==\"2\")].name}", "incompatible types for comparison"),
            ("{.xs[?(@.z==1)].name}", "invalid type for comparison"),
            ("{.xs[0].name[0]}", "string is not array or slice"),
            ("{.metadata.labels[0]}", "map[string]interface {} is not array or slice"),
            ("{foo}", "unrecognized identifier foo"),
            ("{end}", "not in range, nothing to end"),
            ("{.a b}", "unrecognized identifier b"),
            ("{.xs[*].n[?(@>1)]}", "1 is not array or slice and cannot be filtered"),
            ("{.xs[?(@.n>1.5)].name}", "incompatible types for comparison"),
            ("{.xs[?(@.conds[*].type==\"X\")].name}", "can only compare one element at a time"),
            ("{.xs[3]}", "array index out of bounds: index 3, length 3"),
            ("{.xs[0:-5]}", "array index out of bounds: index -3, length 3"),
            ("{.xs[1:0]}", "starting index 1 is greater than ending index 0"),
        ];
        let dump = golang::go_syntax(&object());
        for (template, want) in cases {
            let err = run(template).expect_err(template);
            assert_eq!(
                err,
                format!(
                    "error: error executing jsonpath {}: Error executing template: {want}. Printing more information \
                     for debugging the template:\n\ttemplate was:\n\t\t{template}\n\tobject given to jsonpath engine \
                     was:\n\t\t{dump}\n\n\n",
                    golang::quote(template)
                )
            );
        }
    }

    #[test]
    fn the_debug_dump_is_go_syntax() {
        // The start of what kubectl printed after "object given to jsonpath engine was:".
        assert!(golang::go_syntax(&object()).starts_with(
            r#"map[string]interface {}{"apiVersion":"v1", "data":map[string]interface {}{"k":"v"}, "kind":"ConfigMap", "metadata":map[string]interface {}{"labels":map[string]interface {}{"a.b":"dotted", "app":"web", "tier":"fe"}, "name":"x"}, "xs":[]interface {}{map[string]interface {}{"b":true, "conds":[]interface {}{map[string]interface {}{"status":"True", "type":"Ready"}"#
        ));
    }

    #[test]
    fn missing_keys_can_be_errors() {
        let strict = |t: &str| JsonPath::parse(t).map(|p| p.allow_missing_keys(false))?.execute(&object());
        for (template, want) in [
            ("{.nosuch}", Err("nosuch is not found")),
            ("{.xs[*].m}", Ok(r#"{"q":"r","s":[1,2]}"#)),
            ("{.xs[?(@.nope)].name}", Ok("")),
            ("{.xs[?(@.m.q==\"r\")].name}", Err("m is not found")),
            ("{..nope}", Err("nope is not found")),
            ("{.xs[0].z.a}", Err("a is not found")),
            ("{.xs[*].conds[*].type}", Ok("Ready X")),
        ] {
            match want {
                Ok(out) => assert_eq!(strict(template).as_deref(), Ok(out), "{template}"),
                Err(e) => {
                    let err = strict(template).expect_err(template);
                    assert!(err.contains(&format!("Error executing template: {e}.")), "{template}: {err}");
                }
            }
        }
    }

    #[test]
    fn as_json_matches_kubectl() {
        let as_json = |t: &str| JsonPath::parse(t).and_then(|p| p.execute_as_json(&object()));
        let cases: &[(&str, &str)] = &[
            ("{.xs[*].name}", "[\n    \"a\",\n    \"b\",\n    \"c\"\n]\n"),
            ("{.metadata.name}", "[\n    \"x\"\n]\n"),
            ("{.nosuch}", "[]\n"),
            ("text{.metadata.name}more", "[\n    \"text\"\n]\n[\n    \"x\"\n]\n[\n    \"more\"\n]\n"),
            ("{range .xs[*]}{.name}{end}", "[\n    \"a\"\n]\n[\n    \"b\"\n]\n[\n    \"c\"\n]\n"),
            ("{.xs[0].z}", "[\n    null\n]\n"),
            ("{.xs[1].m.s}", "[\n    [\n        1,\n        2\n    ]\n]\n"),
        ];
        for (template, want) in cases {
            assert_eq!(as_json(template).as_deref(), Ok(*want), "{template}");
        }
    }

    #[test]
    fn numbers_print_like_fmt() {
        // kubectl get -o jsonpath of numbers decoded from the API server's JSON.
        let v = json!({"big": 1234567.5, "small": 0.00001, "i": 1000000, "e21": 1e21, "e20": 1e20,
            "tiny": 1.5e-7, "u": 18446744073709551615u64, "f0": 3.0});
        let out = JsonPath::parse("{.big} {.small} {.i} {.e21} {.e20} {.tiny} {.u} {.f0}").unwrap().execute(&v);
        assert_eq!(out.as_deref(), Ok("1.2345675e+06 1e-05 1000000 1e+21 1e+20 1.5e-07 1.8446744073709552e+19 3"));
        let out = JsonPath::parse("{@}").unwrap().execute(&v);
        assert_eq!(
            out.as_deref(),
            Ok(
                r#"{"big":1234567.5,"e20":100000000000000000000,"e21":1e+21,"f0":3,"i":1000000,"small":0.00001,"tiny":1.5e-7,"u":18446744073709552000}"#
            )
        );
    }

    #[test]
    fn recursive_descent_lists_containers_and_strings() {
        let v = json!({"a": {"b": "xy", "n": 1, "e": ""}, "l": [true]});
        let out = JsonPath::parse("{..}").unwrap().execute(&v);
        assert_eq!(out.as_deref(), Ok(r#"{"a":{"b":"xy","e":"","n":1},"l":[true]} {"b":"xy","e":"","n":1} xy [true]"#));
    }
}
