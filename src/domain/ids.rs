//! Resource ids that look like the real ones (`i-bp1…`, `d-2ze…`), from a seedable generator.

/// Characters of the random part of an id.
const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A small deterministic generator (SplitMix64): the same seed gives the same id sequence.
#[derive(Debug, Clone)]
pub struct IdGen {
    state: u64,
}

impl IdGen {
    /// A generator with this seed, or a random one.
    pub fn new(seed: Option<u64>) -> Self {
        let state = seed.unwrap_or_else(|| {
            let (hi, lo) = uuid::Uuid::new_v4().as_u64_pair();
            hi ^ lo
        });
        Self { state }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `len` random characters of [0-9a-z].
    pub fn random_part(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| {
                let i = usize::try_from(self.next_u64() % ALPHABET.len() as u64).unwrap_or(0);
                char::from(ALPHABET[i])
            })
            .collect()
    }

    /// `<kind>-<region prefix><random>`, 20 characters after the dash, like real ECS ids.
    pub fn resource(&mut self, kind: &str, region_prefix: &str) -> String {
        let rest = 20usize.saturating_sub(region_prefix.len());
        format!("{kind}-{region_prefix}{}", self.random_part(rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids() {
        let (mut a, mut b) = (IdGen::new(Some(7)), IdGen::new(Some(7)));
        let id = a.resource("i", "bp1");
        assert_eq!(id, b.resource("i", "bp1"));
        assert_eq!(id.len(), 22);
        assert!(id.starts_with("i-bp1"));
        assert_ne!(a.resource("i", "bp1"), id);
    }
}
