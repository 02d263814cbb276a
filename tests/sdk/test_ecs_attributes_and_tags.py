"""CreateInstance, the attribute calls and the tag calls through the official SDKs (classic typed requests
and Tea typed models for ECS; classic CommonRequest and Tea typed models for EBS), as Ansible's, libcloud's
and Terraform's resources issue them."""

from __future__ import annotations

import base64
import json

import pytest
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from aliyunsdkecs.request.v20140526 import (
    CreateInstanceRequest,
    DescribeInstanceAttributeRequest,
    DescribeUserDataRequest,
    ListTagResourcesRequest,
    ModifyDiskAttributeRequest,
    ModifyInstanceAttributeRequest,
    TagResourcesRequest,
    UntagResourcesRequest,
)
from alibabacloud_ebs20210730 import models as ebs_models
from alibabacloud_ebs20210730.client import Client as TeaEbsClient
from alibabacloud_ecs20140526 import models as m

import replication_helpers as rh
import sdk_clients as sc

SCRIPT = base64.b64encode(b"#!/bin/sh\necho configured > /tmp/marker\n").decode()
EBS_VERSION = "2021-07-30"


class Attrs:
    """The calls under test through one SDK, answers as wire-named dicts."""

    def __init__(self, sdk: str, server):
        self.sdk = sdk
        self.api = sc.ecs_api(sdk, server)

    def _classic(self, module, **setters) -> dict:
        return self.api._call(module, **setters)

    def _tea(self, method: str, request) -> dict:
        return self.api._call(method, request)

    def create_instance(self, spec, **kw) -> dict:
        tags = kw.pop("tags", None)
        if self.sdk == "classic":
            return self._classic(CreateInstanceRequest, ImageId=spec.image_id, InstanceType=spec.instance_type,
                                 ZoneId=spec.zone_id,
                                 Tags=[{"Key": k, "Value": v} for k, v in tags] if tags else None, **kw)
        fields = {snake: v for snake, v in ((rh.snake(k), v) for k, v in kw.items())}
        return self._tea("create_instance", m.CreateInstanceRequest(
            region_id=self.api.region, image_id=spec.image_id, instance_type=spec.instance_type,
            zone_id=spec.zone_id, tag=[m.CreateInstanceRequestTag(key=k, value=v) for k, v in tags] if tags else None,
            **fields))

    def describe_user_data(self, instance_id) -> dict:
        if self.sdk == "classic":
            return self._classic(DescribeUserDataRequest, InstanceId=instance_id)
        return self._tea("describe_user_data", m.DescribeUserDataRequest(
            region_id=self.api.region, instance_id=instance_id))

    def modify_instance(self, instance_id, **kw) -> dict:
        if self.sdk == "classic":
            return self._classic(ModifyInstanceAttributeRequest, InstanceId=instance_id, **kw)
        return self._tea("modify_instance_attribute", m.ModifyInstanceAttributeRequest(
            instance_id=instance_id, **{rh.snake(k): v for k, v in kw.items()}))

    def instance_attribute(self, instance_id) -> dict:
        if self.sdk == "classic":
            return self._classic(DescribeInstanceAttributeRequest, InstanceId=instance_id)
        return self._tea("describe_instance_attribute", m.DescribeInstanceAttributeRequest(instance_id=instance_id))

    def modify_disk(self, disk_id, **kw) -> dict:
        if self.sdk == "classic":
            return self._classic(ModifyDiskAttributeRequest, DiskId=disk_id, **kw)
        return self._tea("modify_disk_attribute", m.ModifyDiskAttributeRequest(
            disk_id=disk_id, **{rh.snake(k): v for k, v in kw.items()}))

    def tag(self, kind, ids, tags) -> dict:
        if self.sdk == "classic":
            return self._classic(TagResourcesRequest, ResourceType=kind, ResourceIds=list(ids),
                                 Tags=[{"Key": k, "Value": v} for k, v in tags])
        return self._tea("tag_resources", m.TagResourcesRequest(
            region_id=self.api.region, resource_type=kind, resource_id=list(ids),
            tag=[m.TagResourcesRequestTag(key=k, value=v) for k, v in tags]))

    def untag(self, kind, ids, keys=None, all_=None) -> dict:
        if self.sdk == "classic":
            return self._classic(UntagResourcesRequest, ResourceType=kind, ResourceIds=list(ids), TagKeys=keys,
                                 All=all_)
        return self._tea("untag_resources", m.UntagResourcesRequest(
            region_id=self.api.region, resource_type=kind, resource_id=list(ids), tag_key=keys, all=all_))

    def list_tags(self, kind, ids=None, next_token=None) -> dict:
        if self.sdk == "classic":
            return self._classic(ListTagResourcesRequest, ResourceType=kind, ResourceIds=ids, NextToken=next_token)
        return self._tea("list_tag_resources", m.ListTagResourcesRequest(
            region_id=self.api.region, resource_type=kind, resource_id=ids, next_token=next_token))


def missing_fields(model, path: str = "") -> list:
    """Fields of a typed Tea model left unset after reading an answer (recursively, lists' first item)."""
    missing = []
    for name, value in vars(model).items():
        if name.startswith("_"):
            continue
        if value is None:
            missing.append(path + name)
        elif hasattr(value, "to_map") and not isinstance(value, (str, bytes)):
            missing += missing_fields(value, f"{path}{name}.")
        elif isinstance(value, list) and value and hasattr(value[0], "to_map"):
            missing += missing_fields(value[0], f"{path}{name}[0].")
    return missing


def assert_complete(model_cls, body: dict) -> None:
    """Exactly the fields the Tea model of the answer names: none absent (lists checked on their first
    item), none the model does not know (reading the answer into the model and back loses nothing)."""
    model = model_cls().from_map(body)
    assert missing_fields(model) == [], f"{model_cls.__name__}: fields absent from {body}"
    assert model.to_map() == body, f"{model_cls.__name__}: fields the model does not name in {body}"


@pytest.fixture
def attrs(sdk, seeded) -> Attrs:
    return Attrs(sdk, seeded)


def test_create_instance_is_stopped_and_keeps_its_user_data(attrs):
    spec = sc.launch_spec(attrs.api)
    body = attrs.create_instance(spec, InstanceName="legacy-web", HostName="legacy-web", UserData=SCRIPT,
                                 tags=[("owner", "ops")])
    instance_id = body["InstanceId"]
    assert_complete(m.CreateInstanceResponseBody, body)
    assert instance_id.startswith("i-") and body["OrderId"] == ""
    described = sc.describe_one(attrs.api, instance_id)
    assert described["Status"] == "Stopped"
    assert sc.tags_of(described) == {"owner": "ops"}
    data = attrs.describe_user_data(instance_id)
    assert_complete(m.DescribeUserDataResponseBody, data)
    assert (data["InstanceId"], data["RegionId"], data["UserData"]) == (instance_id, sc.DEFAULT_REGION, SCRIPT)
    attrs.api.start_instance(instance_id)
    assert sc.describe_one(attrs.api, instance_id)["Status"] == "Running"


def test_create_instance_refuses_bad_user_data(attrs):
    spec = sc.launch_spec(attrs.api)
    err = sc.expect_error(lambda: attrs.create_instance(spec, UserData="not base64!"))
    sc.assert_error(err, 400, "InvalidUserData.Base64FormatInvalid",
                    "The specified parameter UserData must be base64 encoded.")


def test_modify_and_describe_instance_attribute(attrs):
    instance_id = "i-bp1seedstopped000001"
    attrs.modify_instance(instance_id, InstanceName="renamed-1", Description="changed by the SDK",
                          HostName="renamed-host", UserData=SCRIPT)
    a = attrs.instance_attribute(instance_id)
    assert_complete(m.DescribeInstanceAttributeResponseBody, a)
    assert (a["InstanceName"], a["Description"], a["HostName"], a["Status"]) == \
        ("renamed-1", "changed by the SDK", "renamed-host", "Stopped")
    assert a["VpcAttributes"]["PrivateIpAddress"]["IpAddress"]
    assert a["SerialNumber"] == sc.describe_one(attrs.api, instance_id)["SerialNumber"]
    assert attrs.describe_user_data(instance_id)["UserData"] == SCRIPT
    # User data only changes on a stopped instance.
    err = sc.expect_error(lambda: attrs.modify_instance("i-bp1seedrunning000001", UserData=SCRIPT))
    sc.assert_error(err, 403, "IncorrectInstanceStatus")
    err = sc.expect_error(lambda: attrs.modify_instance(instance_id, InstanceName="-bad"))
    sc.assert_error(err, 400, "InvalidInstanceName.Malformed", 'The specified parameter "InstanceName" is not valid.')
    err = sc.expect_error(lambda: attrs.instance_attribute("i-doesnotexist"))
    sc.assert_error(err, 404, "InvalidInstanceId.NotFound", "The specified InstanceId does not exist.")


def test_modify_disk_attribute(attrs):
    disk_id = attrs.api.create_disk(zone_id="cn-hangzhou-h", size=40, disk_category="cloud_essd")["DiskId"]
    attrs.modify_disk(disk_id, DiskName="data-disk", Description="kept on release", DeleteWithInstance=True,
                      DeleteAutoSnapshot=False)
    (disk,) = attrs.api.describe_disks(disk_ids=[disk_id])["Disks"]["Disk"]
    assert (disk["DiskName"], disk["Description"], disk["DeleteWithInstance"], disk["DeleteAutoSnapshot"]) == \
        ("data-disk", "kept on release", True, False)
    err = sc.expect_error(lambda: attrs.modify_disk("d-doesnotexist", DiskName="abc"))
    sc.assert_error(err, 404, "InvalidDiskId.NotFound", "The specified disk does not exist.")
    err = sc.expect_error(lambda: attrs.modify_disk(disk_id, DiskName="1abc"))
    sc.assert_error(err, 400, "InvalidDiskName.Malformed")


def test_tag_list_untag_instances_and_disks(attrs):
    running, stopped = "i-bp1seedrunning000001", "i-bp1seedstopped000001"
    attrs.tag("instance", [running, stopped], [("app", "web"), ("env", "test")])
    listed = attrs.list_tags("instance", ids=[running])
    assert_complete(m.ListTagResourcesResponseBody, listed)
    rows = listed["TagResources"]["TagResource"]
    assert [(r["ResourceType"], r["ResourceId"], r["TagKey"], r["TagValue"]) for r in rows] == \
        [("instance", running, "app", "web"), ("instance", running, "env", "test")]
    assert sc.tags_of(sc.describe_one(attrs.api, stopped)) == {"app": "web", "env": "test"}
    attrs.untag("instance", [running], keys=["app"])
    assert [r["TagKey"] for r in attrs.list_tags("instance", ids=[running])["TagResources"]["TagResource"]] == ["env"]
    attrs.untag("instance", [running, stopped], all_=True)
    assert attrs.list_tags("instance", ids=[running, stopped])["TagResources"]["TagResource"] == []
    err = sc.expect_error(lambda: attrs.tag("instance", ["i-doesnotexist"], [("a", "b")]))
    sc.assert_error(err, 404, "InvalidResourceId.NotFound", "The specified ResourceIds are not found in our records.")
    err = sc.expect_error(lambda: attrs.tag("instance", [running], [(f"k{i}", "v") for i in range(21)]))
    sc.assert_error(err, 400, "NumberExceed.Tags")
    err = sc.expect_error(lambda: attrs.tag("volume", [running], [("a", "b")]))
    sc.assert_error(err, 404, "InvalidResourceType.NotFound")


def test_list_tag_resources_pages_with_next_token(attrs):
    spec = sc.launch_spec(attrs.api)
    ids = sc.instance_ids_of(attrs.api.run_instances(image_id=spec.image_id, instance_type=spec.instance_type,
                                                     zone_id=spec.zone_id, amount=3))
    attrs.tag("instance", ids, [(f"key{i}", str(i)) for i in range(20)])
    seen, token, pages = [], None, 0
    while True:
        body = attrs.list_tags("instance", ids=ids, next_token=token)
        seen += body["TagResources"]["TagResource"]
        pages += 1
        token = body.get("NextToken")
        if not token:
            break
    assert (len(seen), pages) == (60, 2)


# -- EBS ---------------------------------------------------------------------------------------------


def ebs_classic_call(server, action: str, params: dict) -> dict:
    client = AcsClient(sc.KEY_ID, sc.KEY_SECRET, sc.DEFAULT_REGION, connect_timeout=5, timeout=30)
    req = CommonRequest(domain=server.host, version=EBS_VERSION, action_name=action, product="ebs")
    req.set_method("POST")
    for k, v in params.items():
        req.add_query_param(k, v)
    return json.loads(client.do_action_with_exception(req))


def ebs_tea_client(server) -> TeaEbsClient:
    return TeaEbsClient(sc.TeaConfig(access_key_id=sc.KEY_ID, access_key_secret=sc.KEY_SECRET,
                                     region_id=sc.DEFAULT_REGION, endpoint=server.host, protocol="http",
                                     connect_timeout=5000, read_timeout=30000))


@pytest.mark.parametrize("kind", ["diskreplicapair", "diskreplicagroup"])
def test_ebs_tags_on_pairs_and_groups_with_the_tea_sdk(seeded, kind):
    api = rh.replica_api("ebs-tea", seeded)
    resource = rh.ready_pair(api)[0] if kind == "diskreplicapair" else api.create_group()
    client = ebs_tea_client(seeded)
    client.tag_resources(ebs_models.TagResourcesRequest(
        region_id=sc.DEFAULT_REGION, resource_type=kind, resource_id=[resource],
        tag=[ebs_models.TagResourcesRequestTag(key="app", value="db")]))
    body = client.list_tag_resources(ebs_models.ListTagResourcesRequest(
        region_id=sc.DEFAULT_REGION, resource_type=kind, resource_id=[resource])).body.to_map()
    assert_complete(ebs_models.ListTagResourcesResponseBody, body)
    assert body["TagResources"] == [{"ResourceType": kind, "ResourceId": resource, "TagKey": "app",
                                     "TagValue": "db"}]
    client.untag_resources(ebs_models.UntagResourcesRequest(
        region_id=sc.DEFAULT_REGION, resource_type=kind, resource_id=[resource], tag_key=["app"]))
    body = client.list_tag_resources(ebs_models.ListTagResourcesRequest(
        region_id=sc.DEFAULT_REGION, resource_type=kind, resource_id=[resource])).body.to_map()
    assert body["TagResources"] == []


def test_ebs_tags_with_the_classic_sdk(seeded):
    api = rh.replica_api("ebs-classic", seeded)
    pair = rh.ready_pair(api)[0]
    ebs_classic_call(seeded, "TagResources", {"RegionId": sc.DEFAULT_REGION, "ResourceType": "diskreplicapair",
                                              "ResourceId.1": pair, "Tag.1.Key": "tier", "Tag.1.Value": "gold"})
    assert api.pair(pair)["Tags"] == [{"TagKey": "tier", "TagValue": "gold"}]
    body = ebs_classic_call(seeded, "ListTagResources", {"RegionId": sc.DEFAULT_REGION,
                                                         "ResourceType": "diskreplicapair"})
    assert [r["ResourceId"] for r in body["TagResources"]] == [pair]
    err = sc.expect_error(lambda: ebs_classic_call(seeded, "TagResources", {
        "RegionId": sc.DEFAULT_REGION, "ResourceType": "diskreplicapair", "ResourceId.1": "pair-doesnotexist",
        "Tag.1.Key": "a"}))
    sc.assert_error(err, 404, "NoSuchResource")


def test_ebs_describe_regions_with_both_sdks(seeded):
    tea = ebs_tea_client(seeded).describe_regions(ebs_models.DescribeRegionsRequest(
        region_id=sc.DEFAULT_REGION, resource_type="ear", accept_language="en-US")).body
    by_id = {r.region_id: r for r in tea.regions}
    assert {"cn-hangzhou", "cn-shanghai"} <= set(by_id)
    hz = by_id["cn-hangzhou"]
    assert (hz.local_name, hz.region_endpoint) == ("China (Hangzhou)", "ebs.cn-hangzhou.aliyuncs.com")
    assert all(z.resource_types == ["ear"] for z in hz.zones) and hz.zones[0].zone_id.startswith("cn-hangzhou-")
    classic = ebs_classic_call(seeded, "DescribeRegions", {})
    assert_complete(ebs_models.DescribeRegionsResponseBody, classic)
    assert sorted(r["RegionId"] for r in classic["Regions"]) == sorted(by_id)
