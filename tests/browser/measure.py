"""Measures the dashboard in the system's Chromium: the bytes of the first load, the time to the
first render (empty world, then 1,000 pairs), and how long an API change takes to be painted on
the Replication view with 1,000 replicating pairs while 50 calls a second arrive.

    .venv-sdk/bin/python tests/browser/measure.py [--pairs 1000] [--rate 50] [--samples 40]

Needs the debug build (or ECS_EMULATOR_BIN) and Chromium (CHROMIUM, default /usr/bin/chromium).
Prints one line per figure; exits 1 when a target (300 KB, 300 ms, 250 ms) is missed.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "sdk"))
sys.path.insert(0, str(HERE))

from playwright.sync_api import sync_playwright  # noqa: E402

import conftest  # noqa: E402  (the browser suite's launcher settings and process wrapper)

EBS = "2021-07-30"
SRC, SRC_ZONE, DST, DST_ZONE = "cn-hangzhou", "cn-hangzhou-h", "cn-shanghai", "cn-shanghai-f"
ASSETS = ("/_emulator/ui/", "/_emulator/ui/app.css", "/_emulator/ui/app.js", "/_emulator/ui/icon.svg")


def call(em, action, params, version=conftest.sdk_conftest.sc.ECS_VERSION):
    r = em.rpc(action, params, version=version)
    if r.status != 200:
        raise RuntimeError(f"{action} answered {r.status}: {r.body[:300]!r}")
    return r.json()


PROBES = 20


def build_world(em, pairs: int) -> tuple:
    """`pairs` pairs (2 disks each): all but the last PROBES started (they replicate: normal and
    syncing in turn); those stay `created`, where a rename is allowed while they are watched."""
    def disk(region_zone):
        region, zone = region_zone
        return call(em, "CreateDisk", {"RegionId": region, "ZoneId": zone, "Size": 40,
                                       "DiskCategory": "cloud_essd"})["DiskId"]

    with ThreadPoolExecutor(8) as pool:
        srcs = list(pool.map(disk, [(SRC, SRC_ZONE)] * pairs))
        dsts = list(pool.map(disk, [(DST, DST_ZONE)] * pairs))
    em.advance(5)  # disks available

    def pair(i):
        return call(em, "CreateDiskReplicaPair", {
            "RegionId": SRC, "SourceZoneId": SRC_ZONE, "DiskId": srcs[i], "DestinationRegionId": DST,
            "DestinationZoneId": DST_ZONE, "DestinationDiskId": dsts[i], "PairName": f"pair-{i}",
            "RPO": 900}, version=EBS)["ReplicaPairId"]

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(pair, range(pairs)))
    em.advance(5)  # created
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda p: call(em, "StartDiskReplicaPair", {"RegionId": SRC, "ReplicaPairId": p},
                                     version=EBS), ids[:-PROBES]))
    return ids[:-PROBES], ids[-PROBES:]


class Load(threading.Thread):
    """`rate` calls a second: reads of pairs and disks, renames of random pairs (refused while
    one is syncing: errors are calls too), and stops and starts."""

    def __init__(self, em, ids, rate):
        super().__init__(daemon=True)
        self.em, self.ids, self.period, self.stop, self.sent = em, ids, 1.0 / rate, threading.Event(), 0
        self.refused = 0

    def run(self):
        next_at = time.monotonic()
        while not self.stop.is_set():
            k = self.sent % 5
            p = random.choice(self.ids)
            if k == 0:
                r = self.em.rpc("ModifyDiskReplicaPair", {"RegionId": SRC, "ReplicaPairId": p,
                                                          "PairName": f"load-{self.sent}"}, version=EBS)
            elif k == 1:
                action = random.choice(["StopDiskReplicaPair", "StartDiskReplicaPair"])
                r = self.em.rpc(action, {"RegionId": SRC, "ReplicaPairId": p}, version=EBS)
            elif k == 2:
                r = self.em.rpc("DescribeDiskReplicaPairs", {"RegionId": SRC, "MaxResults": 20}, version=EBS)
            else:
                r = self.em.rpc("DescribeDisks", {"RegionId": SRC, "PageSize": 10})
            self.refused += r.status != 200
            self.sent += 1
            next_at += self.period
            time.sleep(max(0.0, next_at - time.monotonic()))


WATCH = """([key, marker]) => { window.__probe = new Promise((resolve) => {
  const row = document.querySelector(`#pairs .pair[data-key$="/${key}"]`);
  const done = () => requestAnimationFrame(() => resolve(Date.now()));
  if (row.textContent.includes(marker)) return done();
  const mo = new MutationObserver(() => {
    if (row.textContent.includes(marker)) { mo.disconnect(); done(); }
  });
  mo.observe(row, { childList: true, subtree: true, characterData: true });
}); }"""


def first_load(ctx, base, tab):
    page = ctx.new_page()
    sizes = {}

    def on_response(r):
        path = r.url[len(base):].split("#")[0]
        if path in ASSETS:
            try:
                sizes[path] = len(r.body())
            except Exception:  # noqa: BLE001 - a stream has no body to read
                pass

    page.on("response", on_response)
    page.goto(f"{base}/_emulator/ui/#{tab}")
    page.wait_for_selector("body[data-ready='1']")
    first = page.evaluate("performance.getEntriesByName('dashboard-first-render')[0].startTime")
    got = page.evaluate("performance.getEntriesByName('dashboard-first-view')[0].startTime")
    print(f"  ({tab}: the first view event arrived at {got:.0f} ms, painted at {first:.0f} ms)")
    return page, sizes, first


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--samples", type=int, default=40)
    args = ap.parse_args()

    em = conftest.Emulator("measure", ["--timing", "realistic", "--clock", "manual", "--seed", "3"])
    ok = True
    profile = tempfile.mkdtemp(prefix="dashboard-measure-")
    try:
        with sync_playwright() as pw:
            ctx = pw.chromium.launch_persistent_context(
                profile, executable_path=conftest.chromium_path(), args=conftest.CHROMIUM_ARGS,
                headless=True, viewport={"width": 1280, "height": 860})
            page, sizes, first_empty = first_load(ctx, em.url, "overview")
            page.close()
            weight = sum(sizes.values())
            print(f"first load (page and assets): {weight} bytes "
                  + ", ".join(f"{k.rsplit('/', 1)[-1] or 'index.html'} {v}" for k, v in sizes.items()))
            print(f"first render, empty world: {first_empty:.0f} ms")
            ok &= weight < 300_000 and first_empty < 300

            t = time.monotonic()
            ids, probes = build_world(em, args.pairs)
            print(f"world: {args.pairs} pairs, {2 * args.pairs} disks, built in {time.monotonic() - t:.1f} s")
            em.control("/_emulator/clock", {"mode": "system"})
            time.sleep(6)  # initial copies done: pairs cycle normal <-> syncing from here on
            took = []
            for _ in range(5):
                t = time.perf_counter()
                view = em.control("/_emulator/view", method="GET")
                took.append((time.perf_counter() - t) * 1000)
            print(f"whole view document at {args.pairs} pairs: {len(view.body)} bytes (the stream's first "
                  f"event), built and sent in {statistics.median(took):.1f} ms (median of 5)")

            page, _, first_full = first_load(ctx, em.url, "replication")
            page.wait_for_function(f"document.querySelectorAll('#pairs .pair').length === {args.pairs}")
            every = page.evaluate("performance.now()")
            print(f"first render, {args.pairs} pairs on the Replication view: {first_full:.0f} ms "
                  f"(the first screenful; every row in the page by {every:.0f} ms)")
            ok &= first_full < 300

            page.evaluate("""() => { window.__long = []; new PerformanceObserver((l) => {
                for (const e of l.getEntries()) window.__long.push(e.duration); }).observe({ entryTypes: ['longtask'] }); }""")
            load = Load(em, ids, args.rate)
            load.start()
            time.sleep(2)
            lat = []
            for i in range(args.samples):
                p = random.choice(probes)
                marker = f"probe-{i}-{random.randrange(1 << 30)}"
                page.evaluate(WATCH, [p, marker])
                t0 = time.time() * 1000
                call(em, "ModifyDiskReplicaPair", {"RegionId": SRC, "ReplicaPairId": p, "PairName": marker},
                     version=EBS)
                seen = page.evaluate("window.__probe")
                lat.append(seen - t0)
                time.sleep(0.25)
            load.stop.set()
            load.join()
            long_tasks = page.evaluate("window.__long")
            lat.sort()
            p50 = statistics.median(lat)
            p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
            print(f"update latency, {args.pairs} pairs, {args.rate:.0f} calls/s ({load.sent} calls sent, {load.refused} refused), "
                  f"{len(lat)} samples: p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {lat[-1]:.0f} ms")
            print(f"long tasks (> 50 ms) meanwhile: {len(long_tasks)}, longest "
                  f"{max(long_tasks, default=0):.0f} ms")
            ok &= p95 < 250
            ctx.close()
    finally:
        em.stop()
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
