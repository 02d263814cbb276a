"""Third-party tools against the emulator, unchanged and without a shim: Ansible playbooks with
the community.general alicloud modules and with the ansible-alicloud collection's (footmark
underneath, pointed here with HTTP_PROXY), and an Apache libcloud ECSDriver flow. Both run from .venv-tools (tests/sdk/tools/requirements.txt), which
tests/run-all.sh installs and names in TOOLS_VENV; without it these tests are skipped."""

import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

import sdk_clients as sc

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tests" / "sdk" / "tools"
FLOW_TIMEOUT_S = 300


def tools_venv() -> Path:
    named = os.environ.get("TOOLS_VENV")
    venv = Path(named) if named else REPO / ".venv-tools"
    if not (venv / "bin" / "python").exists():
        if named:
            pytest.fail(f"TOOLS_VENV={named} has no bin/python")
        pytest.skip("no .venv-tools (tests/run-all.sh installs tests/sdk/tools/requirements.txt)")
    return venv


def clean_env(**extra) -> dict:
    """The caller's environment without proxy or cloud settings of its own, plus `extra`."""
    drop = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in drop and not k.startswith(("ALICLOUD_", "ANSIBLE_"))}
    env.update(LC_ALL="C.UTF-8", PYTHONWARNINGS="ignore", **extra)
    return env


def log_since(em, seq: int) -> list:
    body = json.loads(em.control("/_emulator/requests?limit=1000", method="GET").body)
    return [r for r in body["requests"] if r["seq"] > seq]


def last_seq(em) -> int:
    body = json.loads(em.control("/_emulator/requests?limit=1", method="GET").body)
    return max((r["seq"] for r in body["requests"]), default=0)


def run(cmd: list, env: dict, cwd: str) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=FLOW_TIMEOUT_S, check=False)
    assert done.returncode == 0, f"{cmd[0]} exited {done.returncode}\n{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    return done


def test_ansible_playbook_create_stop_start_describe_delete(instant):
    venv = tools_venv()
    mark = last_seq(instant)
    proxy = f"http://{instant.host}"
    env = clean_env(HTTP_PROXY=proxy, http_proxy=proxy, NO_PROXY="", no_proxy="",
                    ALICLOUD_ACCESS_KEY="flow-key", ALICLOUD_SECRET_KEY="flow-secret")
    with tempfile.TemporaryDirectory() as home:
        env["ANSIBLE_HOME"] = home
        done = run([str(venv / "bin" / "ansible-playbook"), str(TOOLS / "ansible-flow.yml")], env, home)
    assert "failed=0" in done.stdout, done.stdout[-3000:]

    calls = log_since(instant, mark)
    actions = [c["action"] for c in calls]
    for a in ("RunInstances", "DescribeUserData", "StopInstance", "StartInstance", "DeleteInstance"):
        assert actions.count(a) >= 1, f"{a} never called: {actions}"
    refused = [(c["action"], c["status"], c["code"]) for c in calls if c["status"] != 200]
    assert refused == [], refused
    # What the playbook left: nothing.
    api = sc.ecs_api("classic", instant)
    assert api.describe_instances()["TotalCount"] == 0


def test_ansible_alicloud_modules_network_instance_and_disk(instant):
    """ali_vpc, ali_vswitch, ali_security_group, ali_instance and ali_disk of the ansible-alicloud
    package, which installs them into ansible's own folder: ANSIBLE_LIBRARY names it."""
    venv = tools_venv()
    library = next(venv.glob("lib/python3*/site-packages/ansible/modules/cloud/alicloud"), None)
    assert library is not None, "ansible-alicloud is not installed in the tools environment"
    mark = last_seq(instant)
    proxy = f"http://{instant.host}"
    env = clean_env(HTTP_PROXY=proxy, http_proxy=proxy, NO_PROXY="", no_proxy="",
                    ALICLOUD_ACCESS_KEY="flow-key", ALICLOUD_SECRET_KEY="flow-secret",
                    ANSIBLE_LIBRARY=str(library))
    with tempfile.TemporaryDirectory() as home:
        env["ANSIBLE_HOME"] = home
        done = run([str(venv / "bin" / "ansible-playbook"), str(TOOLS / "ansible-alicloud-flow.yml")],
                   env, home)
    assert "failed=0" in done.stdout, done.stdout[-3000:]

    calls = log_since(instant, mark)
    actions = {c["action"] for c in calls}
    for a in ("CreateVpc", "DescribeVpcAttribute", "CreateVSwitch", "DescribeVSwitchAttributes",
              "CreateSecurityGroup", "AuthorizeSecurityGroup", "RunInstances", "CreateDisk",
              "AttachDisk", "ModifyDiskAttribute", "DeleteDisk", "DeleteSecurityGroup",
              "DeleteVSwitch", "DeleteVpc"):
        assert a in actions, f"{a} never called: {sorted(actions)}"
    refused = [(c["action"], c["status"], c["code"]) for c in calls if c["status"] != 200]
    # The refused create, and footmark's check that the deleted group is gone.
    assert refused == [("RunInstances", 404, "InvalidVSwitchId.NotFound"),
                       ("DescribeSecurityGroupAttribute", 404, "InvalidSecurityGroupId.NotFound")], refused
    # Everything the playbook made, it removed.
    api = sc.ecs_api("classic", instant)
    assert api.describe_instances()["TotalCount"] == 0
    vpcs = json.loads(instant.rpc("DescribeVpcs", {"RegionId": "cn-hangzhou"}, version="2016-04-28").body)
    assert vpcs["TotalCount"] == 0


def test_libcloud_ecs_driver_flow_with_create_node(instant):
    venv = tools_venv()
    mark = last_seq(instant)
    with tempfile.TemporaryDirectory() as cwd:
        done = run([str(venv / "bin" / "python"), str(TOOLS / "libcloud_flow.py"), "127.0.0.1",
                    str(instant.port)], clean_env(), cwd)
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["zones"][:1] == ["cn-hangzhou-h"]
    assert len(seen["groups"]) == 1 and seen["groups"][0].startswith("sg-")
    assert (seen["created"], seen["stopped"], seen["started"]) == ("running", "stopped", "running")
    assert [(name, state) for name, state, _ in seen["listed"]] == [("libcloud-1", "running")]
    assert seen["volumes"] == ["cloud"]
    assert (seen["destroyed"], seen["left"], seen["group_deleted"]) == (True, [], True)
    actions = [c["action"] for c in log_since(instant, mark)]
    for a in ("CreateSecurityGroup", "CreateInstance", "StartInstance", "StopInstance", "DeleteInstance",
              "DeleteSecurityGroup"):
        assert a in actions, f"{a} never called: {actions}"
