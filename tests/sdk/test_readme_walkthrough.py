"""Runs the README's disk-replication walkthrough, exactly as printed there, against the emulator."""
import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough_source() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- walkthrough:start -->\s*```python\n(.*?)```\s*<!-- walkthrough:end -->", text, re.S)
    assert block, "README.md lost its walkthrough markers"
    return block.group(1)


def test_walkthrough_runs_as_printed(instant):
    env = dict(os.environ, ECS_EMULATOR_ENDPOINT=instant.host)
    done = subprocess.run([sys.executable, "-c", walkthrough_source()], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = re.findall(r"^  (\w+)\s+last recovery point: (\S+)", done.stdout, re.M)
    seen = [s for s, _ in statuses]
    for want in ["created", "normal", "stopped", "failovered"]:
        assert want in seen, done.stdout
    assert any(s == "normal" and lrp != "None" for s, lrp in statuses), "normal without a recovery point:\n" + done.stdout
    # After reprotect the Shanghai disk replicates to the Hangzhou one.
    assert re.search(r"now replicating d-uf6\w+ -> d-bp1\w+", done.stdout), done.stdout
    # And the pair is gone afterwards.
    listed = instant.rpc("DescribeDiskReplicaPairs", {"RegionId": "cn-hangzhou"}, version="2021-07-30")
    assert listed.json()["ReplicaPairs"] == [], listed.body
