"""CreateDisk/DescribeDisks/AttachDisk/DetachDisk/DeleteDisk through both SDKs: lifecycle, errors, paging, timing."""

import re
import uuid

import pytest

import sdk_clients as sc
from sdk_clients import assert_error, expect_error

SEED_ZONE = "cn-hangzhou-h"  # zone of the example seed's cn-hangzhou instances and disk
STOPPED = "i-bp1seedstopped000001"
RUNNING = "i-bp1seedrunning000001"
SEED_DISK = "d-bp1seedessd000000001"
UNKNOWN_DISK = "d-bp1doesnotexist000001"
UNKNOWN_INSTANCE = "i-bp1doesnotexist00001"
DISK_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z$")

DISK_NOT_FOUND = (404, "InvalidDiskId.NotFound", "The specified disk does not exist.")
INSTANCE_NOT_FOUND = (404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")


def other_zone(api, zone):
    return next(z["ZoneId"] for z in api.describe_zones()["Zones"]["Zone"] if z["ZoneId"] != zone)


def new_disk(api, zone=SEED_ZONE, size=40, **kw):
    body = api.create_disk(zone_id=zone, size=size, disk_category=kw.pop("disk_category", "cloud_essd"), **kw)
    disk_id = body["DiskId"]
    assert disk_id.startswith("d-"), body
    return disk_id


def data_disk_ids(body):
    return [d["DiskId"] for d in sc.disks_of(body) if d.get("Type") == "data"]


# -- create / describe -----------------------------------------------------------------------


def test_create_disk_fields(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    disk_id = new_disk(api, size=60, disk_name="data-one", description="first data disk")
    d = sc.disk_of(api, disk_id)
    assert d["Status"] == "Available"
    assert d["Type"] == "data"
    assert d["Category"] == "cloud_essd"
    assert d["Size"] == 60
    assert d["RegionId"] == "cn-hangzhou"
    assert d["ZoneId"] == SEED_ZONE
    assert d["DiskName"] == "data-one"
    assert d["Description"] == "first data disk"
    assert d["Portable"] is True
    assert d.get("PerformanceLevel") == "PL1"  # ESSD default (alibaba-api.md §8.3 CreateDisk)
    assert not d.get("InstanceId")
    assert DISK_TIME.match(d.get("CreationTime", "")), d.get("CreationTime")


def test_seeded_disk(seeded, sdk):
    d = sc.disk_of(sc.ecs_api(sdk, seeded), SEED_DISK)
    assert (d["Status"], d["Category"], d["Size"], d["ZoneId"], d["DiskName"]) == (
        "Available", "cloud_essd", 40, SEED_ZONE, "seed-primary")


def test_create_disk_client_token(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    token = "disk-" + uuid.uuid4().hex
    first = new_disk(api, client_token=token)
    again = new_disk(api, client_token=token)
    assert again == first
    before = api.describe_disks(zone_id=SEED_ZONE, disk_type="data", page_size=100)["TotalCount"]
    assert new_disk(api, client_token=token) == first
    assert api.describe_disks(zone_id=SEED_ZONE, disk_type="data", page_size=100)["TotalCount"] == before


CREATE_DISK_ERRORS = [
    ("no-size", dict(zone_id=SEED_ZONE, disk_category="cloud_essd"),
     400, "MissingParameter", 'The input parameter either "SnapshotId" or "Size" should be specified.'),
    ("zone-and-instance", dict(zone_id=SEED_ZONE, instance_id=STOPPED, size=40, disk_category="cloud_essd"),
     403, "InvalidParam.ZoneIdAndInstanceId.Conflict",
     "The specified parameter 'ZoneId' and 'InstanceId' are not blank at the same time."),
    ("unknown-zone", dict(zone_id="cn-hangzhou-zz", size=40, disk_category="cloud_essd"),
     404, "InvalidZoneId.NotFound", "The specified zone does not exist."),
    ("bad-category", dict(zone_id=SEED_ZONE, size=40, disk_category="floppy"),
     400, "InvalidDiskCategory.ValueNotSupported", 'The specified parameter "DiskCategory" is not valid.'),
    ("size-too-large", dict(zone_id=SEED_ZONE, size=70000, disk_category="cloud_essd"),
     400, "InvalidSize.ValueNotSupported", "The specified parameter Size is not valid."),
    ("bad-performance-level", dict(zone_id=SEED_ZONE, size=40, disk_category="cloud_essd", performance_level="PL9"),
     400, "InvalidPerformanceLevel.Malformed", "The specified parameter PerformanceLevel is not valid."),
    ("bad-name", dict(zone_id=SEED_ZONE, size=40, disk_category="cloud_essd", disk_name="http://bad-name"),
     400, "InvalidDiskName.Malformed", "The specified disk name is wrongly formed."),
    # CreateDisk's own text for an unknown instance (§8.4 CreateDisk table)
    ("unknown-instance", dict(instance_id=UNKNOWN_INSTANCE, size=40, disk_category="cloud_essd"),
     404, "InvalidInstanceId.NotFound", "The InstanceId provided does not exist in our records."),
]


@pytest.mark.parametrize("kwargs,status,code,message", [c[1:] for c in CREATE_DISK_ERRORS],
                         ids=[c[0] for c in CREATE_DISK_ERRORS])
def test_create_disk_errors(seeded, sdk, kwargs, status, code, message):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.create_disk(**kwargs)), status, code, message)
    # nothing was created
    assert data_disk_ids(api.describe_disks(page_size=100)) == [SEED_DISK]


def test_create_disk_client_token_with_changed_parameters(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    token = "disk-" + uuid.uuid4().hex
    first = new_disk(api, size=40, client_token=token)
    err = expect_error(lambda: api.create_disk(zone_id=SEED_ZONE, size=80, disk_category="cloud_essd",
                                               client_token=token))
    # alibaba-api.md §3.1: ECS answers 400 or 403 depending on the API
    assert err.code == "IdempotentParameterMismatch" and err.status in (400, 403), err
    assert sc.disk_of(api, first)["Size"] == 40


def test_create_disk_unknown_region(seeded, sdk):
    api = sc.ecs_api(sdk, seeded, region="xx-nowhere-1")
    err = expect_error(lambda: api.create_disk(zone_id="xx-nowhere-1a", size=40, disk_category="cloud_essd"))
    assert_error(err, 404, "InvalidRegionId.NotFound", "The specified RegionId does not exist.")


# -- attach / detach / delete ----------------------------------------------------------------


@pytest.mark.parametrize("instance_id", [STOPPED, RUNNING])
def test_attach_detach_delete(seeded, sdk, instance_id):
    api = sc.ecs_api(sdk, seeded)
    disk_id = new_disk(api)

    assert "RequestId" in api.attach_disk(instance_id, disk_id)
    d = sc.disk_of(api, disk_id)
    assert d["Status"] == "In_use"
    assert d["InstanceId"] == instance_id
    assert disk_id in data_disk_ids(api.describe_disks(instance_id=instance_id))

    assert "RequestId" in api.detach_disk(instance_id, disk_id)
    d = sc.disk_of(api, disk_id)
    assert d["Status"] == "Available"
    assert not d.get("InstanceId")
    assert disk_id not in data_disk_ids(api.describe_disks(instance_id=instance_id))

    assert "RequestId" in api.delete_disk(disk_id)
    assert sc.disks_of(api.describe_disks(disk_ids=[disk_id])) == []


def test_attach_with_delete_with_instance(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    disk_id = new_disk(api)
    api.attach_disk(STOPPED, disk_id, delete_with_instance=True)
    assert sc.disk_of(api, disk_id)["DeleteWithInstance"] is True
    other = new_disk(api)
    api.attach_disk(STOPPED, other)
    assert sc.disk_of(api, other)["DeleteWithInstance"] is False  # AttachDisk's default


def test_attach_errors(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    disk_id = new_disk(api)
    assert_error(expect_error(lambda: api.attach_disk(UNKNOWN_INSTANCE, disk_id)), *INSTANCE_NOT_FOUND)
    assert_error(expect_error(lambda: api.attach_disk(STOPPED, UNKNOWN_DISK)), *DISK_NOT_FOUND)

    far = new_disk(api, zone=other_zone(api, SEED_ZONE))
    assert_error(expect_error(lambda: api.attach_disk(STOPPED, far)),
                 403, "ResourcesNotInSameZone", "The specified instance and disk are not in the same zone.")
    assert sc.disk_of(api, far)["Status"] == "Available"

    api.attach_disk(STOPPED, disk_id)
    err = expect_error(lambda: api.attach_disk(RUNNING, disk_id))
    # §8.4 AttachDisk lists both for a disk that is not Available
    assert (err.status, err.code) in ((404, "InvalidDisk.InUse"), (403, "IncorrectDiskStatus")), err
    assert sc.disk_of(api, disk_id)["InstanceId"] == STOPPED


def test_detach_errors(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    disk_id = new_disk(api)
    assert_error(expect_error(lambda: api.detach_disk(STOPPED, disk_id)),
                 404, "InvalidDisk.AlreadyDetached", "The specified disk has been detached.")
    assert_error(expect_error(lambda: api.detach_disk(STOPPED, UNKNOWN_DISK)), *DISK_NOT_FOUND)
    api.attach_disk(STOPPED, disk_id)
    assert_error(expect_error(lambda: api.detach_disk(UNKNOWN_INSTANCE, disk_id)), *INSTANCE_NOT_FOUND)
    assert_error(expect_error(lambda: api.detach_disk(RUNNING, disk_id)),
                 403, "DependencyViolation", "The specified disk has not been attached on the specified instance.")
    assert sc.disk_of(api, disk_id)["Status"] == "In_use"


def test_delete_errors(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    disk_id = new_disk(api)
    api.attach_disk(STOPPED, disk_id)
    err = expect_error(lambda: api.delete_disk(disk_id))
    # §8.4 DeleteDisk lists both codes for an attached disk
    assert (err.status, err.code) in ((403, "DiskStillAttached"), (403, "IncorrectDiskStatus")), err
    assert sc.disk_of(api, disk_id)["Status"] == "In_use"


def test_delete_unknown_disk(seeded, sdk):
    """§8.2 leaves it open (ignored vs 404); if it is an error it must be the documented one."""
    api = sc.ecs_api(sdk, seeded)
    try:
        api.delete_disk(UNKNOWN_DISK)
    except Exception as exc:  # noqa: BLE001 - classified below
        assert_error(sc.as_api_error(exc), *DISK_NOT_FOUND)


def test_deleted_disk_is_gone(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    disk_id = new_disk(api)
    api.delete_disk(disk_id)
    assert_error(expect_error(lambda: api.attach_disk(STOPPED, disk_id)), *DISK_NOT_FOUND)


def test_system_disk_of_new_instance(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    [iid] = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id,
                                                 system_disk_category="cloud_essd"))
    system = sc.disks_of(api.describe_disks(instance_id=iid, disk_type="system"))
    assert len(system) == 1, system
    assert system[0]["Type"] == "system"
    assert system[0]["Category"] == "cloud_essd"
    assert system[0]["InstanceId"] == iid
    assert system[0]["Status"] == "In_use"


# -- DescribeDisks filters and errors --------------------------------------------------------


def test_describe_disks_filters(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    a = new_disk(api, disk_category="cloud_essd")
    b = new_disk(api, disk_category="cloud_efficiency")
    api.attach_disk(STOPPED, b)

    assert sorted(d["DiskId"] for d in sc.disks_of(api.describe_disks(disk_ids=[a, b, UNKNOWN_DISK]))) == sorted([a, b])
    assert sc.disks_of(api.describe_disks(disk_ids=[])) == []
    assert set(data_disk_ids(api.describe_disks(status="Available", page_size=100))) == {a, SEED_DISK}
    assert data_disk_ids(api.describe_disks(status="In_use", disk_type="data", page_size=100)) == [b]
    assert data_disk_ids(api.describe_disks(category="cloud_efficiency", page_size=100)) == [b]
    assert set(data_disk_ids(api.describe_disks(zone_id=SEED_ZONE, page_size=100))) == {a, b, SEED_DISK}
    assert data_disk_ids(api.describe_disks(instance_id=STOPPED)) == [b]
    assert all(d["Type"] == "data" for d in sc.disks_of(api.describe_disks(disk_type="data", page_size=100)))


DESCRIBE_DISKS_ERRORS = [
    ("disk-type", dict(disk_type="floppy"),
     400, "InvalidDiskType.ValueNotSupported", "The specified disk type is not supported."),
    ("category", dict(category="floppy"),
     400, "InvalidCategory.ValueNotSupported", "The specified disk category is not supported."),
    ("status", dict(status="Melting"),
     400, "InvalidStatus.ValueNotSupported", "The specified disk status is not supported."),
    ("zone", dict(zone_id="cn-hangzhou-zz"),
     400, "InvalidZoneId.NotFound", "The zoneId provided does not exist in our records."),
    ("too-many-ids", dict(disk_ids=[f"d-bp1many{n:014d}" for n in range(101)]),
     403, "InvalidDiskIds.Malformed", "The amount of specified disk Ids exceeds the limit."),
]


@pytest.mark.parametrize("kwargs,status,code,message", [c[1:] for c in DESCRIBE_DISKS_ERRORS],
                         ids=[c[0] for c in DESCRIBE_DISKS_ERRORS])
def test_describe_disks_errors(seeded, sdk, kwargs, status, code, message):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.describe_disks(**kwargs)), status, code, message)


def test_describe_disks_dry_run(seeded, sdk):
    err = expect_error(lambda: sc.ecs_api(sdk, seeded).describe_disks(dry_run=True))
    assert_error(err, 400, "DryRunOperation", "Request validation has been passed with DryRun flag set.")


DISKS = 12


@pytest.fixture
def disk_pile(instant, sdk):
    api = sc.ecs_api(sdk, instant, region="cn-shenzhen")
    zone = api.describe_zones()["Zones"]["Zone"][0]["ZoneId"]
    made = [new_disk(api, zone=zone, size=20 + n) for n in range(DISKS)]
    return api, made


def test_describe_disks_page_number(disk_pile):
    api, made = disk_pile
    seen = []
    for page, expected in ((1, 5), (2, 5), (3, 2)):
        body = api.describe_disks(page_number=page, page_size=5)
        assert (body["TotalCount"], body["PageNumber"], body["PageSize"]) == (DISKS, page, 5)
        assert len(sc.disks_of(body)) == expected
        seen += [d["DiskId"] for d in sc.disks_of(body)]
    assert sorted(seen) == sorted(made)


def test_describe_disks_next_token(disk_pile):
    api, made = disk_pile
    seen, pages, token = [], 0, None
    while True:
        body = api.describe_disks(max_results=10, next_token=token)
        pages += 1
        seen += [d["DiskId"] for d in sc.disks_of(body)]
        token = body.get("NextToken")
        if not token:
            break
        assert pages < 10
    assert pages == 2
    assert sorted(seen) == sorted(made)


def test_describe_disks_max_results_floor(disk_pile):
    api, _ = disk_pile
    body = api.describe_disks(max_results=3)  # < 10 counts as 10
    assert len(sc.disks_of(body)) == 10
    assert body.get("NextToken")


# -- realistic timing ------------------------------------------------------------------------


def advance_disk_until(server, api, disk_id, want, limit=120):
    seen = [sc.disk_of(api, disk_id)["Status"]]
    for _ in range(limit):
        if seen[-1] == want:
            return seen
        server.advance(1)
        status = sc.disk_of(api, disk_id)["Status"]
        if status != seen[-1]:
            seen.append(status)
    raise AssertionError(f"{disk_id} never became {want}: {seen}")


def test_disk_transitional_states(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    disk_id = new_disk(api)
    assert advance_disk_until(realistic, api, disk_id, "Available") == ["Creating", "Available"]

    api.attach_disk(STOPPED, disk_id)
    assert advance_disk_until(realistic, api, disk_id, "In_use") == ["Attaching", "In_use"]
    assert sc.disk_of(api, disk_id)["InstanceId"] == STOPPED

    api.detach_disk(STOPPED, disk_id)
    assert advance_disk_until(realistic, api, disk_id, "Available") == ["Detaching", "Available"]

    api.delete_disk(disk_id)
    realistic.advance(120)
    assert sc.disks_of(api.describe_disks(disk_ids=[disk_id])) == []


def test_creating_disk_cannot_be_attached(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    disk_id = new_disk(api)
    assert sc.disk_of(api, disk_id)["Status"] == "Creating"
    err = expect_error(lambda: api.attach_disk(STOPPED, disk_id))
    assert (err.status, err.code) == (403, "IncorrectDiskStatus"), err


def test_attach_to_starting_instance_is_refused(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    disk_id = new_disk(api)
    realistic.advance(120)
    api.start_instance(STOPPED)
    assert sc.status_of(api, STOPPED) == "Starting"
    err = expect_error(lambda: api.attach_disk(STOPPED, disk_id))
    # AttachDisk's table lists IncorrectInstanceStatus as 400, unlike the instance operations' 403
    assert_error(err, 400, "IncorrectInstanceStatus",
                 "The current status of the resource does not support this operation.")
