//! Quantities as the apiserver prints them in tables (canonical form: `1024Mi` → `1Gi`). The arithmetic is the
//! API machinery's own (`engine::admission::quantity`), so tables and defaulting cannot disagree.

pub(super) fn canonical(text: &str) -> String {
    engine::admission::quantity::canonicalize(text)
}

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn canonical_forms() {
        let cases = [
            ("1Gi", "1Gi"),
            ("10Gi", "10Gi"),
            ("1024Mi", "1Gi"),
            ("1536Mi", "1536Mi"),
            ("0.5Gi", "512Mi"),
            ("1.5Gi", "1536Mi"),
            ("512", "512"),
            ("100Ki", "100Ki"),
            ("1023Ki", "1023Ki"),
            ("0.5Ki", "512"),
            ("1000Mi", "1000Mi"),
            ("1500M", "1500M"),
            ("1000M", "1G"),
            ("1000m", "1"),
            ("0.5", "500m"),
            ("100m", "100m"),
            ("1e3", "1e3"),
            ("1e4", "10e3"),
            ("1.5e3", "1500"),
            ("0", "0"),
            ("0Gi", "0"),
            ("-1Gi", "-1Gi"),
            ("0.0000000001", "1n"),
            ("1.2Ki", "1228800m"),
        ];
        for (input, want) in cases {
            assert_eq!(canonical(input), want, "{input}");
        }
    }

    #[test]
    fn unparseable_text_is_kept() {
        for input in ["", "abc", "1Xi", "1..2", "Gi", "1e", "99999999999999999999999999999999999999999Ei"] {
            assert_eq!(canonical(input), input);
        }
    }
}
