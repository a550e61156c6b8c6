#!/usr/bin/env python3
"""Load test of `trennwand serve` with wrk (make bench-serve; never part of make test).

Usage: serve_load.py TRENNWAND_BINARY STATE.sqlite [--seconds 30] [--connections 32] [--out FILE]

Starts `trennwand serve` on a free loopback port over STATE, sets up an admin through
`--init-admin` and, as that admin, a `reader` account (the admin itself sees no findings), logs the
reader in and then runs wrk against three pages with the reader's session cookie, one after the
other, each for --seconds at --connections connections (2 threads):
  - the grouped list `/findings` (every rule's group with counts, the filter facets),
  - one rule's list `/findings?rule=…` (the rule with the most findings, first page of rows),
  - a finding page `/findings/<fingerprint>` (a finding with merged occurrences, as the DPO opens it).
Every response must be 200 (wrk counts non-2xx/3xx and socket errors as errors: the target is
zero). The server's resident memory (VmRSS) is read before the first and after the last run.
Prints one line per page and writes them as JSON to --out. Exit 0 when all targets hold (p99 at
most 100 ms, zero errors, RSS after at most 1.5 times RSS after warm-up), else 1.
"""
import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

P99_TARGET_MS = 100.0
RSS_GROWTH_LIMIT = 1.5


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def request(url, cookies, data=None):
    """One request with the given cookies; returns (status, headers, body). Cookies are sent by
    hand: the session cookie is `Secure`, which urllib's cookie jar never sends over http."""
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data).encode() if data else None)
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        r = OPENER.open(req, timeout=30)
        status, headers, body = r.status, r.headers, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        status, headers, body = e.code, e.headers, e.read().decode("utf-8", "replace")
    for line in headers.get_all("Set-Cookie") or []:
        name, _, rest = line.partition("=")
        cookies[name.strip()] = rest.split(";")[0]
    return status, headers, body


def csrf(body):
    m = re.search(r'name="csrf" value="([^"]+)"', body)
    if not m:
        raise SystemExit("no CSRF token in page")
    return m.group(1)


def set_password(link, password):
    jar = {}
    _, _, body = request(link, jar)
    status, _, _ = request(link, jar, {"csrf": csrf(body), "lang": "de", "password": password, "password2": password})
    if status not in (200, 303):
        raise SystemExit(f"setup {link}: HTTP {status}")


def login(base, name, password):
    jar = {}
    _, _, body = request(base + "/login", jar)
    status, _, _ = request(base + "/login", jar, {"csrf": csrf(body), "lang": "de", "name": name, "password": password})
    if status != 303 or "tw_session" not in jar:
        raise SystemExit(f"login {name}: HTTP {status}")
    return jar


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, cookie, seconds, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s",
                          "-H", f"Cookie: {cookie}", url], capture_output=True, text=True).stdout

    def ms(label):
        m = re.search(rf"^\s*{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return None
        v = float(m.group(1))
        return v / 1000 if m.group(2) == "us" else v * 1000 if m.group(2) == "s" else v

    requests = int(re.search(r"(\d+) requests in", out).group(1)) if "requests in" in out else 0
    non2xx = int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", out)) else 0
    sock = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    rps = float(m.group(1)) if (m := re.search(r"Requests/sec:\s+([\d.]+)", out)) else 0.0
    return {"p50_ms": ms("50%"), "p90_ms": ms("90%"), "p99_ms": ms("99%"), "requests": requests,
            "requests_per_s": rps, "errors": non2xx + sock, "raw": out}


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        print(__doc__)
        return 2
    binary, state = os.path.abspath(args[0]), os.path.abspath(args[1])

    def opt(name, default):
        return args[args.index(name) + 1] if name in args else default

    seconds, connections, out_file = int(opt("--seconds", 30)), int(opt("--connections", 32)), opt("--out", None)
    db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
    total = db.execute("SELECT COUNT(*) FROM finding WHERE status IN ('new','open','reopened','waived')").fetchone()[0]
    rule = db.execute("""SELECT rule_id FROM finding WHERE status IN ('new','open','reopened','waived')
                         GROUP BY rule_id ORDER BY COUNT(*) DESC LIMIT 1""").fetchone()[0]
    # A finding with merged occurrences (the heaviest page a DPO opens often), from the middle of the store.
    fp = db.execute("""SELECT fingerprint FROM finding WHERE status IN ('new','open','reopened') AND occurrences > 1
                       ORDER BY fingerprint LIMIT 1 OFFSET (SELECT COUNT(*) / 2 FROM finding
                       WHERE status IN ('new','open','reopened') AND occurrences > 1)""").fetchone()[0]
    occurrences = db.execute("SELECT occurrences FROM finding WHERE fingerprint = ?", (fp,)).fetchone()[0]
    db.close()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ)
    init = subprocess.run([binary, "serve", "--state", state, "--listen", f"127.0.0.1:{port}", "--init-admin"],
                          env=env, capture_output=True, text=True)
    link = init.stdout.strip().split("\n")[-1]
    if init.returncode != 0 or not link.startswith(base + "/setup/"):
        print(init.stdout + init.stderr)
        return 1
    log = open(state + ".serve.log", "w")
    server = subprocess.Popen([binary, "serve", "--state", state, "--listen", f"127.0.0.1:{port}"], env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    results = {"findings_open": total, "connections": connections, "seconds": seconds, "pages": {}}
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/login", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        password = "load-test-password-1"
        set_password(link, password)
        admin = login(base, "admin", password)
        reader_name = f"leser-{int(time.time())}"  # a store may hold the readers of earlier runs
        _, _, body = request(base + "/accounts", admin)
        status, _, body = request(base + "/accounts", admin, {"csrf": csrf(body), "name": reader_name, "role": "reader"})
        m = re.search(r"(/setup/[A-Za-z0-9_-]+)", body)
        if not m:
            raise SystemExit(f"no setup link for the reader account (HTTP {status})")
        set_password(base + m.group(1), password)
        reader = login(base, reader_name, password)
        cookie = "; ".join(f"{k}={v}" for k, v in reader.items())
        pages = [("grouped list /findings", "/findings"),
                 (f"rule list /findings?rule={rule}", f"/findings?rule={rule}"),
                 (f"finding page ({occurrences} occurrences)", f"/findings/{fp}")]
        for _, path in pages:  # warm-up: every page answers 200 to this session, caches are filled
            status, _, _ = request(base + path, dict(reader))
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status} before the load run")
            wrk(base + path, cookie, 3, connections)
        rss_before = rss_kb(server.pid)
        ok = True
        for name, path in pages:
            r = wrk(base + path, cookie, seconds, connections)
            raw = r.pop("raw")
            if r["p99_ms"] is None:
                print(raw)
                ok = False
            results["pages"][name] = r
            good = r["p99_ms"] is not None and r["p99_ms"] <= P99_TARGET_MS and r["errors"] == 0 and r["requests"] > 0
            ok = ok and good
            print(f"{name:44s} p50 {r['p50_ms']:7.1f} ms  p99 {r['p99_ms']:7.1f} ms  {r['requests_per_s']:8.1f} req/s  "
                  f"{r['requests']:7d} requests  {r['errors']} errors  {'PASS' if good else 'FAIL'}")
        rss_after = rss_kb(server.pid)
        flat = rss_after <= rss_before * RSS_GROWTH_LIMIT
        ok = ok and flat
        results.update(rss_before_kb=rss_before, rss_after_kb=rss_after)
        print(f"server RSS before {rss_before / 1024:.1f} MB, after {rss_after / 1024:.1f} MB  {'PASS' if flat else 'FAIL'}")
        if server.poll() is not None:
            print("FAIL: the server exited during the run")
            ok = False
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            print("WARN: the server did not stop within 30 s of SIGTERM; killed")
            server.kill()
            server.wait()
    results["pass"] = ok
    if out_file:
        with open(out_file, "w") as f:
            json.dump(results, f, indent=1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
