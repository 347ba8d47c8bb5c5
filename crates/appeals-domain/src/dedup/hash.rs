//! Stable 64-bit hashing for shingles, MinHash and LSH band keys.
//!
//! Signatures and band keys are stored in the database and compared across processes, machines and
//! releases (p.13: the check runs against everything registered before). `std`'s `DefaultHasher` /
//! `RandomState` are randomly seeded and explicitly unstable across Rust versions, so they must not
//! be used here. FNV-1a is specified byte by byte and splitmix64 / the murmur3 finaliser are fixed
//! arithmetic, so the values below never change unless this file changes — and then
//! [`super::signature::SIGNATURE_FORMAT_VERSION`] must be bumped.

/// FNV-1a 64-bit offset basis.
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// FNV-1a 64-bit prime.
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over `bytes`, finished with [`fmix64`] so that short inputs (2–7-letter stems) still
/// spread over all 64 bits; raw FNV has weak high bits for short keys, and MinHash takes minima.
#[must_use]
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = Fnv64::new(seed);
    std::hash::Hasher::write(&mut h, bytes);
    fmix64(std::hash::Hasher::finish(&h))
}

/// Streaming FNV-1a 64 (raw, without the final mix), seeded by xor into the offset basis.
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Fnv64 {
    /// A hasher seeded with `seed` (0 = plain FNV-1a).
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(FNV_OFFSET ^ seed)
    }
}

impl std::hash::Hasher for Fnv64 {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The murmur3 64-bit finaliser: a bijective avalanche mix.
#[must_use]
pub const fn fmix64(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^= k >> 33;
    k
}

/// Combines two hashes order-sensitively (`combine(a, b) != combine(b, a)`), for word bigrams and
/// band keys.
#[must_use]
pub const fn combine(a: u64, b: u64) -> u64 {
    fmix64(a.rotate_left(23) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x2545_f491_4f6c_dd1d)
}

/// splitmix64: a tiny, fully specified generator used to derive the MinHash coefficients from a
/// fixed seed, so every process derives the same hash family.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    #[must_use]
    pub const fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next value of the sequence.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_hash_values_are_pinned() {
        // Pinned values: if these change, stored signatures become incomparable.
        assert_eq!(hash_bytes(0, b""), fmix64(FNV_OFFSET));
        assert_eq!(
            hash_bytes(0, "үй".as_bytes()),
            hash_bytes(0, "үй".as_bytes())
        );
        assert_ne!(hash_bytes(0, b"a"), hash_bytes(1, b"a"));
        let mut g = SplitMix64::new(0);
        // Reference value of splitmix64 with seed 0 (Vigna's reference implementation).
        assert_eq!(g.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_ne!(combine(1, 2), combine(2, 1));
    }
}
