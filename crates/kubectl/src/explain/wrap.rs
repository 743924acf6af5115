//! The text helpers of kubectl's explain template: `wrap` (mitchellh/go-wordwrap's `WrapString`, which
//! kubectl's `term.NewWordWrapWriter` calls) and `indent`.

/// Wraps `text` at `limit` characters exactly as go-wordwrap does: breaks only at spaces, keeps existing
/// newlines, never splits a word (a word longer than the limit overflows its line), and keeps runs of spaces
/// inside a line as they are.
pub fn wrap(text: &str, limit: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / limit.max(1));
    // Counted in characters, as go-wordwrap counts runes.
    let mut current = 0usize;
    let (mut word, mut space) = (String::new(), String::new());
    let (mut word_len, mut space_len) = (0usize, 0usize);
    for c in text.chars() {
        if c == '\n' {
            if word.is_empty() {
                if current + space_len <= limit {
                    out.push_str(&space);
                }
            } else {
                out.push_str(&space);
                out.push_str(&word);
            }
            space.clear();
            word.clear();
            space_len = 0;
            word_len = 0;
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            if space.is_empty() || !word.is_empty() {
                current += space_len + word_len;
                out.push_str(&space);
                out.push_str(&word);
                space.clear();
                word.clear();
                space_len = 0;
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word.is_empty() {
        if current + space_len <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

/// Prefixes every line of `text` (including an empty last one) with `amount` spaces, as the template's
/// `indent` does.
pub fn indent(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_like_go_wordwrap() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 10, ""),
            ("short", 10, "short"),
            ("one two three four", 9, "one two\nthree\nfour"),
            // A word longer than the limit moves to its own line and overflows it.
            ("see https://example.com/a/very/long/url end", 12, "see\nhttps://example.com/a/very/long/url\nend"),
            // Existing newlines and blank lines stay; the trailing newline stays.
            ("a\n\nb\n", 10, "a\n\nb\n"),
            // Double spaces inside a line are kept.
            ("JSON.  Wrappers", 20, "JSON.  Wrappers"),
            ("\tindented", 20, "\tindented"),
        ];
        for (text, limit, want) in cases {
            assert_eq!(wrap(text, *limit), *want, "{text:?}");
        }
    }

    #[test]
    fn indents_every_line() {
        assert_eq!(indent(4, "a\nb\n"), "    a\n    b\n    ");
        assert_eq!(indent(2, ""), "  ");
    }
}
