//! Parsing busybox-ash-style scripts into an AST. Syntax errors read as ash words them (without the
//! `sh: ` prefix, which the running shell adds with its `$0`): `syntax error: unexpected "done"`,
//! `syntax error: unexpected end of file (expecting "fi")`, `syntax error: unterminated quoted string`.

/// One shell word: the pieces it is made of, before expansion.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Word {
    pub parts: Vec<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Unquoted text (subject to globbing).
    Lit(String),
    /// Quoted or backslash-escaped text.
    Quoted(String),
    Param {
        name: String,
        op: Box<ParamOp>,
        quoted: bool,
    },
    /// `$(…)` or backticks: index into [`Ast::substs`].
    Subst {
        id: usize,
        quoted: bool,
    },
    Arith {
        expr: Word,
        quoted: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamOp {
    Plain,
    Len,
    /// `${x-w}` / `${x:-w}`
    Default(bool, Word),
    /// `${x=w}` / `${x:=w}`
    Assign(bool, Word),
    /// `${x+w}` / `${x:+w}`
    Alt(bool, Word),
    /// `${x?w}` / `${x:?w}`
    Error(bool, Word),
    /// `${x#w}` (false) / `${x##w}` (true)
    TrimPrefix(bool, Word),
    /// `${x%w}` / `${x%%w}`
    TrimSuffix(bool, Word),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirOp {
    Out,
    Append,
    In,
    /// `n>&m`
    DupOut,
    /// `n<&m`
    DupIn,
    ReadWrite,
    /// `<<` body: index into [`Ast::heredocs`].
    HereDoc(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redir {
    pub fd: u32,
    pub op: RedirOp,
    pub target: Word,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Simple {
    /// The script line the command starts on (ash puts it in some error messages).
    pub line: usize,
    pub assigns: Vec<(String, Word)>,
    pub words: Vec<Word>,
    pub redirs: Vec<Redir>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    Simple(Simple),
    Compound(Compound, Vec<Redir>),
    FuncDef(String, Box<Command>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compound {
    Brace(List),
    Subshell(List),
    If(Vec<(List, List)>, Option<List>),
    Loop { until: bool, cond: List, body: List },
    For { var: String, words: Option<Vec<Word>>, body: List },
    Case { word: Word, arms: Vec<(Vec<Word>, List)> },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    pub bang: bool,
    pub cmds: Vec<Command>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    pub first: Pipeline,
    /// `(true for &&, false for ||, pipeline)`
    pub rest: Vec<(bool, Pipeline)>,
    pub background: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct List(pub Vec<AndOr>);

/// A parsed script: its top-level list, the bodies of its command substitutions and here-documents.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Ast {
    pub body: List,
    pub substs: Vec<List>,
    pub heredocs: Vec<Word>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(Word),
    Op(&'static str),
    Redir(Option<u32>, &'static str),
    Newline,
    Eof,
}

const MAX_DEPTH: usize = 200;

pub fn parse(src: &str) -> Result<Ast, String> {
    let mut p = Parser::new(src);
    let body = p.parse_list(true)?;
    match p.next()? {
        Tok::Eof => {}
        t => return Err(unexpected(&t, None)),
    }
    Ok(Ast { body, substs: p.substs, heredocs: p.heredocs.into_iter().map(|h| h.unwrap_or_default()).collect() })
}

fn tok_name(t: &Tok) -> String {
    match t {
        Tok::Eof => "end of file".into(),
        Tok::Newline => "newline".into(),
        Tok::Redir(..) => "redirection".into(),
        Tok::Op(o) => format!("\"{o}\""),
        Tok::Word(w) => match w.literal() {
            Some(k) if KEYWORDS.contains(&k.as_str()) => format!("\"{k}\""),
            _ => "word".into(),
        },
    }
}

fn unexpected(t: &Tok, expecting: Option<&str>) -> String {
    match expecting {
        Some(e) => format!("syntax error: unexpected {} (expecting {})", tok_name(t), e),
        None => format!("syntax error: unexpected {}", tok_name(t)),
    }
}

const KEYWORDS: &[&str] = &[
    "!", "case", "do", "done", "elif", "else", "esac", "fi", "for", "function", "if", "in", "then", "until", "while",
    "{", "}",
];

/// Keywords that end a list.
const LIST_END: &[&str] = &["do", "done", "elif", "else", "esac", "fi", "then", "}"];

impl Word {
    /// The text of a word made of one unquoted literal (how keywords and names are recognised).
    pub fn literal(&self) -> Option<String> {
        match self.parts.as_slice() {
            [Part::Lit(s)] => Some(s.clone()),
            _ => None,
        }
    }
}

pub fn is_name(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && cs.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Unquoted,
    DQuote,
    /// Inside `${x-…}`; `true` when the `${` was inside double quotes.
    Brace(bool),
    /// A here-document body or `$((…))` text: only `$`, backquote and backslash are special.
    Raw,
}

struct PendingHeredoc {
    idx: usize,
    delim: String,
    strip: bool,
    expand: bool,
}

struct Parser {
    s: Vec<char>,
    pos: usize,
    peeked: Option<Tok>,
    depth: usize,
    substs: Vec<List>,
    heredocs: Vec<Option<Word>>,
    pending: Vec<PendingHeredoc>,
    /// Line counting cache: the line number at `line_pos`.
    line_pos: usize,
    line_no: usize,
    word_line: usize,
}

impl Parser {
    fn new(src: &str) -> Self {
        Parser {
            s: src.chars().collect(),
            pos: 0,
            peeked: None,
            depth: 0,
            substs: Vec::new(),
            heredocs: Vec::new(),
            pending: Vec::new(),
            line_pos: 0,
            line_no: 1,
            word_line: 1,
        }
    }

    fn line_at(&mut self, pos: usize) -> usize {
        if pos < self.line_pos {
            self.line_pos = 0;
            self.line_no = 1;
        }
        let end = pos.min(self.s.len());
        self.line_no += self.s[self.line_pos.min(end)..end].iter().filter(|c| **c == '\n').count();
        self.line_pos = end;
        self.line_no
    }

    fn child<T>(&mut self, src: &str, f: impl FnOnce(&mut Parser) -> Result<T, String>) -> Result<T, String> {
        let mut c = Parser::new(src);
        c.depth = self.depth;
        c.substs = std::mem::take(&mut self.substs);
        c.heredocs = std::mem::take(&mut self.heredocs);
        let r = f(&mut c);
        self.substs = c.substs;
        self.heredocs = c.heredocs;
        r
    }

    fn cur(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }
    fn at(&self, off: usize) -> Option<char> {
        self.s.get(self.pos + off).copied()
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            // Not a busybox text: ash would recurse until it ran out of stack.
            return Err("syntax error: nesting too deep".into());
        }
        Ok(())
    }

    fn peek(&mut self) -> Result<&Tok, String> {
        if self.peeked.is_none() {
            let t = self.lex()?;
            self.peeked = Some(t);
        }
        Ok(self.peeked.as_ref().expect("just filled"))
    }

    fn next(&mut self) -> Result<Tok, String> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lex(),
        }
    }

    fn peek_keyword(&mut self) -> Result<Option<String>, String> {
        Ok(match self.peek()? {
            Tok::Word(w) => w.literal().filter(|k| KEYWORDS.contains(&k.as_str())),
            _ => None,
        })
    }

    fn skip_newlines(&mut self) -> Result<(), String> {
        while self.peek()? == &Tok::Newline {
            self.next()?;
        }
        Ok(())
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), String> {
        let t = self.next()?;
        match &t {
            Tok::Word(w) if w.literal().as_deref() == Some(kw) => Ok(()),
            _ => Err(unexpected(&t, Some(&format!("\"{kw}\"")))),
        }
    }

    fn expect_op(&mut self, op: &str) -> Result<(), String> {
        let t = self.next()?;
        match &t {
            Tok::Op(o) if *o == op => Ok(()),
            _ => Err(unexpected(&t, Some(&format!("\"{op}\"")))),
        }
    }

    // ---- lexer ----

    fn lex(&mut self) -> Result<Tok, String> {
        loop {
            match self.cur() {
                Some(' ') | Some('\t') | Some('\r') => self.pos += 1,
                Some('\\') if self.at(1) == Some('\n') => self.pos += 2,
                Some('#') => {
                    while !matches!(self.cur(), None | Some('\n')) {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
        let c = match self.cur() {
            None => return Ok(Tok::Eof),
            Some(c) => c,
        };
        let two = self.at(1);
        let op = |p: &mut Parser, n: usize, t: Tok| {
            p.pos += n;
            Ok(t)
        };
        match c {
            '\n' => {
                self.pos += 1;
                self.read_heredocs()?;
                Ok(Tok::Newline)
            }
            ';' if two == Some(';') => op(self, 2, Tok::Op(";;")),
            ';' => op(self, 1, Tok::Op(";")),
            '&' if two == Some('&') => op(self, 2, Tok::Op("&&")),
            '&' => op(self, 1, Tok::Op("&")),
            '|' if two == Some('|') => op(self, 2, Tok::Op("||")),
            '|' => op(self, 1, Tok::Op("|")),
            '(' => op(self, 1, Tok::Op("(")),
            ')' => op(self, 1, Tok::Op(")")),
            '<' | '>' => self.lex_redir(None),
            d if d.is_ascii_digit() && matches!(two, Some('<') | Some('>')) => {
                self.pos += 1;
                self.lex_redir(d.to_digit(10))
            }
            _ => {
                self.word_line = self.line_at(self.pos);
                Ok(Tok::Word(self.read_word(Mode::Unquoted)?))
            }
        }
    }

    fn lex_redir(&mut self, fd: Option<u32>) -> Result<Tok, String> {
        let c = self.cur();
        let n = self.at(1);
        let (op, len) = match (c, n) {
            (Some('>'), Some('>')) => (">>", 2),
            (Some('>'), Some('&')) => (">&", 2),
            (Some('>'), Some('|')) => (">", 2),
            (Some('>'), _) => (">", 1),
            (Some('<'), Some('<')) if self.at(2) == Some('-') => ("<<-", 3),
            (Some('<'), Some('<')) => ("<<", 2),
            (Some('<'), Some('&')) => ("<&", 2),
            (Some('<'), Some('>')) => ("<>", 2),
            _ => ("<", 1),
        };
        self.pos += len;
        Ok(Tok::Redir(fd, op))
    }

    fn read_heredocs(&mut self) -> Result<(), String> {
        let pending = std::mem::take(&mut self.pending);
        for h in pending {
            let mut body = String::new();
            loop {
                if self.cur().is_none() {
                    break;
                }
                let mut line = String::new();
                while let Some(c) = self.cur() {
                    self.pos += 1;
                    if c == '\n' {
                        break;
                    }
                    line.push(c);
                }
                let cmp = if h.strip { line.trim_start_matches('\t') } else { line.as_str() };
                if cmp == h.delim {
                    break;
                }
                body.push_str(cmp);
                body.push('\n');
            }
            let word = if h.expand {
                self.child(&body, |c| c.read_word(Mode::Raw))?
            } else {
                Word { parts: vec![Part::Quoted(body)] }
            };
            if let Some(slot) = self.heredocs.get_mut(h.idx) {
                *slot = Some(word);
            }
        }
        Ok(())
    }

    fn read_word(&mut self, mode: Mode) -> Result<Word, String> {
        let mut parts: Vec<Part> = Vec::new();
        let quoted = matches!(mode, Mode::DQuote | Mode::Brace(true) | Mode::Raw);
        let mut lit = String::new();
        fn flush(parts: &mut Vec<Part>, lit: &mut String, quoted: bool) {
            if !lit.is_empty() {
                let s = std::mem::take(lit);
                match (parts.last_mut(), quoted) {
                    (Some(Part::Lit(p)), false) => p.push_str(&s),
                    (Some(Part::Quoted(p)), true) => p.push_str(&s),
                    _ => parts.push(if quoted { Part::Quoted(s) } else { Part::Lit(s) }),
                }
            }
        }
        loop {
            let c = match self.cur() {
                None => match mode {
                    Mode::DQuote => return Err("syntax error: unterminated quoted string".into()),
                    // Informed guess at ash's wording for an unclosed `${`.
                    Mode::Brace(_) => return Err("syntax error: missing '}'".into()),
                    _ => break,
                },
                Some(c) => c,
            };
            match mode {
                Mode::Unquoted if matches!(c, ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')') => {
                    break
                }
                Mode::DQuote if c == '"' => {
                    self.pos += 1;
                    break;
                }
                Mode::Brace(_) if c == '}' => break,
                _ => {}
            }
            match c {
                '\\' => {
                    let n = self.at(1);
                    self.pos += 1;
                    match n {
                        None => lit.push('\\'),
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            let escapable = match mode {
                                Mode::Unquoted | Mode::Brace(false) => true,
                                Mode::DQuote | Mode::Brace(true) => matches!(n, '$' | '`' | '"' | '\\'),
                                Mode::Raw => matches!(n, '$' | '`' | '\\'),
                            };
                            if escapable {
                                self.pos += 1;
                                flush(&mut parts, &mut lit, quoted);
                                parts.push(Part::Quoted(n.to_string()));
                            } else {
                                lit.push('\\');
                            }
                        }
                    }
                }
                '\'' if matches!(mode, Mode::Unquoted | Mode::Brace(false)) => {
                    self.pos += 1;
                    let mut s = String::new();
                    loop {
                        match self.cur() {
                            None => return Err("syntax error: unterminated quoted string".into()),
                            Some('\'') => {
                                self.pos += 1;
                                break;
                            }
                            Some(c) => {
                                s.push(c);
                                self.pos += 1;
                            }
                        }
                    }
                    flush(&mut parts, &mut lit, quoted);
                    parts.push(Part::Quoted(s));
                }
                '"' if matches!(mode, Mode::Unquoted | Mode::Brace(_)) => {
                    self.pos += 1;
                    flush(&mut parts, &mut lit, quoted);
                    let inner = self.read_word(Mode::DQuote)?;
                    if inner.parts.is_empty() {
                        parts.push(Part::Quoted(String::new()));
                    }
                    parts.extend(inner.parts);
                }
                '$' => {
                    flush(&mut parts, &mut lit, quoted);
                    self.pos += 1;
                    match self.dollar(quoted)? {
                        Some(p) => parts.push(p),
                        None => lit.push('$'),
                    }
                }
                '`' => {
                    flush(&mut parts, &mut lit, quoted);
                    self.pos += 1;
                    let mut src = String::new();
                    loop {
                        match self.cur() {
                            None => return Err("syntax error: EOF in backquote substitution".into()),
                            Some('`') => {
                                self.pos += 1;
                                break;
                            }
                            Some('\\') => {
                                let n = self.at(1);
                                self.pos += 1;
                                match n {
                                    Some(n @ ('`' | '\\' | '$')) => {
                                        src.push(n);
                                        self.pos += 1;
                                    }
                                    Some('"') if quoted => {
                                        src.push('"');
                                        self.pos += 1;
                                    }
                                    _ => src.push('\\'),
                                }
                            }
                            Some(c) => {
                                src.push(c);
                                self.pos += 1;
                            }
                        }
                    }
                    let list = self.child(&src, |c| {
                        c.enter()?;
                        let l = c.parse_list(true)?;
                        match c.next()? {
                            Tok::Eof => Ok(l),
                            t => Err(unexpected(&t, None)),
                        }
                    })?;
                    self.substs.push(list);
                    parts.push(Part::Subst { id: self.substs.len() - 1, quoted });
                }
                '~' if mode == Mode::Unquoted && parts.is_empty() && lit.is_empty() => {
                    let n = self.at(1);
                    if n.is_none() || matches!(n, Some('/' | ' ' | '\t' | '\n' | ';' | '&' | '|' | ')' | '<' | '>')) {
                        self.pos += 1;
                        parts.push(Part::Param { name: "HOME".into(), op: Box::new(ParamOp::Plain), quoted: true });
                    } else {
                        lit.push('~');
                        self.pos += 1;
                    }
                }
                c => {
                    lit.push(c);
                    self.pos += 1;
                }
            }
        }
        flush(&mut parts, &mut lit, quoted);
        Ok(Word { parts })
    }

    /// After a `$`: the expansion it starts, or `None` for a literal dollar.
    fn dollar(&mut self, quoted: bool) -> Result<Option<Part>, String> {
        let c = match self.cur() {
            Some(c) => c,
            None => return Ok(None),
        };
        let plain = |name: String| Part::Param { name, op: Box::new(ParamOp::Plain), quoted };
        match c {
            '(' if self.at(1) == Some('(') => {
                self.pos += 2;
                let mut depth = 0usize;
                let mut src = String::new();
                loop {
                    match self.cur() {
                        None => return Err("syntax error: unexpected end of file (expecting \")\")".into()),
                        Some(')') if depth == 0 && self.at(1) == Some(')') => {
                            self.pos += 2;
                            break;
                        }
                        Some(c) => {
                            if c == '(' {
                                depth += 1;
                            } else if c == ')' {
                                depth = depth.saturating_sub(1);
                            }
                            src.push(c);
                            self.pos += 1;
                        }
                    }
                }
                let expr = self.child(&src, |c| c.read_word(Mode::Raw))?;
                Ok(Some(Part::Arith { expr, quoted }))
            }
            '(' => {
                self.pos += 1;
                self.enter()?;
                let saved = self.peeked.take();
                let list = self.parse_list(true)?;
                self.expect_op(")")?;
                self.peeked = saved;
                self.depth -= 1;
                self.substs.push(list);
                Ok(Some(Part::Subst { id: self.substs.len() - 1, quoted }))
            }
            '{' => {
                self.pos += 1;
                self.enter()?;
                let r = self.brace_param(quoted);
                self.depth -= 1;
                r.map(Some)
            }
            c if c.is_ascii_digit() || matches!(c, '?' | '$' | '#' | '@' | '*' | '!' | '-') => {
                self.pos += 1;
                Ok(Some(plain(c.to_string())))
            }
            c if c == '_' || c.is_ascii_alphabetic() => {
                let mut name = String::new();
                while let Some(c) = self.cur().filter(|c| *c == '_' || c.is_ascii_alphanumeric()) {
                    name.push(c);
                    self.pos += 1;
                }
                Ok(Some(plain(name)))
            }
            _ => Ok(None),
        }
    }

    fn brace_param(&mut self, quoted: bool) -> Result<Part, String> {
        let bad = || "syntax error: bad substitution".to_string();
        let mut len = false;
        if self.cur() == Some('#') && !matches!(self.at(1), Some('}')) {
            len = true;
            self.pos += 1;
        }
        let mut name = String::new();
        match self.cur() {
            Some(c) if c == '_' || c.is_ascii_alphabetic() => {
                while let Some(c) = self.cur().filter(|c| *c == '_' || c.is_ascii_alphanumeric()) {
                    name.push(c);
                    self.pos += 1;
                }
            }
            Some(c) if c.is_ascii_digit() => {
                while let Some(c) = self.cur().filter(|c| c.is_ascii_digit()) {
                    name.push(c);
                    self.pos += 1;
                }
            }
            Some(c) if matches!(c, '?' | '$' | '#' | '@' | '*' | '!' | '-') => {
                name.push(c);
                self.pos += 1;
            }
            None => return Err("syntax error: missing '}'".into()),
            _ => return Err(bad()),
        }
        if len {
            if self.cur() != Some('}') {
                return Err(bad());
            }
            self.pos += 1;
            return Ok(Part::Param { name, op: Box::new(ParamOp::Len), quoted });
        }
        let mut colon = false;
        if self.cur() == Some(':') {
            colon = true;
            self.pos += 1;
        }
        let opc = match self.cur() {
            Some(c) => c,
            None => return Err("syntax error: missing '}'".into()),
        };
        if opc == '}' && !colon {
            self.pos += 1;
            return Ok(Part::Param { name, op: Box::new(ParamOp::Plain), quoted });
        }
        self.pos += 1;
        let mut double = false;
        if matches!(opc, '#' | '%') && !colon && self.cur() == Some(opc) {
            double = true;
            self.pos += 1;
        }
        let word = self.read_word(Mode::Brace(quoted))?;
        if self.cur() != Some('}') {
            return Err("syntax error: missing '}'".into());
        }
        self.pos += 1;
        let op = match (opc, colon) {
            ('-', _) => ParamOp::Default(colon, word),
            ('=', _) => ParamOp::Assign(colon, word),
            ('+', _) => ParamOp::Alt(colon, word),
            ('?', _) => ParamOp::Error(colon, word),
            ('#', false) => ParamOp::TrimPrefix(double, word),
            ('%', false) => ParamOp::TrimSuffix(double, word),
            _ => return Err(bad()),
        };
        Ok(Part::Param { name, op: Box::new(op), quoted })
    }

    // ---- grammar ----

    /// A list of and-or lists up to a closing keyword, `)`, `;;` or end of input. `allow_empty` only at
    /// the top of a script or substitution; elsewhere an empty list is an error naming the next token.
    fn parse_list(&mut self, allow_empty: bool) -> Result<List, String> {
        let mut items = Vec::new();
        loop {
            self.skip_newlines()?;
            let stop = match self.peek()? {
                Tok::Eof => true,
                Tok::Op(")") | Tok::Op(";;") => true,
                Tok::Word(w) => w.literal().map(|k| LIST_END.contains(&k.as_str())).unwrap_or(false),
                _ => false,
            };
            if stop {
                break;
            }
            let mut ao = self.parse_and_or()?;
            match self.peek()? {
                Tok::Op(";") => {
                    self.next()?;
                }
                Tok::Op("&") => {
                    self.next()?;
                    ao.background = true;
                }
                Tok::Newline => {
                    self.next()?;
                }
                _ => {
                    items.push(ao);
                    break;
                }
            }
            items.push(ao);
        }
        if items.is_empty() && !allow_empty && self.peek()? != &Tok::Eof {
            let t = self.next()?;
            return Err(unexpected(&t, None));
        }
        Ok(List(items))
    }

    fn parse_and_or(&mut self) -> Result<AndOr, String> {
        let first = self.parse_pipeline()?;
        let mut rest = Vec::new();
        loop {
            let and = match self.peek()? {
                Tok::Op("&&") => true,
                Tok::Op("||") => false,
                _ => break,
            };
            self.next()?;
            self.skip_newlines()?;
            rest.push((and, self.parse_pipeline()?));
        }
        Ok(AndOr { first, rest, background: false })
    }

    fn parse_pipeline(&mut self) -> Result<Pipeline, String> {
        let mut bang = false;
        while self.peek_keyword()?.as_deref() == Some("!") {
            self.next()?;
            bang = !bang;
        }
        let mut cmds = vec![self.parse_command()?];
        while self.peek()? == &Tok::Op("|") {
            self.next()?;
            self.skip_newlines()?;
            cmds.push(self.parse_command()?);
        }
        Ok(Pipeline { bang, cmds })
    }

    fn parse_command(&mut self) -> Result<Command, String> {
        self.enter()?;
        let r = self.parse_command_inner();
        self.depth -= 1;
        r
    }

    fn parse_command_inner(&mut self) -> Result<Command, String> {
        let kw = self.peek_keyword()?;
        let compound = match kw.as_deref() {
            Some("if") => Some(self.parse_if()?),
            Some("while") | Some("until") => {
                self.next()?;
                let cond = self.parse_list(false)?;
                self.expect_keyword("do")?;
                let body = self.parse_list(false)?;
                self.expect_keyword("done")?;
                Some(Compound::Loop { until: kw.as_deref() == Some("until"), cond, body })
            }
            Some("for") => Some(self.parse_for()?),
            Some("case") => Some(self.parse_case()?),
            Some("{") => {
                self.next()?;
                let l = self.parse_list(false)?;
                self.expect_keyword("}")?;
                Some(Compound::Brace(l))
            }
            Some(k) if k != "!" && k != "function" => {
                let t = self.next()?;
                return Err(unexpected(&t, None));
            }
            _ => None,
        };
        if let Some(c) = compound {
            let redirs = self.parse_redirs()?;
            return Ok(Command::Compound(c, redirs));
        }
        if self.peek()? == &Tok::Op("(") {
            self.next()?;
            let l = self.parse_list(false)?;
            self.expect_op(")")?;
            let redirs = self.parse_redirs()?;
            return Ok(Command::Compound(Compound::Subshell(l), redirs));
        }
        self.parse_simple()
    }

    fn parse_redirs(&mut self) -> Result<Vec<Redir>, String> {
        let mut out = Vec::new();
        while let Tok::Redir(..) = self.peek()? {
            let t = self.next()?;
            out.push(self.parse_redir(t)?);
        }
        Ok(out)
    }

    fn parse_redir(&mut self, t: Tok) -> Result<Redir, String> {
        let (fd, op) = match t {
            Tok::Redir(fd, op) => (fd, op),
            t => return Err(unexpected(&t, None)),
        };
        let target = match self.next()? {
            Tok::Word(w) => w,
            t => return Err(unexpected(&t, None)),
        };
        let (dfd, op) = match op {
            ">" => (1, RedirOp::Out),
            ">>" => (1, RedirOp::Append),
            ">&" => (1, RedirOp::DupOut),
            "<&" => (0, RedirOp::DupIn),
            "<>" => (0, RedirOp::ReadWrite),
            "<<" | "<<-" => {
                let idx = self.heredocs.len();
                self.heredocs.push(None);
                let mut delim = String::new();
                let mut expand = true;
                for p in &target.parts {
                    match p {
                        Part::Lit(s) => delim.push_str(s),
                        Part::Quoted(s) => {
                            expand = false;
                            delim.push_str(s);
                        }
                        _ => expand = false,
                    }
                }
                if target.parts.iter().any(|p| matches!(p, Part::Quoted(_))) {
                    expand = false;
                }
                self.pending.push(PendingHeredoc { idx, delim, strip: op == "<<-", expand });
                (0, RedirOp::HereDoc(idx))
            }
            _ => (0, RedirOp::In),
        };
        Ok(Redir { fd: fd.unwrap_or(dfd), op, target })
    }

    fn parse_simple(&mut self) -> Result<Command, String> {
        let mut s = Simple::default();
        self.peek()?;
        s.line = self.word_line;
        loop {
            match self.peek()? {
                Tok::Redir(..) => {
                    let t = self.next()?;
                    s.redirs.push(self.parse_redir(t)?);
                }
                Tok::Word(_) => {
                    let w = match self.next()? {
                        Tok::Word(w) => w,
                        _ => unreachable!("peeked a word"),
                    };
                    if s.words.is_empty() {
                        if let Some((name, value)) = split_assignment(&w) {
                            s.assigns.push((name, value));
                            continue;
                        }
                    }
                    s.words.push(w);
                    if s.words.len() == 1
                        && s.assigns.is_empty()
                        && s.redirs.is_empty()
                        && self.peek()? == &Tok::Op("(")
                    {
                        // `name() body`
                        let name = s.words[0].literal().unwrap_or_default();
                        self.next()?;
                        self.expect_op(")")?;
                        if !is_name(&name) {
                            // Informed guess: ash reports a bad function name this way.
                            return Err("syntax error: bad function name".to_string());
                        }
                        self.skip_newlines()?;
                        let body = self.parse_command()?;
                        return Ok(Command::FuncDef(name, Box::new(body)));
                    }
                }
                _ => break,
            }
        }
        if s.words.is_empty() && s.assigns.is_empty() && s.redirs.is_empty() {
            let t = self.next()?;
            return Err(unexpected(&t, None));
        }
        Ok(Command::Simple(s))
    }

    fn parse_if(&mut self) -> Result<Compound, String> {
        self.next()?;
        let mut arms = Vec::new();
        let mut els = None;
        loop {
            let cond = self.parse_list(false)?;
            self.expect_keyword("then")?;
            let body = self.parse_list(false)?;
            arms.push((cond, body));
            let t = self.next()?;
            match &t {
                Tok::Word(w) if w.literal().as_deref() == Some("elif") => continue,
                Tok::Word(w) if w.literal().as_deref() == Some("else") => {
                    els = Some(self.parse_list(false)?);
                    self.expect_keyword("fi")?;
                    break;
                }
                Tok::Word(w) if w.literal().as_deref() == Some("fi") => break,
                _ => return Err(unexpected(&t, Some("\"fi\""))),
            }
        }
        Ok(Compound::If(arms, els))
    }

    fn parse_for(&mut self) -> Result<Compound, String> {
        self.next()?;
        let var = match self.next()? {
            Tok::Word(w) => w.literal().filter(|n| is_name(n)),
            _ => None,
        };
        let var = var.ok_or_else(|| "syntax error: bad for loop variable".to_string())?;
        let mut words = None;
        // `for x in a b c;`, or `for x; do` / `for x do` (the positional parameters).
        while self.peek()? == &Tok::Newline {
            self.next()?;
        }
        if self.peek_keyword()?.is_none() {
            if let Tok::Word(w) = self.peek()? {
                if w.literal().as_deref() == Some("in") {
                    self.next()?;
                    let mut ws = Vec::new();
                    while let Tok::Word(_) = self.peek()? {
                        if let Tok::Word(w) = self.next()? {
                            ws.push(w);
                        }
                    }
                    words = Some(ws);
                    match self.next()? {
                        Tok::Op(";") | Tok::Newline => {}
                        t => return Err(unexpected(&t, None)),
                    }
                }
            }
        } else if self.peek_keyword()?.as_deref() == Some("in") {
            self.next()?;
            let mut ws = Vec::new();
            while let Tok::Word(_) = self.peek()? {
                if let Tok::Word(w) = self.next()? {
                    ws.push(w);
                }
            }
            words = Some(ws);
            match self.next()? {
                Tok::Op(";") | Tok::Newline => {}
                t => return Err(unexpected(&t, None)),
            }
        } else if self.peek()? == &Tok::Op(";") {
            self.next()?;
        }
        self.skip_newlines()?;
        self.expect_keyword("do")?;
        let body = self.parse_list(false)?;
        self.expect_keyword("done")?;
        Ok(Compound::For { var, words, body })
    }

    fn parse_case(&mut self) -> Result<Compound, String> {
        self.next()?;
        let word = match self.next()? {
            Tok::Word(w) => w,
            t => return Err(unexpected(&t, Some("word"))),
        };
        self.skip_newlines()?;
        self.expect_keyword("in")?;
        let mut arms = Vec::new();
        loop {
            self.skip_newlines()?;
            if self.peek_keyword()?.as_deref() == Some("esac") {
                self.next()?;
                break;
            }
            if self.peek()? == &Tok::Op("(") {
                self.next()?;
            }
            let mut pats = Vec::new();
            loop {
                match self.next()? {
                    Tok::Word(w) => pats.push(w),
                    t => return Err(unexpected(&t, Some("word"))),
                }
                match self.next()? {
                    Tok::Op("|") => continue,
                    Tok::Op(")") => break,
                    t => return Err(unexpected(&t, Some("\")\""))),
                }
            }
            self.skip_newlines()?;
            let body = match self.peek()? {
                Tok::Op(";;") => List::default(),
                Tok::Word(w) if w.literal().as_deref() == Some("esac") => List::default(),
                _ => self.parse_list(false)?,
            };
            arms.push((pats, body));
            match self.next()? {
                Tok::Op(";;") => {}
                Tok::Word(w) if w.literal().as_deref() == Some("esac") => break,
                t => return Err(unexpected(&t, Some("\"esac\""))),
            }
        }
        Ok(Compound::Case { word, arms })
    }
}

fn split_assignment(w: &Word) -> Option<(String, Word)> {
    let first = match w.parts.first() {
        Some(Part::Lit(s)) => s,
        _ => return None,
    };
    let eq = first.find('=')?;
    let name = &first[..eq];
    if !is_name(name) {
        return None;
    }
    let mut parts = Vec::new();
    let rest = &first[eq + 1..];
    if !rest.is_empty() {
        parts.push(Part::Lit(rest.to_string()));
    }
    parts.extend(w.parts[1..].iter().cloned());
    Some((name.to_string(), Word { parts }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_read_like_ash() {
        for (src, want) in [
            ("done", "syntax error: unexpected \"done\""),
            ("while true; do echo", "syntax error: unexpected end of file (expecting \"done\")"),
            ("if true; then fi", "syntax error: unexpected \"fi\""),
            ("if true; then echo; ", "syntax error: unexpected end of file (expecting \"fi\")"),
            ("echo 'abc", "syntax error: unterminated quoted string"),
            ("echo \"abc", "syntax error: unterminated quoted string"),
            ("echo )", "syntax error: unexpected \")\""),
            ("| foo", "syntax error: unexpected \"|\""),
            ("echo hi &&", "syntax error: unexpected end of file"),
            ("for 1 in a; do :; done", "syntax error: bad for loop variable"),
            ("{ echo }", "syntax error: unexpected end of file (expecting \"}\")"),
            ("echo $(ls", "syntax error: unexpected end of file (expecting \")\")"),
            ("echo `ls", "syntax error: EOF in backquote substitution"),
            ("while true do done", "syntax error: unexpected end of file (expecting \"do\")"),
            ("while true; do done", "syntax error: unexpected \"done\""),
            ("echo >", "syntax error: unexpected end of file"),
            ("echo ;;", "syntax error: unexpected \";;\""),
        ] {
            assert_eq!(parse(src).err().as_deref(), Some(want), "{src}");
        }
    }

    #[test]
    fn parses_structures() {
        for src in [
            "echo hi; sleep 5; echo bye",
            "while true; do date >> /html/index.html; sleep 10; done",
            "for i in 1 2 3\ndo\n echo $i\ndone",
            "if [ -f /x ]; then echo y; elif true; then :; else echo n; fi",
            "case $x in a|b) echo ab;; *) echo other;; esac",
            "f() { echo $1; }; f a",
            "(cd /tmp && ls) > /dev/null 2>&1",
            "cat <<EOF\nhello $USER\nEOF\necho after",
            "X=1 Y=${Z:-d} env | grep X",
            "echo $((1 + 2 * (3 - 1)))",
            "! false && echo ok || echo no",
            "sleep 100 & wait",
            "# just a comment",
            "",
        ] {
            assert!(parse(src).is_ok(), "{src}: {:?}", parse(src));
        }
        let ast = parse("cat <<EOF\nhello $USER\nEOF\necho after").unwrap();
        assert_eq!(ast.heredocs.len(), 1);
        assert_eq!(ast.body.0.len(), 2);
    }

    #[test]
    fn words_and_quotes() {
        let ast = parse(r#"echo 'a b' "c $X" d\ e X=1"#).unwrap();
        let Command::Simple(s) = &ast.body.0[0].first.cmds[0] else { panic!() };
        assert_eq!(s.words.len(), 5);
        assert_eq!(s.words[1].parts, vec![Part::Quoted("a b".into())]);
        assert_eq!(
            s.words[2].parts,
            vec![
                Part::Quoted("c ".into()),
                Part::Param { name: "X".into(), op: Box::new(ParamOp::Plain), quoted: true }
            ]
        );
        assert_eq!(s.words[3].parts, vec![Part::Lit("d".into()), Part::Quoted(" ".into()), Part::Lit("e".into())]);
        let ast = parse("A=1 B='x y' cmd").unwrap();
        let Command::Simple(s) = &ast.body.0[0].first.cmds[0] else { panic!() };
        assert_eq!(s.assigns.len(), 2);
    }
}
