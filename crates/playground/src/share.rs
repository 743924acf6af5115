//! Share links: a [`Session`] (seed and command log) as text that fits a URL fragment, and back.
//!
//! The text is `2.` followed by the session's JSON compressed with [`compress`] (a small LZ77: command logs
//! repeat `{"type":"exec","line":"kubectl ` and manifest lines, so links shrink to a third or less) and put
//! in base64url without padding (RFC 4648 §5), so it uses only characters a fragment keeps as they are.
//! Format `1.` (the same JSON uncompressed, from earlier links) still opens; any other is refused. Opening
//! the link replays the session from its seed, which rebuilds the same cluster (the engine is deterministic).

use crate::Session;

use engine::util::base64;

const FORMAT: &str = "2.";
const FORMAT_UNCOMPRESSED: &str = "1.";

/// The share text of `session`.
pub fn encode(session: &Session) -> String {
    let json = serde_json::to_string(session).unwrap_or_default();
    format!("{FORMAT}{}", base64url(&compress(json.as_bytes())))
}

/// The session a share text holds, or why it cannot be read.
pub fn decode(text: &str) -> Result<Session, String> {
    let bytes = if let Some(body) = text.strip_prefix(FORMAT) {
        let packed = unbase64url(body).ok_or("the link is damaged (not base64url)")?;
        decompress(&packed, MAX_SESSION_BYTES).ok_or("the link is damaged (cannot be unpacked)")?
    } else if let Some(body) = text.strip_prefix(FORMAT_UNCOMPRESSED) {
        unbase64url(body).ok_or("the link is damaged (not base64url)")?
    } else {
        return Err("not a kubeground share link (unknown format)".into());
    };
    serde_json::from_slice(&bytes).map_err(|e| format!("the link is damaged ({e})"))
}

/// The most a share link may unpack to: far more than any session typed by hand, and a bound for a
/// crafted link.
const MAX_SESSION_BYTES: usize = 16 << 20;

/// Shortest and longest back-reference; farthest distance.
const MIN_MATCH: usize = 4;
const MAX_MATCH: usize = MIN_MATCH + 127;
const MAX_DISTANCE: usize = 65_535;

/// LZ77 in byte tokens: `0x00..=0x7f` is a run of that many plus one literal bytes that follow; `0x80 | n` is
/// a copy of `n + 4` bytes from the distance in the next two bytes (big-endian, 1..=65535) back in the
/// output (it may overlap what it writes). Greedy, with a hash of each position's next four bytes.
///
/// `compress(b"abcabcabcabc")` = `[2, b'a', b'b', b'c', 0x85, 0, 3]`: three literals, then nine bytes from
/// three back.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() / 2 + 16);
    let mut table = vec![usize::MAX; 1 << 14];
    let hash = |i: usize| {
        let v = u32::from_le_bytes([input[i], input[i + 1], input[i + 2], input[i + 3]]);
        (v.wrapping_mul(2_654_435_761) >> 18) as usize
    };
    let mut literals_from = 0;
    let flush = |out: &mut Vec<u8>, from: usize, to: usize| {
        for chunk in input[from..to].chunks(128) {
            out.push((chunk.len() - 1) as u8);
            out.extend_from_slice(chunk);
        }
    };
    let mut i = 0;
    while i + MIN_MATCH <= input.len() {
        let h = hash(i);
        let candidate = table[h];
        table[h] = i;
        if candidate != usize::MAX
            && i - candidate <= MAX_DISTANCE
            && input[candidate..candidate + MIN_MATCH] == input[i..i + MIN_MATCH]
        {
            let mut len = MIN_MATCH;
            while len < MAX_MATCH && i + len < input.len() && input[candidate + len] == input[i + len] {
                len += 1;
            }
            flush(&mut out, literals_from, i);
            let distance = (i - candidate) as u16;
            out.push(0x80 | (len - MIN_MATCH) as u8);
            out.extend_from_slice(&distance.to_be_bytes());
            i += len;
            literals_from = i;
        } else {
            i += 1;
        }
    }
    flush(&mut out, literals_from, input.len());
    out
}

/// The bytes [`compress`] packed, or `None` when the input is not such a packing or would unpack to more than
/// `limit` bytes.
pub fn decompress(input: &[u8], limit: usize) -> Option<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(input.len() * 3);
    let mut i = 0;
    while i < input.len() {
        let token = input[i];
        i += 1;
        if token < 0x80 {
            let n = usize::from(token) + 1;
            out.extend_from_slice(input.get(i..i + n)?);
            i += n;
        } else {
            let len = usize::from(token & 0x7f) + MIN_MATCH;
            let distance = usize::from(u16::from_be_bytes([*input.get(i)?, *input.get(i + 1)?]));
            i += 2;
            if distance == 0 || distance > out.len() {
                return None;
            }
            let start = out.len() - distance;
            for k in 0..len {
                out.push(out[start + k]);
            }
        }
        if out.len() > limit {
            return None;
        }
    }
    Some(out)
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
    fn compression_round_trips_and_refuses_damage() {
        assert_eq!(compress(b"abcabcabcabc"), [2, b'a', b'b', b'c', 0x85, 0, 3]);
        let mut rng = 0x2545_f491_4f6c_dd1du64;
        let mut samples: Vec<Vec<u8>> = vec![Vec::new(), b"a".to_vec(), vec![0; 1000], b"kubectl ".repeat(300)];
        for len in [3usize, 130, 129, 5000, 70_000] {
            let sample: Vec<u8> = (0..len)
                .map(|_| {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    b"abcdkubectl \n"[(rng % 13) as usize]
                })
                .collect();
            samples.push(sample);
        }
        for sample in samples {
            let packed = compress(&sample);
            assert_eq!(decompress(&packed, usize::MAX).as_deref(), Some(sample.as_slice()), "len {}", sample.len());
        }
        // A copy from before the start, a cut token, an over-long result: refused, never a panic.
        assert_eq!(decompress(&[0x80, 0, 1], 100), None);
        assert_eq!(decompress(&[0x05, b'a'], 100), None);
        assert_eq!(decompress(&[0, b'a', 0x80], 100), None);
        assert_eq!(decompress(&[0, b'a', 0xff, 0, 1, 0xff, 0, 1], 200), None);
        assert_eq!(decompress(&[0, b'a', 0xff, 0, 1], 200).map(|v| v.len()), Some(132));
    }

    #[test]
    fn a_shared_session_rebuilds_the_same_cluster() {
        let mut pg = Playground::new(7).with_editor();
        pg.exec("kubectl create deployment web --image=nginx --replicas=3\nsleep 5\nkubectl apply -f - <<EOF\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nEOF").unwrap();
        pg.step(2500);
        let link = encode(pg.session());
        assert!(link.starts_with("2."));
        assert!(link.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)), "{link}");
        let again = Playground::replay(&decode(&link).unwrap());
        assert_eq!(again.snapshot(), pg.snapshot());
        assert_eq!(again.session(), pg.session());
        // Links of format 1 (uncompressed) still open.
        let old = format!("1.{}", base64url(serde_json::to_string(pg.session()).unwrap().as_bytes()));
        assert_eq!(&decode(&old).unwrap(), pg.session());
        assert!(link.len() < old.len(), "compressed {} vs {}", link.len(), old.len());
        // A longer session, as a lesson leaves: well under half.
        for i in 0..20 {
            pg.exec(&format!("kubectl label deployment web step={i} --overwrite\nkubectl get pods -l app=web -o wide"))
                .unwrap();
            pg.step(1000);
        }
        let json = serde_json::to_string(pg.session()).unwrap();
        let link = encode(pg.session());
        assert!(link.len() * 3 < base64url(json.as_bytes()).len(), "compressed {} of {}", link.len(), json.len());
        assert_eq!(&decode(&link).unwrap(), pg.session());
        assert!(decode("3.abc").is_err());
        assert!(decode("2.abc").is_err());
        assert!(decode("1.!!").is_err());
        assert!(decode(&format!("1.{}", base64url(b"{\"seed\":"))).is_err());
    }
}
