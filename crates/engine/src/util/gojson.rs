//! Go's `encoding/json` syntax errors, as its scanner (`checkValid`) words them: `json.Unmarshal` checks the
//! whole input before decoding, so a text that is not JSON fails with exactly one of these messages, whatever
//! it was being decoded into. kubectl prints them for `--overrides`, and the apiserver answers them for patch
//! bodies.
//!
//! Worked examples (Go 1.23): `{a}` → `invalid character 'a' looking for beginning of object key string`;
//! `{"a" 1}` → `invalid character '1' after object key`; `{"a":1 "b":2}` → `invalid character '"' after object
//! key:value pair`; `[1 2]` → `invalid character '2' after array element`; `{"a":` → `unexpected end of JSON
//! input`; `1 2` → `invalid character '2' after top-level value`; `tru` + `x` → `invalid character 'x' in
//! literal true (expecting 'e')`.

/// The error Go's `json.Unmarshal` reports for `text`'s syntax, or `None` when `text` is valid JSON.
pub fn syntax_error(text: &str) -> Option<String> {
    let mut scanner = Scanner { bytes: text.as_bytes(), at: 0 };
    scanner.top().err()
}

/// Go's `quoteChar`: `'\''` for a single quote, `'"'` for a double one, else the character as `strconv.Quote`
/// writes it between single quotes (`'\n'`, `'a'`).
fn quote_char(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_string(),
        b'"' => "'\"'".to_string(),
        b'\n' => "'\\n'".to_string(),
        b'\t' => "'\\t'".to_string(),
        b'\r' => "'\\r'".to_string(),
        0x07 => "'\\a'".to_string(),
        0x08 => "'\\b'".to_string(),
        0x0c => "'\\f'".to_string(),
        0x0b => "'\\v'".to_string(),
        b'\\' => "'\\\\'".to_string(),
        c if c < 0x20 || c == 0x7f => format!("'\\x{c:02x}'"),
        // A byte of a multi-byte character: Go reads it as the rune of that value.
        c => format!("'{}'", char::from(c)),
    }
}

const EOF: &str = "unexpected end of JSON input";

struct Scanner<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.at += 1;
        }
    }

    fn invalid(c: u8, context: &str) -> String {
        format!("invalid character {} {context}", quote_char(c))
    }

    /// The next byte, which must be there (else the input ended inside a value).
    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or_else(|| EOF.to_string())?;
        self.at += 1;
        Ok(c)
    }

    fn top(&mut self) -> Result<(), String> {
        self.value()?;
        self.skip_space();
        match self.peek() {
            None => Ok(()),
            Some(c) => Err(Self::invalid(c, "after top-level value")),
        }
    }

    fn value(&mut self) -> Result<(), String> {
        self.skip_space();
        match self.next()? {
            b'{' => self.object(),
            b'[' => self.array(),
            b'"' => self.string(),
            b'-' => self.number(true),
            b'0'..=b'9' => {
                self.at -= 1;
                self.number(false)
            }
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            c => Err(Self::invalid(c, "looking for beginning of value")),
        }
    }

    fn object(&mut self) -> Result<(), String> {
        self.skip_space();
        if self.peek() == Some(b'}') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.skip_space();
            match self.next()? {
                b'"' => self.string()?,
                c => return Err(Self::invalid(c, "looking for beginning of object key string")),
            }
            self.skip_space();
            match self.next()? {
                b':' => {}
                c => return Err(Self::invalid(c, "after object key")),
            }
            self.value()?;
            self.skip_space();
            match self.next()? {
                b',' => continue,
                b'}' => return Ok(()),
                c => return Err(Self::invalid(c, "after object key:value pair")),
            }
        }
    }

    fn array(&mut self) -> Result<(), String> {
        self.skip_space();
        if self.peek() == Some(b']') {
            self.at += 1;
            return Ok(());
        }
        loop {
            self.value()?;
            self.skip_space();
            match self.next()? {
                b',' => continue,
                b']' => return Ok(()),
                c => return Err(Self::invalid(c, "after array element")),
            }
        }
    }

    /// After the opening quote.
    fn string(&mut self) -> Result<(), String> {
        loop {
            match self.next()? {
                b'"' => return Ok(()),
                b'\\' => match self.next()? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        for _ in 0..4 {
                            let c = self.next()?;
                            if !c.is_ascii_hexdigit() {
                                return Err(Self::invalid(c, "in \\u hexadecimal character escape"));
                            }
                        }
                    }
                    c => return Err(Self::invalid(c, "in string escape code")),
                },
                c if c < 0x20 => return Err(Self::invalid(c, "in string literal")),
                _ => {}
            }
        }
    }

    /// At the first digit (after a leading `-` when `negative`). The number ends at the first byte that cannot
    /// continue it, which the enclosing value then judges (`01` → `invalid character '1' after top-level value`).
    fn number(&mut self, negative: bool) -> Result<(), String> {
        let first = self.next()?;
        match first {
            b'0' => {}
            b'1'..=b'9' => self.digits(),
            c if negative => return Err(Self::invalid(c, "in numeric literal")),
            c => return Err(Self::invalid(c, "looking for beginning of value")),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            match self.next()? {
                b'0'..=b'9' => self.digits(),
                c => return Err(Self::invalid(c, "after decimal point in numeric literal")),
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            let mut c = self.next()?;
            if c == b'+' || c == b'-' {
                c = self.next()?;
            }
            if !c.is_ascii_digit() {
                return Err(Self::invalid(c, "in exponent of numeric literal"));
            }
            self.digits();
        }
        Ok(())
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.at += 1;
        }
    }

    /// After the literal's first letter.
    fn literal(&mut self, word: &str) -> Result<(), String> {
        for expected in word.bytes().skip(1) {
            let c = self.next()?;
            if c != expected {
                return Err(Self::invalid(c, &format!("in literal {word} (expecting {})", quote_char(expected))));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::syntax_error;

    #[test]
    fn go_wording_for_each_place_a_text_breaks() {
        let cases: &[(&str, Option<&str>)] = &[
            ("{}", None),
            (" [1, -2.5e+3, \"x\\u00e9\", true, false, null, {\"a\": {}}] ", None),
            ("0", None),
            ("", Some("unexpected end of JSON input")),
            ("   ", Some("unexpected end of JSON input")),
            ("{a}", Some("invalid character 'a' looking for beginning of object key string")),
            ("{\"a\" 1}", Some("invalid character '1' after object key")),
            ("{\"a\":1 \"b\":2}", Some("invalid character '\"' after object key:value pair")),
            ("{\"a\":1,}", Some("invalid character '}' looking for beginning of object key string")),
            ("[1 2]", Some("invalid character '2' after array element")),
            ("[1,]", Some("invalid character ']' looking for beginning of value")),
            ("{\"a\":", Some("unexpected end of JSON input")),
            ("[", Some("unexpected end of JSON input")),
            ("\"abc", Some("unexpected end of JSON input")),
            ("1 2", Some("invalid character '2' after top-level value")),
            ("01", Some("invalid character '1' after top-level value")),
            ("-x", Some("invalid character 'x' in numeric literal")),
            ("1.x", Some("invalid character 'x' after decimal point in numeric literal")),
            ("1ex", Some("invalid character 'x' in exponent of numeric literal")),
            ("trux", Some("invalid character 'x' in literal true (expecting 'e')")),
            ("nul", Some("unexpected end of JSON input")),
            ("fals3", Some("invalid character '3' in literal false (expecting 'e')")),
            ("\"a\\qb\"", Some("invalid character 'q' in string escape code")),
            ("\"\\u12g4\"", Some("invalid character 'g' in \\u hexadecimal character escape")),
            ("\"a\tb\"", Some("invalid character '\\t' in string literal")),
            ("'a'", Some("invalid character '\\'' looking for beginning of value")),
            ("a: 1", Some("invalid character 'a' looking for beginning of value")),
            ("{\n\"a\"}", Some("invalid character '}' after object key")),
        ];
        for (text, want) in cases {
            assert_eq!(syntax_error(text).as_deref(), *want, "{text:?}");
        }
    }
}
