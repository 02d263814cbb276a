"""Runs the README's OTC walkthrough (openstacksdk) exactly as printed, against the emulator."""
import os
import re
import subprocess
import sys

from otc_helpers import clouds_file, readme_block


def test_otc_walkthrough_runs_as_printed(instant):
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=clouds_file(instant.host))
    done = subprocess.run([sys.executable, "-c", readme_block("otc-walkthrough", "python")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"serving from eu-de-02", done.stdout), done.stdout
    assert re.search(r"now replicating eu-de-02 ->", done.stdout), done.stdout
    # The pair is one domain pair: the Alibaba dialect lists it in eu-de, in sync.
    listed = instant.rpc("DescribeDiskReplicaPairs", {"RegionId": "eu-de"}, version="2021-07-30").json()
    assert [p["Status"] for p in listed["ReplicaPairs"]] == ["normal"], listed
