"""The control plane as a test suite uses it: injected throttling that the classic SDK's own
retry rides out, seen in the request log; and a saved world restored before a test."""

import json

from aliyunsdkcore.acs_exception.exceptions import ServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest

import sdk_clients as sc


def _add_fault(server, rule: dict) -> str:
    resp = server.control("/_emulator/faults", rule)
    assert resp.status == 201, resp.body
    return resp.json()["id"]


def _clear_faults(server) -> None:
    resp = server.control("/_emulator/faults", method="DELETE")
    assert resp.status == 200, resp.body


def _log(server, query: str) -> list:
    resp = sc.http(server.url, method="GET", path="/_emulator/requests?" + query)
    assert resp.status == 200, resp.body
    return resp.json()["requests"]


def test_the_classic_sdk_retries_injected_throttling(seeded):
    _add_fault(seeded, {"action": "DescribeInstances", "code": "Throttling", "http_status": 400,
                        "message": "Request was denied due to request throttling.", "count": 2})
    try:
        client = sc.classic_client(seeded)
        req = DescribeInstancesRequest()
        req.set_accept_format("json")
        body = json.loads(client.do_action_with_exception(req))
        assert body["TotalCount"] > 0
        calls = _log(seeded, "action=DescribeInstances&limit=3")
        assert [(c["status"], c["code"], c["faulted"]) for c in calls] == [
            (400, "Throttling", True), (400, "Throttling", True), (200, None, False)]
        assert len({c["request_id"] for c in calls}) == 3
    finally:
        _clear_faults(seeded)


def test_without_retries_the_sdk_sees_the_injected_error(seeded):
    _add_fault(seeded, {"action": "DescribeInstances", "code": "Throttling", "http_status": 400, "count": 1})
    try:
        client = AcsClient(sc.KEY_ID, sc.KEY_SECRET, sc.DEFAULT_REGION, auto_retry=False)
        client.add_endpoint(sc.DEFAULT_REGION, "Ecs", sc.host_of(seeded))
        req = DescribeInstancesRequest()
        req.set_accept_format("json")
        try:
            client.do_action_with_exception(req)
            raise AssertionError("the injected fault did not fire")
        except ServerException as err:
            assert (err.get_http_status(), err.get_error_code()) == (400, "Throttling")
        assert json.loads(client.do_action_with_exception(req))["TotalCount"] > 0
    finally:
        _clear_faults(seeded)


def test_a_saved_world_is_restored_before_each_test(seeded):
    api = sc.ecs_api("classic", seeded)
    saved = sc.http(seeded.url, method="GET", path="/_emulator/state")
    assert saved.status == 200
    disk = api.create_disk(zone_id="cn-hangzhou-h", size=20)["DiskId"]
    assert disk in {d["DiskId"] for d in api.describe_disks(page_size=100)["Disks"]["Disk"]}
    restored = seeded.control("/_emulator/state", json.loads(saved.body), method="PUT")
    assert restored.status == 200, restored.body
    assert disk not in {d["DiskId"] for d in api.describe_disks(page_size=100)["Disks"]["Disk"]}
