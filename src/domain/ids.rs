//! Id generation: a seedable generator in the world's state, and the naming style each dialect
//! passes in so that new resources get ids (and derived names) in that dialect's format.

use serde::{Deserialize, Serialize};

use super::catalog::{Region, Zone};
use super::error::Kind;

/// A small deterministic generator (SplitMix64): the same seed gives the same sequence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
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

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `len` random characters of `alphabet`.
    pub fn random_part(&mut self, alphabet: &[u8], len: usize) -> String {
        let n = alphabet.len().max(1) as u64;
        (0..len)
            .map(|_| {
                let i = usize::try_from(self.next_u64() % n).unwrap_or(0);
                char::from(alphabet.get(i).copied().unwrap_or(b'0'))
            })
            .collect()
    }
}

/// How a dialect spells what the cloud names on its own: resource ids, and the defaults derived
/// from an instance's id. Ids are drawn from the world's generator, so a seed fixes them.
pub trait Naming: Send + Sync {
    /// The style's name, by which a journal replays calls in the same style.
    fn name(&self) -> &'static str;
    /// A new id for a resource of `kind` created in `region`.
    fn id(&self, kind: Kind, region: &Region, ids: &mut IdGen) -> String;
    /// An instance's host name when none is asked for.
    fn host_name(&self, instance_id: &str) -> String;
    /// An instance's network (VPC id, vSwitch id) when none is asked for.
    fn network(&self, instance_id: &str, region: &Region, zone: &Zone) -> (String, String);
    /// The device name of the `index`-th disk attached to an instance (0 = system disk).
    fn device(&self, index: usize) -> String;
    /// The zone a vSwitch id places an instance in, or `None` when the id cannot be in `region`.
    fn vswitch_zone<'r>(&self, vswitch_id: &str, region: &'r Region) -> Option<&'r Zone>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence() {
        let (mut a, mut b) = (IdGen::new(Some(7)), IdGen::new(Some(7)));
        let id = a.random_part(b"abc", 20);
        assert_eq!(id, b.random_part(b"abc", 20));
        assert_eq!(id.len(), 20);
        assert_ne!(a.random_part(b"abc", 20), id);
    }
}
