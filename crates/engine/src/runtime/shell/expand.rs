//! Word expansion: parameters, command substitution (from the frame's slots), arithmetic, field
//! splitting, pathname expansion, quote removal.

use super::exec::{Process, MAX_VALUE};
use super::parse::{ParamOp, Part, Word};
use super::text::{fnmatch, has_glob, unescape_glob};
use super::Host;
use crate::util::sort::StableSort;

enum Piece {
    /// Text; `split`: an unquoted expansion (field splitting applies); `glob`: unquoted (globbing applies).
    Text {
        s: String,
        split: bool,
        glob: bool,
    },
    Break,
}

struct Field {
    text: String,
    pat: String,
    glob: bool,
}

fn escape_glob(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

impl Process {
    fn param_value(&self, name: &str) -> Option<String> {
        match name {
            "?" => Some(self.status.to_string()),
            "$" => Some(self.scope.pid.to_string()),
            "#" => Some(self.scope.args.len().saturating_sub(1).to_string()),
            "@" | "*" => Some(self.scope.args.iter().skip(1).cloned().collect::<Vec<_>>().join(" ")),
            "!" => self.last_bg.map(|p| p.to_string()),
            "-" => Some(String::new()),
            n if n.chars().all(|c| c.is_ascii_digit()) => {
                n.parse::<usize>().ok().and_then(|i| self.scope.args.get(i).cloned())
            }
            n => self.get_var(n).map(str::to_string),
        }
    }

    fn pieces(&mut self, w: &Word, host: &mut dyn Host, out: &mut Vec<Piece>) -> Result<(), String> {
        for p in &w.parts {
            match p {
                Part::Lit(s) => out.push(Piece::Text { s: s.clone(), split: false, glob: true }),
                Part::Quoted(s) => out.push(Piece::Text { s: s.clone(), split: false, glob: false }),
                Part::Subst { id, quoted } => {
                    out.push(Piece::Text { s: self.slot(*id), split: !quoted, glob: !quoted });
                }
                Part::Arith { expr, quoted } => {
                    let src = self.expand_single(expr, host)?;
                    let v = self.arith(&src)?;
                    out.push(Piece::Text { s: v.to_string(), split: !quoted, glob: !quoted });
                }
                Part::Param { name, op, quoted } => {
                    if (name == "@" || name == "*") && matches!(op.as_ref(), ParamOp::Plain) {
                        let args: Vec<String> = self.scope.args.iter().skip(1).cloned().collect();
                        if *quoted && name == "@" {
                            for (i, a) in args.into_iter().enumerate() {
                                if i > 0 {
                                    out.push(Piece::Break);
                                }
                                out.push(Piece::Text { s: a, split: false, glob: false });
                            }
                        } else if *quoted {
                            out.push(Piece::Text { s: args.join(" "), split: false, glob: false });
                        } else {
                            for (i, a) in args.into_iter().enumerate() {
                                if i > 0 {
                                    out.push(Piece::Break);
                                }
                                out.push(Piece::Text { s: a, split: true, glob: true });
                            }
                        }
                        continue;
                    }
                    let v = self.param_op(name, op, host)?;
                    out.push(Piece::Text { s: v, split: !quoted, glob: !quoted });
                }
            }
        }
        Ok(())
    }

    fn param_op(&mut self, name: &str, op: &ParamOp, host: &mut dyn Host) -> Result<String, String> {
        let val = self.param_value(name);
        let unset_or_empty = |colon: bool| match &val {
            None => true,
            Some(v) => colon && v.is_empty(),
        };
        Ok(match op {
            ParamOp::Plain => val.unwrap_or_default(),
            ParamOp::Len => val.unwrap_or_default().chars().count().to_string(),
            ParamOp::Default(colon, w) => {
                if unset_or_empty(*colon) {
                    self.expand_single(w, host)?
                } else {
                    val.unwrap_or_default()
                }
            }
            ParamOp::Assign(colon, w) => {
                if unset_or_empty(*colon) {
                    let v = self.expand_single(w, host)?;
                    if !super::parse::is_name(name) {
                        return Err(format!("{name}: bad variable name"));
                    }
                    self.set_var(name, v.clone())?;
                    v
                } else {
                    val.unwrap_or_default()
                }
            }
            ParamOp::Alt(colon, w) => {
                if unset_or_empty(*colon) {
                    String::new()
                } else {
                    self.expand_single(w, host)?
                }
            }
            ParamOp::Error(colon, w) => {
                if unset_or_empty(*colon) {
                    let msg = self.expand_single(w, host)?;
                    let msg = if msg.is_empty() { "parameter not set".to_string() } else { msg };
                    return Err(format!("{name}: {msg}"));
                }
                val.unwrap_or_default()
            }
            ParamOp::TrimPrefix(longest, w) => {
                let v = val.unwrap_or_default();
                let pat = self.expand_pattern(w, host)?;
                let idx: Vec<usize> = v.char_indices().map(|(i, _)| i).chain(std::iter::once(v.len())).collect();
                let cut = if *longest {
                    idx.iter().rev().find(|&&i| fnmatch(&pat, &v[..i]))
                } else {
                    idx.iter().find(|&&i| fnmatch(&pat, &v[..i]))
                };
                match cut {
                    Some(&i) => v[i..].to_string(),
                    None => v,
                }
            }
            ParamOp::TrimSuffix(longest, w) => {
                let v = val.unwrap_or_default();
                let pat = self.expand_pattern(w, host)?;
                let idx: Vec<usize> = v.char_indices().map(|(i, _)| i).chain(std::iter::once(v.len())).collect();
                let cut = if *longest {
                    idx.iter().find(|&&i| fnmatch(&pat, &v[i..]))
                } else {
                    idx.iter().rev().find(|&&i| fnmatch(&pat, &v[i..]))
                };
                match cut {
                    Some(&i) => v[..i].to_string(),
                    None => v,
                }
            }
        })
    }

    fn fields(&mut self, w: &Word, host: &mut dyn Host) -> Result<Vec<Field>, String> {
        let mut ps = Vec::new();
        self.pieces(w, host, &mut ps)?;
        let ifs: String = self.get_var("IFS").unwrap_or(" \t\n").to_string();
        let mut out = Vec::new();
        let mut cur = Field { text: String::new(), pat: String::new(), glob: false };
        let mut started = false;
        for p in ps {
            match p {
                Piece::Break => {
                    out.push(std::mem::replace(
                        &mut cur,
                        Field { text: String::new(), pat: String::new(), glob: false },
                    ));
                    started = false;
                }
                Piece::Text { s, split: true, glob } => {
                    for c in s.chars() {
                        if ifs.contains(c) {
                            if started {
                                out.push(std::mem::replace(
                                    &mut cur,
                                    Field { text: String::new(), pat: String::new(), glob: false },
                                ));
                                started = false;
                            }
                        } else {
                            cur.text.push(c);
                            if glob && matches!(c, '*' | '?' | '[') {
                                cur.glob = true;
                                cur.pat.push(c);
                            } else {
                                cur.pat.push_str(&escape_glob(&c.to_string()));
                            }
                            started = true;
                        }
                    }
                }
                Piece::Text { s, split: false, glob } => {
                    cur.text.push_str(&s);
                    if glob {
                        if has_glob(&s) {
                            cur.glob = true;
                        }
                        cur.pat.push_str(&s);
                    } else {
                        cur.pat.push_str(&escape_glob(&s));
                    }
                    started = true;
                }
            }
            if cur.text.len() > MAX_VALUE {
                return Err("out of memory".into());
            }
        }
        if started {
            out.push(cur);
        }
        Ok(out)
    }

    /// Expand words into the fields of a command line (splitting, globbing).
    pub(super) fn expand_words(&mut self, words: &[Word], host: &mut dyn Host) -> Result<Vec<String>, String> {
        let mut out = Vec::new();
        for w in words {
            for f in self.fields(w, host)? {
                if f.glob {
                    let m = self.glob(&f.pat, host);
                    if m.is_empty() {
                        out.push(f.text);
                    } else {
                        out.extend(m);
                    }
                } else {
                    out.push(f.text);
                }
            }
        }
        Ok(out)
    }

    /// Expand a word to one string (assignments, redirection targets, `case` subjects).
    pub(super) fn expand_single(&mut self, w: &Word, host: &mut dyn Host) -> Result<String, String> {
        let mut ps = Vec::new();
        self.pieces(w, host, &mut ps)?;
        let mut s = String::new();
        for p in ps {
            match p {
                Piece::Text { s: t, .. } => s.push_str(&t),
                Piece::Break => s.push(' '),
            }
        }
        Ok(s)
    }

    /// Expand a word to a pattern: quoted characters are escaped so they match literally.
    pub(super) fn expand_pattern(&mut self, w: &Word, host: &mut dyn Host) -> Result<String, String> {
        let mut ps = Vec::new();
        self.pieces(w, host, &mut ps)?;
        let mut s = String::new();
        for p in ps {
            match p {
                Piece::Text { s: t, glob: true, .. } => s.push_str(&t),
                Piece::Text { s: t, glob: false, .. } => s.push_str(&escape_glob(&t)),
                Piece::Break => s.push(' '),
            }
        }
        Ok(s)
    }

    fn glob(&mut self, pat: &str, host: &mut dyn Host) -> Vec<String> {
        let absolute = pat.starts_with('/');
        // (shown path, absolute path)
        let mut cands: Vec<(String, String)> = vec![(
            if absolute { "/".to_string() } else { String::new() },
            if absolute { "/".to_string() } else { self.scope.cwd.clone() },
        )];
        let comps: Vec<&str> = pat.split('/').filter(|c| !c.is_empty()).collect();
        for (i, comp) in comps.iter().enumerate() {
            let last = i + 1 == comps.len();
            let mut next = Vec::new();
            for (shown, abs) in &cands {
                let join = |a: &str, n: &str| {
                    if a.is_empty() || a.ends_with('/') {
                        format!("{a}{n}")
                    } else {
                        format!("{a}/{n}")
                    }
                };
                if has_glob(comp) {
                    let names = host.fs().list(abs).unwrap_or_default();
                    for n in names {
                        if n.starts_with('.') && !comp.starts_with('.') && !comp.starts_with("\\.") {
                            continue;
                        }
                        if fnmatch(comp, &n) {
                            let a = join(abs, &n);
                            if last || host.fs().is_dir(&a) {
                                next.push((join(shown, &n), a));
                            }
                        }
                    }
                } else {
                    let n = unescape_glob(comp);
                    let a = join(abs, &n);
                    if host.fs().exists(&a) {
                        next.push((join(shown, &n), a));
                    }
                }
            }
            cands = next;
            if cands.is_empty() {
                break;
            }
        }
        let mut out: Vec<String> = cands.into_iter().map(|(s, _)| s).collect();
        if pat.ends_with('/') {
            out = out.into_iter().map(|s| format!("{s}/")).collect();
        }
        out.stable_sort();
        out
    }

    /// `$(( … ))`.
    pub(super) fn arith(&mut self, src: &str) -> Result<i64, String> {
        let toks = arith_lex(src)?;
        let mut a = Arith { t: toks, i: 0, p: self, depth: 0 };
        if a.t.is_empty() {
            return Ok(0);
        }
        let v = a.assign()?;
        if a.i != a.t.len() {
            return Err("arithmetic syntax error".into());
        }
        Ok(v)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum AT {
    Num(i64),
    Name(String),
    Op(&'static str),
}

fn arith_lex(s: &str) -> Result<Vec<AT>, String> {
    const OPS: &[&str] = &[
        "<<=", ">>=", "**", "<=", ">=", "==", "!=", "&&", "||", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
        "^=", "++", "--", "+", "-", "*", "/", "%", "<", ">", "=", "!", "~", "&", "|", "^", "(", ")", "?", ":",
    ];
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let err = || "arithmetic syntax error".to_string();
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch.is_ascii_digit() {
            let st = i;
            while i < c.len() && c[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let t: String = c[st..i].iter().collect();
            out.push(AT::Num(parse_int(&t).ok_or_else(err)?));
        } else if ch == '_' || ch.is_ascii_alphabetic() {
            let st = i;
            while i < c.len() && (c[i] == '_' || c[i].is_ascii_alphanumeric()) {
                i += 1;
            }
            out.push(AT::Name(c[st..i].iter().collect()));
        } else {
            let rest: String = c[i..c.len().min(i + 3)].iter().collect();
            let op = OPS.iter().find(|o| rest.starts_with(**o)).ok_or_else(err)?;
            i += op.chars().count();
            out.push(AT::Op(op));
        }
    }
    Ok(out)
}

/// A C-style integer: decimal, `0x` hex or leading-`0` octal.
pub(super) fn parse_int(t: &str) -> Option<i64> {
    let t = t.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if t.len() > 1 && t.starts_with('0') {
        i64::from_str_radix(&t[1..], 8).ok()?
    } else {
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse::<i64>().ok()?
    };
    Some(if neg { v.wrapping_neg() } else { v })
}

struct Arith<'a> {
    t: Vec<AT>,
    i: usize,
    p: &'a mut Process,
    depth: usize,
}

const BINARY: &[(&str, u8)] = &[
    ("||", 1),
    ("&&", 2),
    ("|", 3),
    ("^", 4),
    ("&", 5),
    ("==", 6),
    ("!=", 6),
    ("<", 7),
    (">", 7),
    ("<=", 7),
    (">=", 7),
    ("<<", 8),
    (">>", 8),
    ("+", 9),
    ("-", 9),
    ("*", 10),
    ("/", 10),
    ("%", 10),
    ("**", 11),
];

impl Arith<'_> {
    fn err() -> String {
        "arithmetic syntax error".into()
    }
    fn peek(&self) -> Option<&AT> {
        self.t.get(self.i)
    }
    fn var(&self, n: &str) -> i64 {
        self.p.get_var(n).and_then(parse_int).unwrap_or(0)
    }
    fn set(&mut self, n: &str, v: i64) -> Result<(), String> {
        self.p.set_var(n, v.to_string())
    }

    fn assign(&mut self) -> Result<i64, String> {
        self.depth += 1;
        if self.depth > 100 {
            return Err(Self::err());
        }
        if let (Some(AT::Name(n)), Some(AT::Op(op))) = (self.t.get(self.i).cloned(), self.t.get(self.i + 1).cloned()) {
            if op.ends_with('=') && !matches!(op, "==" | "!=" | "<=" | ">=") {
                self.i += 2;
                let r = self.assign()?;
                let l = self.var(&n);
                let v = match op {
                    "=" => r,
                    _ => binop(&op[..op.len() - 1], l, r)?,
                };
                self.set(&n, v)?;
                self.depth -= 1;
                return Ok(v);
            }
        }
        let v = self.ternary()?;
        self.depth -= 1;
        Ok(v)
    }

    fn ternary(&mut self) -> Result<i64, String> {
        let c = self.binary(1)?;
        if self.peek() == Some(&AT::Op("?")) {
            self.i += 1;
            let a = self.assign()?;
            if self.peek() != Some(&AT::Op(":")) {
                return Err(Self::err());
            }
            self.i += 1;
            let b = self.assign()?;
            return Ok(if c != 0 { a } else { b });
        }
        Ok(c)
    }

    #[allow(clippy::while_let_loop)]
    fn binary(&mut self, min: u8) -> Result<i64, String> {
        let mut l = self.unary()?;
        loop {
            let (op, prec) = match self.peek() {
                Some(AT::Op(o)) => match BINARY.iter().find(|(b, _)| b == o) {
                    Some(&(b, p)) if p >= min => (b, p),
                    _ => break,
                },
                _ => break,
            };
            self.i += 1;
            let r = if op == "**" { self.binary(prec)? } else { self.binary(prec + 1)? };
            l = binop(op, l, r)?;
        }
        Ok(l)
    }

    fn unary(&mut self) -> Result<i64, String> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(Self::err());
        }
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<i64, String> {
        let t = self.peek().cloned().ok_or_else(Self::err)?;
        self.i += 1;
        match t {
            AT::Num(n) => Ok(n),
            AT::Name(n) => {
                let v = self.var(&n);
                match self.peek() {
                    Some(AT::Op("++")) => {
                        self.i += 1;
                        self.set(&n, v.wrapping_add(1))?;
                        Ok(v)
                    }
                    Some(AT::Op("--")) => {
                        self.i += 1;
                        self.set(&n, v.wrapping_sub(1))?;
                        Ok(v)
                    }
                    _ => Ok(v),
                }
            }
            AT::Op("(") => {
                let v = self.assign()?;
                if self.peek() != Some(&AT::Op(")")) {
                    return Err(Self::err());
                }
                self.i += 1;
                Ok(v)
            }
            AT::Op("-") => Ok(self.unary()?.wrapping_neg()),
            AT::Op("+") => self.unary(),
            AT::Op("!") => Ok(i64::from(self.unary()? == 0)),
            AT::Op("~") => Ok(!self.unary()?),
            AT::Op(op @ ("++" | "--")) => match self.peek().cloned() {
                Some(AT::Name(n)) => {
                    self.i += 1;
                    let v = self.var(&n);
                    let v = if op == "++" { v.wrapping_add(1) } else { v.wrapping_sub(1) };
                    self.set(&n, v)?;
                    Ok(v)
                }
                _ => Err(Self::err()),
            },
            _ => Err(Self::err()),
        }
    }
}

fn binop(op: &str, l: i64, r: i64) -> Result<i64, String> {
    Ok(match op {
        "||" => i64::from(l != 0 || r != 0),
        "&&" => i64::from(l != 0 && r != 0),
        "|" => l | r,
        "^" => l ^ r,
        "&" => l & r,
        "==" => i64::from(l == r),
        "!=" => i64::from(l != r),
        "<" => i64::from(l < r),
        ">" => i64::from(l > r),
        "<=" => i64::from(l <= r),
        ">=" => i64::from(l >= r),
        "<<" => l.wrapping_shl((r & 63) as u32),
        ">>" => l.wrapping_shr((r & 63) as u32),
        "+" => l.wrapping_add(r),
        "-" => l.wrapping_sub(r),
        "*" => l.wrapping_mul(r),
        "/" | "%" if r == 0 => return Err("divide by zero".into()),
        "/" => l.wrapping_div(r),
        "%" => l.wrapping_rem(r),
        "**" => {
            if r < 0 {
                return Err("exponent less than 0".into());
            }
            l.wrapping_pow(r.min(u32::MAX as i64) as u32)
        }
        _ => return Err("arithmetic syntax error".into()),
    })
}
