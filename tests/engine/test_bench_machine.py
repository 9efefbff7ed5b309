"""bench/machine_memory.py samples a build from outside: the builder's growth plus what its
children (and theirs) hold alone."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import time

from tests.support.paths import ROOT


def _sampler(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    return importlib.import_module("machine_memory")


def test_children_and_theirs_are_found_and_a_gone_one_holds_nothing(monkeypatch):
    sampler = _sampler(monkeypatch)
    nested = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'input()'])"
    child = subprocess.Popen([sys.executable, "-c", nested], stdin=subprocess.PIPE)
    try:
        for _ in range(100):  # (until the grandchild has started)
            found = sampler._descendants(os.getpid())
            if len(found) >= 2:
                break
            time.sleep(0.05)
        assert child.pid in found and len(found) >= 2
        assert all(sampler._private(pid) > 0 for pid in found)
    finally:
        child.communicate(b"\n")
    assert sampler._private(child.pid) == 0.0


def test_a_small_build_is_measured_in_a_fresh_process(monkeypatch):
    peaks = _sampler(monkeypatch).measure(300)
    assert peaks["machine"] >= peaks["builder"] > 0 and peaks["children"] == 0


def test_a_servers_build_is_measured_with_its_readying(monkeypatch):
    # (`--server`: a server's start makes the spelling tables after the build, `Engine.ready`;
    # at 100k entries they raise the building process's peak above the build's own.)
    peaks = _sampler(monkeypatch).measure(300, server=True)
    assert peaks["machine"] >= peaks["builder"] > 0 and peaks["children"] == 0
