"""Disk replica groups through EBS 2021-07-30 and the ECS 2014-05-26 dialect: workflow, membership, errors, listing."""

import pytest

import replication_helpers as rh
from replication_helpers import DST_REGION, DST_ZONE, OTHER_REGION, SRC_REGION, SRC_ZONE
from sdk_clients import assert_error, expect_error

UNKNOWN_GROUP = "pg-doesnotexist000000"

GROUP_HAS_PAIR = (403, "OperationDenied.GroupHasPair", "The group cannot be deleted due to not empty.")
NO_PAIR_IN_GROUP = (403, "OperationDenied.NoPairInGroup", "The operation is not allowed because no pair in the group.")
PAIR_NOT_IN_GROUP = (403, "OperationDenied.PairNotInGroup",
                     "The operation is not allowed because pair is not in any group.")
PAIR_IN_ANOTHER_GROUP = (403, "OperationDenied.PairInAnotherGroup",
                         "The operation is not allowed because pair is already in another group.")
ZONE_CONFLICT = (403, "OperationDenied.PairGroupAZoneConflict",
                 "The operation is not allowed due to pair and group having different RegionId or ZoneId.")
GROUP_CANNOT_ADD = (403, "OperationDenied.GroupStatusCannotAddPair",
                    "The pair cannot be added in group current status.")
GROUP_CANNOT_REMOVE = (403, "OperationDenied.GroupStatusCannotRemovePair",
                       "The pair cannot be removed in group current status.")
PAIR_CANNOT_ADD = (403, "OperationDenied.PairStatusCannotAddToGroup",
                   "The pair cannot be added in pair current status.")


def statuses(api, gid, members, region=SRC_REGION):
    """(group status, [member statuses]) as DescribeDiskReplicaGroups/Pairs show them."""
    group = api.group(gid, region)
    rows = {p["ReplicaPairId"]: p["Status"] for p in api.pairs(region, ReplicaGroupId=gid)}
    return group["Status"], [rows.get(m) for m in members]


def assert_all(api, gid, members, status, region=SRC_REGION):
    assert statuses(api, gid, members, region) == (status, [status] * len(members))


def start(api, gid, region=SRC_REGION, **kw):
    return api.group_op("StartDiskReplicaGroup", gid, region, **kw)


def stop(api, gid, region=SRC_REGION):
    return api.group_op("StopDiskReplicaGroup", gid, region)


def failover(api, gid, region=DST_REGION):
    return api.group_op("FailoverDiskReplicaGroup", gid, region)


def reprotect(api, gid, region=DST_REGION, **kw):
    return api.group_op("ReprotectDiskReplicaGroup", gid, region, **kw)


def delete(api, gid, region=SRC_REGION):
    return api.group_op("DeleteDiskReplicaGroup", gid, region)


def modify(api, gid, region=SRC_REGION, **kw):
    return api.group_op("ModifyDiskReplicaGroup", gid, region, **kw)


def group_with_pairs(api, n, **create):
    """A group holding `n` new pairs on the suite's route (instant timing)."""
    gid = api.create_group(**create)
    members = [rh.ready_pair(api, name=f"member-{i}")[0] for i in range(n)]
    for m in members:
        api.add_pair(gid, m)
    return gid, members


# -- the whole life of a group, on the realistic timeline --------------------------------------


def test_group_workflow(realistic, replica_kind):
    api = rh.replica_api(replica_kind, realistic)
    disks = [rh.disk_pair(api) for _ in range(3)]
    realistic.advance(rh.DISK_CREATING)
    members = [api.create_pair(src, dst, name=f"member-{i}") for i, (src, dst) in enumerate(disks)]
    gid = api.create_group(Description="three pairs")
    g = api.group(gid)
    assert g["Status"] == "creating"
    realistic.advance(rh.REPLICA_SHORT)
    g = api.group(gid)
    assert (g["Status"], g["PairNumber"], list(g["PairIds"] or [])) == ("created", 0, [])
    assert (g["SourceRegionId"], g["SourceZoneId"], g["DestinationRegionId"], g["DestinationZoneId"]) == (
        SRC_REGION, SRC_ZONE, DST_REGION, DST_ZONE)
    assert (g["GroupName"], g["Description"], g["RPO"]) == ("group-one", "three pairs", 900)

    # membership: from either region
    api.add_pair(gid, members[0])
    api.add_pair(gid, members[1], region=DST_REGION)
    api.add_pair(gid, members[2])
    g = api.group(gid)
    assert (list(g["PairIds"]), g["PairNumber"], g["Status"]) == (members, 3, "created")
    for p in api.pairs(ReplicaGroupId=gid):
        assert (p["ReplicaGroupId"], p["ReplicaGroupName"]) == (gid, "group-one")
    assert sorted(rh.ids(api.pairs(ReplicaGroupId=gid))) == sorted(members)

    # a group with members cannot be deleted; its members are moved by the group only
    assert_error(expect_error(lambda: delete(api, gid)), *GROUP_HAS_PAIR)
    assert_error(expect_error(lambda: api.start_pair(members[0])), *rh.OPERATION_DENIED)

    # start: every member with the group, initial_syncing -> normal with LastRecoverPoint
    start(api, gid)
    assert_all(api, gid, members, "initial_syncing")
    realistic.advance(rh.FULL_SYNC)
    assert_all(api, gid, members, "normal")
    first_point = api.group(gid)["LastRecoverPoint"]
    assert rh.is_unix_seconds(first_point)
    for p in api.pairs(ReplicaGroupId=gid):
        assert p["LastRecoverPoint"] == first_point  # one consistent recovery point for all members

    # membership is frozen while replicating
    assert_error(expect_error(lambda: api.remove_pair(gid, members[0])), *GROUP_CANNOT_REMOVE)

    # the next RPO cycle moves them together
    realistic.advance(rh.RPO_CYCLE)
    assert_all(api, gid, members, "syncing")
    realistic.advance(rh.INCREMENTAL_SYNC)
    assert_all(api, gid, members, "normal")
    assert api.group(gid)["LastRecoverPoint"] > first_point

    # stop (either region)
    stop(api, gid, region=DST_REGION)
    assert_all(api, gid, members, "stopping")
    realistic.advance(rh.REPLICA_SHORT)
    assert_all(api, gid, members, "stopped")

    # failover on the DR site
    assert_error(expect_error(lambda: failover(api, gid, region=SRC_REGION)), *rh.NOT_FOR_PRIMARY)
    failover(api, gid)
    assert_all(api, gid, members, "failovering", region=DST_REGION)
    realistic.advance(rh.REPLICA_SWITCH)
    assert_all(api, gid, members, "failovered", region=DST_REGION)

    # reprotect on the DR site: every member reversed, Primary*/Standby* kept
    assert_error(expect_error(lambda: reprotect(api, gid, region=SRC_REGION)), *rh.NOT_FOR_PRIMARY)
    reprotect(api, gid)
    assert_all(api, gid, members, "reprotecting", region=DST_REGION)
    realistic.advance(rh.REPLICA_SWITCH)
    assert_all(api, gid, members, "stopped", region=DST_REGION)
    g = api.group(gid, DST_REGION)
    assert (g["SourceRegionId"], g["SourceZoneId"], g["DestinationRegionId"], g["DestinationZoneId"]) == (
        DST_REGION, DST_ZONE, SRC_REGION, SRC_ZONE)
    assert (g["PrimaryRegion"], g["PrimaryZone"], g["StandbyRegion"], g["StandbyZone"]) == (
        SRC_REGION, SRC_ZONE, DST_REGION, DST_ZONE)
    for p, (src, dst) in zip(sorted(api.pairs(DST_REGION, ReplicaGroupId=gid), key=lambda p: members.index(
            p["ReplicaPairId"])), disks):
        assert (p["SourceDiskId"], p["DestinationDiskId"], p["SourceRegion"]) == (dst, src, DST_REGION)
        assert (p["PrimaryRegion"], p["StandbyRegion"]) == (SRC_REGION, DST_REGION)

    # start again (replicating back), then stop
    start(api, gid, region=DST_REGION)
    group_status, member_statuses = statuses(api, gid, members, DST_REGION)
    assert group_status in ("initial_syncing", "syncing") and set(member_statuses) == {group_status}
    realistic.advance(rh.FULL_SYNC)
    assert_all(api, gid, members, "normal", region=DST_REGION)
    stop(api, gid, region=DST_REGION)
    realistic.advance(rh.REPLICA_SHORT)
    assert_all(api, gid, members, "stopped", region=DST_REGION)

    # empty it, then delete it (in the primary's region)
    for m in members:
        api.remove_pair(gid, m)
    g = api.group(gid)
    assert (g["PairNumber"], list(g["PairIds"] or [])) == (0, [])
    assert rh.maybe(api.pair(members[0])["ReplicaGroupId"]) is None
    assert_error(expect_error(lambda: delete(api, gid, region=DST_REGION)), *rh.NOT_FOR_STANDBY)
    delete(api, gid, region=SRC_REGION)
    assert api.group(gid)["Status"] == "deleting"
    realistic.advance(rh.REPLICA_SHORT)
    for region in (SRC_REGION, DST_REGION):
        body = api.describe_groups(region, GroupIds=gid)
        assert (body["ReplicaGroups"], body["TotalCount"]) == ([], 0)

    # the pairs outlive their group
    for m in members:
        assert api.pair_status(m) == "stopped"
        api.delete_pair(m)
    realistic.advance(rh.REPLICA_SHORT)
    assert api.pairs() == []


# -- membership --------------------------------------------------------------------------------


def test_membership_rules(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    gid, (member,) = group_with_pairs(api, 1)
    outsider, _, _ = rh.ready_pair(api, name="outsider")

    # adding twice changes nothing; a member of one group cannot join another
    api.add_pair(gid, member)
    assert api.group(gid)["PairIds"] == [member]
    other = api.create_group(name="group-two")
    assert_error(expect_error(lambda: api.add_pair(other, member)), *PAIR_IN_ANOTHER_GROUP)

    # removing a pair that is in no group
    assert_error(expect_error(lambda: api.remove_pair(gid, outsider)), *PAIR_NOT_IN_GROUP)
    assert_error(expect_error(lambda: api.remove_pair(other, outsider)), *NO_PAIR_IN_GROUP)

    # a pair on another route (destination zone differs)
    src = rh.new_disk(api, SRC_REGION, SRC_ZONE)
    elsewhere = rh.new_disk(api, DST_REGION, "cn-shanghai-g")
    stray = api.create_pair(src, elsewhere, dst_zone="cn-shanghai-g")
    assert_error(expect_error(lambda: api.add_pair(gid, stray)), *ZONE_CONFLICT)

    # a replicating pair cannot join; a replicating group takes no one
    api.start_pair(outsider)
    assert_error(expect_error(lambda: api.add_pair(other, outsider)), *PAIR_CANNOT_ADD)
    api.stop_pair(outsider)
    start(api, gid)
    assert_error(expect_error(lambda: api.add_pair(gid, outsider)), *GROUP_CANNOT_ADD)
    stop(api, gid)
    api.add_pair(gid, outsider)
    assert sorted(api.group(gid)["PairIds"]) == sorted([member, outsider])

    # unknown ids
    assert_error(expect_error(lambda: api.add_pair(gid, "pair-cn-doesnotexist00")), *rh.NO_SUCH_RESOURCE)
    assert_error(expect_error(lambda: api.add_pair(UNKNOWN_GROUP, outsider)), *rh.NO_SUCH_RESOURCE)

    # a non-empty group cannot be deleted; emptied, it can
    assert_error(expect_error(lambda: delete(api, gid)), *GROUP_HAS_PAIR)
    api.remove_pair(gid, member)
    api.remove_pair(gid, outsider)
    delete(api, gid)
    assert api.groups(GroupIds=gid) == []
    assert sorted(rh.ids(api.pairs(PairIds=f"{member},{outsider}"))) == sorted([member, outsider])


def test_pair_ops_on_a_member_are_refused(seeded, replica_kind):
    """alibaba-api.md §4.3: pair-level status changes on a grouped pair are refused (OperationDenied)."""
    api = rh.replica_api(replica_kind, seeded)
    gid, (member,) = group_with_pairs(api, 1)
    assert_error(expect_error(lambda: api.start_pair(member)), *rh.OPERATION_DENIED)
    start(api, gid)
    assert_error(expect_error(lambda: api.stop_pair(member)), *rh.OPERATION_DENIED)
    assert_error(expect_error(lambda: api.failover_pair(member)), *rh.OPERATION_DENIED)
    assert_all(api, gid, [member], "normal")


# -- errors ------------------------------------------------------------------------------------


GROUP_OPS = {
    "start": lambda api, gid: start(api, gid),
    "stop": lambda api, gid: stop(api, gid),
    "modify": lambda api, gid: modify(api, gid, GroupName="renamed"),
    "failover": lambda api, gid: failover(api, gid),
    "reprotect": lambda api, gid: reprotect(api, gid),
    "delete": lambda api, gid: delete(api, gid),
    "remove": lambda api, gid: api.remove_pair(gid, "pair-cn-doesnotexist00"),
}


@pytest.mark.parametrize("op", sorted(GROUP_OPS))
def test_unknown_group(seeded, replica_kind, op):
    api = rh.replica_api(replica_kind, seeded)
    assert_error(expect_error(lambda: GROUP_OPS[op](api, UNKNOWN_GROUP)), *rh.NO_SUCH_RESOURCE)


def test_empty_group(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    gid = api.create_group()
    assert_error(expect_error(lambda: start(api, gid)), *NO_PAIR_IN_GROUP)
    for op in ("stop", "failover", "reprotect"):
        assert_error(expect_error(lambda: GROUP_OPS[op](api, gid)), *rh.INVALID_STATUS)
    assert api.group(gid)["Status"] == "created"
    assert_error(expect_error(lambda: start(api, gid, region=OTHER_REGION)), *rh.NO_SUCH_RESOURCE)


def test_wrong_status(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    gid, members = group_with_pairs(api, 2)
    start(api, gid)
    assert_all(api, gid, members, "normal")
    for op in ("modify", "reprotect", "delete"):
        err = expect_error(lambda: GROUP_OPS[op](api, gid))
        if op == "delete":
            assert err.status == 403 and err.code in (rh.INVALID_STATUS[1], GROUP_HAS_PAIR[1]), err
        else:
            assert_error(err, *rh.INVALID_STATUS)
    assert_all(api, gid, members, "normal")


def test_repeated_start_and_stop_are_allowed(seeded, replica_kind):
    """§4.4 / seed 002: Start is allowed while normal, Stop while stopped; neither changes anything."""
    api = rh.replica_api(replica_kind, seeded)
    gid, members = group_with_pairs(api, 2)
    start(api, gid)
    start(api, gid)
    assert_all(api, gid, members, "normal")
    stop(api, gid)
    stop(api, gid)
    assert_all(api, gid, members, "stopped")


def test_start_with_a_secondary_disk_attached(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    ecs_dst = api.ecs(DST_REGION)
    gid, members = group_with_pairs(api, 1)
    src, dst = rh.disk_pair(api)
    instance = rh.new_instance(api, DST_REGION, DST_ZONE)
    ecs_dst.attach_disk(instance, dst)
    attached = api.create_pair(src, dst, name="attached")
    api.add_pair(gid, attached)
    assert_error(expect_error(lambda: start(api, gid)), *rh.STANDBY_ATTACHED)
    assert_all(api, gid, members + [attached], "created")
    ecs_dst.detach_disk(instance, dst)
    start(api, gid)
    assert_all(api, gid, members + [attached], "normal")


def test_wrong_region(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    gid, members = group_with_pairs(api, 2)
    start(api, gid)
    assert_error(expect_error(lambda: failover(api, gid, region=SRC_REGION)), *rh.NOT_FOR_PRIMARY)
    assert_all(api, gid, members, "normal")
    failover(api, gid, region=DST_REGION)
    assert_error(expect_error(lambda: reprotect(api, gid, region=SRC_REGION)), *rh.NOT_FOR_PRIMARY)
    assert_all(api, gid, members, "failovered")
    # a failed-over group keeps its members (§4.4 RemoveDiskReplicaPair: created, stopped, invalid only)
    assert_error(expect_error(lambda: api.remove_pair(gid, members[0])), *GROUP_CANNOT_REMOVE)
    # delete: in the primary's region, like DeleteDiskReplicaPair (§3.5)
    empty = api.create_group(name="empty-group")
    assert_error(expect_error(lambda: delete(api, empty, region=DST_REGION)), *rh.NOT_FOR_STANDBY)
    delete(api, empty, region=SRC_REGION)
    assert api.groups(GroupIds=empty) == []


def test_missing_replica_group_id(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    gid, (member,) = group_with_pairs(api, 1)
    for action in ("StartDiskReplicaGroup", "StopDiskReplicaGroup", "DeleteDiskReplicaGroup",
                   "FailoverDiskReplicaGroup"):
        assert_error(expect_error(lambda: api.call(action, RegionId=SRC_REGION)), *api.missing("ReplicaGroupId"))
    err = expect_error(lambda: api.call("AddDiskReplicaPair", RegionId=SRC_REGION, ReplicaGroupId=gid))
    assert_error(err, *api.missing("ReplicaPairId"))
    assert api.group(gid)["Status"] == "created"


@pytest.mark.parametrize("kind", rh.TEA_KINDS)
def test_missing_region_id(seeded, kind):
    api = rh.replica_api(kind, seeded)
    gid, _ = group_with_pairs(api, 1)
    assert_error(expect_error(lambda: api.call("StartDiskReplicaGroup", ReplicaGroupId=gid)),
                 *api.missing("RegionId"))
    assert_error(expect_error(lambda: api.call("DescribeDiskReplicaGroups")), *api.missing("RegionId"))
    err = expect_error(lambda: api.call("CreateDiskReplicaGroup", SourceZoneId=SRC_ZONE,
                                        DestinationRegionId=DST_REGION, DestinationZoneId=DST_ZONE))
    assert_error(err, *api.missing("RegionId"))
    assert rh.ids(api.groups(), "ReplicaGroupId") == [gid]


# -- one-shot, modify --------------------------------------------------------------------------


def test_one_shot(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    gid, members = group_with_pairs(api, 2)
    start(api, gid, OneShot=True)  # instant timing: the copy is already done
    assert_all(api, gid, members, "stopped")
    assert rh.is_unix_seconds(api.group(gid)["LastRecoverPoint"])
    assert_error(expect_error(lambda: start(api, gid, OneShot=True)),
                 403, "OperationDenied.ManualSyncLimit",
                 "One shot start manual syncing too frequently, please try again later.")


def test_modify_group(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    gid, members = group_with_pairs(api, 1)
    modify(api, gid, GroupName="renamed-group", Description="new words", RPO=900)
    g = api.group(gid)
    assert (g["GroupName"], g["Description"], g["RPO"], g["Status"]) == ("renamed-group", "new words", 900, "created")
    assert api.pair(members[0])["ReplicaGroupName"] == "renamed-group"
    modify(api, gid, region=DST_REGION, Description="from the other side")
    assert api.group(gid)["Description"] == "from the other side"


# -- DescribeDiskReplicaGroups -----------------------------------------------------------------


def make_groups(api, n, tag_of=lambda i: None):
    made = []
    for i in range(n):
        tag = tag_of(i)
        made.append(api.create_group(name=f"group-{i}", Tag=[tag] if tag else None))
    return made


def test_describe_pages_with_next_token(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    made = make_groups(api, 5)
    rows, sizes = rh.walk_tokens(lambda **kw: api.describe_groups(**kw), 2, "ReplicaGroups")
    assert sizes == [2, 2, 1]
    assert sorted(rh.ids(rows, "ReplicaGroupId")) == sorted(made)
    body = api.describe_groups(MaxResults=10)
    assert (len(body["ReplicaGroups"]), body["NextToken"], body["TotalCount"]) == (5, "", 5)


def test_describe_default_page(seeded, replica_kind):
    """§3.3: MaxResults defaults to 10; NextToken is always present, empty on the last page."""
    api = rh.replica_api(replica_kind, seeded)
    made = make_groups(api, 12)
    first = api.describe_groups()
    assert (len(first["ReplicaGroups"]), first["TotalCount"]) == (10, 12)
    assert first["NextToken"]
    rest = api.describe_groups(NextToken=first["NextToken"])
    assert (len(rest["ReplicaGroups"]), rest["NextToken"]) == (2, "")
    assert sorted(rh.ids(first["ReplicaGroups"] + rest["ReplicaGroups"], "ReplicaGroupId")) == sorted(made)


def test_describe_pages_by_number(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    made = make_groups(api, 5)
    seen = []
    for number, expected in ((1, 2), (2, 2), (3, 1), (4, 0)):
        body = api.describe_groups(PageNumber=number, PageSize=2)
        assert len(body["ReplicaGroups"]) == expected, (number, body)
        assert (body["PageNumber"], body["PageSize"], body["TotalCount"]) == (number, 2, 5)
        seen.extend(rh.ids(body["ReplicaGroups"], "ReplicaGroupId"))
    assert sorted(seen) == sorted(made)


def test_describe_filters(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    made = make_groups(api, 4, tag_of=lambda i: ("tier", "gold" if i < 2 else "silver"))
    gids = lambda rows: sorted(rh.ids(rows, "ReplicaGroupId"))  # noqa: E731

    assert gids(api.groups(GroupIds=f"{made[1]},{made[2]}")) == sorted(made[1:3])
    assert api.describe_groups(GroupIds=UNKNOWN_GROUP)["ReplicaGroups"] == []
    assert gids(api.groups(GroupIds=f"{made[0]},{UNKNOWN_GROUP}")) == [made[0]]
    assert gids(api.groups(Tag=[("tier", "gold")])) == sorted(made[:2])
    assert api.groups(Tag=[("tier", "bronze")]) == []

    backup = api.groups(DST_REGION, Site="backup", MaxResults=10)
    assert gids(backup) == sorted(made) and {g["Site"] for g in backup} == {"backup"}
    assert api.groups(DST_REGION, Site="production") == []
    assert api.groups(SRC_REGION, Site="backup") == []
    assert api.groups(OTHER_REGION) == []


def test_describe_pairs_by_group(seeded, replica_kind):
    api = rh.replica_api(replica_kind, seeded)
    gid, members = group_with_pairs(api, 2)
    loose, _, _ = rh.ready_pair(api, name="loose")
    assert sorted(rh.ids(api.pairs(ReplicaGroupId=gid))) == sorted(members)
    assert rh.ids(api.pairs(ReplicaGroupId="-")) == [loose]  # "-": pairs in no group (§5)
    assert api.pairs(ReplicaGroupId=UNKNOWN_GROUP) == []


def test_describe_shape(seeded, replica_kind):
    """EBS shapes: bare arrays, PairIds an array of strings, Unix-second integers, Tags as [{TagKey, TagValue}]."""
    api = rh.replica_api(replica_kind, seeded)
    gid, members = group_with_pairs(api, 2, Tag=[("app", "db")])
    body = api.describe_groups()
    assert isinstance(body["ReplicaGroups"], list) and isinstance(body["NextToken"], str)
    assert isinstance(body["TotalCount"], int)
    (g,) = body["ReplicaGroups"]
    assert g["ReplicaGroupId"] == gid
    assert list(g["PairIds"]) == members and all(isinstance(m, str) for m in g["PairIds"])
    assert g["PairNumber"] == 2
    assert g["Tags"] == [{"TagKey": "app", "TagValue": "db"}]
    assert (g["SourceRegionId"], g["DestinationRegionId"]) == (SRC_REGION, DST_REGION)  # "Id" on the group
    assert (g["PrimaryRegion"], g["StandbyRegion"], g["Site"]) == (SRC_REGION, DST_REGION, "production")
    assert g.get("LastRecoverPoint") is None  # absent until the first copy completes (§6, Terraform waits on it)
    start(api, gid)
    assert rh.is_unix_seconds(api.group(gid)["LastRecoverPoint"])


# -- one group, both dialects ------------------------------------------------------------------


@pytest.mark.parametrize("maker,user", [("ebs-classic", "ecs-tea"), ("ecs-common", "ebs-tea")])
def test_cross_dialect(seeded, maker, user):
    made_by, used_by = rh.replica_api(maker, seeded), rh.replica_api(user, seeded)
    gid = made_by.create_group()
    pid, _, _ = rh.ready_pair(used_by)
    used_by.add_pair(gid, pid)
    assert made_by.group(gid)["PairIds"] == [pid]
    start(used_by, gid)
    assert_all(made_by, gid, [pid], "normal")
    stop(made_by, gid)
    failover(used_by, gid)
    reprotect(made_by, gid)
    assert_all(used_by, gid, [pid], "stopped", region=DST_REGION)
    made_by.remove_pair(gid, pid)
    delete(used_by, gid)
    assert made_by.groups(GroupIds=gid) == []
