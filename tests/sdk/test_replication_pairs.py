"""Disk replica pairs through EBS 2021-07-30 and the ECS 2014-05-26 dialect: workflow, errors, idempotence, listing."""

import uuid

import pytest

import replication_helpers as rh
import sdk_clients as sc
from replication_helpers import DST_REGION, DST_ZONE, OTHER_REGION, SRC_REGION, SRC_ZONE
from sdk_clients import assert_error, expect_error

UNKNOWN_PAIR = "pair-cn-doesnotexist00"
UNKNOWN_DISK = "d-bp1doesnotexist000001"


def no_point(row: dict) -> bool:
    """LastRecoverPoint is absent (or null) until a copy completed (alibaba-api.md §4.3, Terraform waits on it)."""
    return row.get("LastRecoverPoint") is None


# -- the whole life of a pair, on the realistic timeline ---------------------------------------


def test_pair_workflow(realistic, replica_kind):
    api = rh.replica_api(replica_kind, realistic)
    ecs_dst = api.ecs(DST_REGION)
    src, dst = rh.disk_pair(api)
    instance = rh.new_instance(api, DST_REGION, DST_ZONE)
    realistic.advance(max(rh.DISK_CREATING, rh.INSTANCE_BOOT))

    # create: creating -> created
    pid = api.create_pair(src, dst, Description="workflow pair")
    assert api.pair_status(pid) == "creating"
    realistic.advance(rh.REPLICA_SHORT - 1)
    assert api.pair_status(pid) == "creating"
    realistic.advance(1)
    p = api.pair(pid)
    assert p["Status"] == "created"
    assert no_point(p)
    assert (p["SourceRegion"], p["SourceZoneId"], p["SourceDiskId"]) == (SRC_REGION, SRC_ZONE, src)
    assert (p["DestinationRegion"], p["DestinationZoneId"], p["DestinationDiskId"]) == (DST_REGION, DST_ZONE, dst)
    assert (p["PairName"], p["Description"], p["RPO"]) == ("pair-one", "workflow pair", 900)
    # the destination region sees the same pair (either disk's region, §3.5)
    assert api.pair_status(pid, region=DST_REGION) == "created"

    # the secondary disk stays detached while it is protected (§4.5)
    err = expect_error(lambda: ecs_dst.attach_disk(instance, dst))
    assert (err.status, err.code) == (403, "IncorrectDiskStatus"), err

    # start: initial_syncing (Progress moving, no recovery point yet) -> normal with LastRecoverPoint
    assert rh.maybe(api.progress(pid).get("RecoverPoint")) is None
    api.start_pair(pid)
    assert api.pair_status(pid) == "initial_syncing"
    assert api.progress(pid)["Progress"] == 0
    realistic.advance(rh.FULL_SYNC / 2)
    p = api.pair(pid)
    assert p["Status"] == "initial_syncing"
    assert no_point(p)
    assert 0 < api.progress(pid)["Progress"] < 100
    realistic.advance(rh.FULL_SYNC / 2)
    p = api.pair(pid)
    assert p["Status"] == "normal"
    first_point = p.get("LastRecoverPoint")
    assert rh.is_unix_seconds(first_point), p
    assert first_point >= p["CreateTime"]
    progress = api.progress(pid)
    assert progress["Progress"] == 100
    assert progress["RecoverPoint"] == first_point

    # normal refuses Start and Modify
    assert_error(expect_error(lambda: api.start_pair(pid)), *rh.INVALID_STATUS)
    assert_error(expect_error(lambda: api.modify_pair(pid, PairName="renamed")), *rh.INVALID_STATUS)

    # the next RPO cycle: syncing, then normal with a later recovery point
    realistic.advance(rh.RPO_CYCLE)
    assert api.pair_status(pid) == "syncing"
    realistic.advance(rh.INCREMENTAL_SYNC)
    p = api.pair(pid)
    assert p["Status"] == "normal"
    second_point = p["LastRecoverPoint"]
    assert second_point > first_point

    # stop: stopping -> stopped, the recovery point stays
    api.stop_pair(pid, region=DST_REGION)  # Stop may be called on either side
    assert api.pair_status(pid) == "stopping"
    realistic.advance(rh.REPLICA_SHORT)
    p = api.pair(pid)
    assert (p["Status"], p["LastRecoverPoint"]) == ("stopped", second_point)

    # failover: only on the DR site
    assert_error(expect_error(lambda: api.failover_pair(pid, region=SRC_REGION)), *rh.NOT_FOR_PRIMARY)
    api.failover_pair(pid, region=DST_REGION)
    assert api.pair_status(pid, region=DST_REGION) == "failovering"
    realistic.advance(rh.REPLICA_SWITCH)
    assert api.pair_status(pid, region=DST_REGION) == "failovered"

    # the secondary disk is now usable: ECS AttachDisk takes it
    ecs_dst.attach_disk(instance, dst)
    realistic.advance(rh.DISK_ATTACHING)
    d = sc.disk_of(ecs_dst, dst)
    assert (d["Status"], d["InstanceId"]) == ("In_use", instance)

    # reprotect: on the DR site; reprotecting -> stopped with the direction reversed
    assert_error(expect_error(lambda: api.reprotect_pair(pid, region=SRC_REGION)), *rh.NOT_FOR_PRIMARY)
    api.reprotect_pair(pid, region=DST_REGION)
    assert api.pair_status(pid, region=DST_REGION) == "reprotecting"
    realistic.advance(rh.REPLICA_SWITCH)
    p = api.pair(pid, region=DST_REGION)
    assert p["Status"] == "stopped"
    assert (p["SourceRegion"], p["SourceZoneId"], p["SourceDiskId"]) == (DST_REGION, DST_ZONE, dst)
    assert (p["DestinationRegion"], p["DestinationZoneId"], p["DestinationDiskId"]) == (SRC_REGION, SRC_ZONE, src)
    assert (p["PrimaryRegion"], p["PrimaryZone"]) == (SRC_REGION, SRC_ZONE)
    assert (p["StandbyRegion"], p["StandbyZone"]) == (DST_REGION, DST_ZONE)
    assert p["Site"] == "production"  # the DR region replicates from now on

    # start again (replicating back), then stop
    api.start_pair(pid, region=DST_REGION)
    assert api.pair_status(pid, region=DST_REGION) in ("initial_syncing", "syncing")
    realistic.advance(rh.FULL_SYNC)
    p = api.pair(pid, region=DST_REGION)
    assert p["Status"] == "normal"
    assert rh.is_unix_seconds(p.get("LastRecoverPoint")), p
    api.stop_pair(pid, region=DST_REGION)
    realistic.advance(rh.REPLICA_SHORT)
    assert api.pair_status(pid) == "stopped"

    # delete: in the primary's region only; deleting -> gone (an empty list, not an error)
    assert_error(expect_error(lambda: api.delete_pair(pid, region=DST_REGION)), *rh.NOT_FOR_STANDBY)
    api.delete_pair(pid, region=SRC_REGION)
    assert api.pair_status(pid) == "deleting"
    realistic.advance(rh.REPLICA_SHORT)
    for region in (SRC_REGION, DST_REGION):
        body = api.describe_pairs(region, PairIds=pid)
        assert body["ReplicaPairs"] == [] and body["TotalCount"] == 0, body
    assert_error(expect_error(lambda: api.start_pair(pid)), *rh.NO_SUCH_RESOURCE)
    # both disks are kept
    assert sc.disk_of(api.ecs(SRC_REGION), src)["Status"] == "Available"
    assert sc.disk_of(ecs_dst, dst)["Status"] == "In_use"


def test_one_shot_sync(realistic, replica_kind):
    api = rh.replica_api(replica_kind, realistic)
    src, dst = rh.disk_pair(api)
    realistic.advance(rh.DISK_CREATING)
    pid = api.create_pair(src, dst)
    realistic.advance(rh.REPLICA_SHORT)

    api.start_pair(pid, OneShot=True)
    assert api.pair_status(pid) == "manual_syncing"
    assert_error(expect_error(lambda: api.start_pair(pid, OneShot=True)), *rh.INVALID_STATUS)
    realistic.advance(rh.FULL_SYNC / 2)
    assert 0 < api.progress(pid)["Progress"] < 100
    realistic.advance(rh.FULL_SYNC / 2)
    p = api.pair(pid)
    assert p["Status"] == "stopped"  # a one-shot copy returns to stopped (§4.3)
    assert rh.is_unix_seconds(p.get("LastRecoverPoint")), p
    # continuous replication may follow
    api.start_pair(pid)
    assert api.pair_status(pid) in ("initial_syncing", "syncing")


def test_one_shot_too_frequent(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    api.start_pair(pid, OneShot=True)  # instant timing: the copy is already done
    assert api.pair_status(pid) == "stopped"
    # a second one-shot within half an RPO cycle (§4.4) is refused (§4.3, §7)
    assert_error(expect_error(lambda: api.start_pair(pid, OneShot=True)),
                 403, "OperationDenied.ManualSyncLimit",
                 "One shot start manual syncing too frequently, please try again later.")
    assert api.pair_status(pid) == "stopped"


def test_stop_during_a_cycle_keeps_the_last_recovery_point(realistic, replica_kind):
    """§4.3 Stop: the copy in flight is discarded; the secondary keeps the last completed recovery point."""
    api = rh.replica_api(replica_kind, realistic)
    src, dst = rh.disk_pair(api)
    realistic.advance(rh.DISK_CREATING)
    pid = api.create_pair(src, dst)
    realistic.advance(rh.REPLICA_SHORT)
    api.start_pair(pid)
    realistic.advance(rh.FULL_SYNC)
    point = api.pair(pid)["LastRecoverPoint"]
    realistic.advance(rh.RPO_CYCLE)
    assert api.pair_status(pid) == "syncing"
    api.stop_pair(pid)
    realistic.advance(rh.REPLICA_SHORT)
    p = api.pair(pid)
    assert (p["Status"], p["LastRecoverPoint"]) == ("stopped", point)
    # resuming later: replication runs again and the recovery point moves on
    api.start_pair(pid)
    realistic.advance(rh.FULL_SYNC)
    p = api.pair(pid)
    assert p["Status"] == "normal" and p["LastRecoverPoint"] > point


def test_stop_during_the_initial_sync(realistic, replica_kind):
    """§4.3: Stop is allowed from initial_syncing; with no completed copy there is no recovery point."""
    api = rh.replica_api(replica_kind, realistic)
    src, dst = rh.disk_pair(api)
    realistic.advance(rh.DISK_CREATING)
    pid = api.create_pair(src, dst)
    realistic.advance(rh.REPLICA_SHORT)
    api.start_pair(pid)
    realistic.advance(rh.FULL_SYNC / 2)
    api.stop_pair(pid)
    assert api.pair_status(pid) == "stopping"
    realistic.advance(rh.FULL_SYNC)
    p = api.pair(pid)
    assert p["Status"] == "stopped" and no_point(p), p
    api.start_pair(pid)
    assert api.pair_status(pid) == "initial_syncing"  # the full copy starts over


def test_create_with_a_disk_still_creating(realistic, replica_kind):
    api = rh.replica_api(replica_kind, realistic)
    src, dst = rh.disk_pair(api)  # both Creating for a moment
    err = expect_error(lambda: api.create_pair(src, dst))
    if api.dialect == "ebs":
        assert_error(err, *rh.INVALID_STATUS)
    else:
        # seed 001: "Make sure that the disk is available"
        assert_error(err, 403, "IncorrectDiskStatus", "The operation is not supported in this status.")
    realistic.advance(rh.DISK_CREATING)
    pid = api.create_pair(src, dst)
    realistic.advance(rh.REPLICA_SHORT)
    assert api.pair_status(pid) == "created"


# -- errors ------------------------------------------------------------------------------------


PAIR_OPS = {
    "start": lambda api, pid: api.start_pair(pid),
    "stop": lambda api, pid: api.stop_pair(pid),
    "modify": lambda api, pid: api.modify_pair(pid, PairName="renamed"),
    "failover": lambda api, pid: api.failover_pair(pid),
    "reprotect": lambda api, pid: api.reprotect_pair(pid),
    "delete": lambda api, pid: api.delete_pair(pid),
    "progress": lambda api, pid: api.progress(pid),
}


@pytest.mark.parametrize("op", sorted(PAIR_OPS))
def test_unknown_pair(seeded, replica_kind, op):
    api = rh.replica_api(replica_kind, seeded)
    assert_error(expect_error(lambda: PAIR_OPS[op](api, UNKNOWN_PAIR)), *rh.NO_SUCH_RESOURCE)


def test_unknown_pair_in_describe_is_an_empty_list(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    body = api.describe_pairs(PairIds=UNKNOWN_PAIR)
    assert (body["ReplicaPairs"], body["TotalCount"]) == ([], 0)
    assert rh.ids(api.pairs(PairIds=f"{pid},{UNKNOWN_PAIR}")) == [pid]


def test_pair_is_invisible_from_an_unrelated_region(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    assert api.pairs(OTHER_REGION) == []
    assert_error(expect_error(lambda: api.start_pair(pid, region=OTHER_REGION)), *rh.NO_SUCH_RESOURCE)
    assert api.pair_status(pid) == "created"


def test_wrong_status(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    # created: not running, not failed over, never started
    for op in ("stop", "reprotect", "delete"):
        assert_error(expect_error(lambda: PAIR_OPS[op](api, pid)), *rh.INVALID_STATUS)
    assert api.pair_status(pid) == "created"
    api.start_pair(pid)
    assert api.pair_status(pid) == "normal"
    for op in ("start", "modify", "reprotect", "delete"):
        assert_error(expect_error(lambda: PAIR_OPS[op](api, pid)), *rh.INVALID_STATUS)
    assert api.pair_status(pid) == "normal"
    api.stop_pair(pid)
    assert_error(expect_error(lambda: api.stop_pair(pid)), *rh.INVALID_STATUS)
    assert api.pair_status(pid) == "stopped"


def test_start_with_the_secondary_disk_attached(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    ecs_dst = api.ecs(DST_REGION)
    src, dst = rh.disk_pair(api)
    instance = rh.new_instance(api, DST_REGION, DST_ZONE)
    ecs_dst.attach_disk(instance, dst)
    pid = api.create_pair(src, dst)
    assert_error(expect_error(lambda: api.start_pair(pid)), *rh.STANDBY_ATTACHED)
    assert_error(expect_error(lambda: api.start_pair(pid, OneShot=True)), *rh.STANDBY_ATTACHED)
    assert api.pair_status(pid) == "created"
    ecs_dst.detach_disk(instance, dst)
    api.start_pair(pid)
    assert api.pair_status(pid) == "normal"


def test_wrong_region_for_failover_reprotect_delete(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    api.start_pair(pid)
    api.stop_pair(pid)
    # §3.5: Delete in the primary's region, Failover/Reprotect on the secondary (DR) site
    assert_error(expect_error(lambda: api.delete_pair(pid, region=DST_REGION)), *rh.NOT_FOR_STANDBY)
    assert_error(expect_error(lambda: api.failover_pair(pid, region=SRC_REGION)), *rh.NOT_FOR_PRIMARY)
    assert api.pair_status(pid) == "stopped"
    api.failover_pair(pid, region=DST_REGION)
    assert_error(expect_error(lambda: api.reprotect_pair(pid, region=SRC_REGION)), *rh.NOT_FOR_PRIMARY)
    assert api.pair_status(pid) == "failovered"
    # a failed-over pair may be deleted, from the primary's region
    api.delete_pair(pid, region=SRC_REGION)
    assert api.pairs(PairIds=pid) == []


def test_missing_replica_pair_id(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    for action in ("StartDiskReplicaPair", "StopDiskReplicaPair", "DeleteDiskReplicaPair",
                   "DescribeDiskReplicaPairProgress"):
        err = expect_error(lambda: api.call(action, RegionId=SRC_REGION))
        assert_error(err, *api.missing("ReplicaPairId"))
    assert api.pair_status(pid) == "created"


# The classic core SDK always fills RegionId from its client's region: only the Tea kinds can leave it out.
@pytest.mark.parametrize("kind", rh.TEA_KINDS)
def test_missing_region_id(seeded, kind):
    api = rh.replica_api(kind, seeded)
    pid, src, dst = rh.ready_pair(api)
    assert_error(expect_error(lambda: api.call("StartDiskReplicaPair", ReplicaPairId=pid)), *api.missing("RegionId"))
    assert_error(expect_error(lambda: api.call("DescribeDiskReplicaPairs")), *api.missing("RegionId"))
    other_src, other_dst = rh.disk_pair(api)
    err = expect_error(lambda: api.call("CreateDiskReplicaPair", SourceZoneId=SRC_ZONE, DiskId=other_src,
                                        DestinationRegionId=DST_REGION, DestinationZoneId=DST_ZONE,
                                        DestinationDiskId=other_dst, PairName="no-region"))
    assert_error(err, *api.missing("RegionId"))
    assert rh.ids(api.pairs()) == [pid]
    assert api.pair_status(pid) == "created"


def test_unknown_region(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    for call in (lambda: api.start_pair(pid, region="xx-nowhere-1"),
                 lambda: api.describe_pairs("xx-nowhere-1")):
        err = expect_error(call)
        if api.dialect == "ecs":
            # seed 000
            assert_error(err, 400, "InvalidRegionId.MalFormed", "The specified parameter RegionId is not valid.")
        else:
            assert_error(err, 400, "InvalidParameter", "The parameter RegionId is invalid.")  # §7 wording
    assert api.pair_status(pid) == "created"


def test_modify_rejects_an_rpo_other_than_900(seeded, replica_kind):
    """§4.5: RPO accepts only 900."""
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    err = expect_error(lambda: api.modify_pair(pid, RPO=600))
    if api.dialect == "ebs":
        assert_error(err, 400, "InvalidParameter", "The parameter RPO is invalid.")
    else:
        assert (err.status, err.code) == (400, "InvalidParameter"), err
    assert api.pair(pid)["RPO"] == 900


@pytest.mark.parametrize("missing", ["DiskId", "DestinationRegionId", "DestinationDiskId"])
def test_missing_parameter_on_create(seeded, replica_kind, missing):
    api = rh.replica_api(replica_kind, seeded)
    src, dst = rh.disk_pair(api)
    params = dict(RegionId=SRC_REGION, SourceZoneId=SRC_ZONE, DiskId=src, DestinationRegionId=DST_REGION,
                  DestinationZoneId=DST_ZONE, DestinationDiskId=dst, PairName="pair-one")
    del params[missing]
    assert_error(expect_error(lambda: api.call("CreateDiskReplicaPair", **params)), *api.missing(missing))
    assert api.pairs() == []


def test_pair_name_and_zones_by_dialect(seeded, replica_kind):
    """The seed's ECS CreateDiskReplicaPair requires PairName and names no zones; EBS requires both zones."""
    api = rh.replica_api(replica_kind, seeded)
    src, dst = rh.disk_pair(api)
    base = dict(RegionId=SRC_REGION, DiskId=src, DestinationRegionId=DST_REGION, DestinationDiskId=dst)
    if api.dialect == "ecs":
        assert_error(expect_error(lambda: api.call("CreateDiskReplicaPair", **base)), *rh.incomplete("PairName"))
        pid = api.call("CreateDiskReplicaPair", PairName="seed-style", **base)["PairId"]
        p = api.pair(pid)
        assert (p["SourceZoneId"], p["DestinationZoneId"]) == (SRC_ZONE, DST_ZONE)
    else:
        err = expect_error(lambda: api.call("CreateDiskReplicaPair", DestinationZoneId=DST_ZONE, **base))
        assert_error(err, *api.missing("SourceZoneId"))
        pid = api.call("CreateDiskReplicaPair", SourceZoneId=SRC_ZONE, DestinationZoneId=DST_ZONE,
                       **base)["ReplicaPairId"]
        assert api.pair(pid)["Status"] == "created"


def create_error(api, src, dst, **kw):
    return expect_error(lambda: api.create_pair(src, dst, **kw))


def test_create_with_mismatched_disks(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    src = rh.new_disk(api, SRC_REGION, SRC_ZONE, size=40)
    bigger = rh.new_disk(api, DST_REGION, DST_ZONE, size=80)
    other_category = rh.new_disk(api, DST_REGION, DST_ZONE, size=40, category="cloud_ssd")
    for dst in (bigger, other_category):
        err = create_error(api, src, dst)
        if api.dialect == "ebs":
            # §5 CreateDiskReplicaPair: mismatched disks -> OperationDenied (code unconfirmed, 403)
            assert_error(err, *rh.OPERATION_DENIED)
        else:
            # seed 001: the ECS dialect's disk-condition error is 403 IncorrectDiskStatus
            assert (err.status, err.code) == (403, "IncorrectDiskStatus"), err
    assert api.pairs() == []


def test_create_with_a_disk_already_paired(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, src, dst = rh.ready_pair(api)
    other_dst = rh.new_disk(api, DST_REGION, DST_ZONE)
    other_src = rh.new_disk(api, SRC_REGION, SRC_ZONE)
    for a, b in ((src, other_dst), (other_src, dst)):
        err = create_error(api, a, b)
        if api.dialect == "ebs":
            assert_error(err, *rh.OPERATION_DENIED)  # §4.5: one replica pair per disk
        else:
            # seed 001: the disk's state does not allow the operation
            assert_error(err, 403, "IncorrectDiskStatus", "The operation is not supported in this status.")
    assert rh.ids(api.pairs()) == [pid]


def test_create_with_an_unknown_disk(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    src, dst = rh.disk_pair(api)
    for a, b in ((UNKNOWN_DISK, dst), (src, UNKNOWN_DISK), (dst, src)):  # the last: each disk in the other region
        err = create_error(api, a, b)
        if api.dialect == "ebs":
            assert_error(err, *rh.NO_SUCH_RESOURCE)  # §5 CreateDiskReplicaPair
        else:
            assert_error(err, 404, "InvalidDiskId.NotFound", "The specified disk does not exist.")  # seed 001
    assert api.pairs() == []


def test_failover_from_any_live_status(seeded, replica_kind):
    """§4.3: Failover is allowed from anything except invalid and deleted, even a pair never started."""
    api = rh.replica_api(replica_kind, seeded)
    fresh, _, _ = rh.ready_pair(api)
    running, _, _ = rh.ready_pair(api)
    api.start_pair(running)
    for pid in (fresh, running):
        api.failover_pair(pid)
        assert api.pair_status(pid, region=DST_REGION) == "failovered"
        api.failover_pair(pid)  # failovered -> failovered again is allowed too
        assert api.pair_status(pid, region=DST_REGION) == "failovered"


def test_reprotect_without_reversing_cancels_the_failover(seeded, replica_kind):
    """§4.3 ReprotectDiskReplicaPair ReverseReplicate=false: the original direction, then stopped."""
    api = rh.replica_api(replica_kind, seeded)
    pid, src, dst = rh.ready_pair(api)
    api.start_pair(pid)
    api.failover_pair(pid)
    api.reprotect_pair(pid, ReverseReplicate=False)
    p = api.pair(pid)
    assert (p["Status"], p["SourceDiskId"], p["DestinationDiskId"], p["SourceRegion"]) == (
        "stopped", src, dst, SRC_REGION)
    api.start_pair(pid)
    assert api.pair_status(pid) == "normal"


def test_reprotect_needs_the_old_primary_detached(seeded, replica_kind):
    """§4.3/§8.2: Reprotect (reversing) needs the original primary disk detached; it becomes the standby."""
    api = rh.replica_api(replica_kind, seeded)
    ecs_src = api.ecs(SRC_REGION)
    pid, src, _ = rh.ready_pair(api)
    instance = rh.new_instance(api, SRC_REGION, SRC_ZONE)
    ecs_src.attach_disk(instance, src)  # the primary may be in use
    api.start_pair(pid)
    api.failover_pair(pid)
    err = expect_error(lambda: api.reprotect_pair(pid))
    assert (err.status, err.code) in (rh.STANDBY_ATTACHED[:2], rh.INVALID_STATUS[:2]), err
    assert api.pair_status(pid) == "failovered"
    ecs_src.detach_disk(instance, src)
    api.reprotect_pair(pid)
    p = api.pair(pid, region=DST_REGION)
    assert (p["Status"], p["DestinationDiskId"]) == ("stopped", src)


def test_secondary_disk_is_released_by_delete(seeded, replica_kind):
    """§4.5: while paired the secondary cannot be attached; the limit lifts after delete."""
    api = rh.replica_api(replica_kind, seeded)
    ecs_dst = api.ecs(DST_REGION)
    pid, _, dst = rh.ready_pair(api)
    instance = rh.new_instance(api, DST_REGION, DST_ZONE)
    err = expect_error(lambda: ecs_dst.attach_disk(instance, dst))
    assert (err.status, err.code) == (403, "IncorrectDiskStatus"), err
    api.start_pair(pid)
    api.stop_pair(pid)
    api.delete_pair(pid)
    ecs_dst.attach_disk(instance, dst)
    assert sc.disk_of(ecs_dst, dst)["InstanceId"] == instance


def test_deleting_a_disk_invalidates_its_pair(seeded, replica_kind):
    """§4.1/§4.3: a released disk breaks the pair (invalid, StatusMessage DeviceRemoved); it can then be deleted."""
    api = rh.replica_api(replica_kind, seeded)
    pid, src, _ = rh.ready_pair(api)
    api.ecs(SRC_REGION).delete_disk(src)
    p = api.pair(pid)
    assert (p["Status"], p["StatusMessage"]) == ("invalid", "DeviceRemoved")
    assert_error(expect_error(lambda: api.start_pair(pid)), *rh.INVALID_STATUS)
    api.delete_pair(pid)
    assert api.pairs(PairIds=pid) == []


def test_cross_zone_pair_in_one_region(seeded, replica_kind):
    """§4.5: a secondary in another zone of the same region is allowed."""
    api = rh.replica_api(replica_kind, seeded)
    src = rh.new_disk(api, SRC_REGION, SRC_ZONE)
    dst = rh.new_disk(api, SRC_REGION, "cn-hangzhou-i")
    pid = api.create_pair(src, dst, dst_region=SRC_REGION, dst_zone="cn-hangzhou-i")
    p = api.pair(pid)
    assert (p["DestinationRegion"], p["DestinationZoneId"], p["Status"]) == (SRC_REGION, "cn-hangzhou-i", "created")
    api.start_pair(pid)
    api.failover_pair(pid, region=SRC_REGION)
    assert api.pair_status(pid) == "failovered"


# -- ClientToken -------------------------------------------------------------------------------


def test_create_client_token(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    src, dst = rh.disk_pair(api)
    token = "pair-" + uuid.uuid4().hex
    first = api.create_pair(src, dst, ClientToken=token)
    assert api.create_pair(src, dst, ClientToken=token) == first
    body = api.describe_pairs()
    assert (rh.ids(body["ReplicaPairs"]), body["TotalCount"]) == ([first], 1)

    err = expect_error(lambda: api.create_pair(src, dst, name="another-name", ClientToken=token))
    if api.dialect == "ebs":
        assert_error(err, *rh.TOKEN_MISMATCH)  # §3.1, §7
    else:
        assert err.code == "IdempotentParameterMismatch" and err.status in (400, 403), err  # §3.1: ECS 400 or 403
    assert api.describe_pairs()["TotalCount"] == 1
    assert api.pair(first)["PairName"] == "pair-one"


def test_start_client_token(seeded, replica_kind):
    """§3.1: a retry with the same ClientToken answers success again and changes nothing."""
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    token = "start-" + uuid.uuid4().hex
    api.start_pair(pid, ClientToken=token)
    api.start_pair(pid, ClientToken=token)
    assert api.pair_status(pid) == "normal"
    assert_error(expect_error(lambda: api.start_pair(pid)), *rh.INVALID_STATUS)


# -- ModifyDiskReplicaPair ---------------------------------------------------------------------


def test_modify_pair(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    pid, _, _ = rh.ready_pair(api)
    api.modify_pair(pid, PairName="renamed-pair", Description="a new description", RPO=900)
    p = api.pair(pid)
    assert (p["PairName"], p["Description"], p["RPO"], p["Status"]) == (
        "renamed-pair", "a new description", 900, "created")
    api.start_pair(pid)
    api.stop_pair(pid)
    api.modify_pair(pid, Description="modified when stopped", region=DST_REGION)
    assert api.pair(pid)["Description"] == "modified when stopped"


# -- DescribeDiskReplicaPairs ------------------------------------------------------------------


def make_pairs(api, n, tag_of=lambda i: None):
    made = []
    for i in range(n):
        src, dst = rh.disk_pair(api)
        tag = tag_of(i)
        made.append(api.create_pair(src, dst, name=f"pair-{i}", Tag=[tag] if tag else None))
    return made


def test_describe_pages_with_next_token(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    made = make_pairs(api, 5)
    rows, sizes = rh.walk_tokens(lambda **kw: api.describe_pairs(**kw), 2, "ReplicaPairs")
    assert sizes == [2, 2, 1]
    assert sorted(rh.ids(rows)) == sorted(made)
    # the whole list in one page: NextToken empty at once
    body = api.describe_pairs(MaxResults=10)
    assert (len(body["ReplicaPairs"]), body["NextToken"], body["TotalCount"]) == (5, "", 5)


def test_describe_pages_by_number(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    made = make_pairs(api, 5)
    seen = []
    for number, expected in ((1, 2), (2, 2), (3, 1), (4, 0)):
        body = api.describe_pairs(PageNumber=number, PageSize=2)
        assert len(body["ReplicaPairs"]) == expected, (number, body)
        assert (body["PageNumber"], body["PageSize"], body["TotalCount"]) == (number, 2, 5)
        seen.extend(rh.ids(body["ReplicaPairs"]))
    assert sorted(seen) == sorted(made)


def test_describe_filters(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    made = make_pairs(api, 4, tag_of=lambda i: ("env", "prod" if i % 2 == 0 else "test"))

    two = f"{made[0]},{made[3]}"
    assert sorted(rh.ids(api.pairs(PairIds=two))) == sorted([made[0], made[3]])
    assert api.describe_pairs(PairIds=two)["TotalCount"] == 2

    assert sorted(rh.ids(api.pairs(Tag=[("env", "prod")]))) == sorted([made[0], made[2]])
    assert sorted(rh.ids(api.pairs(Tag=[("env", "test")]))) == sorted([made[1], made[3]])
    assert api.pairs(Tag=[("env", "staging")]) == []

    # Site: the destination region is the backup site of every pair made here
    backup = api.pairs(DST_REGION, Site="backup", MaxResults=10)
    assert sorted(rh.ids(backup)) == sorted(made)
    assert {p["Site"] for p in backup} == {"backup"}
    assert api.pairs(DST_REGION, Site="production") == []
    assert api.pairs(SRC_REGION, Site="backup") == []
    production = api.pairs(SRC_REGION, Site="production", MaxResults=10)
    assert {p["Site"] for p in production} == {"production"} and len(production) == 4
    # unrelated region: nothing
    assert api.pairs(OTHER_REGION) == []


def test_describe_shape(seeded, replica_kind):
    """EBS shapes (wire-protocol.md §1.3): bare arrays, Unix-second integers, Tags as [{TagKey, TagValue}]."""
    api = rh.replica_api(replica_kind, seeded)
    pid, src, dst = rh.ready_pair(api, Description="shape check", Tag=[("team", "storage"), ("env", "dev")])
    body = api.describe_pairs()
    assert isinstance(body["ReplicaPairs"], list)
    for key, kind in (("TotalCount", int), ("PageNumber", int), ("PageSize", int), ("NextToken", str)):
        assert isinstance(body[key], kind), (key, body)
    (p,) = body["ReplicaPairs"]
    assert p["ReplicaPairId"] == pid
    assert p["Tags"] == [{"TagKey": "team", "TagValue": "storage"}, {"TagKey": "env", "TagValue": "dev"}]
    assert rh.is_unix_seconds(p["CreateTime"]), p["CreateTime"]
    assert no_point(p)
    assert (p["RPO"], p["ChargeType"]) == (900, "POSTPAY")
    assert p["Bandwidth"] == 0 and not isinstance(p["Bandwidth"], bool)  # §4.5: POSTPAY reports 0 (dynamic)
    assert (p["SourceRegion"], p["DestinationRegion"]) == (SRC_REGION, DST_REGION)  # no "Id" on the pair's regions
    assert (p["PrimaryRegion"], p["StandbyRegion"]) == (SRC_REGION, DST_REGION)
    assert p["Site"] == "production"
    assert rh.maybe(p.get("ReplicaGroupId")) is None

    api.start_pair(pid)
    p = api.pair(pid)
    assert rh.is_unix_seconds(p["LastRecoverPoint"]) and p["LastRecoverPoint"] >= p["CreateTime"], p
    progress = api.progress(pid)
    assert progress["Progress"] == 100 and progress["RecoverPoint"] == p["LastRecoverPoint"]


def test_create_answer_by_dialect(seeded, replica_kind):
    """ECS 2014-05-26 answers the seed's `PairId`; EBS answers `ReplicaPairId`, which the Tea model keeps."""
    api = rh.replica_api(replica_kind, seeded)
    src, dst = rh.disk_pair(api)
    body = api.call("CreateDiskReplicaPair", RegionId=SRC_REGION, SourceZoneId=SRC_ZONE, DiskId=src,
                    DestinationRegionId=DST_REGION, DestinationZoneId=DST_ZONE, DestinationDiskId=dst,
                    PairName="answer")
    assert body["RequestId"]
    if api.dialect == "ecs":
        assert body["PairId"].startswith("pair-"), body  # seed 001 response
        assert body.get("ReplicaPairId", body["PairId"]) == body["PairId"]
        pid = body["PairId"]
    else:
        assert "PairId" not in body, body
        pid = body["ReplicaPairId"]
    assert api.pair_status(pid) == "created"


# -- one pair, both dialects -------------------------------------------------------------------


@pytest.mark.parametrize("maker,user", [("ebs-classic", "ecs-common"), ("ebs-tea", "ecs-tea"),
                                        ("ecs-common", "ebs-tea"), ("ecs-tea", "ebs-classic")])
def test_cross_dialect(seeded, maker, user):
    made_by, used_by = rh.replica_api(maker, seeded), rh.replica_api(user, seeded)
    pid, src, dst = rh.ready_pair(made_by, Tag=[("made-by", maker)])
    p = used_by.pair(pid)
    assert (p["SourceDiskId"], p["DestinationDiskId"], p["Tags"]) == (
        src, dst, [{"TagKey": "made-by", "TagValue": maker}])
    used_by.start_pair(pid)
    assert made_by.pair_status(pid) == "normal"
    assert used_by.progress(pid)["Progress"] == 100
    made_by.stop_pair(pid)
    used_by.failover_pair(pid)
    made_by.reprotect_pair(pid)
    p = used_by.pair(pid, region=DST_REGION)
    assert (p["Status"], p["SourceDiskId"]) == ("stopped", dst)
    used_by.delete_pair(pid)
    assert made_by.pairs(PairIds=pid) == []
