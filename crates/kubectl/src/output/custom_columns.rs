//! `-o custom-columns=HEADER:PATH,…` and `-o custom-columns-file=FILE`, as cli-runtime's
//! `CustomColumnsPrinter` prints them.
//!
//! Paths are relaxed JSONPath (`metadata.name`, `.metadata.name`, `{metadata.name}` and
//! `{.metadata.name}` all mean `{.metadata.name}`), evaluated with missing keys allowed. A cell joins
//! its values with `,` as Go's `fmt.Sprint` prints them (maps as `map[k:v]`, lists as `[a b]`, null as
//! `<nil>`), shows `<none>` when there is no value, and has ESC and CR escaped (`^[`, `\r`). The table
//! goes through kubectl's tab writer (columns padded to the widest cell plus 3, at least 6 wide).
//!
//! Paths are parsed when printing, after the header: like kubectl, a bad path or a failing one prints
//! the header (and the rows before) and then the error.

use serde_json::Value;

use super::jsonpath::JsonPath;
use super::tabwriter;

/// One column: its header and its (relaxed, then completed) JSONPath template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub header: String,
    pub field_spec: String,
}

const PATH_ERROR: &str =
    "unexpected path string, expected a 'name1.name2' or '.name1.name2' or '{name1.name2}' or '{.name1.name2}'";

/// cli-runtime's RelaxedJSONPathExpression: `^\{\.?([^{}]+)\}$|^\.?([^{}]+)$` → `{.…}`.
fn relaxed_json_path(path: &str) -> Result<String, String> {
    if path.is_empty() {
        return Ok(String::new());
    }
    let no_braces = |s: &str| !s.is_empty() && !s.contains(['{', '}']);
    // The optional dot gives way when it is all there is (so "." and "{.}" become "{..}").
    let strip_dot = |s: &str| -> Option<String> {
        match s.strip_prefix('.') {
            Some(rest) if no_braces(rest) => Some(rest.to_string()),
            _ if no_braces(s) => Some(s.to_string()),
            _ => None,
        }
    };
    let braced = path.strip_prefix('{').and_then(|p| p.strip_suffix('}')).and_then(strip_dot);
    match braced.or_else(|| strip_dot(path)) {
        Some(field) => Ok(format!("{{.{field}}}")),
        None => Err(PATH_ERROR.into()),
    }
}

/// Parses `-o custom-columns=SPEC`. Errors are kubectl's stderr text.
pub fn parse_spec(spec: &str) -> Result<Vec<Column>, String> {
    if spec.is_empty() {
        return Err("error: custom-columns format specified but no custom columns given\n".into());
    }
    spec.split(',')
        .map(|part| {
            let Some((header, path)) = part.split_once(':') else {
                return Err(format!(
                    "error: unexpected custom-columns spec: {part}, expected <header>:<json-path-expr>\n"
                ));
            };
            let field_spec = relaxed_json_path(path).map_err(|e| format!("error: {e}\n"))?;
            Ok(Column { header: header.to_string(), field_spec })
        })
        .collect()
}

/// Parses the contents of a `-o custom-columns-file`: a line of headers and a line of paths, both
/// whitespace separated. Errors are kubectl's stderr text.
pub fn parse_file(text: &str) -> Result<Vec<Column>, String> {
    const FORMAT: &str =
        "Expected format is one line of space separated headers, one line of space separated column specs.";
    // bufio.ScanLines: lines end at '\n', a trailing '\r' is dropped, a last line needs no newline.
    let mut lines = text.split_inclusive('\n').map(|l| {
        let l = l.strip_suffix('\n').unwrap_or(l);
        l.strip_suffix('\r').unwrap_or(l)
    });
    let headers: Vec<&str> = match lines.next() {
        Some(line) => line.split_whitespace().collect(),
        None => return Err(format!("error: invalid template, missing header line. {FORMAT}\n")),
    };
    let specs: Vec<&str> = match lines.next() {
        Some(line) => line.split_whitespace().collect(),
        None => return Err(format!("error: invalid template, missing spec line. {FORMAT}\n")),
    };
    if headers.len() != specs.len() {
        return Err(format!(
            "error: number of headers ({}) and field specifications ({}) don't match\n",
            headers.len(),
            specs.len()
        ));
    }
    headers
        .iter()
        .zip(&specs)
        .map(|(header, spec)| {
            let field_spec = relaxed_json_path(spec).map_err(|e| format!("error: {e}\n"))?;
            Ok(Column { header: header.to_string(), field_spec })
        })
        .collect()
}

/// The table for `objects` (the items of a list, or the one object), or kubectl's error text. On
/// error kubectl still prints what it had buffered; [`render_output`] returns both.
pub fn render(columns: &[Column], objects: &[Value], no_headers: bool) -> Result<String, String> {
    match render_output(columns, objects, no_headers) {
        (out, None) => Ok(out),
        (_, Some(err)) => Err(err),
    }
}

/// The table as kubectl prints it: stdout, and the stderr error text if printing stopped early (the
/// header and rows before the failure are still printed).
pub fn render_output(columns: &[Column], objects: &[Value], no_headers: bool) -> (String, Option<String>) {
    let mut text = String::new();
    if !no_headers {
        let headers: Vec<&str> = columns.iter().map(|c| c.header.as_str()).collect();
        text.push_str(&headers.join("\t"));
        text.push('\n');
    }
    let mut paths = Vec::with_capacity(columns.len());
    for column in columns {
        match JsonPath::parse_raw(&column.field_spec) {
            Ok(path) => paths.push(path),
            Err(e) => return (tabwriter::align(&text), Some(format!("error: {e}\n"))),
        }
    }
    for object in objects {
        let mut cells = Vec::with_capacity(paths.len());
        for path in &paths {
            let groups = match path.find_sprint(object) {
                Ok(groups) => groups,
                Err(e) => return (tabwriter::align(&text), Some(format!("error: {e}\n"))),
            };
            let mut values = Vec::new();
            if groups.first().is_none_or(|g| g.is_empty()) {
                values.push("<none>".to_string());
            }
            values.extend(groups.iter().flatten().map(|v| escape_terminal(v)));
            cells.push(values.join(","));
        }
        text.push_str(&cells.join("\t"));
        text.push('\n');
    }
    (tabwriter::align(&text), None)
}

/// cli-runtime's EscapeTerminal: ESC and CR would let a value drive the terminal.
fn escape_terminal(s: &str) -> String {
    s.replace('\u{1b}', "^[").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object() -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "x", "labels": {"app": "web", "tier": "fe"}},
            "data": {"k": "v"},
            "xs": [
                {"name": "a", "n": 1, "f": 1.5, "b": true, "z": null,
                 "conds": [{"type": "Ready", "status": "True"}, {"type": "X", "status": "False"}]},
                {"name": "b", "n": 2, "f": 2.5, "b": false, "m": {"q": "r", "s": [1, 2]}},
                {"name": "c", "n": 3}]})
    }

    fn table(spec: &str) -> Result<String, String> {
        render(&parse_spec(spec)?, &[object()], false)
    }

    /// Expected outputs: `kubectl get cm x -o custom-columns=…` (v1.32) against a server returning
    /// `object()`.
    #[test]
    fn tables_match_kubectl() {
        let cases: &[(&str, &str)] = &[
            (
                "NAME:.metadata.name,KIND:{.kind},X:xs[*].name,M:.xs[1].m,Z:.xs[0].z,L:.metadata.labels,N:.nosuch,F:.xs[*].f,B:.xs[0].b",
                "NAME   KIND        X       M                  Z       L                      N        F         B\n\
                 x      ConfigMap   a,b,c   map[q:r s:[1 2]]   <nil>   map[app:web tier:fe]   <none>   1.5,2.5   true\n",
            ),
            (
                "A:.xs[0].conds,S:.xs[1].m.s",
                "A                                                        S\n\
                 [map[status:True type:Ready] map[status:False type:X]]   [1 2]\n",
            ),
            ("A:", "A\n<none>\n"),
            (":.metadata.name", "\nx\n"),
            ("A:B:C", "A\n<none>\n"),
            ("A:$.kind", "A\n<none>\n"),
            ("A:\"lit\"", "A\n<none>\n"),
            ("LONGHEADERNAME:.kind,B:.kind,C:.kind", "LONGHEADERNAME   B           C\nConfigMap        ConfigMap   ConfigMap\n"),
            ("A:kind", "A\nConfigMap\n"),
            ("A:{kind}", "A\nConfigMap\n"),
            ("A:.xs[0].conds[0],B:.data", "A                             B\nmap[status:True type:Ready]   map[k:v]\n"),
            ("A:.xs[0].z,B:.xs[0].b", "A       B\n<nil>   true\n"),
            ("A B:.kind", "A B\nConfigMap\n"),
            ("A:.kind ,B:.kind", "A           B\nConfigMap   ConfigMap\n"),
            ("A:.metadata.labels.*", "A\nweb,fe\n"),
            ("A:@", "A\n<none>\n"),
            ("A:{range .xs[*]}", "A\n<none>\n"),
            ("A:.xs[?(@.name==\"a\")].n", "A\n1\n"),
            ("A:.xs[?(@.n>1)].name", "A\nb,c\n"),
            ("A:..name", "A\nx,a,b,c\n"),
        ];
        for (spec, want) in cases {
            assert_eq!(table(spec).as_deref(), Ok(*want), "{spec}");
        }
    }

    #[test]
    fn recursive_paths_from_a_lone_dot() {
        for spec in ["A:.", "A:{.}"] {
            let out = table(spec).unwrap();
            assert!(out.starts_with("A\nmap[apiVersion:v1 data:map[k:v] kind:ConfigMap "), "{out}");
        }
    }

    #[test]
    fn spec_errors_match_kubectl() {
        let path = format!("error: {PATH_ERROR}\n");
        let cases: &[(&str, &str)] = &[
            ("A", "error: unexpected custom-columns spec: A, expected <header>:<json-path-expr>\n"),
            ("", "error: custom-columns format specified but no custom columns given\n"),
            ("A:.metadata.name,B", "error: unexpected custom-columns spec: B, expected <header>:<json-path-expr>\n"),
            (
                "A:.metadata.name,,B:.kind",
                "error: unexpected custom-columns spec: , expected <header>:<json-path-expr>\n",
            ),
            ("A:{.metadata.name", &path),
            ("A:.metadata.name}", &path),
            ("A:{{.metadata.name}}", &path),
            ("A:.xs[}", &path),
            ("A:.metadata.name{.kind}", &path),
            ("A:{.metadata.name}{.kind}", &path),
            ("A:.xs[*].name{\"x\"}", &path),
        ];
        for (spec, want) in cases {
            assert_eq!(parse_spec(spec), Err(want.to_string()), "{spec}");
        }
    }

    #[test]
    fn errors_while_printing_keep_the_buffered_lines() {
        let run = |spec: &str, objects: &[Value]| render_output(&parse_spec(spec).unwrap(), objects, false);
        assert_eq!(run("A:.xs[", &[object()]), ("A\n".into(), Some("error: unterminated array\n".into())));
        assert_eq!(
            run("A:.xs[5]", &[object()]),
            ("A\n".into(), Some("error: array index out of bounds: index 5, length 3\n".into()))
        );
        assert_eq!(
            run("A:.xs[*].n,B:.xs[?(@.n>\"x\")].n", &[object()]),
            ("A     B\n".into(), Some("error: incompatible types for comparison\n".into()))
        );
        // kubectl get cm (x, then y with one element) -o custom-columns=A:.metadata.name,B:.xs[2].name
        let y = json!({"metadata": {"name": "y"}, "xs": [{"name": "only", "n": 5}]});
        assert_eq!(
            run("A:.metadata.name,B:.xs[2].name", &[object(), y]),
            ("A     B\nx     c\n".into(), Some("error: array index out of bounds: index 2, length 1\n".into()))
        );
    }

    #[test]
    fn lists_and_no_headers() {
        let y = json!({"metadata": {"name": "y"}, "xs": [{"name": "only", "n": 5}]});
        let columns = parse_spec("A:.metadata.name,B:.xs[0].n").unwrap();
        assert_eq!(render(&columns, &[object(), y.clone()], false).as_deref(), Ok("A     B\nx     1\ny     5\n"));
        assert_eq!(render(&columns, &[object(), y], true).as_deref(), Ok("x     1\ny     5\n"));
    }

    /// A file's text and the columns (header, completed path) or the error kubectl reports for it.
    type FileCase<'a> = (&'a str, Result<Vec<(&'a str, &'a str)>, String>);

    #[test]
    fn files_match_kubectl() {
        let format =
            "Expected format is one line of space separated headers, one line of space separated column specs.";
        let cases: &[FileCase] = &[
            ("NAME  KIND\n.metadata.name {.kind}\n", Ok(vec![("NAME", "{.metadata.name}"), ("KIND", "{.kind}")])),
            (
                "  A \t B  \r\n .kind  metadata.name \r\nextra line\n",
                Ok(vec![("A", "{.kind}"), ("B", "{.metadata.name}")]),
            ),
            ("\n\n", Ok(vec![])),
            ("NAME  KIND\n", Err(format!("error: invalid template, missing spec line. {format}\n"))),
            ("", Err(format!("error: invalid template, missing header line. {format}\n"))),
            ("A B\n.kind\n", Err("error: number of headers (2) and field specifications (1) don't match\n".into())),
            ("A\n.kind}\n", Err(format!("error: {PATH_ERROR}\n"))),
        ];
        for (text, want) in cases {
            let got = parse_file(text);
            let want = want.clone().map(|cols| {
                cols.into_iter()
                    .map(|(h, f)| Column { header: h.to_string(), field_spec: f.to_string() })
                    .collect::<Vec<_>>()
            });
            assert_eq!(got, want, "{text:?}");
        }
        // Zero columns still print one (empty) line per row, as kubectl does.
        assert_eq!(render(&[], &[object(), object()], false).as_deref(), Ok("\n\n\n"));
    }
}
