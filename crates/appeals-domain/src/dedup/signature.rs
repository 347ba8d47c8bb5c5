//! MinHash signatures and LSH band keys, so that the duplicate check before registration (p.13,
//! R13) can find textually similar earlier appeals with a few indexed lookups instead of comparing
//! against every stored text.
//!
//! **MinHash.** For each of `K` hash functions `h_i(x) = (a_i·x + b_i) >> 32` (64-bit
//! multiply-add-shift over the 64-bit shingle hash; `a_i` odd, `a_i, b_i` from splitmix64 with a
//! fixed seed) the signature keeps `min h_i` over the text's shingles. The share of equal
//! positions of two signatures estimates the Jaccard resemblance `J` of the shingle sets, unbiased,
//! with standard error `sqrt(J(1-J)/K) ≤ 1/(2·sqrt(K))` — about `1/sqrt(K)` as a rule of thumb:
//! ±0.044 (one σ, worst case at `J = 0.5`) for the default `K = 128`.
//!
//! **LSH banding.** The first `b·r` values are cut into `b` bands of `r` rows; each band is hashed
//! to a 64-bit key. Two texts share at least one band key with probability
//! `P(J) = 1 − (1 − J^r)^b` (the S-curve), steepest near `J* ≈ (1/b)^(1/r)`. Defaults `b = 16`,
//! `r = 3` (`J* ≈ 0.40`): `P(0.2) = 0.12`, `P(0.3) = 0.36`, `P(0.4) = 0.65`, `P(0.5) = 0.88`,
//! `P(0.6) = 0.98`, `P(0.7) = 0.999` — at least the recall of the former `b = 32`, `r = 4` for
//! `J` from 0.3 to 0.5 (0.98 against 0.99 at 0.6; both ≥ 0.998 from 0.7), with half the index
//! rows and lookups (every band key is a B-tree entry written at
//! registration and probed by every check; the price is more one-band hits at low `J`, which the
//! lookup caps). The banding a database was indexed with is stored with it (setting
//! `dedup_banding`; `appeals dedup reindex` changes it). Reworded copies in the evaluation set have
//! `J` of 0.3–0.6, so
//! the DB layer must also fetch candidates by applicant (same IIN/BIN or name + settlement, R14);
//! the band lookup is for text-only matches (anonymous appeals, mistyped IINs).

use serde::{Deserialize, Serialize};

use super::hash::{SplitMix64, combine, fmix64};
use crate::DomainError;

/// Version byte of [`Signature::to_bytes`]. Bump it when the normaliser, the stemmer, the shingle
/// scheme or the hash family change, because old and new signatures are then incomparable.
/// Version 2 only adds the shingle-set size to version 1 (same minima, still comparable), so both
/// are read.
pub const SIGNATURE_FORMAT_VERSION: u8 = 2;

/// Version 1: like version 2 without the shingle-set size.
const SIGNATURE_FORMAT_V1: u8 = 1;

/// Fixed seed of the MinHash coefficient generator (never change without bumping
/// [`SIGNATURE_FORMAT_VERSION`]).
const MINHASH_SEED: u64 = 0x6170_7065_616c_7331;

/// Seed of LSH band keys.
const BAND_SEED: u64 = 0x6261_6e64_6b65_7931;

/// Size of MinHash signatures and of the LSH banding (see the module docs for the error bound and
/// the S-curve).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SignatureParams {
    /// `K`, number of MinHash values. Default 128 (standard error ≤ 0.044).
    pub num_hashes: u16,
    /// `b`, number of LSH bands. Default 16.
    pub bands: u16,
    /// `r`, rows (MinHash values) per band. Default 3.
    pub rows: u16,
}

impl Default for SignatureParams {
    fn default() -> Self {
        Self {
            num_hashes: 128,
            bands: 16,
            rows: 3,
        }
    }
}

impl SignatureParams {
    /// Checks `K ≥ 1`, `b ≥ 1`, `r ≥ 1` and `b·r ≤ K`.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] naming the offending field.
    pub fn validate(&self) -> Result<(), DomainError> {
        if self.num_hashes == 0 {
            return Err(DomainError::invalid(
                "/signature/num_hashes",
                "must be at least 1",
            ));
        }
        if self.bands == 0 || self.rows == 0 {
            return Err(DomainError::invalid(
                "/signature/bands",
                "bands and rows must be at least 1",
            ));
        }
        if u32::from(self.bands) * u32::from(self.rows) > u32::from(self.num_hashes) {
            return Err(DomainError::invalid(
                "/signature/bands",
                "bands × rows must not exceed num_hashes",
            ));
        }
        Ok(())
    }

    /// The banding as stored with a database's index: `{b}x{r}` (e.g. `16x3`).
    #[must_use]
    pub fn banding(&self) -> String {
        format!("{}x{}", self.bands, self.rows)
    }

    /// These parameters with the banding `code` (`{b}x{r}`, see [`SignatureParams::banding`]).
    ///
    /// # Errors
    /// [`DomainError::Invalid`] when `code` is malformed or the banding does not fit `K`.
    pub fn with_banding(self, code: &str) -> Result<Self, DomainError> {
        let parsed = code
            .split_once('x')
            .and_then(|(b, r)| Some((b.parse::<u16>().ok()?, r.parse::<u16>().ok()?)));
        let Some((bands, rows)) = parsed else {
            return Err(DomainError::invalid(
                "/signature/bands",
                format!("banding `{code}` is not of the form BANDSxROWS (e.g. 16x3)"),
            ));
        };
        let params = Self {
            bands,
            rows,
            ..self
        };
        params.validate()?;
        Ok(params)
    }

    /// Probability that two texts with resemblance `j` share at least one band key.
    #[must_use]
    pub fn candidate_probability(&self, j: f64) -> f64 {
        1.0 - (1.0 - j.powi(i32::from(self.rows))).powi(i32::from(self.bands))
    }
}

/// A MinHash hash family of a given size; build once, sign many texts.
#[derive(Debug, Clone)]
pub struct MinHasher {
    params: SignatureParams,
    mul: Vec<u64>,
    add: Vec<u64>,
}

impl MinHasher {
    /// The hash family for `params`.
    ///
    /// # Errors
    /// When `params` are invalid (see [`SignatureParams::validate`]).
    pub fn new(params: SignatureParams) -> Result<Self, DomainError> {
        params.validate()?;
        let mut g = SplitMix64::new(MINHASH_SEED);
        let k = usize::from(params.num_hashes);
        let mut mul = Vec::with_capacity(k);
        let mut add = Vec::with_capacity(k);
        for _ in 0..k {
            mul.push(g.next_u64() | 1);
            add.push(g.next_u64());
        }
        Ok(Self { params, mul, add })
    }

    /// The parameters of this family.
    #[must_use]
    pub fn params(&self) -> SignatureParams {
        self.params
    }

    /// The signature of a shingle set (see [`super::features::TextFeatures::shingles`]).
    #[must_use]
    pub fn sign(&self, shingles: &[u64]) -> Signature {
        let mut mins = vec![u32::MAX; self.mul.len()];
        for &x in shingles {
            // Inner loop over the K functions: straight-line, auto-vectorised.
            for ((m, &a), &b) in mins.iter_mut().zip(&self.mul).zip(&self.add) {
                let v = (x.wrapping_mul(a).wrapping_add(b) >> 32) as u32;
                if v < *m {
                    *m = v;
                }
            }
        }
        Signature {
            mins,
            empty: shingles.is_empty(),
            // Shingles come deduplicated from `features::extract`; a text of more than 4·10⁹
            // shingles does not exist (bodies are capped far below).
            set_size: Some(u32::try_from(shingles.len()).unwrap_or(u32::MAX)),
        }
    }
}

/// A MinHash signature: `K` 32-bit minima.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    mins: Vec<u32>,
    /// Text without content (only boilerplate): similar to nothing.
    empty: bool,
    /// Number of distinct shingles signed (`None` for version-1 bytes): with it, containment can
    /// be estimated from the resemblance ([`Signature::estimate_containment`]).
    set_size: Option<u32>,
}

impl Signature {
    /// `K`.
    #[must_use]
    pub fn len(&self) -> usize {
        self.mins.len()
    }

    /// Whether the signed text had no content shingles.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// The minima.
    #[must_use]
    pub fn values(&self) -> &[u32] {
        &self.mins
    }

    /// Estimated Jaccard resemblance: the share of equal minima. 0 when either text is empty or
    /// the sizes differ (signatures of different families are incomparable).
    #[must_use]
    pub fn estimate_similarity(&self, other: &Signature) -> f64 {
        if self.empty || other.empty || self.mins.len() != other.mins.len() || self.mins.is_empty()
        {
            return 0.0;
        }
        let equal = self
            .mins
            .iter()
            .zip(&other.mins)
            .filter(|(a, b)| a == b)
            .count();
        equal as f64 / self.mins.len() as f64
    }

    /// Estimated share of `earlier`'s shingles found in this text (containment), from the
    /// estimated resemblance `J` and the two set sizes: `|A ∩ B| = J·(|A| + |B|) / (1 + J)`.
    /// `None` when either size is unknown (version-1 bytes).
    #[must_use]
    pub fn estimate_containment(&self, earlier: &Signature) -> Option<f64> {
        let (mine, theirs) = (f64::from(self.set_size?), f64::from(earlier.set_size?));
        if theirs == 0.0 {
            return Some(0.0);
        }
        let j = self.estimate_similarity(earlier);
        Some((j * (mine + theirs) / (1.0 + j) / theirs).clamp(0.0, 1.0))
    }

    /// LSH band keys: element `i` is the key of band `i` (store as `(band i16, key i64)` rows or
    /// just `key`, since the band number is mixed into the key). Empty for an empty text, so
    /// boilerplate-only appeals do not all collide.
    #[must_use]
    pub fn band_keys(&self, params: &SignatureParams) -> Vec<u64> {
        let (b, r) = (usize::from(params.bands), usize::from(params.rows));
        if self.empty || b * r > self.mins.len() {
            return Vec::new();
        }
        (0..b)
            .map(|band| {
                let seed = fmix64(BAND_SEED ^ band as u64);
                self.mins[band * r..(band + 1) * r]
                    .iter()
                    .fold(seed, |acc, &v| combine(acc, u64::from(v)))
            })
            .collect()
    }

    /// Compact bytes: `[version u8][K u16 LE][empty u8][set size u32 LE][K × u32 LE]` — 520
    /// bytes for `K = 128` (version 1, still read, has no set size: 516 bytes).
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 4 * self.mins.len());
        // K comes from a u16 parameter, so the conversion cannot fail in practice.
        let k = u16::try_from(self.mins.len()).unwrap_or(u16::MAX);
        match self.set_size {
            Some(size) => {
                out.push(SIGNATURE_FORMAT_VERSION);
                out.extend_from_slice(&k.to_le_bytes());
                out.push(u8::from(self.empty));
                out.extend_from_slice(&size.to_le_bytes());
            }
            None => {
                out.push(SIGNATURE_FORMAT_V1);
                out.extend_from_slice(&k.to_le_bytes());
                out.push(u8::from(self.empty));
            }
        }
        for v in &self.mins[..usize::from(k)] {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    /// Parses [`Signature::to_bytes`] output.
    ///
    /// # Errors
    /// [`DomainError::Invalid`] on a wrong version, a wrong length or a bad flag.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, DomainError> {
        let bad = |reason: &str| DomainError::invalid("/signature", reason);
        let [version, k0, k1, empty, rest @ ..] = bytes else {
            return Err(bad("too short"));
        };
        let (set_size, rest) = match (*version, rest) {
            (SIGNATURE_FORMAT_V1, rest) => (None, rest),
            (SIGNATURE_FORMAT_VERSION, [s0, s1, s2, s3, rest @ ..]) => {
                (Some(u32::from_le_bytes([*s0, *s1, *s2, *s3])), rest)
            }
            (SIGNATURE_FORMAT_VERSION, _) => return Err(bad("too short")),
            _ => return Err(bad("unsupported signature format version")),
        };
        let k = usize::from(u16::from_le_bytes([*k0, *k1]));
        if rest.len() != 4 * k {
            return Err(bad("length does not match K"));
        }
        let empty = match empty {
            0 => false,
            1 => true,
            _ => return Err(bad("bad empty flag")),
        };
        let mins = rest
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Ok(Self {
            mins,
            empty,
            set_size,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_signature_roundtrips_and_estimates() -> Result<(), DomainError> {
        let h = MinHasher::new(SignatureParams::default())?;
        let a: Vec<u64> = (0..200u64).map(fmix64).collect();
        let b: Vec<u64> = (100..300u64).map(fmix64).collect(); // J = 100/300
        let (sa, sb) = (h.sign(&a), h.sign(&b));
        assert_eq!(Signature::from_bytes(&sa.to_bytes())?, sa);
        assert_eq!(sa.to_bytes().len(), 520);
        // Version 1 (no set size) is still read and compares with version 2.
        let mut v1 = sa.to_bytes();
        v1.drain(4..8);
        v1[0] = SIGNATURE_FORMAT_V1;
        let old = Signature::from_bytes(&v1)?;
        assert_eq!(old.values(), sa.values());
        assert!((old.estimate_similarity(&sb) - sa.estimate_similarity(&sb)).abs() < f64::EPSILON);
        assert_eq!(sb.estimate_containment(&old), None);
        assert_eq!(old.to_bytes(), v1);
        let est = sa.estimate_similarity(&sb);
        assert!((est - 1.0 / 3.0).abs() < 0.15, "estimate {est}");
        assert!((sa.estimate_similarity(&sa) - 1.0).abs() < f64::EPSILON);
        assert_eq!(sa.band_keys(&h.params()).len(), 16);
        assert!(Signature::from_bytes(&[9, 0, 0, 0]).is_err());
        assert!(
            MinHasher::new(SignatureParams {
                num_hashes: 8,
                bands: 4,
                rows: 4
            })
            .is_err()
        );
        Ok(())
    }

    #[test]
    fn dedup_containment_is_estimated_from_resemblance_and_set_sizes() -> Result<(), DomainError> {
        let h = MinHasher::new(SignatureParams::default())?;
        // The earlier text (400 shingles) is wholly repeated in a new one that adds 200 more:
        // J = 400/600, containment 1; the other way round it is 400/600.
        let earlier: Vec<u64> = (0..400u64).map(fmix64).collect();
        let new: Vec<u64> = (0..600u64).map(fmix64).collect();
        let (se, sn) = (h.sign(&earlier), h.sign(&new));
        let whole = sn.estimate_containment(&se).unwrap_or_default();
        assert!(whole > 0.85, "containment of the earlier text {whole}");
        let part = se.estimate_containment(&sn).unwrap_or_default();
        assert!(
            (part - 2.0 / 3.0).abs() < 0.15,
            "containment of the new text {part}"
        );
        let unrelated: Vec<u64> = (1_000..1_400u64).map(fmix64).collect();
        let far = h.sign(&unrelated).estimate_containment(&se).unwrap_or(1.0);
        assert!(far < 0.1, "unrelated {far}");
        let parsed = Signature::from_bytes(&sn.to_bytes())?;
        assert_eq!(
            parsed.estimate_containment(&se),
            sn.estimate_containment(&se)
        );
        Ok(())
    }

    #[test]
    fn dedup_s_curve_matches_docs() {
        let p = SignatureParams::default();
        for (j, documented) in [
            (0.2, 0.12),
            (0.3, 0.36),
            (0.4, 0.65),
            (0.5, 0.88),
            (0.6, 0.98),
        ] {
            let got = p.candidate_probability(j);
            assert!((got - documented).abs() < 0.01, "P({j}) = {got}");
        }
        // The former default, which databases indexed before the `dedup_banding` setting keep.
        let former = p.with_banding("32x4").unwrap_or(p);
        assert!((former.candidate_probability(0.5) - 0.87).abs() < 0.01);
        assert!((former.candidate_probability(0.2) - 0.05).abs() < 0.01);
        // From J = 0.3 to 0.5 the default finds at least what the former did; above, both ≥ 0.98.
        for j in [0.3, 0.4, 0.5] {
            assert!(p.candidate_probability(j) >= former.candidate_probability(j));
        }
        for j in [0.6, 0.7, 0.8, 0.9] {
            assert!(p.candidate_probability(j) >= 0.979, "P({j})");
            assert!(former.candidate_probability(j) >= 0.979, "former P({j})");
        }
    }

    #[test]
    fn dedup_banding_codes_roundtrip_and_are_validated() -> Result<(), DomainError> {
        let p = SignatureParams::default();
        assert_eq!(p.banding(), "16x3");
        let former = p.with_banding("32x4")?;
        assert_eq!((former.bands, former.rows, former.num_hashes), (32, 4, 128));
        assert_eq!(former.banding(), "32x4");
        for bad in [
            "", "16", "x3", "16x", "0x3", "16x0", "33x4", "16 x 3", "-1x3",
        ] {
            assert!(p.with_banding(bad).is_err(), "{bad:?} accepted");
        }
        Ok(())
    }
}
