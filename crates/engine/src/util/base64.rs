//! Base64 (RFC 4648): the standard alphabet for busybox's `base64` in containers, the URL-safe one for the
//! page's share links.

pub const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
pub const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// `bytes` in `alphabet`, with `=` padding or without: `encode(b"ab", STANDARD, true)` = `YWI=`.
pub fn encode(bytes: &[u8], alphabet: &[u8; 64], pad: bool) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else if pad {
                out.push('=');
            }
        }
    }
    out
}

/// The bytes of base64 text in `alphabet` (whitespace ignored, padding optional); `None` for any other
/// character or an impossible length.
pub fn decode(text: &str, alphabet: &[u8; 64]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let end = digits.iter().position(|c| *c == b'=').unwrap_or(digits.len());
    if digits[end..].iter().any(|c| *c != b'=') || end % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(end * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in &digits[..end] {
        let v = alphabet.iter().position(|a| a == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        for (plain, padded, bare) in [
            ("", "", ""),
            ("f", "Zg==", "Zg"),
            ("fo", "Zm8=", "Zm8"),
            ("foo", "Zm9v", "Zm9v"),
            ("foob", "Zm9vYg==", "Zm9vYg"),
            ("fooba", "Zm9vYmE=", "Zm9vYmE"),
            ("foobar", "Zm9vYmFy", "Zm9vYmFy"),
        ] {
            assert_eq!(encode(plain.as_bytes(), STANDARD, true), padded);
            assert_eq!(encode(plain.as_bytes(), URL_SAFE, false), bare);
            assert_eq!(decode(padded, STANDARD).unwrap(), plain.as_bytes());
            assert_eq!(decode(bare, URL_SAFE).unwrap(), plain.as_bytes());
        }
        assert_eq!(encode(&[0xfb, 0xff], URL_SAFE, false), "-_8");
        assert_eq!(encode(&[0xfb, 0xff], STANDARD, true), "+/8=");
        assert_eq!(decode("YWJj\nMTIz\n", STANDARD).unwrap(), b"abc123");
        assert!(decode("a+b", URL_SAFE).is_none());
        assert!(decode("abcde", STANDARD).is_none());
        assert!(decode("Y*", STANDARD).is_none());
        assert!(decode("YQ==YQ", STANDARD).is_none());
    }
}
