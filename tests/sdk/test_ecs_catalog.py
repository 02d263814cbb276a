"""DescribeRegions, DescribeZones, DescribeImages and DescribeInstanceTypes through both SDKs: shapes and errors."""

import pytest

import sdk_clients as sc
from sdk_clients import assert_error, expect_error

CATALOG_REGIONS = ["cn-hangzhou", "cn-beijing", "cn-shanghai", "cn-shenzhen", "ap-southeast-1", "eu-central-1",
                   "us-west-1"]


# -- DescribeRegions -------------------------------------------------------------------------


def test_regions(instant, sdk):
    body = sc.ecs_api(sdk, instant).describe_regions()
    regions = body["Regions"]["Region"]
    by_id = {r["RegionId"]: r for r in regions}
    assert set(CATALOG_REGIONS) <= set(by_id), sorted(by_id)
    for r in regions:
        assert r.get("LocalName"), r
        assert r.get("RegionEndpoint"), r
        assert r.get("Status") == "available", r
    assert body["RequestId"]


def test_regions_in_english(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    english = {r["RegionId"]: r["LocalName"] for r in api.describe_regions(accept_language="en-US")["Regions"]["Region"]}
    assert english["cn-hangzhou"].isascii() and english["cn-hangzhou"], english
    assert set(CATALOG_REGIONS) <= set(english)


def test_regions_for_disks(instant, sdk):
    regions = sc.ecs_api(sdk, instant).describe_regions(resource_type="disk")["Regions"]["Region"]
    assert "cn-hangzhou" in {r["RegionId"] for r in regions}


def test_regions_bad_language(instant, sdk):
    err = expect_error(lambda: sc.ecs_api(sdk, instant).describe_regions(accept_language="xx-XX"))
    assert_error(err, 404, "InvalidAcceptLanguage.NotFound",
                 "Only Chinese (zh-CN), English (en-US), and Japanese (ja) are allowed.")


def test_regions_bad_resource_type(instant, sdk):
    err = expect_error(lambda: sc.ecs_api(sdk, instant).describe_regions(resource_type="spaceship"))
    assert_error(err, 404, "InvalidResourceType.NotFound", "The ResourceType provided does not exist in our records.")


# -- DescribeZones ---------------------------------------------------------------------------


@pytest.mark.parametrize("region", CATALOG_REGIONS)
def test_every_region_has_two_zones(instant, sdk, region):
    zones = sc.ecs_api(sdk, instant, region=region).describe_zones()["Zones"]["Zone"]
    assert len(zones) >= 2, zones
    for z in zones:
        assert z["ZoneId"].startswith(region) and z["ZoneId"] != region, z["ZoneId"]
        assert z.get("LocalName"), z


def test_zone_shape(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    zones = api.describe_zones()["Zones"]["Zone"]
    known_types = {t["InstanceTypeId"] for t in api.describe_instance_types()["InstanceTypes"]["InstanceType"]}
    for z in zones:
        assert z.get("ZoneType") == "AvailabilityZone", z
        offered = z["AvailableInstanceTypes"]["InstanceTypes"]
        assert offered and set(offered) <= known_types, (z["ZoneId"], offered)
        assert "cloud_essd" in z["AvailableDiskCategories"]["DiskCategories"], z
        assert z["AvailableResourceCreation"]["ResourceTypes"], z


def test_zones_unknown_region(instant, sdk):
    err = expect_error(lambda: sc.ecs_api(sdk, instant, region="xx-nowhere-1").describe_zones())
    assert_error(err, 404, "InvalidRegionId.NotFound", "The specified RegionId does not exist.")


def test_zones_bad_language(instant, sdk):
    err = expect_error(lambda: sc.ecs_api(sdk, instant).describe_zones(accept_language="xx-XX"))
    assert_error(err, 404, "InvalidAcceptLanguage.NotFound",
                 "Only Chinese (zh-CN), English (en-US), and Japanese (ja) are allowed.")


# -- DescribeImages --------------------------------------------------------------------------


def test_images(instant, sdk):
    body = sc.ecs_api(sdk, instant).describe_images(page_size=100)
    images = body["Images"]["Image"]
    assert images
    assert body["TotalCount"] == len(images)
    assert body["PageNumber"] == 1
    for img in images:
        assert img["ImageId"], img
        assert img.get("OSType") in ("linux", "windows"), img
        assert img.get("Status") == "Available", img
        assert img.get("ImageName"), img
        assert img.get("Architecture") in ("x86_64", "i386", "arm64"), img


def test_images_by_id(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    first = api.describe_images()["Images"]["Image"][0]["ImageId"]
    body = api.describe_images(image_id=first)
    assert [i["ImageId"] for i in body["Images"]["Image"]] == [first]
    assert body["TotalCount"] == 1


def test_images_unknown_id_gives_empty_list(instant, sdk):
    body = sc.ecs_api(sdk, instant).describe_images(image_id="m-doesnotexist000000001")
    assert body["Images"]["Image"] == []
    assert body["TotalCount"] == 0


def test_images_paging(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    all_ids = [i["ImageId"] for i in api.describe_images(page_size=100)["Images"]["Image"]]
    one = api.describe_images(page_size=1, page_number=1)
    assert len(one["Images"]["Image"]) == 1
    assert one["PageSize"] == 1
    assert one["TotalCount"] == len(all_ids)
    if len(all_ids) > 1:
        second = api.describe_images(page_size=1, page_number=2)["Images"]["Image"]
        assert [i["ImageId"] for i in second] == [all_ids[1]]


# -- DescribeInstanceTypes -------------------------------------------------------------------


def test_instance_types(instant, sdk):
    types = sc.ecs_api(sdk, instant).describe_instance_types()["InstanceTypes"]["InstanceType"]
    assert types
    for t in types:
        assert t["InstanceTypeId"].startswith("ecs."), t
        assert isinstance(t["CpuCoreCount"], int) and t["CpuCoreCount"] > 0, t
        assert isinstance(t["MemorySize"], (int, float)) and t["MemorySize"] > 0, t
        assert t.get("InstanceTypeFamily") and t["InstanceTypeId"].startswith(t["InstanceTypeFamily"]), t


def test_instance_types_filter(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    every = [t["InstanceTypeId"] for t in api.describe_instance_types()["InstanceTypes"]["InstanceType"]]
    wanted = every[:2]
    got = [t["InstanceTypeId"] for t in api.describe_instance_types(instance_types=wanted)["InstanceTypes"]["InstanceType"]]
    assert sorted(got) == sorted(wanted)


def test_instance_types_by_family(instant, sdk):
    api = sc.ecs_api(sdk, instant)
    first = api.describe_instance_types()["InstanceTypes"]["InstanceType"][0]
    family = first["InstanceTypeFamily"]
    got = api.describe_instance_types(instance_type_family=family)["InstanceTypes"]["InstanceType"]
    assert got and all(t["InstanceTypeFamily"] == family for t in got)
