//! Open Telekom Cloud's spelling of the domain: volume, pair and group statuses (a domain
//! status becomes OTC's `status` plus `replication_status`), `failure_detail` codes, the
//! timestamp format, UUID ids, and the one mapping from a domain error to an OTC error, keyed
//! by (operation, error).

use crate::domain::catalog::{Region, Zone};
use crate::domain::disk::DiskStatus;
use crate::domain::ids::IdGen;
use crate::domain::replica_pair::StatusCause;
use crate::domain::replica_sync::ReplicaStatus as S;
use crate::domain::{self, Denial, Field, Kind, Naming, Op};

use super::error::OtcError;
use crate::engine::Fault;

/// This dialect's tag on the catalog's regions and disk categories.
pub const DIALECT: &str = "otc";

/// The only replication model offered.
pub const HYPERMETRO: &str = "hypermetro";

/// The volume type of a volume created without one.
pub const DEFAULT_VOLUME_TYPE: &str = "SAS";

/// A volume's `status`.
pub fn volume_status(s: DiskStatus) -> &'static str {
    match s {
        DiskStatus::Creating => "creating",
        DiskStatus::Available => "available",
        DiskStatus::Attaching => "attaching",
        DiskStatus::InUse => "in-use",
        DiskStatus::Detaching => "detaching",
    }
}

/// A volume status by its wire name.
pub fn parse_volume_status(s: &str) -> Option<DiskStatus> {
    DiskStatus::ALL.into_iter().find(|d| volume_status(*d) == s)
}

/// A pair's `status` (its lifecycle; data replication is `replication_status`).
pub fn pair_status(s: S) -> &'static str {
    match s {
        S::Creating => "creating",
        S::CreateFailed | S::Invalid | S::StopFailed | S::FailoverFailed | S::ReprotectFailed => {
            "error"
        }
        S::Deleting | S::Deleted => "deleting",
        S::DeleteFailed => "error_deleting",
        _ => "available",
    }
}

/// A group's `status`.
pub fn group_status(s: S) -> &'static str {
    match s {
        S::Creating => "creating",
        S::CreateFailed | S::Invalid | S::StopFailed | S::ReprotectFailed => "error",
        S::Deleting | S::Deleted => "deleting",
        S::DeleteFailed => "error_deleting",
        S::Updating => "updating",
        S::Reversing => "reversing",
        S::Failovering => "failovering",
        S::Failovered => "failovered",
        S::FailoverFailed => "error_failovering",
        _ => "available",
    }
}

/// `replication_status` of a pair or group: `active` in sync, `copying` while data moves,
/// `active-stopped` paused after a copy, `inactive` before the first one, `error` when broken.
pub fn replication_status(s: S, has_point: bool) -> &'static str {
    match s {
        S::InitialSyncing | S::Syncing | S::ManualSyncing | S::Reprotecting => "copying",
        S::Normal | S::Reversing => "active",
        S::Stopping | S::Stopped | S::Failovering | S::Failovered | S::Updating if has_point => {
            "active-stopped"
        }
        S::CreateFailed
        | S::Invalid
        | S::StopFailed
        | S::FailoverFailed
        | S::ReprotectFailed
        | S::DeleteFailed => "error",
        _ => "inactive",
    }
}

/// The documented values of a status filter, each with the domain statuses it stands for.
pub fn statuses_named(name: &str, spell: fn(S) -> &'static str) -> Option<Vec<S>> {
    let all: Vec<S> = S::ALL.into_iter().filter(|s| spell(*s) == name).collect();
    (!all.is_empty()).then_some(all)
}

/// `failure_detail`: the documented code of why a pair broke or failed to be created.
pub fn failure_detail(c: StatusCause) -> &'static str {
    match c {
        StatusCause::SizeMismatch | StatusCause::DeviceSizeChanged => "37100041",
        StatusCause::SourceDiskMissing | StatusCause::DeviceRemoved => "37100048",
        StatusCause::DestinationDiskMissing => "37100050",
        StatusCause::SourceDiskPaired => "37100053",
        StatusCause::DestinationDiskPaired => "37100054",
        StatusCause::DestinationDiskAttached => "37100058",
    }
}

/// A time as EVS writes it: UTC, microseconds, no zone (`2017-09-28T05:08:32.839953`).
pub fn timestamp(ms: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)) else {
        return String::new();
    };
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        ms.rem_euclid(1000) * 1000
    )
}

/// A time as Keystone writes it (`2024-05-01T10:00:00.000000Z`).
pub fn keystone_time(ms: i64) -> String {
    format!("{}Z", timestamp(ms))
}

/// A `changes-since` value: `2017-09-28T05:08:32[.fraction][Z|+00:00]`, as milliseconds.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix("+00:00"))
        .unwrap_or(s);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
    );
    let t = time::PrimitiveDateTime::parse(s, format).ok()?.assume_utc();
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// UUIDs (version 4 form) drawn from the world's generator, so `--seed` fixes them.
#[derive(Debug, Clone, Copy)]
pub struct OtcNaming;

impl Naming for OtcNaming {
    fn name(&self) -> &'static str {
        "otc"
    }

    fn id(&self, _kind: Kind, _region: &Region, ids: &mut IdGen) -> String {
        let (hi, lo) = (ids.next_u64(), ids.next_u64());
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&hi.to_be_bytes());
        bytes[8..].copy_from_slice(&lo.to_be_bytes());
        uuid::Builder::from_random_bytes(bytes)
            .into_uuid()
            .hyphenated()
            .to_string()
    }

    fn host_name(&self, instance_id: &str) -> String {
        format!("ecs-{}", instance_id.get(..8).unwrap_or(instance_id))
    }

    fn network(&self, instance_id: &str, _region: &Region, zone: &Zone) -> (String, String) {
        (format!("vpc-{instance_id}"), format!("subnet-{}", zone.id))
    }

    fn device(&self, index: usize) -> String {
        let letter = b'a' + u8::try_from(index % 26).unwrap_or(0);
        format!("/dev/sd{}", char::from(letter))
    }

    fn vswitch_zone<'r>(&self, _vswitch_id: &str, region: &'r Region) -> Option<&'r Zone> {
        region.zones.first()
    }
}

/// The only mapping from domain errors to the OTC wire.
/// The answer to a call an injected fault stops, in the EVS body shape.
pub fn from_fault(fault: Fault) -> OtcError {
    match fault {
        Fault::InternalError => OtcError::internal("injected fault"),
        Fault::Error(e) => {
            let status = e.http_status.unwrap_or(500);
            OtcError {
                status,
                fault: super::error::fault_name(status),
                code: std::borrow::Cow::Owned(e.code.unwrap_or_else(|| "EVS.5500".into())),
                message: std::borrow::Cow::Owned(
                    e.message.unwrap_or_else(|| {
                        "The request failed because of an injected fault.".into()
                    }),
                ),
                keystone: false,
                retry_after: e.retry_after,
                drop_connection: false,
            }
        }
        Fault::DropConnection => OtcError {
            drop_connection: true,
            ..OtcError::internal("injected dropped connection")
        },
    }
}

pub fn from_domain(err: domain::Error, op: Op) -> OtcError {
    use domain::Error as E;
    match err {
        E::NotFound { kind, id } => not_found(kind, &id, op),
        E::IncorrectStatus { kind, id, .. } => incorrect_status(kind, &id, op),
        E::Denied(d) => denial(d, op),
        E::InvalidField(Field::SourceZone) => OtcError::bad_request(
            "priority_station must be the availability zone of the production volume.",
        ),
        E::InvalidField(f) => OtcError::bad_request(format!("Invalid {f:?}.")),
        E::IdempotentParameterMismatch | E::DryRun => OtcError::internal(format!("{err:?}")),
        E::Internal(what) => OtcError::internal(what),
    }
}

fn not_found(kind: Kind, id: &str, op: Op) -> OtcError {
    match kind {
        Kind::Disk => OtcError::not_found(format!("Volume {id} could not be found.")),
        Kind::ReplicaPair if op == Op::CreateGroup || op == Op::UpdateGroup => {
            OtcError::bad_request(format!("Replication {id} could not be found."))
        }
        Kind::ReplicaPair => OtcError::not_found(format!("Replication {id} could not be found.")),
        Kind::ReplicaGroup => OtcError::not_found(format!(
            "Replication consistency group {id} could not be found."
        )),
        Kind::Zone => {
            OtcError::bad_request_code("EVS.1036", format!("Availability zone {id} is invalid."))
        }
        _ => OtcError::not_found(format!("{kind:?} {id} could not be found.")),
    }
}

fn incorrect_status(kind: Kind, id: &str, op: Op) -> OtcError {
    match (kind, op) {
        (Kind::Disk, Op::DeleteDisk) => OtcError::bad_request_code(
            "EVS.1046",
            format!("Volume {id} must be available or error to be deleted."),
        ),
        (Kind::Disk, _) => OtcError::bad_request(format!(
            "Volume {id} is in a status that does not allow this operation."
        )),
        (Kind::ReplicaPair, _) => OtcError::bad_request(format!(
            "Replication {id} is in a status that does not allow this operation."
        )),
        _ => OtcError::bad_request(format!(
            "Replication consistency group {id} is in a status that does not allow this operation."
        )),
    }
}

fn denial(d: Denial, op: Op) -> OtcError {
    use Denial as D;
    let message = match d {
        D::DiskMismatch => {
            "The volumes must be of one replicable type and in two availability zones."
        }
        D::OperationDenied if op == Op::DeletePair => {
            "The replication belongs to a consistency group."
        }
        D::OperationDenied => "The operation is not allowed.",
        D::DiskStillAttached | D::DiskInUse => "The volume is attached.",
        D::DiskCategoryNotSupported => {
            return OtcError::bad_request_code("EVS.1020", "The volume type is not supported.")
        }
        D::SizeNotSupported => {
            "The size is not allowed: it must be larger than now and at most 32768 GB."
        }
        D::SnapshotNotFound => return OtcError::not_found("The snapshot could not be found."),
        D::SizeOrSnapshotMissing => "size is required.",
        D::StandbyDeviceAttached => "A DR volume is attached to a server that is not stopped.",
        D::GroupHasPair => "The group still has replications; remove them first.",
        D::NoPairInGroup => "The group has no replication.",
        D::PairGroupStatusConflict => "A replication is out of step with its group.",
        D::PairInAnotherGroup => "A replication already belongs to another group.",
        D::PairInitializing | D::PairStatusCannotAddToGroup => {
            "A replication must be available to join a group."
        }
        D::PairStatusCannotRemoveFromGroup => "A replication cannot leave the group in its status.",
        D::PairNotInGroup => "A replication does not belong to this group.",
        D::PairGroupZoneConflict => "A replication is not on the group's availability zones.",
        D::PairsExceedInGroup => "Too many replications in one group.",
        D::GroupTotalDiskCapacityLimit => "The group's volumes are too large in total.",
        D::TooMuchEmptyGroup | D::QuotaExceed | D::Quota(_) => return OtcError::over_quota(),
        D::GroupStatusCannotAddPair | D::GroupStatusCannotRemovePair => {
            "The group must be paused to change its replications."
        }
        _ => "The operation is not allowed.",
    };
    OtcError::bad_request(message)
}

/// The status an accepted call of `op` answers with: `202` for the asynchronous changes (creates,
/// deletes, extends, group updates), `200` for group actions and reads.
pub fn success_status(op: Op) -> u16 {
    match op {
        Op::CreateDisk
        | Op::DeleteDisk
        | Op::ExtendDisk
        | Op::CreatePair
        | Op::DeletePair
        | Op::CreateGroup
        | Op::DeleteGroup
        | Op::UpdateGroup => 202,
        _ => 200,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_look_like_the_examples() {
        assert_eq!(timestamp(1_506_575_312_839), "2017-09-28T05:08:32.839000");
        assert_eq!(
            parse_time("2017-09-28T05:08:32.839"),
            Some(1_506_575_312_839)
        );
        assert_eq!(parse_time("2017-09-28T05:08:32Z"), Some(1_506_575_312_000));
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn every_status_has_a_spelling_and_filters_round_trip() {
        for s in S::ALL {
            let p = statuses_named(pair_status(s), pair_status).unwrap();
            assert!(p.contains(&s));
            assert!(statuses_named(group_status(s), group_status).is_some());
        }
        assert_eq!(replication_status(S::Normal, true), "active");
        assert_eq!(replication_status(S::Stopped, true), "active-stopped");
        assert_eq!(replication_status(S::Created, false), "inactive");
        assert!(statuses_named("sleeping", pair_status).is_none());
    }

    #[test]
    fn ids_are_uuids_fixed_by_the_seed() {
        let catalog = crate::domain::catalog::Catalog::builtin().unwrap();
        let r = catalog.region("eu-de").unwrap();
        let (mut a, mut b) = (IdGen::new(Some(3)), IdGen::new(Some(3)));
        let id = OtcNaming.id(Kind::ReplicaPair, r, &mut a);
        assert_eq!(id, OtcNaming.id(Kind::ReplicaPair, r, &mut b));
        assert!(uuid::Uuid::parse_str(&id).is_ok() && id.len() == 36, "{id}");
    }
}
