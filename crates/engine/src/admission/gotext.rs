//! How Go prints strings inside API error messages: `strconv.Quote` (the `%q` verb) and the string escaping
//! of `encoding/json`. Error texts must match byte for byte, so the two are reproduced here.

/// Whether Go's `unicode.IsPrint` would call this character printable (letters, marks, numbers, punctuation,
/// symbols and the ASCII space). Rust has no category table in std; control, format-like and non-ASCII
/// whitespace characters are treated as unprintable, which covers what learners can type.
fn is_go_printable(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}'))
}

/// `strconv.Quote(s)`: double-quoted, with Go escapes for quotes, backslashes and unprintable characters.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if is_go_printable(c) => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// A string as `encoding/json` writes it (HTML-safe escaping, which is Go's default).
pub fn go_json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_like_go() {
        let cases = [
            ("My_Pod", "\"My_Pod\""),
            ("a\"b\\c", "\"a\\\"b\\\\c\""),
            ("tab\there\n", "\"tab\\there\\n\""),
            ("\u{1}", "\"\\x01\""),
            ("héllo", "\"héllo\""),
            ("nbsp\u{a0}", "\"nbsp\\u00a0\""),
            ("", "\"\""),
        ];
        for (input, want) in cases {
            assert_eq!(go_quote(input), want, "{input:?}");
        }
    }

    #[test]
    fn json_strings_like_go() {
        let cases =
            [("x", "\"x\""), ("<a&b>", "\"\\u003ca\\u0026b\\u003e\""), ("\u{1}", "\"\\u0001\""), ("é", "\"é\"")];
        for (input, want) in cases {
            assert_eq!(go_json_string(input), want, "{input:?}");
        }
    }
}
