#!/usr/bin/env python3
"""Detection latency of the running suite (scripts/run.sh): switch the demo target off, time until
summary.json shows the outage and until the first email arrives in MailDev; switch it on, time the recovery.
Prints p50/p99 against the target interval x failure threshold + 2 s (page) and + 5 s (inbox); an outage whose email
does not come within --inbox-limit s counts as infinitely late, and the run goes on.

    scripts/run.sh &            # the suite with config/statusplatform.yaml
    python3 bench/detection/detection_latency.py --outages 5
"""
import argparse, json, os, random, time, urllib.request

p = argparse.ArgumentParser()
p.add_argument("--api", default="http://127.0.0.1:8080")
p.add_argument("--demo", default="http://127.0.0.1:18080")
p.add_argument("--maildev", default="http://127.0.0.1:1080")
p.add_argument("--component", default="demo-website")
p.add_argument("--subscriber", default="website-fans@example.com")
p.add_argument("--interval", type=float, default=10.0, help="the monitor's interval in seconds (config file)")
p.add_argument("--threshold", type=int, default=2, help="the monitor's failure threshold (config file)")
p.add_argument("--outages", type=int, default=5)
p.add_argument("--json", help="also write the figures as JSON to this path")
p.add_argument("--inbox-limit", type=float, default=60.0, help="seconds after which an outage counts as never mailed")
a = p.parse_args()

def get(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)

def post(url):
    urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=5).read()

def status():
    return next(c["status"] for c in get(f"{a.api}/api/v2/summary.json")["components"] if c["id"] == a.component)

def mails():
    return sum(1 for m in get(f"{a.maildev}/api/email") if any(t["address"] == a.subscriber for t in m["to"]))

def wait(condition, limit=120, required=True):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if condition():
            return time.monotonic()
        time.sleep(0.05)
    if required:
        raise TimeoutError("condition not reached")
    return None

def pct(values, q):
    # An outage whose email never came counts as infinitely late: it is in the percentiles, never left out.
    values = sorted(float("inf") if v is None else v for v in values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

page, inbox, recovery = [], [], []
wait(lambda: status() == "operational")
for i in range(a.outages):
    before = mails()
    # Outages start at a random point of the check cycle, as real ones do.
    time.sleep(random.uniform(0, a.interval))
    t0 = time.monotonic(); post(f"{a.demo}/_demo/down")
    page.append(wait(lambda: status() == "major_outage") - t0)
    # Far beyond the target: a missing email is recorded as a miss (and the run goes on), not waited for.
    mailed = wait(lambda: mails() > before, limit=a.inbox_limit, required=False)
    inbox.append(None if mailed is None else mailed - t0)
    t1 = time.monotonic(); post(f"{a.demo}/_demo/up")
    recovery.append(wait(lambda: status() == "operational") - t1)
    # The resolution goes only to those told of the outage (and arrives after the page shows the recovery).
    if mailed is not None:
        wait(lambda: mails() > before + 1, limit=a.inbox_limit, required=False)
    told = "no email" if mailed is None else f"{inbox[-1]:.1f} s"
    print(f"outage {i + 1}: page {page[-1]:.1f} s, inbox {told}, recovery on page {recovery[-1]:.1f} s", flush=True)

page_target, inbox_target = a.interval * a.threshold + 2, a.interval * a.threshold + 5
print(f"\n{'figure':<28}{'p50':>8}{'p99':>8}{'max':>8}{'target':>9}")
for name, values, target in [("target down -> page", page, page_target), ("target down -> inbox", inbox, inbox_target),
                             ("target up -> page", recovery, None)]:
    t = f"{target:.0f} s" if target else ""
    verdict = "" if target is None else ("pass" if pct(values, 0.99) <= target else "MISS")
    print(f"{name:<28}{pct(values, .5):>7.1f}s{pct(values, .99):>7.1f}s{pct(values, 1):>7.1f}s{t:>9} {verdict}")
missed = sum(1 for v in inbox if v is None)
if missed:
    print(f"{missed} of {a.outages} outages brought no email within {a.inbox_limit:.0f} s (counted as infinitely late)")

if a.json:
    os.makedirs(os.path.dirname(os.path.abspath(a.json)), exist_ok=True)
    finite = lambda x: None if x == float("inf") else x  # JSON has no infinity: null is "never"
    figures = {name: {"p50": finite(pct(values, .5)), "p99": finite(pct(values, .99)), "max": finite(pct(values, 1)), "values": values,
                      "missing": sum(1 for v in values if v is None), "target": target,
                      "met": None if target is None else pct(values, .99) <= target}
               for name, values, target in [("page", page, page_target), ("inbox", inbox, inbox_target), ("recovery", recovery, None)]}
    with open(a.json, "w") as f:
        json.dump({"bench": "detection_latency", "outages": a.outages, "interval": a.interval, "threshold": a.threshold, **figures}, f, indent=2)
