"""Disk-replication clients of the SDK suite: one adapter per client kind and dialect, disks, reads and timings."""

from __future__ import annotations

import importlib
import json
import re
from typing import Any, Optional

from aliyunsdkcore.client import AcsClient
from aliyunsdkcore.request import CommonRequest
from alibabacloud_ebs20210730 import models as ebs_models
from alibabacloud_ebs20210730.client import Client as TeaEbsClient
from alibabacloud_tea_openapi.utils_models import OpenApiRequest, Params
from darabonba.runtime import RuntimeOptions

import sdk_clients as sc

EBS_VERSION = "2021-07-30"

# Where the suite replicates from and to (both zones offer cloud_essd in the built-in catalog).
SRC_REGION, SRC_ZONE = "cn-hangzhou", "cn-hangzhou-h"
DST_REGION, DST_ZONE = "cn-shanghai", "cn-shanghai-f"
OTHER_REGION = "cn-beijing"  # neither side of any pair made here

# The four ways a user reaches the replication operations:
#   ebs-classic  aliyun-python-sdk-ebs typed requests (Version 2021-07-30, RPC HMAC-SHA1)
#   ebs-tea      alibabacloud-ebs20210730 typed client (Version 2021-07-30, ACS3-HMAC-SHA256)
#   ecs-common   aliyun-python-sdk-core CommonRequest, Version 2014-05-26 (the seed documents' dialect)
#   ecs-tea      Tea generic call_api, Version 2014-05-26
KINDS = ("ebs-classic", "ebs-tea", "ecs-common", "ecs-tea")
TEA_KINDS = ("ebs-tea", "ecs-tea")

# Realistic timing (src/domain/clock.rs `Durations::for_timing`), virtual seconds.
DISK_CREATING = 2
DISK_ATTACHING = 1
INSTANCE_BOOT = 2 + 3  # Pending, then Starting
REPLICA_SHORT = 2  # creating, stopping, deleting
REPLICA_SWITCH = 3  # failovering, reprotecting
FULL_SYNC = 5  # initial_syncing, a full one-shot copy
INCREMENTAL_SYNC = 1  # syncing in each RPO cycle (never more than half a cycle)
RPO_CYCLE = 9  # RPO 900 s x the default --rpo-scale 0.01

# Errors every kind answers alike (alibaba-api.md §7).
NO_SUCH_RESOURCE = (404, "NoSuchResource", "The specified resource does not exist.")
INVALID_STATUS = (403, "OperationDenied.InvalidStatus", "The operation is not allowed in current status.")
OPERATION_DENIED = (403, "OperationDenied", "The operation is not allowed.")
NOT_FOR_PRIMARY = (403, "OperationDenied.OperateNotAllowedForPrimary", "Operation is not allowed on the primary site.")
NOT_FOR_STANDBY = (403, "OperationDenied.OperateNotAllowedForStandby",
                   "Operation is not allowed on the secondary site.")
STANDBY_ATTACHED = (400, "OperationDenied.StandbyDeviceAttached", "The secondary disk is attached.")
TOKEN_MISMATCH = (400, "IdempotentParameterMismatch",
                  "The specified parameter has changed while using an already used clientToken.")
# The seed documents' answer for a missing field (seeds 001) in the ECS dialect, naming the field.
def incomplete(name: str) -> tuple:
    return (400, "IncompleteParamter", f"Some fields can not be null in this request. {name} is null.")


def snake(name: str) -> str:
    """Wire name to Tea model field: ReplicaPairId -> replica_pair_id, RPO -> rpo."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def flatten(params: dict) -> dict:
    """Wire parameters as a flat string map; `Tag=[(k, v), ...]` becomes Tag.N.Key/Tag.N.Value."""
    flat = {}
    for k, v in params.items():
        if v is None:
            continue
        if k == "Tag":
            for i, (tk, tv) in enumerate(v, 1):
                flat[f"Tag.{i}.Key"] = tk
                flat[f"Tag.{i}.Value"] = tv
        elif isinstance(v, bool):
            flat[k] = "true" if v else "false"
        else:
            flat[k] = str(v)
    return flat


class Replica:
    """One client kind; `call` takes wire-named parameters and returns the answer as a wire-named dict."""

    kind = ""
    dialect = ""  # "ebs" or "ecs"
    ecs_sdk = ""  # the ECS adapter of the same SDK family, for disks and instances

    def __init__(self, server):
        self.server = server

    def call(self, action: str, **params) -> dict:
        raise NotImplementedError

    def ecs(self, region: str = SRC_REGION):
        return sc.ecs_api(self.ecs_sdk, self.server, region=region)

    def missing(self, name: str) -> tuple:
        """The answer to a missing required parameter in this dialect."""
        if self.dialect == "ecs":
            return incomplete(name)
        return (400, f"Missing{name}", f"{name} is mandatory for this action.")

    # -- pairs ---------------------------------------------------------------------------------

    def create_pair(self, src_disk, dst_disk, region=SRC_REGION, dst_region=DST_REGION, src_zone=SRC_ZONE,
                    dst_zone=DST_ZONE, name="pair-one", **extra) -> str:
        body = self.call("CreateDiskReplicaPair", RegionId=region, SourceZoneId=src_zone, DiskId=src_disk,
                         DestinationRegionId=dst_region, DestinationZoneId=dst_zone,
                         DestinationDiskId=dst_disk, PairName=name, **extra)
        pair_id = body["ReplicaPairId"]
        assert pair_id.startswith("pair-"), body
        return pair_id

    def start_pair(self, pair_id, region=SRC_REGION, **extra):
        return self.call("StartDiskReplicaPair", RegionId=region, ReplicaPairId=pair_id, **extra)

    def stop_pair(self, pair_id, region=SRC_REGION, **extra):
        return self.call("StopDiskReplicaPair", RegionId=region, ReplicaPairId=pair_id, **extra)

    def modify_pair(self, pair_id, region=SRC_REGION, **extra):
        return self.call("ModifyDiskReplicaPair", RegionId=region, ReplicaPairId=pair_id, **extra)

    def failover_pair(self, pair_id, region=DST_REGION, **extra):
        return self.call("FailoverDiskReplicaPair", RegionId=region, ReplicaPairId=pair_id, **extra)

    def reprotect_pair(self, pair_id, region=DST_REGION, **extra):
        return self.call("ReprotectDiskReplicaPair", RegionId=region, ReplicaPairId=pair_id, **extra)

    def delete_pair(self, pair_id, region=SRC_REGION, **extra):
        return self.call("DeleteDiskReplicaPair", RegionId=region, ReplicaPairId=pair_id, **extra)

    def progress(self, pair_id, region=SRC_REGION) -> dict:
        return self.call("DescribeDiskReplicaPairProgress", RegionId=region, ReplicaPairId=pair_id)

    def describe_pairs(self, region=SRC_REGION, **filters) -> dict:
        return self.call("DescribeDiskReplicaPairs", RegionId=region, **filters)

    def pairs(self, region=SRC_REGION, **filters) -> list:
        return self.describe_pairs(region, **filters)["ReplicaPairs"]

    def pair(self, pair_id, region=SRC_REGION, **filters) -> dict:
        found = self.pairs(region, PairIds=pair_id, **filters)
        assert len(found) == 1, f"DescribeDiskReplicaPairs PairIds={pair_id} in {region} returned {found}"
        return found[0]

    def pair_status(self, pair_id, region=SRC_REGION) -> str:
        return self.pair(pair_id, region)["Status"]

    # -- groups --------------------------------------------------------------------------------

    def create_group(self, region=SRC_REGION, dst_region=DST_REGION, src_zone=SRC_ZONE, dst_zone=DST_ZONE,
                     name="group-one", **extra) -> str:
        body = self.call("CreateDiskReplicaGroup", RegionId=region, SourceZoneId=src_zone,
                         DestinationRegionId=dst_region, DestinationZoneId=dst_zone, GroupName=name, **extra)
        group_id = body["ReplicaGroupId"]
        assert group_id.startswith("pg-"), body
        return group_id

    def group_op(self, action, group_id, region=SRC_REGION, **extra):
        return self.call(action, RegionId=region, ReplicaGroupId=group_id, **extra)

    def add_pair(self, group_id, pair_id, region=SRC_REGION, **extra):
        return self.call("AddDiskReplicaPair", RegionId=region, ReplicaGroupId=group_id, ReplicaPairId=pair_id,
                         **extra)

    def remove_pair(self, group_id, pair_id, region=SRC_REGION, **extra):
        return self.call("RemoveDiskReplicaPair", RegionId=region, ReplicaGroupId=group_id,
                         ReplicaPairId=pair_id, **extra)

    def describe_groups(self, region=SRC_REGION, **filters) -> dict:
        return self.call("DescribeDiskReplicaGroups", RegionId=region, **filters)

    def groups(self, region=SRC_REGION, **filters) -> list:
        return self.describe_groups(region, **filters)["ReplicaGroups"]

    def group(self, group_id, region=SRC_REGION, **filters) -> dict:
        found = self.groups(region, GroupIds=group_id, **filters)
        assert len(found) == 1, f"DescribeDiskReplicaGroups GroupIds={group_id} in {region} returned {found}"
        return found[0]


class ClassicEbs(Replica):
    """aliyun-python-sdk-ebs typed requests; the request's region is the AcsClient's (one client per region).

    Parameters a request class has no setter for (Tag.N, PageNumber/PageSize of the group listing) are added
    with `add_query_param`, as its users do; DescribeDiskReplicaPairProgress has no class in this SDK
    version, so it goes through a CommonRequest of product ebs.
    """

    kind, dialect, ecs_sdk = "ebs-classic", "ebs", "classic"

    def __init__(self, server):
        super().__init__(server)
        self._clients = {}

    def client(self, region: str) -> AcsClient:
        if region not in self._clients:
            c = AcsClient(sc.KEY_ID, sc.KEY_SECRET, region, connect_timeout=5, timeout=30)
            c.add_endpoint(region, "ebs", self.server.host)
            self._clients[region] = c
        return self._clients[region]

    def call(self, action: str, **params) -> dict:
        region = params.pop("RegionId", None) or sc.DEFAULT_REGION
        try:
            module = importlib.import_module(f"aliyunsdkebs.request.v20210730.{action}Request")
        except ModuleNotFoundError:
            req = CommonRequest(domain=self.server.host, version=EBS_VERSION, action_name=action, product="ebs")
            req.set_method("POST")
            for k, v in flatten(params).items():
                req.add_query_param(k, v)
            return json.loads(self.client(region).do_action_with_exception(req))
        req = getattr(module, f"{action}Request")()
        for k, v in params.items():
            if v is None:
                continue
            setter = getattr(req, f"set_{k}", None)
            if setter is not None:
                setter(v)
            else:
                for fk, fv in flatten({k: v}).items():
                    req.add_query_param(fk, fv)
        return json.loads(self.client(region).do_action_with_exception(req))


class TeaEbs(Replica):
    """alibabacloud-ebs20210730 typed client: `<action>(models.<Action>Request(...))`, body as a wire-named map."""

    kind, dialect, ecs_sdk = "ebs-tea", "ebs", "tea"

    def __init__(self, server):
        super().__init__(server)
        self.client = TeaEbsClient(sc.TeaConfig(
            access_key_id=sc.KEY_ID, access_key_secret=sc.KEY_SECRET, region_id=sc.DEFAULT_REGION,
            endpoint=server.host, protocol="http", connect_timeout=5000, read_timeout=30000))
        self.last_response = None

    def call(self, action: str, **params) -> dict:
        fields = {}
        for k, v in params.items():
            if v is None:
                continue
            if k == "Tag":
                tag_cls = getattr(ebs_models, f"{action}RequestTag")
                v = [tag_cls(key=tk, value=tv) for tk, tv in v]
            fields[snake(k)] = v
        # an unknown field is a TypeError here: the typed model must know every parameter sent
        request = getattr(ebs_models, f"{action}Request")(**fields)
        resp = getattr(self.client, snake(action))(request)
        self.last_response = resp
        assert resp.status_code == 200, resp.status_code
        return resp.body.to_map()


class CommonEcs(Replica):
    """Classic core `CommonRequest` with Version 2014-05-26 and product Ecs, POST, parameters in the query."""

    kind, dialect, ecs_sdk = "ecs-common", "ecs", "classic"

    def __init__(self, server):
        super().__init__(server)
        self.client = sc.classic_client(server)

    def call(self, action: str, **params) -> dict:
        req = sc.common_request(self.server, action, flatten(params))
        return json.loads(self.client.do_action_with_exception(req))


class TeaCallApiEcs(Replica):
    """Tea generic `call_api` with Version 2014-05-26 (ACS3-signed, parameters in the query)."""

    kind, dialect, ecs_sdk = "ecs-tea", "ecs", "tea"

    def __init__(self, server):
        super().__init__(server)
        self.client = sc.tea_client(server)

    def call(self, action: str, **params) -> dict:
        api = Params(action=action, version=sc.ECS_VERSION, protocol="HTTPS", pathname="/", method="POST",
                     auth_type="AK", style="RPC", req_body_type="formData", body_type="json")
        resp = self.client.call_api(api, OpenApiRequest(query=flatten(params)), RuntimeOptions())
        assert resp["statusCode"] == 200, resp
        return resp["body"]


ADAPTERS = {cls.kind: cls for cls in (ClassicEbs, TeaEbs, CommonEcs, TeaCallApiEcs)}


def replica_api(kind: str, server) -> Replica:
    return ADAPTERS[kind](server)


# -- disks and instances through ECS ---------------------------------------------------------------


def new_disk(api: Replica, region: str, zone: str, size: int = 40, category: str = "cloud_essd") -> str:
    disk_id = api.ecs(region).create_disk(zone_id=zone, size=size, disk_category=category)["DiskId"]
    assert disk_id.startswith("d-"), disk_id
    return disk_id


def disk_pair(api: Replica, size: int = 40, category: str = "cloud_essd") -> tuple:
    """A source disk in SRC_ZONE and a same-sized destination disk in DST_ZONE."""
    return (new_disk(api, SRC_REGION, SRC_ZONE, size, category), new_disk(api, DST_REGION, DST_ZONE, size, category))


def new_instance(api: Replica, region: str, zone: str) -> str:
    """A running instance in `zone` (RunInstances with an image and type the catalog offers there)."""
    ecs = api.ecs(region)
    spec = sc.launch_spec(ecs)
    body = ecs.run_instances(image_id=spec.image_id, instance_type=spec.instance_type, zone_id=zone, amount=1)
    (instance_id,) = sc.instance_ids_of(body)
    return instance_id


def ready_pair(api: Replica, **create) -> tuple:
    """(pair id, source disk, destination disk) of a new pair on the suite's route (instant timing)."""
    src, dst = disk_pair(api)
    return api.create_pair(src, dst, **create), src, dst


def is_unix_seconds(value: Any) -> bool:
    """An EBS time: a JSON integer of Unix seconds (not milliseconds, not a string)."""
    return isinstance(value, int) and not isinstance(value, bool) and 1_500_000_000 < value < 5_000_000_000


def ids(rows: list, key: str = "ReplicaPairId") -> list:
    return [r[key] for r in rows]


def walk_tokens(fetch, max_results: int, key: str) -> tuple:
    """Follow NextToken from the first page until it comes back empty; returns (ids, page sizes)."""
    seen, sizes, token = [], [], None
    for _ in range(100):
        body = fetch(MaxResults=max_results, NextToken=token)
        rows = body[key]
        assert isinstance(rows, list), body
        seen.extend(rows)
        sizes.append(len(rows))
        token = body.get("NextToken")
        assert token is not None, f"NextToken must always be present: {body}"
        if not token:
            return seen, sizes
    raise AssertionError("NextToken never came back empty")


def maybe(value: Optional[str]) -> Optional[str]:
    """Empty strings and absent fields read the same (a typed model may drop either)."""
    return value or None
