"""OTC EVS through openstacksdk: Keystone auth from clouds.yaml, volumes through the block-storage
proxy (API v2), replication pairs and groups through its authenticated raw calls."""
import time

import pytest
from keystoneauth1 import session as ks_session

from otc_helpers import connect

PAIRS = "/os-vendor-replications"
GROUPS = "/os-vendor-replication-consistency-groups"


@pytest.fixture
def conn(instant):
    return connect(instant.host)


def volume(bs, zone, size=40, kind="SSD"):
    v = bs.create_volume(size=size, availability_zone=zone, volume_type=kind, name=f"v-{zone}")
    return bs.wait_for_status(v, "available", interval=0.1, wait=10).id


def test_volumes_through_the_block_storage_proxy(conn):
    bs = conn.block_storage
    info = bs.get("/os-availability-zone").json()["availabilityZoneInfo"]
    zones = [z["zoneName"] for z in info]
    assert zones == ["eu-de-01", "eu-de-02", "eu-de-03"]
    assert sorted(t.name for t in bs.types()) == ["SAS", "SATA", "SSD"]
    vid = volume(bs, "eu-de-01")
    v = bs.get_volume(vid)
    assert (v.size, v.availability_zone, v.volume_type, v.status) == (40, "eu-de-01", "SSD", "available")
    assert v.is_bootable is False and v.replication_status == "disabled"
    assert vid in [x.id for x in bs.volumes(details=False)]
    bs.extend_volume(vid, 50)
    assert bs.get_volume(vid).size == 50
    bs.delete_volume(vid)
    r = bs.get(f"/volumes/{vid}")
    assert r.status_code == 404 and r.json()["itemNotFound"]["code"] == "EVS.5404"


def test_pair_create_show_list_delete_and_a_deferred_failure(conn):
    bs = conn.block_storage
    a, b, big = volume(bs, "eu-de-01"), volume(bs, "eu-de-02"), volume(bs, "eu-de-02", size=80)
    body = {"replication": {"name": "p", "volume_ids": [a, b], "priority_station": "eu-de-01",
                            "replication_model": "hypermetro", "replication_master": "ignored"}}
    r = bs.post(PAIRS, json=body)
    assert r.status_code == 202, r.text
    short = r.json()["replication"]
    assert short["volume_ids"] == f"{a}, {b}" and short["replication_consistency_group_id"] is None
    full = bs.get(f"{PAIRS}/{short['id']}").json()["replication"]
    assert (full["status"], full["replication_status"], full["replication_model"]) == ("available", "inactive", "hypermetro")
    assert full["volume_ids"] == f"{a},{b}"
    assert full["record_metadata"] == '{"multiattach":false,"volume_size":40,"volume_type":"SSD"}'
    assert bs.get_volume(a).replication_status == "enabled"
    # Accepted, then failed with the documented code.
    body["replication"]["volume_ids"] = [volume(bs, "eu-de-01"), big]
    failed = bs.post(PAIRS, json=body).json()["replication"]["id"]
    got = bs.get(f"{PAIRS}/{failed}").json()["replication"]
    assert (got["status"], got["failure_detail"]) == ("error", "37100041")
    listed = bs.get(PAIRS, params={"status": "error"}).json()["replications"]
    assert [p["id"] for p in listed] == [failed]
    assert [p["id"] for p in bs.get(PAIRS).json()["replications"]] == [failed, short["id"]]
    body["replication"]["replication_model"] = "async"
    r = bs.post(PAIRS, json=body)
    assert r.status_code == 400 and r.json()["badRequest"]["code"] == "EVS.5400"
    assert bs.delete(f"{PAIRS}/{short['id']}").status_code == 202
    assert bs.get(f"{PAIRS}/{short['id']}").status_code == 404


def test_group_lifecycle_every_action(conn):
    bs = conn.block_storage
    pairs = []
    for _ in range(2):
        body = {"replication": {"volume_ids": [volume(bs, "eu-de-01"), volume(bs, "eu-de-03")],
                                "priority_station": "eu-de-01", "replication_model": "hypermetro"}}
        pairs.append(bs.post(PAIRS, json=body).json()["replication"]["id"])
    r = bs.post(GROUPS, json={"replication_consistency_group": {
        "name": "g", "replication_ids": pairs, "priority_station": "eu-de-01", "replication_model": "hypermetro"}})
    assert r.status_code == 202, r.text
    gid = r.json()["replication_consistency_group"]["id"]
    group = f"{GROUPS}/{gid}"

    def act(name, value=None):
        return bs.post(f"{group}/action", json={name: value})

    def show():
        return bs.get(group).json()["replication_consistency_group"]

    assert sorted(show()["replication_ids"]) == sorted(pairs)
    assert bs.get(f"{PAIRS}/{pairs[0]}").json()["replication"]["replication_consistency_group_id"] == gid
    assert act("os-sync-replication-consistency-group").status_code == 200
    assert (show()["status"], show()["replication_status"]) == ("available", "active")
    assert act("os-reverse-replication-consistency-group", {}).status_code == 200
    assert show()["priority_station"] == "eu-de-03"
    r = act("os-extend-replication-volumes", {"replications": [{"id": pairs[0], "new_size": 60}]})
    assert r.status_code == 200, r.text
    vols = bs.get(f"{PAIRS}/{pairs[0]}").json()["replication"]["volume_ids"].split(",")
    assert [bs.get_volume(v).size for v in vols] == [60, 60]
    # Update needs a pause first.
    upd = {"replication_consistency_group": {"remove_replication_ids": [pairs[1]]}}
    assert bs.put(group, json=upd).status_code == 400
    assert act("os-stop-replication-consistency-group").status_code == 200
    assert show()["replication_status"] == "active-stopped"
    r = bs.put(group, json=upd)
    assert r.status_code == 202 and r.json()["replication_consistency_group"]["status"] in ("updating", "available")
    assert show()["replication_ids"] == [pairs[0]]
    assert act("os-sync-replication-consistency-group").status_code == 200
    assert act("os-failover-replication-consistency-group").status_code == 200
    assert show()["status"] == "failovered"
    assert act("os-reprotect-replication-consistency-group").status_code == 200
    assert show()["replication_status"] == "active"
    r = act("os-explode")
    assert r.status_code == 400
    assert bs.delete(group).status_code == 400          # still has a pair
    act("os-stop-replication-consistency-group")
    bs.put(group, json={"replication_consistency_group": {"remove_replication_ids": [pairs[0]]}})
    assert bs.delete(group).status_code == 202
    assert bs.get(group).status_code == 404


def test_tokens_and_projects(instant, conn):
    bs = conn.block_storage
    assert bs.get(PAIRS).status_code == 200
    s = ks_session.Session()
    url = f"{instant.url}/v2/{conn.current_project_id}{PAIRS}"
    r = s.get(url, raise_exc=False)
    assert r.status_code == 401 and r.json()["unauthorized"]["code"] == "EVS.5401"
    nl = connect(instant.host, project="eu-nl")
    r = s.get(url, headers={"X-Auth-Token": nl.auth_token}, raise_exc=False)
    assert r.status_code == 400 and r.json()["badRequest"]["code"] == "Common.0018"
    assert s.get(f"{instant.url}/v3", raise_exc=False).status_code == 200
