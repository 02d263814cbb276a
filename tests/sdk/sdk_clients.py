"""Client side of the SDK suite: the four official client kinds, one ECS adapter per SDK, raw (signed) HTTP."""

from __future__ import annotations

import base64
import datetime as _dt
import hashlib
import hmac
import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional

from aliyunsdkcore.acs_exception.exceptions import ServerException as ClassicServerException
from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from aliyunsdkecs.request.v20140526 import (
    AttachDiskRequest,
    CreateDiskRequest,
    DeleteDiskRequest,
    DeleteInstanceRequest,
    DescribeDisksRequest,
    DescribeImagesRequest,
    DescribeInstanceStatusRequest,
    DescribeInstanceTypesRequest,
    DescribeInstancesRequest,
    DescribeRegionsRequest,
    DescribeZonesRequest,
    DetachDiskRequest,
    RebootInstanceRequest,
    RunInstancesRequest,
    StartInstanceRequest,
    StopInstanceRequest,
)
from alibabacloud_ecs20140526 import models as tea_models
from alibabacloud_ecs20140526.client import Client as TeaEcsClient
from alibabacloud_tea_openapi.models import Config as TeaConfig
from Tea.exceptions import TeaException

ECS_VERSION = "2014-05-26"

# The keys the reference captures use; the emulators of this suite are started knowing them.
KEY_ID = "LTAI5tTESTKEYID00000001"
KEY_SECRET = "TestSecretKey0000000000000000A"
ACCOUNT = "1000000000000001"
OTHER_KEY_ID = "LTAI5tOTHERKEYID0000002"
OTHER_KEY_SECRET = "OtherSecretKey0000000000000000B"
OTHER_ACCOUNT = "1000000000000002"
# Never given to any emulator: permissive mode serves it as the default account, strict mode refuses it.
UNKNOWN_KEY_ID = "LTAI5tUNKNOWNKEY0000009"
UNKNOWN_KEY_SECRET = "NobodyKnowsThisSecret000000000C"

DEFAULT_REGION = "cn-hangzhou"
SDKS = ("classic", "tea")


# --------------------------------------------------------------------------------------------
# Raw HTTP


@dataclass
class RawResponse:
    """One HTTP answer, headers keyed in lower case."""

    status: int
    headers: dict
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)


def pe(value: Any) -> str:
    """Alibaba's percent-encoding: UTF-8, unreserved `A-Za-z0-9-_.~` kept, upper-case hex elsewhere."""
    return urllib.parse.quote(str(value), safe="-_.~")


def encode_query(params: Any) -> str:
    items = params.items() if isinstance(params, Mapping) else params
    return "&".join(f"{pe(k)}={pe(v)}" for k, v in items)


def http(
    base_url: str,
    method: str = "POST",
    query: Any = None,
    body: Optional[bytes | str] = None,
    headers: Optional[Mapping[str, str]] = None,
    path: str = "/",
    timeout: float = 30,
) -> RawResponse:
    """Send one request with the standard library and return the answer whatever its status."""
    url = base_url.rstrip("/") + path
    if query:
        url += "?" + (query if isinstance(query, str) else encode_query(query))
    data = body.encode("utf-8") if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return RawResponse(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
    except urllib.error.HTTPError as err:
        return RawResponse(err.code, {k.lower(): v for k, v in err.headers.items()}, err.read())


def utc_timestamp(offset_seconds: float = 0) -> str:
    now = _dt.datetime.now(_dt.timezone.utc) + _dt.timedelta(seconds=offset_seconds)
    return now.strftime("%Y-%m-%dT%H:%M:%SZ")


def rpc_string_to_sign(params: Mapping[str, Any], method: str = "POST") -> str:
    canonical = "&".join(f"{pe(k)}={pe(v)}" for k, v in sorted(params.items()) if k != "Signature")
    return f"{method.upper()}&%2F&{pe(canonical)}"


def rpc_signature(params: Mapping[str, Any], secret: str, method: str = "POST") -> str:
    sts = rpc_string_to_sign(params, method)
    digest = hmac.new((secret + "&").encode("utf-8"), sts.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def signed_rpc_params(
    action: str,
    params: Optional[Mapping[str, Any]] = None,
    key_id: str = KEY_ID,
    secret: str = KEY_SECRET,
    method: str = "POST",
    nonce: Optional[str] = None,
    timestamp: Optional[str] = None,
    version: str = ECS_VERSION,
    fmt: str = "JSON",
) -> dict:
    """Common RPC parameters plus `params`, signed with HMAC-SHA1 exactly as the classic SDK does."""
    p = {
        "Action": action,
        "Version": version,
        "Format": fmt,
        "AccessKeyId": key_id,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "SignatureNonce": nonce or uuid.uuid4().hex,
        "Timestamp": timestamp or utc_timestamp(),
    }
    p.update({k: v for k, v in (params or {}).items() if v is not None})
    p["Signature"] = rpc_signature(p, secret, method)
    return p


def acs3_request(
    host: str,
    action: str,
    query: Optional[Mapping[str, Any]] = None,
    key_id: str = KEY_ID,
    secret: str = KEY_SECRET,
    method: str = "POST",
    nonce: Optional[str] = None,
    date: Optional[str] = None,
    version: str = ECS_VERSION,
) -> tuple:
    """Headers of an ACS3-HMAC-SHA256 request (as the Tea SDKs sign it) and its string to sign."""
    body_hash = hashlib.sha256(b"").hexdigest()
    headers = {
        "host": host,
        "x-acs-action": action,
        "x-acs-content-sha256": body_hash,
        "x-acs-date": date or utc_timestamp(),
        "x-acs-signature-nonce": nonce or uuid.uuid4().hex,
        "x-acs-version": version,
    }
    signed = sorted(headers)
    canonical_query = "&".join(f"{pe(k)}={pe(v)}" for k, v in sorted((query or {}).items()))
    canonical_headers = "".join(f"{h}:{headers[h].strip()}\n" for h in signed)
    canonical_request = "\n".join([method.upper(), "/", canonical_query, canonical_headers, ";".join(signed),
                                   body_hash])
    sts = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical_request.encode("utf-8")).hexdigest()
    signature = hmac.new(secret.encode("utf-8"), sts.encode("utf-8"), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"ACS3-HMAC-SHA256 Credential={key_id},SignedHeaders={';'.join(signed)},"
                                f"Signature={signature}")
    return headers, sts


# --------------------------------------------------------------------------------------------
# The four client kinds


def host_of(server) -> str:
    return server.host


def classic_client(server, region: str = DEFAULT_REGION, key_id: str = KEY_ID, secret: str = KEY_SECRET) -> AcsClient:
    """`AcsClient` pointed at the emulator the documented way: `add_endpoint(region, "Ecs", host:port)`."""
    client = AcsClient(key_id, secret, region, connect_timeout=5, timeout=30)
    client.add_endpoint(region, "Ecs", host_of(server))
    return client


def common_request(server, action: str, params: Optional[Mapping[str, Any]] = None, method: str = "POST",
                   version: str = ECS_VERSION) -> CommonRequest:
    """Classic `CommonRequest` (the generic call path), parameters in the query string."""
    req = CommonRequest(domain=host_of(server), version=version, action_name=action, product="Ecs")
    req.set_method(method)
    for k, v in (params or {}).items():
        req.add_query_param(k, v)
    return req


def tea_client(server, region: str = DEFAULT_REGION, key_id: str = KEY_ID, secret: str = KEY_SECRET,
               signature_algorithm: Optional[str] = None) -> TeaEcsClient:
    """Tea ECS client; ACS3-HMAC-SHA256 by default, RPC HMAC-SHA1 with `signature_algorithm="v2"`."""
    cfg = TeaConfig(
        access_key_id=key_id,
        access_key_secret=secret,
        region_id=region,
        endpoint=host_of(server),
        protocol="http",
        connect_timeout=5000,
        read_timeout=30000,
    )
    if signature_algorithm:
        cfg.signature_algorithm = signature_algorithm
    return TeaEcsClient(cfg)


# --------------------------------------------------------------------------------------------
# Errors as each SDK surfaces them


@dataclass
class ApiError:
    """An error as the user's SDK reports it (classic: get_* accessors; Tea: .code/.statusCode/.data)."""

    sdk: str
    status: int
    code: str
    message: str
    request_id: Optional[str]
    data: dict = field(default_factory=dict)
    exc: Optional[BaseException] = None

    def __repr__(self) -> str:  # short, for assertion messages
        return f"ApiError({self.sdk} {self.status} {self.code}: {self.message!r})"


def as_api_error(exc: BaseException) -> ApiError:
    if isinstance(exc, ClassicServerException):
        return ApiError("classic", exc.get_http_status(), exc.get_error_code(), exc.get_error_msg(),
                        exc.request_id, {}, exc)
    if isinstance(exc, TeaException) and getattr(exc, "statusCode", None) is not None:
        data = exc.data or {}
        return ApiError("tea", exc.statusCode, exc.code, data.get("Message"), data.get("RequestId"), data, exc)
    raise exc


def expect_error(fn: Callable[[], Any]) -> ApiError:
    """Run `fn`; return the SDK error it raised, fail the test if it succeeded."""
    try:
        result = fn()
    except (ClassicServerException, TeaException) as exc:  # noqa: PERF203 - one call
        return as_api_error(exc)
    raise AssertionError(f"the call succeeded, an error was expected; it returned {result!r}")


def assert_error(err: ApiError, status: int, code: str, message: Optional[str] = None) -> None:
    assert (err.status, err.code) == (status, code), f"expected {status} {code}, got {err!r}"
    if message is not None:
        assert err.message == message, f"{code}: expected message {message!r}, got {err.message!r}"


# --------------------------------------------------------------------------------------------
# One adapter per SDK, same methods, answers as wire-named dicts


def _json_list(values: Optional[Iterable[str]]) -> Optional[str]:
    return None if values is None else json.dumps(list(values))


class ClassicEcs:
    """ECS through aliyun-python-sdk-ecs typed request classes (`do_action_with_exception`)."""

    sdk = "classic"

    def __init__(self, server, region: str = DEFAULT_REGION, key_id: str = KEY_ID, secret: str = KEY_SECRET):
        self.region = region
        self.client = classic_client(server, region, key_id, secret)

    def _call(self, module, **setters) -> dict:
        cls = getattr(module, module.__name__.rsplit(".", 1)[-1])
        req = cls()
        for name, value in setters.items():
            if value is not None:
                getattr(req, "set_" + name)(value)
        return json.loads(self.client.do_action_with_exception(req))

    def start_instance(self, instance_id, dry_run=None, init_local_disk=None):
        return self._call(StartInstanceRequest, InstanceId=instance_id, DryRun=dry_run, InitLocalDisk=init_local_disk)

    def stop_instance(self, instance_id, force_stop=None, dry_run=None, stopped_mode=None):
        return self._call(StopInstanceRequest, InstanceId=instance_id, ForceStop=force_stop, DryRun=dry_run,
                          StoppedMode=stopped_mode)

    def reboot_instance(self, instance_id, force_stop=None, dry_run=None):
        return self._call(RebootInstanceRequest, InstanceId=instance_id, ForceStop=force_stop, DryRun=dry_run)

    def delete_instance(self, instance_id, force=None, dry_run=None):
        return self._call(DeleteInstanceRequest, InstanceId=instance_id, Force=force, DryRun=dry_run)

    def run_instances(self, image_id=None, instance_type=None, zone_id=None, amount=None, client_token=None,
                      dry_run=None, instance_name=None, tags=None, system_disk_category=None):
        return self._call(RunInstancesRequest, ImageId=image_id, InstanceType=instance_type, ZoneId=zone_id,
                          Amount=amount, ClientToken=client_token, DryRun=dry_run, InstanceName=instance_name,
                          Tags=[{"Key": k, "Value": v} for k, v in tags] if tags else None,
                          SystemDiskCategory=system_disk_category)

    def describe_instances(self, instance_ids=None, status=None, zone_id=None, tags=None, instance_name=None,
                           page_number=None, page_size=None, max_results=None, next_token=None, dry_run=None):
        return self._call(DescribeInstancesRequest, InstanceIds=_json_list(instance_ids), Status=status,
                          ZoneId=zone_id, InstanceName=instance_name,
                          Tags=[{"Key": k, "Value": v} for k, v in tags] if tags else None,
                          PageNumber=page_number, PageSize=page_size, MaxResults=max_results,
                          NextToken=next_token, DryRun=dry_run)

    def describe_instance_status(self, instance_ids=None, zone_id=None, page_number=None, page_size=None):
        return self._call(DescribeInstanceStatusRequest, InstanceIds=instance_ids, ZoneId=zone_id,
                          PageNumber=page_number, PageSize=page_size)

    def describe_images(self, image_id=None, page_number=None, page_size=None):
        return self._call(DescribeImagesRequest, ImageId=image_id, PageNumber=page_number, PageSize=page_size)

    def describe_instance_types(self, instance_types=None, instance_type_family=None):
        return self._call(DescribeInstanceTypesRequest, InstanceTypess=instance_types,
                          InstanceTypeFamily=instance_type_family)

    def describe_regions(self, accept_language=None, resource_type=None):
        return self._call(DescribeRegionsRequest, AcceptLanguage=accept_language, ResourceType=resource_type)

    def describe_zones(self, accept_language=None, verbose=None):
        return self._call(DescribeZonesRequest, AcceptLanguage=accept_language, Verbose=verbose)

    def create_disk(self, zone_id=None, size=None, disk_category=None, disk_name=None, client_token=None,
                    instance_id=None, performance_level=None, description=None):
        return self._call(CreateDiskRequest, ZoneId=zone_id, Size=size, DiskCategory=disk_category,
                          DiskName=disk_name, ClientToken=client_token, InstanceId=instance_id,
                          PerformanceLevel=performance_level, Description=description)

    def describe_disks(self, disk_ids=None, instance_id=None, zone_id=None, status=None, disk_type=None,
                       category=None, page_number=None, page_size=None, max_results=None, next_token=None,
                       dry_run=None):
        return self._call(DescribeDisksRequest, DiskIds=_json_list(disk_ids), InstanceId=instance_id,
                          ZoneId=zone_id, Status=status, DiskType=disk_type, Category=category,
                          PageNumber=page_number, PageSize=page_size, MaxResults=max_results, NextToken=next_token,
                          DryRun=dry_run)

    def attach_disk(self, instance_id, disk_id, delete_with_instance=None):
        return self._call(AttachDiskRequest, InstanceId=instance_id, DiskId=disk_id,
                          DeleteWithInstance=delete_with_instance)

    def detach_disk(self, instance_id, disk_id):
        return self._call(DetachDiskRequest, InstanceId=instance_id, DiskId=disk_id)

    def delete_disk(self, disk_id):
        return self._call(DeleteDiskRequest, DiskId=disk_id)


class TeaEcs:
    """ECS through the Tea typed client alibabacloud_ecs20140526 (ACS3 unless told `v2`)."""

    sdk = "tea"

    def __init__(self, server, region: str = DEFAULT_REGION, key_id: str = KEY_ID, secret: str = KEY_SECRET,
                 signature_algorithm: Optional[str] = None):
        self.region = region
        self.client = tea_client(server, region, key_id, secret, signature_algorithm)
        self.last_response = None

    def _call(self, method: str, request) -> dict:
        resp = getattr(self.client, method)(request)
        self.last_response = resp
        assert resp.status_code == 200, resp.status_code
        return resp.body.to_map()

    def start_instance(self, instance_id, dry_run=None, init_local_disk=None):
        return self._call("start_instance", tea_models.StartInstanceRequest(
            instance_id=instance_id, dry_run=dry_run, init_local_disk=init_local_disk))

    def stop_instance(self, instance_id, force_stop=None, dry_run=None, stopped_mode=None):
        return self._call("stop_instance", tea_models.StopInstanceRequest(
            instance_id=instance_id, force_stop=force_stop, dry_run=dry_run, stopped_mode=stopped_mode))

    def reboot_instance(self, instance_id, force_stop=None, dry_run=None):
        return self._call("reboot_instance", tea_models.RebootInstanceRequest(
            instance_id=instance_id, force_stop=force_stop, dry_run=dry_run))

    def delete_instance(self, instance_id, force=None, dry_run=None):
        return self._call("delete_instance", tea_models.DeleteInstanceRequest(
            instance_id=instance_id, force=force, dry_run=dry_run))

    def run_instances(self, image_id=None, instance_type=None, zone_id=None, amount=None, client_token=None,
                      dry_run=None, instance_name=None, tags=None, system_disk_category=None):
        return self._call("run_instances", tea_models.RunInstancesRequest(
            region_id=self.region, image_id=image_id, instance_type=instance_type, zone_id=zone_id,
            amount=amount, client_token=client_token, dry_run=dry_run, instance_name=instance_name,
            tag=[tea_models.RunInstancesRequestTag(key=k, value=v) for k, v in tags] if tags else None,
            system_disk=tea_models.RunInstancesRequestSystemDisk(category=system_disk_category)
            if system_disk_category else None))

    def describe_instances(self, instance_ids=None, status=None, zone_id=None, tags=None, instance_name=None,
                           page_number=None, page_size=None, max_results=None, next_token=None, dry_run=None):
        return self._call("describe_instances", tea_models.DescribeInstancesRequest(
            region_id=self.region, instance_ids=_json_list(instance_ids), status=status, zone_id=zone_id,
            instance_name=instance_name,
            tag=[tea_models.DescribeInstancesRequestTag(key=k, value=v) for k, v in tags] if tags else None,
            page_number=page_number, page_size=page_size, max_results=max_results, next_token=next_token,
            dry_run=dry_run))

    def describe_instance_status(self, instance_ids=None, zone_id=None, page_number=None, page_size=None):
        return self._call("describe_instance_status", tea_models.DescribeInstanceStatusRequest(
            region_id=self.region, instance_id=instance_ids, zone_id=zone_id, page_number=page_number,
            page_size=page_size))

    def describe_images(self, image_id=None, page_number=None, page_size=None):
        return self._call("describe_images", tea_models.DescribeImagesRequest(
            region_id=self.region, image_id=image_id, page_number=page_number, page_size=page_size))

    def describe_instance_types(self, instance_types=None, instance_type_family=None):
        return self._call("describe_instance_types", tea_models.DescribeInstanceTypesRequest(
            instance_types=instance_types, instance_type_family=instance_type_family))

    def describe_regions(self, accept_language=None, resource_type=None):
        return self._call("describe_regions", tea_models.DescribeRegionsRequest(
            accept_language=accept_language, resource_type=resource_type))

    def describe_zones(self, accept_language=None, verbose=None):
        return self._call("describe_zones", tea_models.DescribeZonesRequest(
            region_id=self.region, accept_language=accept_language, verbose=verbose))

    def create_disk(self, zone_id=None, size=None, disk_category=None, disk_name=None, client_token=None,
                    instance_id=None, performance_level=None, description=None):
        return self._call("create_disk", tea_models.CreateDiskRequest(
            region_id=self.region, zone_id=zone_id, size=size, disk_category=disk_category, disk_name=disk_name,
            client_token=client_token, instance_id=instance_id, performance_level=performance_level,
            description=description))

    def describe_disks(self, disk_ids=None, instance_id=None, zone_id=None, status=None, disk_type=None,
                       category=None, page_number=None, page_size=None, max_results=None, next_token=None,
                       dry_run=None):
        return self._call("describe_disks", tea_models.DescribeDisksRequest(
            region_id=self.region, disk_ids=_json_list(disk_ids), instance_id=instance_id, zone_id=zone_id,
            status=status, disk_type=disk_type, category=category, page_number=page_number,
            page_size=page_size, max_results=max_results, next_token=next_token, dry_run=dry_run))

    def attach_disk(self, instance_id, disk_id, delete_with_instance=None):
        return self._call("attach_disk", tea_models.AttachDiskRequest(
            instance_id=instance_id, disk_id=disk_id, delete_with_instance=delete_with_instance))

    def detach_disk(self, instance_id, disk_id):
        return self._call("detach_disk", tea_models.DetachDiskRequest(instance_id=instance_id, disk_id=disk_id))

    def delete_disk(self, disk_id):
        return self._call("delete_disk", tea_models.DeleteDiskRequest(disk_id=disk_id))


def ecs_api(sdk: str, server, region: str = DEFAULT_REGION, key_id: str = KEY_ID, secret: str = KEY_SECRET):
    if sdk == "classic":
        return ClassicEcs(server, region, key_id, secret)
    if sdk == "tea":
        return TeaEcs(server, region, key_id, secret)
    raise ValueError(sdk)


# --------------------------------------------------------------------------------------------
# Reading answers


def instances_of(body: dict) -> list:
    return (body.get("Instances") or {}).get("Instance") or []


def disks_of(body: dict) -> list:
    return (body.get("Disks") or {}).get("Disk") or []


def instance_ids_of(body: dict) -> list:
    return (body.get("InstanceIdSets") or {}).get("InstanceIdSet") or []


def tags_of(resource: dict) -> dict:
    return {t.get("TagKey"): t.get("TagValue") for t in (resource.get("Tags") or {}).get("Tag") or []}


def describe_one(api, instance_id: str) -> dict:
    found = instances_of(api.describe_instances(instance_ids=[instance_id]))
    assert len(found) == 1, f"DescribeInstances InstanceIds=[{instance_id}] returned {len(found)} instances"
    return found[0]


def status_of(api, instance_id: str) -> str:
    return describe_one(api, instance_id)["Status"]


def disk_of(api, disk_id: str) -> dict:
    found = disks_of(api.describe_disks(disk_ids=[disk_id]))
    assert len(found) == 1, f"DescribeDisks DiskIds=[{disk_id}] returned {len(found)} disks"
    return found[0]


@dataclass
class LaunchSpec:
    """A zone, an image and an instance type that the emulator's catalog offers together."""

    region: str
    zone_id: str
    other_zone_id: str
    image_id: str
    instance_type: str


def launch_spec(api) -> LaunchSpec:
    """Discover, at run time, what RunInstances in `api.region` can be given (DescribeZones/Images/InstanceTypes)."""
    zones = api.describe_zones()["Zones"]["Zone"]
    assert len(zones) >= 2, f"{api.region} should have at least two zones, got {zones}"
    zone = zones[0]
    images = api.describe_images()["Images"]["Image"]
    assert images, f"DescribeImages in {api.region} returned no image"
    offered = ((zone.get("AvailableInstanceTypes") or {}).get("InstanceTypes")) or []
    if not offered:
        offered = [t["InstanceTypeId"] for t in api.describe_instance_types()["InstanceTypes"]["InstanceType"]]
    assert offered, "no instance type in the catalog"
    return LaunchSpec(api.region, zone["ZoneId"], zones[1]["ZoneId"], images[0]["ImageId"], offered[0])
