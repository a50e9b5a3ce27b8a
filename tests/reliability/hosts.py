"""Separate hosts on one machine: a Linux network namespace per app, joined by veth pairs on a bridge.

The bridge lives in a namespace of its own ("the switch"), so nothing is added to the machine's own
network and deleting the namespaces removes every interface. Each host gets one address on a random
10.x.y.0/24 subnet; namespace names carry a random prefix so parallel runs never meet.
"""

from __future__ import annotations

import ctypes
import os
import random
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

CLONE_NEWNET = 0x40000000
T = TypeVar("T")


def netns_unavailable() -> str | None:
    """Why namespaces cannot be made here, or None when they can."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "network namespaces need root (ip netns add)"
    if shutil.which("ip") is None:
        return "iproute2's `ip` is not installed (apt-get install iproute2)"
    probe = f"styr{uuid.uuid4().hex[:8]}-probe"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return f"`ip netns add` is refused here: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "delete", probe], capture_output=True)
    return None


def ip(*args: str) -> None:
    result = subprocess.run(["ip", *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")


def _enter(namespace: str) -> None:
    """Move the calling thread (only it) into a network namespace; its new sockets are made there."""
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/run/netns/{namespace}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {namespace}")
    finally:
        os.close(fd)


@dataclass
class Host:
    name: str
    namespace: str
    address: str
    _thread: ThreadPoolExecutor | None = None

    def run(self, function: Callable[[], T]) -> T:
        """Call `function` on a thread inside this host's namespace (sockets it opens belong to the host)."""
        if self._thread is None:
            self._thread = ThreadPoolExecutor(
                1, thread_name_prefix=self.namespace, initializer=_enter, initargs=(self.namespace,)
            )
        return self._thread.submit(function).result()

    def popen(self, command: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start a process on this host (`ip netns exec` enters the namespace, then runs the command)."""
        return subprocess.Popen(["ip", "netns", "exec", self.namespace, *command], env=env)

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)


@dataclass
class Network:
    hosts: dict[str, Host]
    switch: str
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __getitem__(self, name: str) -> Host:
        return self.hosts[name]


def _make_host(prefix: str, switch: str, name: str, address: str) -> Host:
    namespace = f"{prefix}-{name}"
    ip("netns", "add", namespace)
    # Both ends are made inside namespaces: the host's `eth0`, and its port on the switch named after it.
    ip("-n", namespace, "link", "add", "eth0", "type", "veth", "peer", "name", name, "netns", switch)
    ip("-n", switch, "link", "set", name, "master", "br0", "up")
    ip("-n", namespace, "addr", "add", f"{address}/24", "dev", "eth0")
    ip("-n", namespace, "link", "set", "eth0", "up")
    ip("-n", namespace, "link", "set", "lo", "up")
    return Host(name, namespace, address)


@contextmanager
def network(names: list[str]) -> Iterator[Network]:
    """One namespace per name on a bridge, torn down (processes, threads, namespaces) even on failure."""
    prefix = f"styr{uuid.uuid4().hex[:8]}"
    subnet = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}"
    switch = f"{prefix}-switch"
    made: list[str] = []
    net = Network({}, switch)
    try:
        ip("netns", "add", switch)
        made.append(switch)
        ip("-n", switch, "link", "add", "br0", "type", "bridge")
        ip("-n", switch, "link", "set", "br0", "up")
        for number, name in enumerate(names, start=2):
            made.append(f"{prefix}-{name}")
            net.hosts[name] = _make_host(prefix, switch, name, f"{subnet}.{number}")
        yield net
    finally:
        for process in net.processes:
            if process.poll() is None:
                process.terminate()
        for process in net.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for host in net.hosts.values():
            host.close()
        for namespace in reversed(made):
            subprocess.run(["ip", "netns", "delete", namespace], capture_output=True)
