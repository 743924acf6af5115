//! The one source of randomness in the engine.
//!
//! Every random choice (generated name suffixes, UIDs, tie breaks) draws from one [`Rng`] seeded by the session
//! seed and passed explicitly, so a seed and a command log rebuild the same cluster on every platform. The
//! generator is SplitMix64: tiny, fast, and fully specified, so its output never changes under a crate update.

/// Characters the apiserver uses for `generateName` suffixes and pod-template hashes
/// (apimachinery `pkg/util/rand`: no vowels, no look-alike digits).
pub const NAME_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A deterministic pseudo-random generator (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng { state: seed }
    }

    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (`n > 0`), without modulo bias worth caring about for n far below 2^32.
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "Rng::below(0)");
        ((self.next_u64() >> 32) * n) >> 32
    }

    /// `len` characters from [`NAME_ALPHABET`], as the apiserver appends to a `generateName`.
    pub fn name_suffix(&mut self, len: usize) -> String {
        (0..len).map(|_| NAME_ALPHABET[self.below(NAME_ALPHABET.len() as u64) as usize] as char).collect()
    }

    /// A random (version 4) UUID in its canonical lower-case text form, as object UIDs are.
    pub fn uuid(&mut self) -> String {
        let hi = self.next_u64();
        let lo = self.next_u64();
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&hi.to_be_bytes());
        b[8..].copy_from_slice(&lo.to_be_bytes());
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
        format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn splitmix_reference_values() {
        // First outputs of SplitMix64 seeded with 0, as published with the algorithm.
        let mut r = Rng::new(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn suffixes_use_the_apiserver_alphabet() {
        let mut r = Rng::new(42);
        for _ in 0..200 {
            let s = r.name_suffix(5);
            assert_eq!(s.len(), 5);
            assert!(s.bytes().all(|c| NAME_ALPHABET.contains(&c)), "{s}");
        }
    }

    #[test]
    fn uuids_are_version_4() {
        let mut r = Rng::new(3);
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"), "{u}");
    }
}
