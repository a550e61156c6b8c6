#!/usr/bin/env python3
"""Real-browser check of the review workspace `trennwand serve` (Debian `chromium`, stdlib only).

Usage: check_serve.py TRENNWAND_BINARY [SCREENSHOT_DIR]
  default SCREENSHOT_DIR: /tmp (writes serve-overview.png, serve-finding.png, serve-decision.png,
  serve-decisions.png, serve-reidentification-request.png, serve-reidentification-approved.png,
  serve-finding-history.png, serve-findings-rule.png, serve-runs.png)

Scans a copy of Samples/ into a fresh state store, starts `trennwand serve` on a free loopback
port and drives headless chromium over the DevTools protocol (the CDP client of check_report.py):
  1. `serve --init-admin` prints a setup link; the admin sets a password in the browser and logs in
     (the Secure, HttpOnly, SameSite=Strict cookies work on http://127.0.0.1),
  2. the admin creates a `dpo` account; its setup link is shown once; the dpo sets a password,
  3. the dpo logs in, filters the findings to critical ones (only critical groups remain), opens a
     rule and a finding, records an accepted-risk decision with an expiry,
  4. escalating the finding under Art. 33 shows the deadline on the finding and the overview,
     the finding page shows the decision, the decisions page lists it, and the waiver file its
     export link downloads carries it as `accepted_risk` with that expiry,
  5. four-eyes re-identification (`serve --config Samples/audit.yaml`, the scan's key): the dpo
     requests the identity behind a finding's actor with a reason; the admin creates a
     `personalrat` account, which sees the open request, approves it and sees no identity; the dpo
     then sees the identity (not a pseudonym) on the request page; the finding's history tells
     request, approval and reveal as sentences (not the stored key=value text),
  5b. the findings list filtered to one rule charts its findings by month of first detection (the
     sample is one scan, so this throwaway copy spreads that rule's detections over six months
     first) with the numbers as a table; the runs page charts the most frequent rules by month,
  6. no console error, no CSP violation, no request to another host, no script in any page, the
     overview's tables fit their cards,
  7. `trennwand audit verify` finds the trail intact afterwards, with the request, the approval and
     the reveal in it.
Exit 0 = all checks passed, 1 = a check failed, 77 = chromium missing (skip).
"""
import base64
import datetime
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import zoneinfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_report import devtools_page, free_port, launch_chromium  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PASSWORD = "browser-test-password-1"
KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    binary = os.path.abspath(sys.argv[1])
    shots = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else "/tmp")
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        print("SKIP: chromium not installed (apt-get install -y chromium)")
        return 77
    work = tempfile.mkdtemp(prefix="tw-serve-browser-")
    env = {k: v for k, v in os.environ.items() if k != "TRENNWAND_LANG"}
    env["TRENNWAND_KEY"] = KEY
    failures = []

    def check(cond, what):
        print(("PASS " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    server = proc = None
    try:
        shutil.copytree(os.path.join(ROOT, "Samples"), os.path.join(work, "Samples"))
        state = os.path.join(work, "state.sqlite")
        scan = subprocess.run([binary, "scan", "Samples", "--now", "2025-12-31T12:00:00+01:00", "--state", state,
                               "--format", "text=/dev/null"], cwd=work, env=env, capture_output=True, text=True)
        check(scan.returncode in (0, 1), f"scan of the Samples into a state store (exit {scan.returncode})"
              + ("" if scan.returncode in (0, 1) else ": " + scan.stderr[-300:]))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        init = subprocess.run([binary, "serve", "--state", state, "--listen", f"127.0.0.1:{port}", "--init-admin"],
                              env=env, capture_output=True, text=True)
        link = init.stdout.strip().split("\n")[-1]
        check(init.returncode == 0 and link.startswith(base + "/setup/"), f"--init-admin prints a setup link: {link}")
        log = open(os.path.join(work, "serve.log"), "w")
        server = subprocess.Popen([binary, "serve", "--state", state, "--listen", f"127.0.0.1:{port}",
                                   "--config", os.path.join(work, "Samples", "audit.yaml")], env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)

        proc, dport = launch_chromium(browser, os.path.join(work, "profile"))
        cdp = devtools_page(dport)
        if cdp is None:
            print("FAIL: could not reach chromium DevTools")
            return 1
        cdp.send("Emulation.setDeviceMetricsOverride", width=1400, height=900, deviceScaleFactor=1, mobile=False)

        def settle():
            """Waits until the page that replaced the marked one has loaded."""
            for _ in range(200):
                try:
                    if cdp.eval("window.__twOld === undefined && document.readyState === 'complete'"):
                        return
                except RuntimeError:
                    pass
                time.sleep(0.05)
            raise RuntimeError("page did not load")

        def go(url):
            cdp.eval("window.__twOld = true")
            cdp.send("Page.navigate", url=url)
            settle()

        def submit(action, fields):
            """Fills the form posting to `action` and submits it as a user would (requestSubmit)."""
            sets = "".join(f"f.elements[{json.dumps(k)}].value = {json.dumps(v)};" for k, v in fields.items())
            cdp.eval("window.__twOld = true; (() => { const f = [...document.forms].find(f => f.getAttribute('action') === "
                     + json.dumps(action) + " && f.method === 'post'); " + sets + " f.requestSubmit(); })()")
            settle()

        def path():
            return cdp.eval("location.pathname + location.search")

        def text():
            return cdp.eval("document.body.innerText")

        def screenshot(name):
            png = cdp.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)
            target = os.path.join(shots, name)
            with open(target, "wb") as f:
                f.write(base64.b64decode(png["data"]))
            print(f"screenshot: {target}")

        pages_with_script = []

        def no_script():
            if cdp.eval("document.scripts.length") != 0:
                pages_with_script.append(path())

        # 1. The admin's setup link, password and login.
        token_path = link[len(base):]
        go(link)
        no_script()
        submit(token_path, {"password": PASSWORD, "password2": PASSWORD})
        check(path().startswith("/login"), f"setup link → password set → login page ({path()})")
        submit("/login", {"name": "admin", "password": PASSWORD})
        check(path() == "/accounts", f"admin logs in and lands on the accounts page ({path()})")
        cookies = {c["name"]: c for c in cdp.send("Network.getAllCookies")["cookies"]}
        session = cookies.get("tw_session", {})
        check(session.get("secure") and session.get("httpOnly") and session.get("sameSite") == "Strict",
              f"session cookie kept by the browser with Secure, HttpOnly, SameSite=Strict: {session}")

        # 2. A dpo account, its setup link shown once, its password.
        submit("/accounts", {"name": "dsb", "role": "dpo"})
        shown = re.search(r"/setup/[A-Za-z0-9_-]+", text())
        check(shown is not None, "the new account's setup link is shown")
        submit("/logout", {})
        check(path().startswith("/login"), "logout → login page")
        go(base + shown.group(0))
        submit(shown.group(0), {"password": PASSWORD, "password2": PASSWORD})

        # 3. The dpo: overview, critical findings, a finding, a decision.
        submit("/login", {"name": "dsb", "password": PASSWORD})
        check(path() == "/", f"dpo logs in and sees the overview ({path()})")
        no_script()
        cramped = cdp.eval("[...document.querySelectorAll('.card, main')].filter(e => e.scrollWidth > e.clientWidth + 1).length")
        check(cramped == 0 and cdp.eval("document.documentElement.scrollWidth <= innerWidth"),
              "the overview's tables fit their cards, nothing scrolls sideways")
        screenshot("serve-overview.png")
        go(base + "/findings")
        cdp.eval("window.__twOld = true; document.querySelector('#filters [name=severity]').value = 'critical';"
                 " document.querySelector('#filters').requestSubmit()")
        settle()
        badges = cdp.eval("[...document.querySelectorAll('section.group h2 .badge')].map(b => b.className)")
        check(path().startswith("/findings?") and "severity=critical" in path(), f"filter to critical findings ({path()})")
        check(badges and all("critical" in b for b in badges), f"only critical groups remain: {badges}")
        cdp.eval("window.__twOld = true; document.querySelector('section.group h2 a').click()")
        settle()
        no_script()
        cdp.eval("window.__twOld = true; document.querySelector('table.occ a[href^=\"/findings/\"]').click()")
        settle()
        fingerprint = path().rsplit("/", 1)[-1]
        check(re.fullmatch(r"[0-9a-f]{16,64}", fingerprint) is not None, f"a finding page ({path()})")
        screenshot("serve-finding.png")
        expiry = (datetime.date.today() + datetime.timedelta(days=90)).isoformat()
        reason = "Risiko bis zur Umstellung der Schnittstelle getragen (Browser-Test)"
        submit(f"/findings/{fingerprint}/decision",
               {"kind": "accepted_risk", "reason": reason, "assignee": "IT-Team", "expires": expiry})
        body = text()
        check(path() == f"/findings/{fingerprint}", f"decision recorded, back on the finding ({path()})")
        expiry_de = datetime.date.fromisoformat(expiry).strftime("%d.%m.%Y")  # shown as people in Germany read it
        check(reason in body and "IT-Team" in body and f"gültig bis {expiry_de}" in body,
              "the finding page shows the decision with its expiry (German date)")
        no_script()
        # From the history on: the recorded decision, its trail row and the form in one picture.
        cdp.eval("([...document.querySelectorAll('h2')].find(e => e.textContent.startsWith('Verlauf'))"
                 " || document.querySelector('section.decide')).scrollIntoView()")
        time.sleep(0.2)
        screenshot("serve-decision.png")

        # Art. 33: escalate it; the finding shows the running deadline, the overview lists it.
        submit(f"/findings/{fingerprint}/escalate", {})
        check("Art. 33: Meldefrist läuft" in text(), "escalated: the finding page shows the running 72-hour deadline")
        go(base + "/")
        listed = cdp.eval(f"!!document.querySelector('#overview .art33 a[href=\"/findings/{fingerprint}\"]')")
        check(listed, "the overview lists the open escalation with its time left")
        cramped = cdp.eval("[...document.querySelectorAll('.card, main')].filter(e => e.scrollWidth > e.clientWidth + 1).length")
        check(cramped == 0 and cdp.eval("document.documentElement.scrollWidth <= innerWidth"),
              "the overview with escalations still fits, nothing scrolls sideways")
        screenshot("serve-overview.png")

        # 4. The decisions page and the waiver export.
        go(base + "/decisions")
        check(reason in text(), "the decisions page lists it")
        screenshot("serve-decisions.png")
        # The export link answers with a download (Content-Disposition): let the browser save it.
        downloads = os.path.join(work, "downloads")
        os.makedirs(downloads)
        cdp.send("Browser.setDownloadBehavior", behavior="allow", downloadPath=downloads)
        cdp.eval("document.querySelector('a[href=\"/decisions/export\"]').click()")
        saved = os.path.join(downloads, "trennwand-waivers.yaml")
        for _ in range(100):
            if os.path.exists(saved):
                break
            time.sleep(0.1)
        export = open(saved, encoding="utf-8").read() if os.path.exists(saved) else ""
        check(export != "", "the export link downloads trennwand-waivers.yaml")
        entry = export.split(f"fingerprint: {fingerprint}")[1][:600] if f"fingerprint: {fingerprint}" in export else ""
        check("decision: accepted_risk" in entry, "the waiver export carries the decision as accepted_risk")
        day = datetime.date.fromisoformat(expiry)
        check(expiry in entry or day.strftime("%d.%m.%Y") in entry, f"… with its expiry {expiry}")

        go(base + "/runs")
        check(cdp.eval("document.querySelectorAll('figure.trend svg rect').length") > 0, "the runs page draws its chart (inline SVG)")
        no_script()

        # 5. Four-eyes re-identification: a finding naming an actor (from the store), the dpo's request.
        with sqlite3.connect(state) as db:
            rows = db.execute("SELECT fingerprint, payload FROM finding WHERE payload LIKE '%\"actor\"%' ORDER BY fingerprint").fetchall()
        check(rows != [], "the store holds a finding naming an actor")
        target, payload = rows[0]
        actor = json.loads(payload)["persons"]["actor"]
        go(base + f"/findings/{target}")
        submit(f"/findings/{target}/reidentification", {"pseudonym": actor, "reason": "Rückfrage zur Zugriffsreihe (Browser-Test)"})
        request_path = path()
        check(re.fullmatch(r"/reidentifications/[0-9]+", request_path) is not None and "wartet auf Personalrat" in text(),
              f"re-identification requested, waiting for the staff council ({request_path})")
        check(cdp.eval("!document.querySelector('#identity')"), "nothing revealed before approval")
        no_script()
        screenshot("serve-reidentification-request.png")
        submit("/logout", {})
        submit("/login", {"name": "admin", "password": PASSWORD})
        submit("/accounts", {"name": "pr", "role": "personalrat"})
        shown = re.search(r"/setup/[A-Za-z0-9_-]+", text())
        check(shown is not None, "a personalrat account's setup link is shown")
        submit("/logout", {})
        go(base + shown.group(0))
        submit(shown.group(0), {"password": PASSWORD, "password2": PASSWORD})
        submit("/login", {"name": "pr", "password": PASSWORD})
        go(base + "/reidentifications")
        listed = cdp.eval(f"!!document.querySelector('a[href=\"{request_path}\"]')")
        check(listed, "the personalrat sees the open request in the list")
        go(base + request_path)
        submit(request_path + "/approve", {"note": "Grund trägt (Browser-Test)"})
        check(path() == request_path and "freigegeben bis" in text(), "the personalrat approves; the page says until when")
        check(cdp.eval("!document.querySelector('#identity')"), "the approver does not see the identity")
        submit("/logout", {})
        submit("/login", {"name": "dsb", "password": PASSWORD})
        go(base + request_path)
        identity = cdp.eval("(document.querySelector('#identity strong') || {}).innerText || ''")
        check(identity != "" and not identity.startswith("P-") and identity != actor,
              f"the requesting dpo sees the identity behind {actor}: {identity!r}")
        no_script()
        screenshot("serve-reidentification-approved.png")
        go(base + f"/findings/{target}")
        history = text()
        check(f"Aufdeckung von {actor} beantragt" in history and f"Aufdeckung von {actor} genehmigt" in history
              and f"Identität zu {actor} angezeigt" in history and "pseudonym=" not in history,
              "the finding's history tells request, approval and reveal as sentences")
        cdp.eval("[...document.querySelectorAll('h2')].find(e => e.textContent.startsWith('Verlauf')).scrollIntoView()")
        time.sleep(0.2)
        screenshot("serve-finding-history.png")

        # 5b. One rule's findings by month of first detection. The sample is a single scan (every
        # finding detected the same day), so spread the detections of its largest rule over the six
        # months up to the scan's, in this throwaway copy only, to give the chart a trend to show.
        berlin = zoneinfo.ZoneInfo("Europe/Berlin")
        with sqlite3.connect(state) as db:
            rule = db.execute("SELECT rule_id FROM finding GROUP BY rule_id ORDER BY COUNT(*) DESC, rule_id LIMIT 1").fetchone()[0]
            fps = [r[0] for r in db.execute("SELECT fingerprint FROM finding WHERE rule_id = ? ORDER BY fingerprint", (rule,))]
            newest = db.execute("SELECT MAX(first_seen) FROM finding").fetchone()[0]
            scanned = datetime.datetime.fromtimestamp(newest, berlin).replace(day=1, hour=12, minute=0, second=0)
            expected = {}
            for i, fp in enumerate(fps):
                back = min(5, int(6 * (1 - (i / len(fps)) ** 0.6)))  # more in recent months
                year, month = divmod(scanned.year * 12 + scanned.month - 1 - back, 12)
                when = scanned.replace(year=year, month=month + 1)
                expected[(when.year, when.month)] = expected.get((when.year, when.month), 0) + 1
                db.execute("UPDATE finding SET first_seen = ? WHERE fingerprint = ?", (int(when.timestamp()), fp))
            # As a scan in another process would, the change moves the store's newest `updated_at`;
            # the workspace sees such a change within a second (docs/serve.md, "Large stores").
            db.execute("UPDATE finding SET updated_at = (SELECT MAX(updated_at) FROM finding) + 1 WHERE rule_id = ?", (rule,))
        time.sleep(1.2)
        go(base + f"/findings?rule={rule}")
        months = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                  "November", "Dezember"]
        table = cdp.eval("[...document.querySelectorAll('#rule-trend tbody tr')].map(r => [...r.cells].map(c => c.textContent).join(' '))")
        want = [f"{months[m - 1]} {y} {n}" for (y, m), n in sorted(expected.items())]
        check(table == want, f"the rule's chart counts its findings by month of first detection: {table} = {want}")
        check(cdp.eval("document.querySelectorAll('#rule-trend svg rect').length") == len(want), "… one bar per month (inline SVG)")
        no_script()
        screenshot("serve-findings-rule.png")
        go(base + "/runs")
        labels = cdp.eval("[...document.querySelectorAll('#rule-trends svg.spark')].map(s => s.getAttribute('aria-label'))")
        mine = [a for a in labels if a.startswith(rule + ":")]
        check(len(mine) == 1 and all(f"{months[m - 1]} {y} {n}" in mine[0] for (y, m), n in expected.items()),
              f"the runs page charts the most frequent rules by month, {rule} with its numbers: {mine}")
        no_script()
        screenshot("serve-runs.png")

        # 6. Nothing went wrong in the browser, nothing left the machine.
        cdp.eval("1")
        errors = [e["params"]["entry"]["text"] for e in cdp.events
                  if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"
                  and "favicon" not in e["params"]["entry"].get("url", "")]
        errors += [str(e["params"]) for e in cdp.events if e.get("method") == "Runtime.exceptionThrown"]
        check(errors == [], f"no console error or CSP violation: {errors[:3]}")
        requests = [e["params"]["request"]["url"] for e in cdp.events if e.get("method") == "Network.requestWillBeSent"]
        # data: URLs are chromium's own (the date picker's icon), not a request.
        foreign = [u for u in requests if not u.startswith(base) and not u.startswith("data:")]
        check(requests != [] and foreign == [], f"every request goes to the workspace itself: {foreign[:3]}")
        check(pages_with_script == [], f"no page carries a script: {pages_with_script}")
    except Exception as error:  # a broken page or protocol step is a failed check, not a crash
        check(False, f"browser run: {error}")
    finally:
        if proc:
            proc.terminate()
            proc.wait()
        if server:
            server.terminate()
            server.wait()

    # 7. The trail is intact after all of it, and holds the four-eyes steps.
    verify = subprocess.run([binary, "audit", "verify", "--state", os.path.join(work, "state.sqlite")], env=env,
                            capture_output=True, text=True)
    check(verify.returncode == 0, f"audit verify: {verify.stdout.strip()} {verify.stderr.strip()}")
    with sqlite3.connect(os.path.join(work, "state.sqlite")) as db:
        actions = [r[0] for r in db.execute("SELECT action FROM audit_event ORDER BY seq")]
    steps = [a for a in actions if a.startswith("reidentification_") or a == "raw_data_viewed"]
    check(steps == ["reidentification_requested", "reidentification_approved", "raw_data_viewed"],
          f"the trail holds request, approval and the reveal: {steps}")
    shutil.rmtree(work, ignore_errors=True)
    print(f"{'FAILED' if failures else 'OK'}: {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
