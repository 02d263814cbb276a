"""DescribeInstances and DescribeInstanceStatus through both SDKs: fields, filters, both pagination styles."""

import re

import pytest

import sdk_clients as sc
from sdk_clients import assert_error, expect_error

# every instance the example seed gives the default account in cn-hangzhou, with its status
SEED_HANGZHOU = {
    "i-bp1seedstopped000001": "Stopped",
    "i-bp1seedrunning000001": "Running",
    "i-bp1seedlocked0000001": "Stopped",
    "i-bp1seedexpired000001": "Stopped",
    "i-bp1seedexpiredpre001": "Stopped",
    "i-bp1seedbalance000001": "Stopped",
    "i-bp1seednotready00001": "Stopped",
    "i-bp1seeddiskerror0001": "Stopped",
    "i-bp1seeddiskarrears01": "Stopped",
    "i-bp1seednostock000001": "Stopped",
    "i-bp1seedspotprice0001": "Stopped",
    "i-bp1seedkms0000000001": "Stopped",
    "i-bp1seedinternal00001": "Stopped",
}
ECS_MINUTE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}Z$")


def ids(body):
    return [i["InstanceId"] for i in sc.instances_of(body)]


# -- fields ----------------------------------------------------------------------------------


def test_seeded_instance_fields(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    inst = sc.describe_one(api, "i-bp1seedstopped000001")
    assert inst["InstanceId"] == "i-bp1seedstopped000001"
    assert inst["InstanceName"] == "seed-stopped"
    assert inst["RegionId"] == "cn-hangzhou"
    assert inst["ZoneId"] == "cn-hangzhou-h"
    assert inst["Status"] == "Stopped"
    assert inst["InstanceChargeType"] == "PostPaid"
    assert inst.get("InstanceType", "").startswith("ecs."), inst.get("InstanceType")
    assert inst.get("ImageId"), inst
    assert ECS_MINUTE_TIME.match(inst.get("CreationTime", "")), inst.get("CreationTime")


def test_prepaid_seed_instance_charge_type(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert sc.describe_one(api, "i-bp1seedexpiredpre001")["InstanceChargeType"] == "PrePaid"


def test_security_lock_is_visible(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    inst = sc.describe_one(api, "i-bp1seedlocked0000001")
    locks = (inst.get("OperationLocks") or {}).get("LockReason") or []
    assert {"security"} <= {lock.get("LockReason") for lock in locks}, inst.get("OperationLocks")


def test_tea_typed_model_access(seeded):
    """A Tea user reads typed attributes, not dicts: the body must map onto the model's fields."""
    from alibabacloud_ecs20140526 import models

    resp = sc.tea_client(seeded).describe_instances(models.DescribeInstancesRequest(
        region_id="cn-hangzhou", instance_ids='["i-bp1seedrunning000001"]'))
    body = resp.body
    assert body.total_count == 1
    inst = body.instances.instance[0]
    assert (inst.instance_id, inst.status, inst.zone_id) == ("i-bp1seedrunning000001", "Running", "cn-hangzhou-h")
    assert inst.instance_name == "seed-running"


def test_paging_fields_present(seeded, sdk):
    body = sc.ecs_api(sdk, seeded).describe_instances()
    assert body["TotalCount"] == len(SEED_HANGZHOU)
    assert body["PageNumber"] == 1
    assert body["PageSize"] == 10
    assert len(sc.instances_of(body)) == 10
    assert body["RequestId"]


def test_other_region_sees_its_own_instances(seeded, sdk):
    body = sc.ecs_api(sdk, seeded, region="cn-beijing").describe_instances()
    assert ids(body) == ["i-2zeseedbeijing000001"]
    assert body["TotalCount"] == 1


# -- filters ---------------------------------------------------------------------------------


def test_instance_ids_json_array(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    wanted = ["i-bp1seedstopped000001", "i-bp1seedrunning000001"]
    body = api.describe_instances(instance_ids=wanted + ["i-bp1doesnotexist00001"])
    assert sorted(ids(body)) == sorted(wanted)
    assert body["TotalCount"] == 2


def test_empty_instance_ids_array_matches_nothing(seeded, sdk):
    body = sc.ecs_api(sdk, seeded).describe_instances(instance_ids=[])
    assert ids(body) == []
    assert body["TotalCount"] == 0


def test_status_filter(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    running = api.describe_instances(status="Running", page_size=100)
    assert ids(running) == ["i-bp1seedrunning000001"]
    stopped = api.describe_instances(status="Stopped", page_size=100)
    assert sorted(ids(stopped)) == sorted(k for k, v in SEED_HANGZHOU.items() if v == "Stopped")
    assert stopped["TotalCount"] == len(SEED_HANGZHOU) - 1


def test_unknown_status_value(seeded, sdk):
    err = expect_error(lambda: sc.ecs_api(sdk, seeded).describe_instances(status="Sleeping"))
    assert_error(err, 404, "InvalidStatus.NotFound", "The specified Status is not found.")


def test_instance_name_filter(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert ids(api.describe_instances(instance_name="seed-running")) == ["i-bp1seedrunning000001"]
    assert sorted(ids(api.describe_instances(instance_name="seed-*"))) == [
        "i-bp1seedrunning000001", "i-bp1seedstopped000001"]


def test_filters_combine(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    body = api.describe_instances(instance_ids=["i-bp1seedstopped000001", "i-bp1seedrunning000001"], status="Running")
    assert ids(body) == ["i-bp1seedrunning000001"]


def test_zone_and_tag_filters(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    a = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=2,
                                             tags=[("env", "prod"), ("team", "core")]))
    b = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.other_zone_id, amount=1,
                                             tags=[("env", "dev")]))
    c = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.other_zone_id, amount=1))

    assert sorted(ids(api.describe_instances(zone_id=spec.zone_id))) == sorted(a)
    assert sorted(ids(api.describe_instances(zone_id=spec.other_zone_id))) == sorted(b + c)
    assert sorted(ids(api.describe_instances(tags=[("env", "prod")]))) == sorted(a)
    assert sorted(ids(api.describe_instances(tags=[("env", "dev")]))) == sorted(b)
    assert sorted(ids(api.describe_instances(tags=[("env", "prod"), ("team", "core")]))) == sorted(a)
    assert ids(api.describe_instances(tags=[("env", "prod"), ("team", "other")])) == []
    assert ids(api.describe_instances(tags=[("env", "dev")], zone_id=spec.zone_id)) == []


def test_tag_key_alone_matches_any_value(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    tagged = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id,
                                                  tags=[("env", "prod")]))
    tagged += sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id,
                                                   tags=[("env", "dev")]))
    api.run_instances(spec.image_id, spec.instance_type, spec.zone_id)
    assert sorted(ids(api.describe_instances(tags=[("env", None)]))) == sorted(tagged)


def test_tag_value_without_key(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    err = expect_error(lambda: api.describe_instances(tags=[(None, "prod")]))
    assert_error(err, 400, "InvalidTag.Mismatch", "The specified Tag.n.Key and Tag.n.Value are not match.")


def test_dry_run(seeded, sdk):
    err = expect_error(lambda: sc.ecs_api(sdk, seeded).describe_instances(dry_run=True))
    assert_error(err, 400, "DryRunOperation", "Request validation has been passed with DryRun flag set.")


# -- pagination ------------------------------------------------------------------------------

FLEET = 25


@pytest.fixture
def fleet(instant, sdk):
    """25 fresh instances in cn-shenzhen; returns (api, their ids)."""
    api = sc.ecs_api(sdk, instant, region="cn-shenzhen")
    spec = sc.launch_spec(api)
    made = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=FLEET))
    assert len(made) == FLEET
    return api, made


def test_page_number_and_size(fleet):
    api, made = fleet
    seen = []
    for page, expected in ((1, 10), (2, 10), (3, 5), (4, 0)):
        body = api.describe_instances(page_number=page, page_size=10)
        assert body["TotalCount"] == FLEET
        assert body["PageNumber"] == page
        assert body["PageSize"] == 10
        assert len(sc.instances_of(body)) == expected, (page, ids(body))
        seen += ids(body)
    assert len(seen) == len(set(seen)) == FLEET
    assert set(seen) == set(made)


def test_next_token_walk(fleet):
    api, made = fleet
    seen, pages, token = [], 0, None
    while True:
        body = api.describe_instances(max_results=10, next_token=token)
        pages += 1
        seen += ids(body)
        token = body.get("NextToken")
        if not token:
            break
        assert pages < 10, "NextToken never ran out"
    assert pages == 3, f"{FLEET} instances at 10 a page should take 3 pages, took {pages}"
    assert len(seen) == len(set(seen)) == FLEET
    assert set(seen) == set(made)


def test_max_results_below_ten_means_ten(fleet):
    api, _ = fleet
    body = api.describe_instances(max_results=5)
    assert len(sc.instances_of(body)) == 10
    assert body.get("NextToken")


def test_max_results_above_hundred_means_hundred(fleet):
    api, _ = fleet
    body = api.describe_instances(max_results=500)
    assert len(sc.instances_of(body)) == FLEET
    assert not body.get("NextToken")


def test_next_token_filters_still_apply(fleet):
    api, made = fleet
    subset = made[:12]
    seen, token = [], None
    for _ in range(5):
        body = api.describe_instances(instance_ids=subset, max_results=10, next_token=token)
        seen += ids(body)
        token = body.get("NextToken")
        if not token:
            break
    assert sorted(seen) == sorted(subset)


# -- DescribeInstanceStatus ------------------------------------------------------------------


def statuses(body):
    return {s["InstanceId"]: s["Status"] for s in body["InstanceStatuses"]["InstanceStatus"]}


def test_instance_status_for_listed_ids(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    wanted = ["i-bp1seedstopped000001", "i-bp1seedrunning000001", "i-bp1seedlocked0000001"]
    body = api.describe_instance_status(instance_ids=wanted)
    assert statuses(body) == {k: SEED_HANGZHOU[k] for k in wanted}
    assert body["TotalCount"] == 3


def test_instance_status_pages(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    seen = {}
    for page, expected in ((1, 5), (2, 5), (3, 3)):
        body = api.describe_instance_status(page_number=page, page_size=5)
        assert body["TotalCount"] == len(SEED_HANGZHOU)
        assert (body["PageNumber"], body["PageSize"]) == (page, 5)
        page_statuses = statuses(body)
        assert len(page_statuses) == expected
        assert not set(page_statuses) & set(seen)
        seen.update(page_statuses)
    assert seen == SEED_HANGZHOU


def test_instance_status_zone_filter(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    body = api.describe_instance_status(zone_id="cn-hangzhou-h", page_size=50)
    assert statuses(body) == SEED_HANGZHOU


def test_instance_status_unknown_zone(seeded, sdk):
    err = expect_error(lambda: sc.ecs_api(sdk, seeded).describe_instance_status(zone_id="cn-hangzhou-zz"))
    assert_error(err, 404, "InvalidZoneId.NotFound", "The ZoneId provided does not exist in our records.")


def test_instance_status_too_many_ids(seeded, sdk):
    many = [f"i-bp1many{n:013d}" for n in range(101)]
    err = expect_error(lambda: sc.ecs_api(sdk, seeded).describe_instance_status(instance_ids=many))
    assert_error(err, 403, "InvalidParameter.TooManyInstanceIds", "Instance ids cannot be more than 100.")
