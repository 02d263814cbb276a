"""Fixtures of the SDK suite: ecs-emulator processes per configuration, SDK client factories, raw HTTP."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Optional

import pytest

import replication_helpers as rh
import sdk_clients as sc

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_FILE = REPO_ROOT / "fixtures" / "example-seed.json"
LISTENING = re.compile(rb"ecs-emulator listening on (http://[0-9.]+:([0-9]+))")
START_TIMEOUT_S = 30
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")

KEY_ARGS = [
    "--access-key", f"{sc.KEY_ID}:{sc.KEY_SECRET}:{sc.ACCOUNT}",
    "--access-key", f"{sc.OTHER_KEY_ID}:{sc.OTHER_KEY_SECRET}:{sc.OTHER_ACCOUNT}",
]

# Each configuration is one long-lived process; tests reset it to its start-up state before use.
CONFIGS = {
    # permissive, transitions complete within the call, empty world
    "instant": ["--timing", "instant", "--seed", "42"],
    # permissive, instant, the example seed (every StartInstance error), two known keys
    "seeded": ["--timing", "instant", "--fixtures", SEED_FILE, "--seed", "42", *KEY_ARGS],
    # transitional states observable; the virtual clock moves only through POST /_emulator/clock
    "realistic": ["--timing", "realistic", "--clock", "manual", "--fixtures", SEED_FILE, "--seed", "42"],
    # every request must be signed by a known key, fresh and unreplayed (system clock: timestamps are real)
    "strict": ["--auth", "strict", "--timing", "instant", "--fixtures", SEED_FILE, "--seed", "42", *KEY_ARGS],
}


def emulator_binary() -> Path:
    return Path(os.environ.get("ECS_EMULATOR_BIN") or REPO_ROOT / "target" / "debug" / "ecs-emulator")


class Emulator:
    """One `ecs-emulator serve` process on 127.0.0.1:<port 0>, its stderr kept in a temporary file."""

    def __init__(self, name: str, args: list):
        self.name = name
        self.args = [str(a) for a in args]
        binary = emulator_binary()
        if not binary.is_file():
            raise RuntimeError(f"no emulator binary at {binary} (build it, or set ECS_EMULATOR_BIN)")
        self._stderr = tempfile.TemporaryFile()
        # The binary reads ECS_EMULATOR_* variables as flag defaults: keep the caller's out of it.
        env = {k: v for k, v in os.environ.items() if not k.startswith("ECS_EMULATOR_")}
        self.proc = subprocess.Popen(
            [str(binary), "serve", "--listen", "127.0.0.1:0", *self.args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr, env=env,
        )
        self.url, self.port = self._await_listening()
        self.host = f"127.0.0.1:{self.port}"

    def _await_listening(self):
        lines: "queue.Queue[Optional[bytes]]" = queue.Queue()

        def pump():  # keeps draining stdout for the life of the process
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, name=f"stdout-{self.name}", daemon=True).start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stop()
                raise RuntimeError(f"emulator [{self.name}] printed no listening line within {START_TIMEOUT_S}s\n"
                                   f"{self.stderr_text()}")
            try:
                line = lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                code = self.proc.wait()
                raise RuntimeError(f"emulator [{self.name}] exited with {code} before listening\n{self.stderr_text()}")
            m = LISTENING.search(line)
            if m:
                return m.group(1).decode(), int(m.group(2))

    # -- process ---------------------------------------------------------------------------

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def stderr_mark(self) -> int:
        return os.fstat(self._stderr.fileno()).st_size

    def stderr_text(self, since: int = 0, max_lines: int = 200) -> str:
        # pread: the child shares this file's offset, so never seek it.
        fd = self._stderr.fileno()
        size = os.fstat(fd).st_size
        text = ANSI_ESCAPE.sub("", os.pread(fd, max(0, size - since), since).decode("utf-8", "replace"))
        lines = text.splitlines()
        if len(lines) > max_lines:
            lines = [f"... ({len(lines) - max_lines} earlier lines cut)"] + lines[-max_lines:]
        return "\n".join(lines)

    # -- control endpoints -------------------------------------------------------------------

    def control(self, path: str, payload: Optional[dict] = None, method: str = "POST") -> sc.RawResponse:
        body = json.dumps(payload).encode() if payload is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        return sc.http(self.url, method=method, path=path, body=body, headers=headers)

    def reset(self) -> None:
        resp = self.control("/_emulator/reset")
        assert resp.status == 200, f"POST /_emulator/reset answered {resp.status}: {resp.body[:300]!r}"

    def advance(self, seconds: float) -> None:
        resp = self.control("/_emulator/clock", {"advance_seconds": seconds})
        assert resp.status == 200, f"POST /_emulator/clock answered {resp.status}: {resp.body[:300]!r}"

    def health(self) -> sc.RawResponse:
        return sc.http(self.url, method="GET", path="/_emulator/health")

    # -- raw RPC -----------------------------------------------------------------------------

    def rpc(self, action: Optional[str], params: Optional[dict] = None, method: str = "POST",
            version: Optional[str] = sc.ECS_VERSION, fmt: Optional[str] = "JSON", form: bool = False,
            headers: Optional[dict] = None) -> sc.RawResponse:
        """An unsigned RPC call; parameters in the query string (or a form body with `form=True`)."""
        p = {}
        if action is not None:
            p["Action"] = action
        if version is not None:
            p["Version"] = version
        if fmt is not None:
            p["Format"] = fmt
        p.update({k: v for k, v in (params or {}).items() if v is not None})
        return self.send(p, method=method, form=form, headers=headers)

    def send(self, params: dict, method: str = "POST", form: bool = False,
             headers: Optional[dict] = None) -> sc.RawResponse:
        if form:
            h = {"Content-Type": "application/x-www-form-urlencoded", **(headers or {})}
            return sc.http(self.url, method=method, body=sc.encode_query(params), headers=h)
        return sc.http(self.url, method=method, query=params, headers=headers)

    def signed_rpc(self, action: str, params: Optional[dict] = None, key_id: str = sc.KEY_ID,
                   secret: str = sc.KEY_SECRET, method: str = "POST", **kw) -> sc.RawResponse:
        return self.send(sc.signed_rpc_params(action, params, key_id, secret, method=method, **kw), method=method)


    def acs3_rpc(self, action: str, query: Optional[dict] = None, key_id: str = sc.KEY_ID,
                 secret: str = sc.KEY_SECRET, method: str = "POST", **kw):
        """An ACS3-HMAC-SHA256 signed call; returns (response, the string to sign)."""
        headers, sts = sc.acs3_request(self.host, action, query, key_id, secret, method=method, **kw)
        return sc.http(self.url, method=method, query=query, headers=headers), sts


class EmulatorPool:
    """Starts each configuration once per session, on first use; restarts one that died."""

    def __init__(self):
        self._running: dict = {}

    def get(self, name: str) -> Emulator:
        em = self._running.get(name)
        if em is not None and not em.alive():
            em.stop()
            em = None
        if em is None:
            em = Emulator(name, CONFIGS[name])
            self._running[name] = em
        return em

    def close(self) -> None:
        for em in self._running.values():
            em.stop()
        self._running.clear()


EMULATORS_USED = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def emulator_pool():
    pool = EmulatorPool()
    yield pool
    pool.close()


def _fresh(request, pool: EmulatorPool, name: str) -> Emulator:
    em = pool.get(name)
    request.node.stash.setdefault(EMULATORS_USED, []).append((em, em.stderr_mark()))
    em.reset()
    return em


@pytest.fixture
def instant(request, emulator_pool) -> Emulator:
    """Permissive, instant transitions, no seed data; reset before the test."""
    return _fresh(request, emulator_pool, "instant")


@pytest.fixture
def seeded(request, emulator_pool) -> Emulator:
    """Permissive, instant, fixtures/example-seed.json loaded, two known keys; reset before the test."""
    return _fresh(request, emulator_pool, "seeded")


@pytest.fixture
def realistic(request, emulator_pool) -> Emulator:
    """Realistic timing on a manual clock, seeded; reset before the test."""
    return _fresh(request, emulator_pool, "realistic")


@pytest.fixture
def strict(request, emulator_pool) -> Emulator:
    """Strict signature checking with two known keys, seeded; reset before the test."""
    return _fresh(request, emulator_pool, "strict")


@pytest.fixture
def emulator(request, emulator_pool) -> Emulator:
    """Any configuration by name, for `@pytest.mark.parametrize("emulator", [...], indirect=True)`."""
    return _fresh(request, emulator_pool, getattr(request, "param", "instant"))


@pytest.fixture(params=sc.SDKS)
def sdk(request) -> str:
    """Runs the test once through the classic SDK's typed requests and once through the Tea typed client."""
    return request.param


@pytest.fixture(params=rh.KINDS)
def replica_kind(request) -> str:
    """Runs a disk-replication test through each client kind: EBS typed classic and Tea, ECS-dialect
    CommonRequest and Tea call_api."""
    return request.param


# Client factories, for tests that use an SDK directly rather than through the adapters.
@pytest.fixture
def make_classic():
    return sc.classic_client


@pytest.fixture
def make_common_request():
    return sc.common_request


@pytest.fixture
def make_tea():
    return sc.tea_client


@pytest.fixture
def make_tea_v2():
    return lambda server, **kw: sc.tea_client(server, signature_algorithm="v2", **kw)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for em, mark in item.stash.get(EMULATORS_USED, []):
            state = "running" if em.alive() else f"EXITED with {em.proc.returncode}"
            report.sections.append((f"ecs-emulator [{em.name}] stderr during this test ({state})",
                                    em.stderr_text(since=mark) or "(nothing)"))
    return report
