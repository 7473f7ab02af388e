#!/usr/bin/env python3
"""Detection latency of the running suite (scripts/run.sh): switch the demo target off, time until
summary.json shows the outage and until the first email arrives in MailDev; switch it on, time the recovery.
Prints p50/p99 against the target interval x failure threshold + 2 s (page) and + 5 s (inbox).

    scripts/run.sh &            # the suite with config/statusplatform.yaml
    python3 bench/detection/detection_latency.py --outages 5
"""
import argparse, json, random, time, urllib.request

p = argparse.ArgumentParser()
p.add_argument("--api", default="http://127.0.0.1:8080")
p.add_argument("--demo", default="http://127.0.0.1:18080")
p.add_argument("--maildev", default="http://127.0.0.1:1080")
p.add_argument("--component", default="demo-website")
p.add_argument("--subscriber", default="website-fans@example.com")
p.add_argument("--interval", type=float, default=10.0, help="the monitor's interval in seconds (config file)")
p.add_argument("--threshold", type=int, default=2, help="the monitor's failure threshold (config file)")
p.add_argument("--outages", type=int, default=5)
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

def wait(condition, limit=120):
    start = time.monotonic()
    while time.monotonic() - start < limit:
        if condition():
            return time.monotonic()
        time.sleep(0.05)
    raise TimeoutError("condition not reached")

def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]

page, inbox, recovery = [], [], []
wait(lambda: status() == "operational")
for i in range(a.outages):
    before = mails()
    # Outages start at a random point of the check cycle, as real ones do.
    time.sleep(random.uniform(0, a.interval))
    t0 = time.monotonic(); post(f"{a.demo}/_demo/down")
    page.append(wait(lambda: status() == "major_outage") - t0)
    inbox.append(wait(lambda: mails() > before) - t0)
    t1 = time.monotonic(); post(f"{a.demo}/_demo/up")
    recovery.append(wait(lambda: status() == "operational") - t1)
    wait(lambda: mails() > before + 1)
    print(f"outage {i + 1}: page {page[-1]:.1f} s, inbox {inbox[-1]:.1f} s, recovery on page {recovery[-1]:.1f} s", flush=True)

page_target, inbox_target = a.interval * a.threshold + 2, a.interval * a.threshold + 5
print(f"\n{'figure':<28}{'p50':>8}{'p99':>8}{'max':>8}{'target':>9}")
for name, values, target in [("target down -> page", page, page_target), ("target down -> inbox", inbox, inbox_target),
                             ("target up -> page", recovery, None)]:
    t = f"{target:.0f} s" if target else ""
    verdict = "" if target is None else ("pass" if pct(values, 0.99) <= target else "MISS")
    print(f"{name:<28}{pct(values, .5):>7.1f}s{pct(values, .99):>7.1f}s{max(values):>7.1f}s{t:>9} {verdict}")
