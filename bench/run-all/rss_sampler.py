#!/usr/bin/env python3
"""Samples VmRSS of the StatusPlatform service processes that descend from one process (run-all.sh), twice a second,
and appends "<unix time> <phase> <service> <pid> <rss kB>" lines to a file. The phase is the content of a file that
run-all.sh rewrites as it goes. Processes of other people's runs on the same machine are not descendants, so they are
never counted. Stops when the root process is gone."""
import argparse, os, time

SERVICES = {"Incident.Service.dll": "Incident.Service", "Notify.Service.dll": "Notify.Service",
            "StatusApi.dll": "StatusApi", "Probe.Service.dll": "Probe.Service"}

p = argparse.ArgumentParser()
p.add_argument("--root-pid", type=int, required=True)
p.add_argument("--phase-file", required=True)
p.add_argument("--out", required=True)
p.add_argument("--every", type=float, default=0.5)
a = p.parse_args()

def parent(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            # The command name is in parentheses and may contain spaces: the parent pid is the second field after it.
            return int(f.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return 0

def descends(pid, root):
    for _ in range(64):
        if pid == root:
            return True
        if pid <= 1:
            return False
        pid = parent(pid)
    return False

def service(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return None
    for arg in args[:3]:
        name = os.path.basename(arg.decode(errors="replace"))
        if name in SERVICES:
            return SERVICES[name]
    return None

def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None

with open(a.out, "a", buffering=1) as out:
    while os.path.exists(f"/proc/{a.root_pid}"):
        try:
            with open(a.phase_file) as f:
                phase = f.read().strip() or "none"
        except OSError:
            phase = "none"
        now = time.time()
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            pid = int(entry)
            name = service(pid)
            if name and descends(pid, a.root_pid) and (kb := rss_kb(pid)) is not None:
                out.write(f"{now:.1f} {phase} {name} {pid} {kb}\n")
        time.sleep(a.every)
