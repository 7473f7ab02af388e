#!/usr/bin/env python3
"""Collects the figures of one run-all.sh run (a folder of JSON files, captured tables and the RSS samples) into ONE
table: row, figure, reference, ratio, target, met?. Prints it as Markdown and writes summary.md and summary.json into
the folder. A benchmark that did not run or failed shows as "not run" / "failed", never as a pass."""
import json, os, re, sys, platform
from collections import defaultdict

run = sys.argv[1]
rows = []

def row(name, figure, reference="", ratio="", target="", met=None):
    rows.append({"row": name, "figure": figure, "reference": reference, "ratio": ratio, "target": target,
                 "met": "" if met is None else ("yes" if met else "NO")})

def load_json(name):
    path = os.path.join(run, name)
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None

def text(name):
    try:
        with open(os.path.join(run, name)) as f:
            return f.read()
    except OSError:
        return None

def missing(name, what):
    row(name, f"({what})", met=False)

num = lambda s: float(s.replace(",", ""))
pct = lambda x: f"{100 * x:.0f} %"

# --- probe capacity and drift at the largest monitor count (20,000 every 30 s in the standard run) --------------------
probe = load_json("probe.json")
runs = sorted((probe or {}).get("results", {}).get("Runs", []), key=lambda r: r.get("Monitors", 0))
if runs:
    r = runs[-1]
    r = {**r, **r.get("Window", {})}  # the window's figures sit under "Window" in newer versions of Probe.Bench
    n, every = f"{r['Monitors']:,}", f"{probe['results']['Options']['IntervalSeconds']} s"
    planned = r["PlannedPerSecond"]
    row(f"probe: checks/s, {n} monitors @{every}", f"{r['ChecksPerSecond']:.1f}/s", f"{planned:.1f}/s planned",
        pct(r["ChecksPerSecond"] / planned), ">= 99.5 % of planned", r["ChecksPerSecond"] >= 0.995 * planned)
    row(f"probe: share of the raw HttpClient loop used, {n}", f"{r['ChecksPerSecond']:.1f}/s", f"{r['Reference']['RequestsPerSecond']:,.0f}/s raw loop",
        pct(r["ChecksPerSecond"] / r["Reference"]["RequestsPerSecond"]))
    row(f"probe: drift p50 / p99 / max, {n}", f"{r['DriftP50Ms']:.0f} / {r['DriftP99Ms']:.0f} / {r['DriftMaxMs']:.0f} ms", "", "",
        "p99 < 1 s", r["DriftP99Ms"] < 1000)
    row(f"probe: missed / doubled slots, {n}", f"{r['MissedSlots']} / {r['DoubleSlots']}", "", "", "0 / 0",
        r["MissedSlots"] == 0 and r["DoubleSlots"] == 0)
else:
    missing("probe: checks/s and drift, 20,000 monitors @30 s", "not run or failed: see probe.err")

# --- event append rate against raw INSERT --------------------------------------------------------------------------
events = load_json("eventstore.json")
if events:
    by = {r["scenario"]: r for r in events["rows"]}
    for scenario, target in [("append, 10 events", ">= 50 % of raw"), ("append, 1 event", "")]:
        if scenario in by:
            r = by[scenario]
            row(f"event store: {scenario}", f"{r['figure']:,.0f} events/s", f"{r['reference']:,.0f}/s raw INSERT",
                pct(r["ratio"]), target, r["pass"] if target else None)
    if "sequencer lag p99" in by:
        r = by["sequencer lag p99"]
        row("event store: sequencer lag p99", f"{r['figure']:.0f} ms", "", "", "< 200 ms", r["pass"])
else:
    missing("event store: append rate vs raw INSERT", "not run or failed: see eventstore.err")

# --- ingestion against the raw broker ------------------------------------------------------------------------------
ing = load_json("ingestion.json")
if ing:
    complete = "" if ing["complete"] else " (incomplete)"
    row(f"ingestion: CheckCompleted -> fold, {ing['options']['Monitors']:,} monitors", f"{ing['rate']:,.0f}/s{complete}",
        f"{ing['referenceRate']:,.0f}/s raw broker", pct(ing["ratio"]), ">= 5,000/s and >= 50 % of raw",
        ing["rateMet"] and ing["ratioMet"])
else:
    missing("ingestion: CheckCompleted -> fold vs raw broker", "not run or failed: see ingestion.err")

# --- the public API through an outage storm (1,000 monitors failing at once) ----------------------------------------
storm = load_json("storm.json")
if storm:
    o, st = storm["options"], storm["storm"]
    n = o["Components"] * o["MonitorsPerComponent"]
    for e in storm["endpoints"]:
        ms = lambda v: "n/a" if v is None else f"{v:.2f} ms"
        ratio = "n/a" if e["ratio"] is None else f"{e['ratio']:.2f}x"
        errors = e["stormErrors"] + (e["quietErrors"] or 0)
        row(f"storm: {e['endpoint']} p99 during a {n:,}-monitor outage", ms(e["stormP99Ms"]) + (f", {errors} errors" if errors else ""),
            f"{ms(e['quietP99Ms'])} quiet; nginx same bytes {ms(e['nginxStormP99Ms'])}", ratio,
            "<= 2x quiet, no errors, page shows it all", e["met"])
    shown = "never" if st["shownSeconds"] is None else f"{st['shownSeconds']:.1f} s"
    row(f"storm: failure -> page shows all {o['Components']} components down, on incidents", shown,
        f"{st['incidentsOpened']} incident(s) opened, {st['monitorWentDown']:,} of {n:,} MonitorWentDown")
else:
    missing("storm: public API p99 during a 1,000-monitor outage", "not run or failed: see storm.err")

# --- summary.json against nginx ------------------------------------------------------------------------------------
api = text("statusapi.txt")
pairs = defaultdict(dict)
for m in re.finditer(r"^\s*(\d+)\s+(nginx|StatusApi)\s+([\d,]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)", api or "", re.M):
    pairs[int(m[1])][m[2]] = {"rate": num(m[3]), "p50": float(m[4]), "p99": float(m[5]), "errors": int(m[6])}
if pairs:
    for connections, p in sorted(pairs.items()):
        if "nginx" not in p or "StatusApi" not in p:
            continue
        s, n = p["StatusApi"], p["nginx"]
        row(f"summary.json rate, {connections} connections", f"{s['rate']:,.0f}/s", f"{n['rate']:,.0f}/s nginx", pct(s["rate"] / n["rate"]),
            ">= 50 % of nginx, no errors", s["rate"] >= 0.5 * n["rate"] and s["errors"] == 0)
        row(f"summary.json p99, {connections} connections", f"{s['p99']:.2f} ms", f"{n['p99']:.2f} ms nginx", f"{s['p99'] / n['p99']:.2f}x",
            "<= 2x nginx", s["p99"] <= 2 * n["p99"])
else:
    missing("summary.json rate and p99 vs nginx", "not run or failed: see statusapi.err")
single = {(m[1], m[2]): {"p50": float(m[3]), "p99": float(m[4])}
          for m in re.finditer(r"^\s+(nginx|StatusApi), (back to back|after a 250 ms pause|250 ms after a change)\s+([\d.]+)\s+([\d.]+)", api or "", re.M)}
for what, reference in [("back to back", "back to back"), ("250 ms after a change", "after a 250 ms pause")]:
    if ("StatusApi", what) in single and ("nginx", reference) in single:
        s, n = single[("StatusApi", what)], single[("nginx", reference)]
        row(f"summary.json single request p99, {what}", f"{s['p99']:.2f} ms", f"{n['p99']:.2f} ms nginx {reference}", f"{s['p99'] / n['p99']:.2f}x",
            "<= 2x nginx", s["p99"] <= 2 * n["p99"])

# --- fan-out against the SMTP reference (the targets as rates: 100,000 emails in 60 s, 10,000 webhooks in 10 s)
notify = text("notify.txt") or ""
ref = re.search(r"^reference: (?:kept-open connections|System\.Net\.Mail loop)\s+([\d.]+)", notify, re.M)
for label, name, target in [("email via SMTP sink", "email", 100000 / 60), ("webhook to Kestrel receiver", "webhook", 1000)]:
    m = re.search(rf"^{re.escape(label)}\s+(\d+)\s+([\d.]+|NaN)\s+([\d.]+|NaN)", notify, re.M)
    if m and ref:
        received, last, rate, reference = int(m[1]), float(m[2]), float(m[3]), float(ref[1])
        row(f"fan-out: {name}, {received:,} delivered", f"{rate:,.0f}/s (last at {last:.1f} s)", f"{reference:,.0f}/s SMTP loop", pct(rate / reference),
            f">= {target:,.0f}/s" + (" (100,000 in 60 s)" if name == "email" else " (10,000 in 10 s)"), rate >= target)
    else:
        missing(f"fan-out: {name}", "not run or failed: see notify.err")

# --- detection latency ---------------------------------------------------------------------------------------------
det = load_json("detection.json")
if det:
    for key, name in [("page", "target down -> summary.json"), ("inbox", "target down -> first email")]:
        f = det[key]
        p50 = "never" if f["p50"] is None else f"{f['p50']:.1f}"
        p99 = "never" if f["p99"] is None else f"{f['p99']:.1f} s"
        missed = f", {f['missing']} outage(s) never mailed" if f.get("missing") else ""
        row(f"detection: {name}, p50 / p99 ({det['outages']} outages)", f"{p50} / {p99}{missed}", "", "",
            f"p99 <= {f['target']:.0f} s ({det['interval']:.0f} s x {det['threshold']} + {f['target'] - det['interval'] * det['threshold']:.0f} s)", f["met"])
    f = det["recovery"]
    row("detection: target up -> summary.json, p50 / p99", f"{f['p50']:.1f} / {f['p99']:.1f} s")
else:
    missing("detection latency to page and inbox", "not run or failed: see detection.err")

# --- resident memory -----------------------------------------------------------------------------------------------
peaks = defaultdict(lambda: defaultdict(int))
try:
    with open(os.path.join(run, "rss.log")) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 5:
                _, phase, service, _, kb = parts
                peaks[phase][service] = max(peaks[phase][service], int(kb))
except OSError:
    pass
load_phase = {"Incident.Service": "ingestion", "StatusApi": "statusapi", "Probe.Service": "probe", "Notify.Service": "notify"}
load_what = {"ingestion": "ingestion bench", "statusapi": "wrk on summary.json", "probe": "20,000 monitors", "notify": "Notify.Bench fan-out"}
for service in ["Incident.Service", "Notify.Service", "StatusApi", "Probe.Service"]:
    idle = peaks["idle"].get(service)
    loaded = peaks[load_phase[service]].get(service)
    row(f"RSS {service}: idle (AppHost suite)", f"{idle / 1024:.0f} MB" if idle else "(not sampled)", "", "", "< 200 MB",
        idle is not None and idle < 200 * 1024)
    row(f"RSS {service}: under load ({load_what[load_phase[service]]})", f"{loaded / 1024:.0f} MB" if loaded else "(not sampled)")

# --- print ---------------------------------------------------------------------------------------------------------
def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), cpu)
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1048576
    except OSError:
        mem = 0
    return f"{os.cpu_count()} cores ({cpu}), {mem:.1f} GiB memory, {platform.system()} {platform.release()}"

cols = ["row", "figure", "reference", "ratio", "target", "met"]
header = ["row", "figure", "reference", "ratio", "target", "met?"]
lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in rows]
info = text("run-info.txt") or ""
out = f"{info.strip()}\nmachine: {machine()}\n\n" + "\n".join(lines) + "\n"
print(out)
with open(os.path.join(run, "summary.md"), "w") as f:
    f.write(out)
with open(os.path.join(run, "summary.json"), "w") as f:
    json.dump({"machine": machine(), "info": info.strip(), "rows": rows}, f, indent=2)
