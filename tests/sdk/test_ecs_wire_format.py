"""The RPC wire as users' tools see it: JSON/XML bodies, error shape, RequestId, methods, form bodies, gateway errors."""

import json
import re
import warnings

import pytest

import sdk_clients as sc

REQUEST_ID = re.compile(r"^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$")
ERROR_FIELDS = ("RequestId", "HostId", "Code", "Message", "Recommend")
STOPPED = "i-bp1seedstopped000001"


@pytest.mark.parametrize("emulator", ["instant", "seeded", "realistic", "strict"], indirect=True)
def test_every_configuration_serves(emulator, sdk):
    resp = emulator.health()
    assert resp.status == 200
    assert isinstance(resp.json(), dict)
    regions = sc.ecs_api(sdk, emulator).describe_regions()["Regions"]["Region"]
    assert "cn-hangzhou" in {r["RegionId"] for r in regions}


def test_json_success_and_request_id_header(seeded):
    resp = seeded.rpc("DescribeRegions", {"RegionId": "cn-hangzhou"})
    assert resp.status == 200
    assert resp.content_type.startswith("application/json"), resp.content_type
    body = resp.json()
    assert REQUEST_ID.match(body["RequestId"]), body["RequestId"]
    assert resp.headers.get("x-acs-request-id") == body["RequestId"]
    assert "Code" not in body  # a success body never carries a top-level Code


def test_request_ids_are_unique(seeded):
    a = seeded.rpc("DescribeRegions").json()["RequestId"]
    b = seeded.rpc("DescribeRegions").json()["RequestId"]
    assert a != b


def test_json_error_shape(seeded):
    resp = seeded.rpc("StartInstance", {"InstanceId": "i-bp1doesnotexist00001"})
    assert resp.status == 404
    assert resp.content_type.startswith("application/json"), resp.content_type
    body = resp.json()
    for key in ERROR_FIELDS:
        assert body.get(key), f"error body lacks {key}: {body}"
    assert body["Code"] == "InvalidInstanceId.NotFound"
    assert body["Message"] == "The specified InstanceId does not exist."
    assert REQUEST_ID.match(body["RequestId"])
    assert resp.headers.get("x-acs-request-id") == body["RequestId"]


def test_xml_error(seeded):
    resp = seeded.rpc("StartInstance", {"InstanceId": "i-bp1doesnotexist00001"}, fmt="XML")
    assert resp.status == 404
    assert resp.headers.get("content-type") == "text/xml;charset=utf-8"
    root = resp.xml()
    assert root.tag == "Error"
    fields = {child.tag: (child.text or "") for child in root}
    for key in ERROR_FIELDS:
        assert fields.get(key), f"<Error> lacks <{key}>: {resp.body!r}"
    assert fields["Code"] == "InvalidInstanceId.NotFound"
    assert fields["Message"] == "The specified InstanceId does not exist."
    assert resp.headers.get("x-acs-request-id") == fields["RequestId"]


def test_xml_success_start_instance(seeded):
    resp = seeded.rpc("StartInstance", {"InstanceId": STOPPED}, fmt="XML")
    assert resp.status == 200
    assert resp.content_type.startswith("text/xml"), resp.content_type
    root = resp.xml()
    assert root.tag == "StartInstanceResponse"
    assert REQUEST_ID.match(root.findtext("RequestId") or "")


def test_xml_success_lists_are_wrapped(seeded):
    resp = seeded.rpc("DescribeInstances", {"RegionId": "cn-hangzhou", "PageSize": 100}, fmt="XML")
    assert resp.status == 200, resp.body[:500]
    root = resp.xml()
    assert root.tag == "DescribeInstancesResponse"
    ids = [e.text for e in root.findall("./Instances/Instance/InstanceId")]
    assert "i-bp1seedstopped000001" in ids and "i-bp1seedrunning000001" in ids, resp.body[:500]
    assert root.findtext("TotalCount") == str(len(ids))
    assert root.findtext("./Instances/Instance/Status") in ("Running", "Stopped")


def test_xml_regions(seeded):
    root = seeded.rpc("DescribeRegions", {"RegionId": "cn-hangzhou"}, fmt="XML").xml()
    assert root.tag == "DescribeRegionsResponse"
    assert "cn-hangzhou" in [e.text for e in root.findall("./Regions/Region/RegionId")]


def test_classic_do_action_xml(seeded):
    """The classic SDK's deprecated do_action honours set_accept_format('XML') and returns the raw XML."""
    from aliyunsdkecs.request.v20140526.DescribeInstancesRequest import DescribeInstancesRequest
    import xml.etree.ElementTree as ET

    client = sc.classic_client(seeded)
    req = DescribeInstancesRequest()
    req.set_InstanceIds(json.dumps([STOPPED]))
    req.set_accept_format("XML")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        raw = client.do_action(req)
    root = ET.fromstring(raw)
    assert root.tag == "DescribeInstancesResponse"
    assert [e.text for e in root.findall("./Instances/Instance/InstanceId")] == [STOPPED]


def test_classic_do_action_with_exception_forces_json(seeded):
    from aliyunsdkecs.request.v20140526.DescribeRegionsRequest import DescribeRegionsRequest

    req = DescribeRegionsRequest()
    req.set_accept_format("XML")
    body = json.loads(sc.classic_client(seeded).do_action_with_exception(req))
    assert "cn-hangzhou" in [r["RegionId"] for r in body["Regions"]["Region"]]


def test_get_with_query(seeded):
    resp = seeded.rpc("StartInstance", {"InstanceId": STOPPED}, method="GET")
    assert resp.status == 200, resp.body
    assert sc.status_of(sc.ecs_api("classic", seeded), STOPPED) == "Running"


def test_post_with_form_body(seeded):
    """pop-core style: every parameter, Action included, in an x-www-form-urlencoded body."""
    resp = seeded.rpc("StartInstance", {"InstanceId": STOPPED}, form=True)
    assert resp.status == 200, resp.body
    assert sc.status_of(sc.ecs_api("classic", seeded), STOPPED) == "Running"


def test_action_from_headers(seeded):
    """ACS3 style: no Action/Version parameters, only x-acs-action / x-acs-version headers."""
    resp = seeded.send({"InstanceId": STOPPED},
                       headers={"x-acs-action": "StartInstance", "x-acs-version": sc.ECS_VERSION})
    assert resp.status == 200, resp.body
    assert resp.content_type.startswith("application/json")


@pytest.mark.parametrize("value", ["true", "True", "TRUE"])
def test_boolean_spellings(seeded, value):
    resp = seeded.rpc("StartInstance", {"InstanceId": STOPPED, "DryRun": value})
    assert resp.status == 400
    assert resp.json()["Code"] == "DryRunOperation"


def test_unicode_and_reserved_characters_round_trip(seeded):
    name = "web 中文 *~'()!/+=&"
    disk = seeded.rpc("CreateDisk", {"RegionId": "cn-hangzhou", "ZoneId": "cn-hangzhou-h", "Size": 40,
                                     "DiskCategory": "cloud_essd", "Description": name})
    assert disk.status == 200, disk.body
    disk_id = disk.json()["DiskId"]
    found = seeded.rpc("DescribeDisks", {"RegionId": "cn-hangzhou", "DiskIds": json.dumps([disk_id])}).json()
    assert found["Disks"]["Disk"][0]["Description"] == name


def test_missing_instance_id(seeded):
    resp = seeded.rpc("StartInstance", {})
    assert resp.status == 400
    body = resp.json()
    assert (body["Code"], body["Message"]) == ("MissingInstanceId", "InstanceId is mandatory for this action.")


def test_missing_region_id(seeded):
    resp = seeded.rpc("DescribeInstances", {})
    assert resp.status == 400
    body = resp.json()
    assert (body["Code"], body["Message"]) == ("MissingRegionId", "RegionId is mandatory for this action.")


def test_unknown_action(seeded):
    resp = seeded.rpc("LaunchRocket", {"RegionId": "cn-hangzhou"})
    assert resp.status == 404
    body = resp.json()
    assert (body["Code"], body["Message"]) == (
        "InvalidAction.NotFound", "Specified api is not found, please check your url and method.")


def test_unknown_version(seeded):
    resp = seeded.rpc("DescribeRegions", {"RegionId": "cn-hangzhou"}, version="1999-01-01")
    body = resp.json()
    assert 400 <= resp.status < 500  # the status is not pinned by the reference (§2: 400, unconfirmed)
    assert (body["Code"], body["Message"]) == ("InvalidVersion", "Specified parameter Version is not valid.")


def test_ecs_action_under_ebs_version_is_not_found(seeded):
    """Dispatch is on (Action, Version): StartInstance does not exist in EBS 2021-07-30."""
    resp = seeded.rpc("StartInstance", {"InstanceId": STOPPED}, version="2021-07-30")
    assert resp.status == 404
    assert resp.json()["Code"] == "InvalidAction.NotFound"
    assert sc.status_of(sc.ecs_api("classic", seeded), STOPPED) == "Stopped"


def test_malformed_query_encoding_is_a_documented_error(seeded):
    """A broken percent-escape must still produce an error body the SDKs can parse, not a bare 500/HTML."""
    resp = sc.http(seeded.url, query="Action=StartInstance&Version=2014-05-26&InstanceId=%ZZ%")
    assert 400 <= resp.status < 500, (resp.status, resp.body[:300])
    body = resp.json()
    assert body.get("Code") and body.get("RequestId"), body


def test_malformed_instance_ids_json(seeded):
    """InstanceIds must be a JSON array; anything else is refused with a parseable 4xx, not a 5xx."""
    resp = seeded.rpc("DescribeInstances", {"RegionId": "cn-hangzhou", "InstanceIds": "[i-not-quoted"})
    assert 400 <= resp.status < 500, (resp.status, resp.body[:300])
    body = resp.json()
    assert body.get("Code") and body.get("RequestId"), body
