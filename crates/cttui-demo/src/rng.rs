//! The generator's seeded randomness: xoshiro256** seeded through splitmix64.
//!
//! Written here on purpose, not taken from a crate: the committed demo data must stay byte-identical
//! for a given seed, and a crate is free to change its algorithm or its seeding in any release.
//! Both algorithms are public-domain designs by Blackman and Vigna; a dozen lines each.
//! Only integer arithmetic is used, so the output is the same on every platform.

/// One step of splitmix64: advances `state` and returns a well-mixed word.
fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A stable 64-bit hash of some text parts (FNV-1a, then a splitmix64 finish), for values that must
/// depend only on what they name (a user's key for a given day), not on how many draws came before.
pub fn hash(seed: u64, parts: &[&str]) -> u64 {
    let mut h: u64 = 0xCBF2_9CE4_8422_2325 ^ seed;
    for p in parts {
        for b in p.bytes().chain([0xFF]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01B3);
        }
    }
    splitmix64(&mut h)
}

/// Upper-case letters and digits, as in AWS access key ids and unique ids.
const KEY_CHARS: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM: &[u8; 62] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &[u8; 16] = b"0123456789abcdef";

pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut st = seed;
        Rng {
            s: [
                splitmix64(&mut st),
                splitmix64(&mut st),
                splitmix64(&mut st),
                splitmix64(&mut st),
            ],
        }
    }

    /// An independent stream for one purpose, so adding draws to one part of the generator does
    /// not shift the output of another.
    pub fn stream(seed: u64, purpose: &str) -> Self {
        Rng::new(hash(seed, &[purpose]))
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A value in `0..n` (0 when `n` is 0), by multiply-shift: the bias is below 2^-32 for the
    /// small ranges used here.
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A value in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `per_10k` / 10 000.
    pub fn chance(&mut self, per_10k: u64) -> bool {
        self.below(10_000) < per_10k
    }

    /// One element, uniformly. `items` must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// One element, in proportion to its weight. `items` must hold a positive weight.
    pub fn weighted<'a, T>(&mut self, items: &'a [(u32, T)]) -> &'a T {
        let total: u64 = items.iter().map(|(w, _)| u64::from(*w)).sum();
        let mut x = self.below(total);
        for (w, item) in items {
            let w = u64::from(*w);
            if x < w {
                return item;
            }
            x -= w;
        }
        &items[items.len() - 1].1
    }

    fn chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| char::from(*self.pick(alphabet))).collect()
    }

    /// Upper-case letters and digits (access key ids, unique ids).
    pub fn key_chars(&mut self, n: usize) -> String {
        self.chars(n, KEY_CHARS)
    }

    /// Mixed-case letters and digits (delivery file suffixes).
    pub fn alnum(&mut self, n: usize) -> String {
        self.chars(n, ALNUM)
    }

    pub fn hex(&mut self, n: usize) -> String {
        self.chars(n, HEX)
    }

    pub fn upper_hex(&mut self, n: usize) -> String {
        self.hex(n).to_ascii_uppercase()
    }

    /// A version-4-shaped UUID, as CloudTrail writes eventID and most requestIDs.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0x0FFF,
            8 + (b >> 62),
            (b >> 48) & 0x0FFF,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_streams_differ() {
        let a: Vec<u64> = (0..64)
            .map({
                let mut r = Rng::new(42);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..64)
            .map({
                let mut r = Rng::new(42);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        let mut c = Rng::new(43);
        assert_ne!(a[0], c.next_u64());
        let mut s1 = Rng::stream(42, "ordinary");
        let mut s2 = Rng::stream(42, "incident");
        assert_ne!(s1.next_u64(), s2.next_u64());
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = Rng::new(1);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            let v = r.below(7) as usize;
            assert!(v < 7);
            seen[v] += 1;
        }
        // Each bucket expects 1000; a fair generator stays well inside 800..1200.
        assert!(seen.iter().all(|&n| (800..1200).contains(&n)), "{seen:?}");
        assert_eq!(r.below(0), 0);
        for _ in 0..100 {
            assert!((5..=9).contains(&r.range(5, 9)));
        }
    }

    #[test]
    fn weighted_follows_weights() {
        let mut r = Rng::new(9);
        let items = [(1u32, 'a'), (0, 'b'), (9, 'c')];
        let mut n = [0u32; 3];
        for _ in 0..10_000 {
            match r.weighted(&items) {
                'a' => n[0] += 1,
                'b' => n[1] += 1,
                _ => n[2] += 1,
            }
        }
        assert_eq!(n[1], 0);
        assert!((800..1200).contains(&n[0]), "{n:?}");
    }

    #[test]
    fn uuid_shape() {
        let mut r = Rng::new(5);
        for _ in 0..50 {
            let u = r.uuid();
            let parts: Vec<&str> = u.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(parts[2].starts_with('4'));
            assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
            assert!(u.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        }
    }

    #[test]
    fn hash_depends_on_parts_and_seed() {
        assert_eq!(hash(1, &["a", "b"]), hash(1, &["a", "b"]));
        assert_ne!(hash(1, &["ab"]), hash(1, &["a", "b"]));
        assert_ne!(hash(1, &["a"]), hash(2, &["a"]));
    }
}
