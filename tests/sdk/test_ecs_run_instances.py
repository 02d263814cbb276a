"""RunInstances through both SDKs: Amount, tags, ClientToken idempotence, DryRun, seeded ids, errors, Pending."""

import uuid

import sdk_clients as sc
from sdk_clients import assert_error, expect_error

DRY_RUN_OK = (400, "DryRunOperation", "Request validation has been passed with DryRun flag set.")


def total(api) -> int:
    return api.describe_instances(page_size=100)["TotalCount"]


def test_amount_creates_running_instances(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    body = api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=3, instance_name="web",
                             tags=[("env", "test"), ("team", "a b")])
    ids = sc.instance_ids_of(body)
    assert len(ids) == 3 and len(set(ids)) == 3, ids
    assert all(i.startswith("i-") for i in ids), ids
    assert body["RequestId"]

    found = {i["InstanceId"]: i for i in sc.instances_of(api.describe_instances(instance_ids=ids))}
    assert set(found) == set(ids)
    for inst in found.values():
        assert inst["Status"] == "Running"
        assert inst["RegionId"] == spec.region
        assert inst["ZoneId"] == spec.zone_id
        assert inst["ImageId"] == spec.image_id
        assert inst["InstanceType"] == spec.instance_type
        assert inst["InstanceName"] == "web"
        assert sc.tags_of(inst) == {"env": "test", "team": "a b"}
    assert total(api) == 3


def test_default_amount_is_one(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    ids = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id))
    assert len(ids) == 1
    assert sc.status_of(api, ids[0]) == "Running"


def test_client_token_same_request_returns_same_ids(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    token = "tok-" + uuid.uuid4().hex
    first = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=2,
                                                 client_token=token))
    again = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=2,
                                                 client_token=token))
    assert again == first
    assert total(api) == 2
    # another token is another order
    other = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=2,
                                                 client_token=token + "-2"))
    assert set(other).isdisjoint(first)
    assert total(api) == 4


def test_client_token_with_changed_parameters_is_refused(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    token = "tok-" + uuid.uuid4().hex
    api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=1, client_token=token)
    err = expect_error(lambda: api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=2,
                                                 client_token=token))
    # alibaba-api.md §3.1: ECS answers 400 or 403 depending on the API
    assert err.code == "IdempotentParameterMismatch" and err.status in (400, 403), err
    assert total(api) == 1


def test_dry_run_creates_nothing(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    err = expect_error(lambda: api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=2,
                                                 dry_run=True))
    assert_error(err, *DRY_RUN_OK)
    assert total(api) == 0


def test_dry_run_reports_a_failed_check(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    err = expect_error(lambda: api.run_instances("m-doesnotexist000000001", spec.instance_type, spec.zone_id,
                                                 dry_run=True))
    assert_error(err, 404, "InvalidImageId.NotFound", "The specified ImageId does not exist.")


def test_dry_run_with_out_of_range_amount_is_not_a_pass(instant, sdk):
    """Amount is 1-100; a DryRun asking for 101 must not report that validation passed."""
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    err = expect_error(lambda: api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=101,
                                                 dry_run=True))
    assert err.code != "DryRunOperation" and 400 <= err.status < 500, err
    if err.code == "DryRun.InvalidAmount":  # §3.2 lists it for RunInstances
        assert err.status == 403, err
    assert total(api) == 0


def test_unknown_image(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    err = expect_error(lambda: api.run_instances("m-doesnotexist000000001", spec.instance_type, spec.zone_id))
    assert_error(err, 404, "InvalidImageId.NotFound", "The specified ImageId does not exist.")
    assert total(api) == 0


def test_unknown_instance_type(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    err = expect_error(lambda: api.run_instances(spec.image_id, "ecs.nosuch.type99", spec.zone_id))
    assert_error(err, 400, "InvalidInstanceType.ValueNotSupported",
                 "The specified InstanceType beyond the permitted range.")


def test_unknown_zone(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    err = expect_error(lambda: api.run_instances(spec.image_id, spec.instance_type, "cn-hangzhou-zz"))
    # RunInstances' own text (alibaba-api.md §8.4, RunInstances table)
    assert_error(err, 404, "InvalidZoneId.NotFound", "The ZoneId provided does not exist in our records.")


def test_unknown_region(instant, sdk):
    spec = sc.launch_spec(sc.ecs_api(sdk, instant))
    api = sc.ecs_api(sdk, instant, region="xx-nowhere-1")
    err = expect_error(lambda: api.run_instances(spec.image_id, spec.instance_type))
    assert_error(err, 404, "InvalidRegionId.NotFound", "The RegionId provided does not exist in our records.")


def test_seeded_ids_repeat_after_reset(instant, sdk):
    """--seed N: the same requests after a reset give the same ids."""
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    first = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=2,
                                                 client_token="fixed-token-1"))
    instant.reset()
    again = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id, amount=2,
                                                 client_token="fixed-token-1"))
    assert again == first


def test_instances_are_regional(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    spec = sc.launch_spec(api)
    ids = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id))
    elsewhere = sc.ecs_api(sdk, instant, region="cn-beijing")
    assert sc.instances_of(elsewhere.describe_instances(instance_ids=ids)) == []
    assert elsewhere.describe_instances()["TotalCount"] == 0


def test_new_instance_is_pending_until_the_clock_moves(realistic, sdk):
    api = sc.ecs_api(sdk, realistic)
    spec = sc.launch_spec(api)
    [iid] = sc.instance_ids_of(api.run_instances(spec.image_id, spec.instance_type, spec.zone_id))
    seen = [sc.status_of(api, iid)]
    assert seen == ["Pending"]
    for _ in range(120):
        if seen[-1] == "Running":
            break
        realistic.advance(1)
        status = sc.status_of(api, iid)
        if status != seen[-1]:
            seen.append(status)
    assert seen[-1] == "Running", seen
    assert set(seen) <= {"Pending", "Starting", "Running"}, seen
