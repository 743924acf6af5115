//! Session scripts (CONTRACT §2): what a learner would type into a terminal, parsed into commands.
//!
//! One command per line; `#` starts a comment at the start of a word; a trailing `\` continues the line;
//! words split as POSIX `sh` splits them (quotes, backslash escapes); `CMD <<WORD` … `WORD` feeds the lines in
//! between to the command's standard input (`<<'WORD'` keeps the body literal, `<<-WORD` strips leading tabs).
//! The playground's shell has no variables, so `$NAME` and `${NAME}` expand to nothing, as in a shell
//! where they are unset. Pipes, `;`, `&&`, `||` and redirections are recognised so that the command can be
//! refused with a clear message instead of being misread.

/// One command of a script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScriptCommand {
    /// 1-based line where the command starts.
    pub line: usize,
    /// The command as written (continuation lines included, heredoc body not).
    pub text: String,
    pub words: Vec<String>,
    /// The heredoc body, if the command has one.
    pub stdin: Option<String>,
    /// A shell operator the playground does not run (`|`, `;`, `&&`, `||`, `>`, …), if one was used.
    pub unsupported: Option<String>,
}

/// Why a script could not be parsed, naming the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

struct Heredoc {
    delimiter: String,
    literal: bool,
    strip_tabs: bool,
}

/// Parses one logged command line (continuations included) without reading a heredoc body: the session
/// log keeps the body apart.
pub fn parse_command(text: &str) -> Result<ScriptCommand, ParseError> {
    match lex(text) {
        Lexed::Done(l) => Ok(ScriptCommand {
            line: 1,
            text: text.to_string(),
            words: l.words,
            stdin: None,
            unsupported: l.unsupported,
        }),
        Lexed::Continue => Err(ParseError { line: 1, message: "unexpected end after a backslash".into() }),
        Lexed::OpenQuote(q) => Err(ParseError { line: 1, message: format!("unterminated {q} quote") }),
    }
}

/// Parses a whole script.
pub fn parse(script: &str) -> Result<Vec<ScriptCommand>, ParseError> {
    let lines: Vec<&str> = script.lines().collect();
    let mut commands = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i;
        // Gather the logical line: physical lines joined while the words are incomplete (open quote) or the
        // line ends with an unquoted backslash.
        let mut text = lines[i].to_string();
        i += 1;
        let lexed = loop {
            match lex(&text) {
                Lexed::Done(l) => break l,
                Lexed::Continue | Lexed::OpenQuote(_) if i < lines.len() => {
                    text.push('\n');
                    text.push_str(lines[i]);
                    i += 1;
                }
                Lexed::Continue => {
                    text.pop();
                    break match lex(&text) {
                        Lexed::Done(l) => l,
                        _ => unreachable!("a script ending in a backslash lexes without it"),
                    };
                }
                Lexed::OpenQuote(q) => {
                    return Err(ParseError { line: start + 1, message: format!("unterminated {q} quote") })
                }
            }
        };
        if lexed.words.is_empty() && lexed.heredoc.is_none() {
            continue;
        }
        let stdin = match lexed.heredoc {
            None => None,
            Some(h) => {
                let mut body = String::new();
                let mut closed = false;
                while i < lines.len() {
                    let mut l = lines[i];
                    i += 1;
                    if h.strip_tabs {
                        l = l.trim_start_matches('\t');
                    }
                    if l == h.delimiter {
                        closed = true;
                        break;
                    }
                    body.push_str(&if h.literal { l.to_string() } else { expand_heredoc_line(l) });
                    body.push('\n');
                }
                if !closed {
                    return Err(ParseError {
                        line: start + 1,
                        message: format!("unterminated heredoc: no line \"{}\" closes it", h.delimiter),
                    });
                }
                Some(body)
            }
        };
        commands.push(ScriptCommand {
            line: start + 1,
            text: text.trim_end().to_string(),
            words: lexed.words,
            stdin,
            unsupported: lexed.unsupported,
        });
    }
    Ok(commands)
}

struct LexedLine {
    words: Vec<String>,
    heredoc: Option<Heredoc>,
    unsupported: Option<String>,
}

enum Lexed {
    Done(LexedLine),
    /// The line ends with an unquoted backslash.
    Continue,
    /// A quote is still open at the end of the text ("single" or "double").
    OpenQuote(&'static str),
}

fn lex(text: &str) -> Lexed {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut heredoc = None;
    let mut unsupported: Option<String> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                i += 1;
            }
            '#' if !in_word => break,
            '\\' => {
                match chars.get(i + 1) {
                    None => return Lexed::Continue,
                    Some('\n') => {}
                    Some(&n) => {
                        word.push(n);
                        in_word = true;
                    }
                }
                i += 2;
            }
            '\'' => {
                in_word = true;
                let Some(end) = chars[i + 1..].iter().position(|&x| x == '\'') else {
                    return Lexed::OpenQuote("single");
                };
                word.extend(&chars[i + 1..i + 1 + end]);
                i += end + 2;
            }
            '"' => {
                in_word = true;
                i += 1;
                loop {
                    match chars.get(i) {
                        None => return Lexed::OpenQuote("double"),
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('$' | '`' | '"' | '\\' | '\n')) => {
                            if chars[i + 1] != '\n' {
                                word.push(chars[i + 1]);
                            }
                            i += 2;
                        }
                        Some('$') => i = expand_variable(&chars, i, &mut word),
                        Some(&x) => {
                            word.push(x);
                            i += 1;
                        }
                    }
                }
            }
            '$' => {
                let before = word.len();
                i = expand_variable(&chars, i, &mut word);
                in_word |= word.len() > before;
            }
            '<' if chars.get(i + 1) == Some(&'<') && chars.get(i + 2) != Some(&'<') => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                i += 2;
                let strip_tabs = chars.get(i) == Some(&'-');
                if strip_tabs {
                    i += 1;
                }
                while matches!(chars.get(i), Some(' ' | '\t')) {
                    i += 1;
                }
                // The delimiter is one word; any quoting in it makes the body literal.
                let mut delimiter = String::new();
                let mut literal = false;
                while let Some(&d) = chars.get(i) {
                    match d {
                        ' ' | '\t' | '\n' | ';' | '|' | '&' | '<' | '>' => break,
                        '\'' | '"' => {
                            literal = true;
                            let Some(end) = chars[i + 1..].iter().position(|&x| x == d) else {
                                return Lexed::OpenQuote(if d == '\'' { "single" } else { "double" });
                            };
                            delimiter.extend(&chars[i + 1..i + 1 + end]);
                            i += end + 2;
                        }
                        '\\' => {
                            literal = true;
                            if let Some(&n) = chars.get(i + 1) {
                                delimiter.push(n);
                            }
                            i += 2;
                        }
                        _ => {
                            delimiter.push(d);
                            i += 1;
                        }
                    }
                }
                if delimiter.is_empty() {
                    unsupported.get_or_insert_with(|| "<<".to_string());
                } else {
                    heredoc = Some(Heredoc { delimiter, literal, strip_tabs });
                }
            }
            '|' | '&' | ';' | '<' | '>' | '`' | '(' | ')' => {
                let mut op = c.to_string();
                if matches!(chars.get(i + 1), Some(&n) if n == c && (c == '|' || c == '&' || c == '>')) {
                    op.push(c);
                }
                i += op.len();
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
                unsupported.get_or_insert(op);
            }
            _ => {
                word.push(c);
                in_word = true;
                i += 1;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Lexed::Done(LexedLine { words, heredoc, unsupported })
}

/// Expands `$NAME` / `${NAME}` at `chars[i] == '$'` into `out` (to nothing: no variables are set) and returns
/// the index after it. A `$` that starts no name is kept.
fn expand_variable(chars: &[char], i: usize, out: &mut String) -> usize {
    let is_name = |c: char| c.is_ascii_alphanumeric() || c == '_';
    match chars.get(i + 1) {
        Some('{') => match chars[i + 2..].iter().position(|&c| c == '}') {
            Some(end) => i + 3 + end,
            None => {
                out.push('$');
                i + 1
            }
        },
        Some(&c) if c.is_ascii_alphabetic() || c == '_' => {
            let len = chars[i + 1..].iter().take_while(|&&c| is_name(c)).count();
            i + 1 + len
        }
        _ => {
            out.push('$');
            i + 1
        }
    }
}

/// A line of an unquoted heredoc body: backslash escapes of `$`, `` ` `` and `\` are removed and unset
/// variables expand to nothing; everything else stays as written.
fn expand_heredoc_line(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if matches!(chars.get(i + 1), Some('$' | '`' | '\\')) => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '$' if chars.get(i + 1) != Some(&'(') => i = expand_variable(&chars, i, &mut out),
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        parse(script).unwrap().into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn comments_blank_lines_and_quotes() {
        let script = "# a comment\n\nkubectl get nodes   # trailing\necho 'a  b' \"c \\\"d\\\"\" e\\ f x#y\n";
        assert_eq!(words(script), vec![vec!["kubectl", "get", "nodes"], vec!["echo", "a  b", "c \"d\"", "e f", "x#y"]]);
    }

    #[test]
    fn continuation_lines_join_and_keep_their_text() {
        let cmds = parse("kubectl run web \\\n  --image=nginx\nkubectl get pods\n").unwrap();
        assert_eq!(cmds[0].words, ["kubectl", "run", "web", "--image=nginx"]);
        assert_eq!(cmds[0].text, "kubectl run web \\\n  --image=nginx");
        assert_eq!((cmds[1].line, cmds[1].words.len()), (3, 3));
    }

    #[test]
    fn quotes_may_span_lines() {
        assert_eq!(words("echo 'a\nb'\n"), vec![vec!["echo", "a\nb"]]);
    }

    #[test]
    fn heredocs() {
        let script = "kubectl apply -f - <<EOF\nkind: Pod\n  name: $UNSET x\\$y\nEOF\ncat <<'END'\n$keep\nEND\ncat <<-X\n\t\tindented\n\tX\n";
        let cmds = parse(script).unwrap();
        assert_eq!(cmds[0].words, ["kubectl", "apply", "-f", "-"]);
        assert_eq!(cmds[0].stdin.as_deref(), Some("kind: Pod\n  name:  x$y\n"));
        assert_eq!(cmds[0].text, "kubectl apply -f - <<EOF");
        assert_eq!(cmds[1].stdin.as_deref(), Some("$keep\n"));
        assert_eq!(cmds[2].stdin.as_deref(), Some("indented\n"));
        assert_eq!(cmds.len(), 3);
    }

    #[test]
    fn unterminated_things_name_their_line() {
        assert_eq!(
            parse("kubectl get nodes\necho 'oops\n").unwrap_err(),
            ParseError { line: 2, message: "unterminated single quote".into() }
        );
        assert_eq!(parse("echo \"x\n").unwrap_err().message, "unterminated double quote");
        let err = parse("\nkubectl apply -f - <<EOF\nkind: Pod\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert_eq!(err.to_string(), "line 2: unterminated heredoc: no line \"EOF\" closes it");
    }

    #[test]
    fn shell_operators_are_flagged_not_misread() {
        let cmds = parse("kubectl get pods | grep web\nkubectl get pods && echo ok\necho a > f\n").unwrap();
        let ops: Vec<_> = cmds.iter().map(|c| c.unsupported.clone().unwrap()).collect();
        assert_eq!(ops, ["|", "&&", ">"]);
        assert_eq!(cmds[0].words, ["kubectl", "get", "pods", "grep", "web"]);
    }

    #[test]
    fn variables_expand_to_nothing_and_lone_dollars_stay() {
        assert_eq!(words("echo $HOME ${X}y $ \"a$B\" '$C'\n"), vec![vec!["echo", "y", "$", "a", "$C"]]);
    }
}
