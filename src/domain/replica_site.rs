//! Where replication happens: a region and zone, which side of a pair or group a region is, and
//! from which region each operation may be called.

use serde::{Deserialize, Serialize};

use super::replica_index::Site;
use super::{Denial, Error, Result};

/// A region and zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    /// Region id.
    pub region_id: String,
    /// Zone id.
    pub zone_id: String,
}

/// Where an operation must be called from, relative to the resource's regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallSite {
    /// Either region (Describe, Start, Stop, Modify, group membership).
    Either,
    /// The current destination (DR) region: Failover, Reprotect.
    Destination,
    /// The original primary region: Delete.
    Primary,
}

/// Checks that `region` may run an operation on a resource replicating `source` → `destination`
/// whose original primary region is `primary`. A region that is neither side does not see the
/// resource at all (NotFound).
///
/// # Errors
/// NotFound, `NotAllowedForPrimary`, `NotAllowedForStandby`.
pub fn check_site(
    region: &str,
    (source, destination, primary): (&str, &str, &str),
    rule: CallSite,
    not_found: impl FnOnce() -> Error,
) -> Result<()> {
    if region != source && region != destination {
        return Err(not_found());
    }
    match rule {
        CallSite::Either => Ok(()),
        CallSite::Destination if region == destination => Ok(()),
        CallSite::Destination => Err(Error::Denied(Denial::NotAllowedForPrimary)),
        CallSite::Primary if region == primary => Ok(()),
        CallSite::Primary => Err(Error::Denied(Denial::NotAllowedForStandby)),
    }
}

/// The side `region` is on, preferring production when both disks share a region.
pub fn site_of(region: &str, source: &str) -> Site {
    if region == source {
        Site::Production
    } else {
        Site::Backup
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Kind;

    #[test]
    fn call_sites() {
        let nf = || Error::not_found(Kind::ReplicaPair, "p");
        let dirs = ("cn-hangzhou", "cn-shanghai", "cn-hangzhou");
        assert!(check_site("cn-hangzhou", dirs, CallSite::Either, nf).is_ok());
        assert!(check_site("cn-shanghai", dirs, CallSite::Either, nf).is_ok());
        assert_eq!(
            check_site("cn-beijing", dirs, CallSite::Either, nf),
            Err(nf())
        );
        assert_eq!(
            check_site("cn-hangzhou", dirs, CallSite::Destination, nf),
            Err(Error::Denied(Denial::NotAllowedForPrimary))
        );
        assert!(check_site("cn-shanghai", dirs, CallSite::Destination, nf).is_ok());
        assert_eq!(
            check_site("cn-shanghai", dirs, CallSite::Primary, nf),
            Err(Error::Denied(Denial::NotAllowedForStandby))
        );
        // Both disks in one region (cross-zone): every rule passes there.
        let same = ("cn-hangzhou", "cn-hangzhou", "cn-hangzhou");
        for rule in [CallSite::Either, CallSite::Destination, CallSite::Primary] {
            assert!(check_site("cn-hangzhou", same, rule, nf).is_ok());
        }
    }
}
