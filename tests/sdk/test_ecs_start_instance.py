"""StartInstance through both SDKs: the seed document's whole error table, DryRun, success and state after."""

import json
import re

import pytest

import sdk_clients as sc
from sdk_clients import assert_error, expect_error

REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")

STOPPED = "i-bp1seedstopped000001"
RUNNING = "i-bp1seedrunning000001"

# fixtures/example-seed.json instance -> the StartInstance error it must produce (seed 004, alibaba-api.md §8.4)
SEED_ERRORS = [
    ("i-bp1seedlocked0000001", 403, "InstanceLockedForSecurity",
     "The specified operation is denied as your instance is locked for security reasons."),
    ("i-bp1seedexpired000001", 403, "InstanceExpired",
     "The postPaid instance has been expired.Please ensure your account have enough balance."),
    ("i-bp1seedexpiredpre001", 403, "InstanceExpired", "The prePaid instance has been expired."),
    ("i-bp1seedbalance000001", 403, "InsufficientBalance", "Your account does not have enough balance."),
    ("i-bp1seednotready00001", 403, "InstanceNotReady", "The specified instance is not ready for use."),
    ("i-bp1seeddiskerror0001", 403, "DiskError", "IncorrectDiskStatus."),
    ("i-bp1seeddiskarrears01", 403, "DiskInArrears", "The specified operation is denied as your disk has expired."),
    ("i-bp1seednostock000001", 403, "OperationDenied.NoStock",
     "The requested resource is sold out in the specified zone; try other types of resources or other regions "
     "and zones."),
    ("i-bp1seedspotprice0001", 403, "OperationDenied.SpotPriceLowerThanPublicPrice",
     "The spot instance price is lower than public price."),
    ("i-bp1seedkms0000000001", 403, "InvalidParameter.KMSKeyId.KMSUnauthorized",
     "ECS service have no right to access your KMS."),
    ("i-bp1seedinternal00001", 500, "InternalError", "The request processing has failed due to some unknown error."),
]

NOT_FOUND = (404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")
INCORRECT_STATUS = (403, "IncorrectInstanceStatus", "The current status of the resource does not support this operation.")
DRY_RUN_OK = (400, "DryRunOperation", "Request validation has been passed with DryRun flag set.")


@pytest.mark.parametrize("instance_id,status,code,message", SEED_ERRORS, ids=[row[2] + ":" + row[0] for row in SEED_ERRORS])
def test_seeded_condition_gives_documented_error(seeded, sdk, instance_id, status, code, message):
    api = sc.ecs_api(sdk, seeded)
    err = expect_error(lambda: api.start_instance(instance_id))
    assert_error(err, status, code, message)
    assert err.request_id and REQUEST_ID.match(err.request_id), err.request_id
    # refused: the instance stays where it was
    assert sc.status_of(api, instance_id) == "Stopped"


def test_unknown_instance_is_not_found(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.start_instance("i-bp1doesnotexist00001")), *NOT_FOUND)


def test_running_instance_gives_incorrect_status(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.start_instance(RUNNING)), *INCORRECT_STATUS)
    assert sc.status_of(api, RUNNING) == "Running"


def test_start_stopped_instance_runs_it(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    body = api.start_instance(STOPPED)
    assert REQUEST_ID.match(body["RequestId"]), body
    assert sc.status_of(api, STOPPED) == "Running"
    # a second start finds it Running
    assert_error(expect_error(lambda: api.start_instance(STOPPED)), *INCORRECT_STATUS)


def test_dry_run_passes_and_changes_nothing(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.start_instance(STOPPED, dry_run=True)), *DRY_RUN_OK)
    assert sc.status_of(api, STOPPED) == "Stopped"


def test_dry_run_false_is_a_normal_call(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    api.start_instance(STOPPED, dry_run=False)
    assert sc.status_of(api, STOPPED) == "Running"


def test_dry_run_still_reports_failed_checks(seeded, sdk):
    api = sc.ecs_api(sdk, seeded)
    assert_error(expect_error(lambda: api.start_instance("i-bp1doesnotexist00001", dry_run=True)), *NOT_FOUND)
    assert_error(expect_error(lambda: api.start_instance(RUNNING, dry_run=True)), *INCORRECT_STATUS)


def test_classic_server_exception_accessors(seeded):
    """What a classic-SDK user reads off the exception."""
    from aliyunsdkcore.acs_exception.exceptions import ServerException
    from aliyunsdkecs.request.v20140526.StartInstanceRequest import StartInstanceRequest

    client = sc.classic_client(seeded)
    req = StartInstanceRequest()
    req.set_InstanceId("i-bp1seedlocked0000001")
    with pytest.raises(ServerException) as info:
        client.do_action_with_exception(req)
    exc = info.value
    assert exc.get_http_status() == 403
    assert exc.get_error_code() == "InstanceLockedForSecurity"
    assert exc.get_error_msg() == SEED_ERRORS[0][3]
    assert REQUEST_ID.match(exc.get_request_id())


def test_tea_exception_fields(seeded):
    """What a Tea user reads off the exception: .code, .statusCode, .data (the whole error body)."""
    from alibabacloud_ecs20140526 import models
    from alibabacloud_tea_openapi.exceptions import ClientException, ServerException

    client = sc.tea_client(seeded)
    with pytest.raises(ClientException) as info:
        client.start_instance(models.StartInstanceRequest(instance_id="i-bp1seednostock000001"))
    exc = info.value
    assert exc.code == "OperationDenied.NoStock"
    assert exc.statusCode == 403
    for key in ("RequestId", "HostId", "Code", "Message", "Recommend"):
        assert exc.data.get(key), f"error body lacks {key}: {exc.data}"
    assert exc.data["RequestId"] == exc.request_id

    with pytest.raises(ServerException) as info:  # 5xx is a ServerException in Tea
        client.start_instance(models.StartInstanceRequest(instance_id="i-bp1seedinternal00001"))
    assert (info.value.statusCode, info.value.code) == (500, "InternalError")


def test_missing_instance_id_via_common_request(seeded):
    client = sc.classic_client(seeded)
    req = sc.common_request(seeded, "StartInstance", {"RegionId": "cn-hangzhou"})
    err = expect_error(lambda: client.do_action_with_exception(req))
    assert_error(err, 400, "MissingInstanceId", "InstanceId is mandatory for this action.")


def test_common_request_get_starts_instance(seeded):
    """CommonRequest defaults to GET in the real SDK family; the emulator serves both methods."""
    client = sc.classic_client(seeded)
    req = sc.common_request(seeded, "StartInstance", {"InstanceId": STOPPED}, method="GET")
    body = json.loads(client.do_action_with_exception(req))
    assert REQUEST_ID.match(body["RequestId"])
    assert sc.status_of(sc.ecs_api("classic", seeded), STOPPED) == "Running"


def test_tea_start_instance_carries_no_region(seeded):
    """The Tea StartInstance model has no RegionId: the instance must be found by id alone."""
    from alibabacloud_ecs20140526 import models

    resp = sc.tea_client(seeded, region="cn-beijing").start_instance(models.StartInstanceRequest(instance_id=STOPPED))
    assert resp.status_code == 200
    assert REQUEST_ID.match(resp.body.request_id)
    assert resp.headers.get("x-acs-request-id") == resp.body.request_id
