//! Share links: a [`Session`] (seed and command log) as text that fits a URL fragment, and back.
//!
//! The text is `1.` followed by the session's JSON in base64url without padding (RFC 4648 §5), so it uses
//! only characters a fragment keeps as they are. The `1` is the format; another is refused. Opening the
//! link replays the session from its seed, which rebuilds the same cluster (the engine is deterministic).

use crate::Session;

use engine::util::base64;

const FORMAT: &str = "1.";

/// The share text of `session`.
pub fn encode(session: &Session) -> String {
    let json = serde_json::to_string(session).unwrap_or_default();
    format!("{FORMAT}{}", base64url(json.as_bytes()))
}

/// The session a share text holds, or why it cannot be read.
pub fn decode(text: &str) -> Result<Session, String> {
    let body = text.strip_prefix(FORMAT).ok_or("not a kubeground share link (unknown format)")?;
    let bytes = unbase64url(body).ok_or("the link is damaged (not base64url)")?;
    serde_json::from_slice(&bytes).map_err(|e| format!("the link is damaged ({e})"))
}

/// RFC 4648 base64url without padding.
///
/// `base64url(b"any carnal pleas")` = `YW55IGNhcm5hbCBwbGVhcw`.
pub fn base64url(bytes: &[u8]) -> String {
    base64::encode(bytes, base64::URL_SAFE, false)
}

/// The bytes of base64url text; `None` for any other character or an impossible length.
pub fn unbase64url(text: &str) -> Option<Vec<u8>> {
    base64::decode(text, base64::URL_SAFE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Playground;

    #[test]
    fn base64url_round_trips_rfc4648_vectors() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg"),
            ("fo", "Zm8"),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg"),
            ("fooba", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64url(plain.as_bytes()), coded);
            assert_eq!(unbase64url(coded).unwrap(), plain.as_bytes());
        }
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
        assert_eq!(unbase64url("-_8").unwrap(), [0xfb, 0xff]);
        assert!(unbase64url("a+b").is_none());
        assert!(unbase64url("abcde").is_none());
    }

    #[test]
    fn a_shared_session_rebuilds_the_same_cluster() {
        let mut pg = Playground::new(7).with_editor();
        pg.exec("kubectl create deployment web --image=nginx --replicas=3\nsleep 5\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nEOF").unwrap();
        pg.step(2500);
        let link = encode(pg.session());
        assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{link}");
        let again = Playground::replay(&decode(&link).unwrap());
        assert_eq!(again.snapshot(), pg.snapshot());
        assert_eq!(again.session(), pg.session());
        assert!(decode("2.abc").is_err());
        assert!(decode("1.!!").is_err());
        assert!(decode(&format!("1.{}", base64url(b"{\"seed\":"))).is_err());
    }
}
