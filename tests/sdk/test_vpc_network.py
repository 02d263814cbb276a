"""VPCs and vSwitches with the official VPC SDK (classic, 2016-04-28), security groups with the ECS
SDKs (classic and Tea), and RunInstances checking the network it names once records exist."""

import json

import pytest
from aliyunsdkecs.request.v20140526 import (
    AuthorizeSecurityGroupRequest,
    CreateSecurityGroupRequest,
    DeleteSecurityGroupRequest,
    DescribeSecurityGroupAttributeRequest,
    RunInstancesRequest,
)
from aliyunsdkvpc.request.v20160428 import (
    CreateVpcRequest,
    CreateVSwitchRequest,
    DeleteVpcRequest,
    DeleteVSwitchRequest,
    DescribeVpcsRequest,
    DescribeVSwitchesRequest,
)
from alibabacloud_ecs20140526 import models as ecs_models

import sdk_clients as sc

IMAGE = "aliyun_3_x64_20G_alibase_20240819.vhd"


def classic(server):
    """One classic client for both products: each is pointed at the emulator by `add_endpoint`."""
    client = sc.classic_client(server)
    client.add_endpoint(sc.DEFAULT_REGION, "Vpc", sc.host_of(server))
    return client


def call(client, request_class, **params):
    req = request_class()
    req.set_accept_format("json")
    for k, v in params.items():
        getattr(req, f"set_{k}")(v)
    return json.loads(client.do_action_with_exception(req))


def test_vpc_vswitch_and_group_flow_with_the_official_sdks(instant):
    c = classic(instant)
    vpc = call(c, CreateVpcRequest.CreateVpcRequest, CidrBlock="192.168.0.0/16", VpcName="sdk-net")
    vpc_id = vpc["VpcId"]
    assert vpc_id.startswith("vpc-") and vpc["VRouterId"].startswith("vrt-")
    vsw_id = call(c, CreateVSwitchRequest.CreateVSwitchRequest, VpcId=vpc_id, ZoneId="cn-hangzhou-i",
                  CidrBlock="192.168.10.0/24", VSwitchName="sdk-vsw")["VSwitchId"]

    vpcs = call(c, DescribeVpcsRequest.DescribeVpcsRequest, VpcId=vpc_id)["Vpcs"]["Vpc"]
    assert [(v["VpcId"], v["Status"], v["CidrBlock"], v["VSwitchIds"]["VSwitchId"]) for v in vpcs] == [
        (vpc_id, "Available", "192.168.0.0/16", [vsw_id])]
    vsws = call(c, DescribeVSwitchesRequest.DescribeVSwitchesRequest, VpcId=vpc_id)["VSwitches"]["VSwitch"]
    assert [(s["VSwitchId"], s["ZoneId"], s["Status"]) for s in vsws] == [(vsw_id, "cn-hangzhou-i", "Available")]

    # The group through the Tea client, its rule through the classic one.
    tea = sc.tea_client(instant)
    sg_id = tea.create_security_group(ecs_models.CreateSecurityGroupRequest(
        region_id=sc.DEFAULT_REGION, vpc_id=vpc_id, security_group_name="sdk-web")).body.security_group_id
    call(c, AuthorizeSecurityGroupRequest.AuthorizeSecurityGroupRequest, SecurityGroupId=sg_id,
         IpProtocol="tcp", PortRange="443/443", SourceCidrIp="0.0.0.0/0")
    perms = call(c, DescribeSecurityGroupAttributeRequest.DescribeSecurityGroupAttributeRequest,
                 SecurityGroupId=sg_id)["Permissions"]["Permission"]
    assert [(p["IpProtocol"], p["PortRange"], p["SourceCidrIp"]) for p in perms] == [("TCP", "443/443", "0.0.0.0/0")]
    groups = tea.describe_security_groups(ecs_models.DescribeSecurityGroupsRequest(
        region_id=sc.DEFAULT_REGION, vpc_id=vpc_id)).body.security_groups.security_group
    assert [(g.security_group_id, g.security_group_name, g.vpc_id) for g in groups] == [(sg_id, "sdk-web", vpc_id)]

    # Now the region has records: RunInstances is checked against them.
    err = sc.expect_error(lambda: call(c, RunInstancesRequest.RunInstancesRequest, ImageId=IMAGE,
                                       InstanceType="ecs.g7.large", VSwitchId="vsw-unknown",
                                       SecurityGroupId=sg_id))
    sc.assert_error(err, 404, "InvalidVSwitchId.NotFound", "Specified virtual switch does not exist.")
    err = sc.expect_error(lambda: call(c, RunInstancesRequest.RunInstancesRequest, ImageId=IMAGE,
                                       InstanceType="ecs.g7.large", VSwitchId=vsw_id,
                                       SecurityGroupId="sg-unknown"))
    sc.assert_error(err, 404, "InvalidSecurityGroupId.NotFound",
                    "The SecurityGroupId provided does not exist in our records.")
    ids = call(c, RunInstancesRequest.RunInstancesRequest, ImageId=IMAGE, InstanceType="ecs.g7.large",
               VSwitchId=vsw_id, SecurityGroupId=sg_id)["InstanceIdSets"]["InstanceIdSet"]
    inst = sc.describe_one(sc.ecs_api("classic", instant), ids[0])
    assert (inst["ZoneId"], inst["VpcAttributes"]["VpcId"], inst["VpcAttributes"]["VSwitchId"]) == (
        "cn-hangzhou-i", vpc_id, vsw_id)
    assert inst["VpcAttributes"]["PrivateIpAddress"]["IpAddress"][0].startswith("192.168.10.")

    # Dependencies, as the SDKs report them.
    err = sc.expect_error(lambda: call(c, DeleteVpcRequest.DeleteVpcRequest, VpcId=vpc_id))
    sc.assert_error(err, 400, "DependencyViolation.VSwitch")
    err = sc.expect_error(lambda: call(c, DeleteSecurityGroupRequest.DeleteSecurityGroupRequest,
                                       SecurityGroupId=sg_id))
    sc.assert_error(err, 403, "DependencyViolation",
                    "There is still instance(s) in the specified security group.")
    sc.ecs_api("classic", instant).delete_instance(ids[0], force=True)
    call(c, DeleteVSwitchRequest.DeleteVSwitchRequest, VSwitchId=vsw_id)
    call(c, DeleteSecurityGroupRequest.DeleteSecurityGroupRequest, SecurityGroupId=sg_id)
    call(c, DeleteVpcRequest.DeleteVpcRequest, VpcId=vpc_id)
    assert call(c, DescribeVpcsRequest.DescribeVpcsRequest)["TotalCount"] == 0


@pytest.mark.parametrize("cidr, code", [
    ("192.168.0.0/24", "InvalidCidrBlock.Overlapped"),
    ("10.0.0.0/24", "InvalidParameter"),
    ("192.168.1.0/30", "InvalidCirdrBlock.MaskLength"),
])
def test_vswitch_blocks_are_checked(instant, cidr, code):
    c = classic(instant)
    vpc_id = call(c, CreateVpcRequest.CreateVpcRequest, CidrBlock="192.168.0.0/16")["VpcId"]
    call(c, CreateVSwitchRequest.CreateVSwitchRequest, VpcId=vpc_id, ZoneId="cn-hangzhou-h",
         CidrBlock="192.168.0.0/20")
    err = sc.expect_error(lambda: call(c, CreateVSwitchRequest.CreateVSwitchRequest, VpcId=vpc_id,
                                       ZoneId="cn-hangzhou-i", CidrBlock=cidr))
    sc.assert_error(err, 400, code)


def test_without_network_records_run_instances_keeps_its_permissive_default(instant):
    c = classic(instant)
    body = call(c, RunInstancesRequest.RunInstancesRequest, ImageId=IMAGE, InstanceType="ecs.g7.large",
                VSwitchId="vsw-anything", SecurityGroupId="sg-anything")
    assert len(body["InstanceIdSets"]["InstanceIdSet"]) == 1
