#!/usr/bin/env python3
"""Headless-browser check of the Trennwand HTML report (Debian `chromium`, stdlib only).

Usage: check_report.py [REPORT.html] [SCREENSHOT.png] [--max-pages N] [--print-png PRINT.png]
  default report: Tests/TrennwandOutputsTests/Golden/report.html (the golden fixture report)
  default screenshot: /tmp/trennwand-report.png (desktop, 1400 x 900); the 390 px picture is
  written beside it as <name>-390.png and the PDF as <name>.pdf.

Opens the report from file:// in headless chromium and drives it over the DevTools protocol
(a minimal WebSocket client, no extra packages) to verify that
  1. the inline script runs under the report's own CSP (the "shown" counter is filled in),
  2. no CSP violation or other console error is reported,
  3. the planted `<script>alert(1)</script>` evidence is text, not an element, and no dialog opens,
  4. choosing a filter hides findings (severity, rule, norm, status, reset) and empty groups,
  5. the report makes no network request,
  6. at 1400 px and at 390 px nothing scrolls sideways (scrollWidth <= innerWidth),
  7. the first critical finding starts within the first screen at 1400 x 900,
  8. printed to A4 PDF (Page.printToPDF) it has at most N pages (--max-pages; pages counted in the PDF),
and writes the screenshots (with --print-png also the PDF's first page as chromium's PDF viewer
renders it).
Exit 0 = all checks passed, 1 = a check failed, 77 = chromium missing (skip).
"""
import base64
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class CDP:
    """Just enough WebSocket (RFC 6455, client side) for the DevTools protocol."""

    def __init__(self, ws_url):
        rest = ws_url[len("ws://"):]
        hostport, path = rest.split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=15)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += self.sock.recv(4096)
        head, self.pending = buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("websocket upgrade failed: " + head.decode(errors="replace"))
        self.next_id = 0
        self.events = []

    def _recv_exact(self, n):
        while len(self.pending) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("connection closed")
            self.pending += chunk
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def _recv_message(self):
        data = b""
        while True:
            b0, b1 = self._recv_exact(2)
            opcode, length = b0 & 0x0F, b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._recv_exact(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._recv_exact(8))[0]
            payload = self._recv_exact(length)
            if opcode == 8:
                raise RuntimeError("connection closed by browser")
            if opcode in (0, 1, 2):
                data += payload
                if b0 & 0x80:
                    return json.loads(data)

    def send(self, method, **params):
        self.next_id += 1
        msg = json.dumps({"id": self.next_id, "method": method, "params": params}).encode()
        mask = os.urandom(4)
        header = bytes([0x81])
        if len(msg) < 126:
            header += bytes([0x80 | len(msg)])
        elif len(msg) < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", len(msg))
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", len(msg))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(msg)))
        while True:
            m = self._recv_message()
            if m.get("id") == self.next_id:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            self.events.append(m)

    def eval(self, expr):
        r = self.send("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate failed: {expr}: {r['exceptionDetails']}")
        return r["result"].get("value")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_chromium(browser, profile):
    """Headless chromium (1400x900, a throwaway profile) with DevTools on a free port: (process, port)."""
    port = free_port()
    proc = subprocess.Popen([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-extensions", "--disable-background-networking", f"--user-data-dir={profile}",
                             f"--remote-debugging-port={port}", "--window-size=1400,900", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc, port


def devtools_page(port):
    """The DevTools connection to chromium's page, with the domains the checks listen to; None if unreachable."""
    targets = None
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=1) as r:
                targets = [t for t in json.load(r) if t.get("type") == "page"]
            if targets:
                break
        except OSError:
            pass
        time.sleep(0.1)
    if not targets:
        return None
    cdp = CDP(targets[0]["webSocketDebuggerUrl"])
    for domain in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
        cdp.send(domain)
    return cdp


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    args = sys.argv[1:]
    max_pages, print_png = None, None
    if "--max-pages" in args:
        i = args.index("--max-pages")
        max_pages = int(args[i + 1])
        del args[i:i + 2]
    if "--print-png" in args:
        i = args.index("--print-png")
        print_png = args[i + 1]
        del args[i:i + 2]
    report = os.path.abspath(args[0] if len(args) > 0 else
                             os.path.join(here, "..", "TrennwandOutputsTests", "Golden", "report.html"))
    shot = args[1] if len(args) > 1 else "/tmp/trennwand-report.png"
    stem = shot[:-4] if shot.endswith(".png") else shot
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        print("SKIP: chromium not installed (apt-get install -y chromium)")
        return 77
    profile = tempfile.mkdtemp(prefix="tw-chromium-")
    proc, port = launch_chromium(browser, profile)
    failures = []

    def check(cond, what):
        print(("PASS " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    try:
        cdp = devtools_page(port)
        if cdp is None:
            print("FAIL: could not reach chromium DevTools")
            return 1
        def viewport(width, height, mobile=False, scale=1):
            cdp.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=scale, mobile=mobile)
            time.sleep(0.2)

        def screenshot(path):
            png = cdp.send("Page.captureScreenshot", format="png", captureBeyondViewport=False)
            with open(path, "wb") as f:
                f.write(base64.b64decode(png["data"]))
            print(f"screenshot: {path}")

        def overflow():
            return cdp.eval("[document.scrollingElement.scrollWidth, window.innerWidth]")

        viewport(1400, 900)
        cdp.send("Page.navigate", url="file://" + report)
        for _ in range(100):
            if cdp.eval("document.readyState") == "complete":
                break
            time.sleep(0.05)
        time.sleep(0.3)
        total = cdp.eval("document.querySelectorAll('tbody.finding').length")
        check(total and total > 0, f"report renders ({total} findings)")
        check(cdp.eval("document.getElementById('shown').textContent") == str(total),
              "inline script ran under the CSP (shown counter filled in)")
        check(cdp.eval("document.scripts.length") == 1, "exactly one script element (ours)")
        with open(report, encoding="utf-8") as f:
            planted = "&lt;script&gt;alert(1)" in f.read()
        if planted:  # only reports that carry the planted value (the fixture, --reveal)
            check(cdp.eval("document.body.textContent.indexOf('<script>alert(1)</script>') >= 0"),
                  "planted <script> is shown as text")
        visible = "[...document.querySelectorAll('tbody.finding')].filter(a => !a.hidden).length"
        groups_visible = "[...document.querySelectorAll('section.group')].filter(g => !g.hidden).length"

        def choose(name, value):
            cdp.eval(f"(() => {{ const s = document.querySelector('#filters select[name={name}]');"
                     f" s.value = {json.dumps(value)}; s.dispatchEvent(new Event('change')); }})()")
            return cdp.eval(visible)

        def expected(pred):
            return cdp.eval(f"[...document.querySelectorAll('tbody.finding')].filter(a => {pred}).length")

        n = choose("severity", "4")
        check(0 < n < total and n == expected("a.dataset.rank >= 4"), f"severity filter 'critical' shows {n} of {total}")
        g = cdp.eval(groups_visible)
        gexp = cdp.eval("[...document.querySelectorAll('section.group')].filter(g => g.querySelector('tbody.finding[data-rank=\"4\"]')).length")
        check(g == gexp, f"groups without a shown finding are hidden ({g} groups shown)")
        cdp.eval("document.getElementById('reset').click()")
        check(cdp.eval(visible) == total, "reset shows all findings again")
        n = choose("status", "waived")
        check(0 < n < total and n == expected("a.dataset.status === 'waived'"), f"status filter 'waived' shows {n}")
        n = choose("status", "open")
        check(0 < n <= total and n == expected("a.dataset.open === '1'"), f"status filter 'open' shows {n}")
        choose("status", "")
        rule = cdp.eval("document.querySelector('tbody.finding').dataset.rule")
        n = choose("rule", rule)
        check(0 < n <= total and n == expected(f"a.dataset.rule === {json.dumps(rule)}"), f"rule filter {rule} shows {n}")
        choose("rule", "")
        norm = cdp.eval("document.querySelectorAll('#filters select[name=norm] option')[1].value")
        n = choose("norm", norm)
        check(n == expected(f"a.dataset.norms.includes('|' + {json.dumps(norm)} + '|')"), f"norm filter '{norm}' shows {n}")
        choose("norm", "")
        cdp.eval("document.getElementById('reset').click()")
        cdp.eval("window.scrollTo(0, 0)")
        sw, iw = overflow()
        check(sw <= iw, f"no horizontal overflow at 1400 px (scrollWidth {sw}, innerWidth {iw})")
        top = cdp.eval("(() => { const c = document.querySelector('tbody.finding[data-rank=\"4\"]');"
                       " return c ? c.getBoundingClientRect().top : null; })()")
        if top is not None:
            check(0 <= top < 900 - 40, f"first critical finding within the first screen at 1400 x 900 (top {top:.0f} px)")
        screenshot(shot)
        viewport(390, 844, mobile=True)
        cdp.eval("window.scrollTo(0, 0)")
        sw, iw = overflow()
        check(sw <= iw, f"no horizontal overflow at 390 px (scrollWidth {sw}, innerWidth {iw})")
        screenshot(stem + "-390.png")
        viewport(1400, 900)
        pdf = base64.b64decode(cdp.send("Page.printToPDF", paperWidth=8.27, paperHeight=11.69, printBackground=True,
                                        preferCSSPageSize=True)["data"])
        with open(stem + ".pdf", "wb") as f:
            f.write(pdf)
        pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
        print(f"pdf: {stem}.pdf, {pages} pages")
        check(pages > 0, f"print-to-PDF produced {pages} pages")
        if max_pages is not None:
            check(pages <= max_pages, f"printed report has at most {max_pages} A4 pages ({pages})")
        if print_png:
            # The PDF's first page as chromium's own PDF viewer renders it (toolbar hidden), taken
            # after all other checks because it leaves the report.
            print_shot_pending = True
        else:
            print_shot_pending = False
        cdp.eval("1")  # drain pending events
        dialogs = [e for e in cdp.events if e.get("method") == "Page.javascriptDialogOpening"]
        check(not dialogs, "no JavaScript dialog opened (planted script did not execute)")
        errors = [e["params"]["entry"]["text"] for e in cdp.events
                  if e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error"]
        errors += [str(e["params"]) for e in cdp.events if e.get("method") == "Runtime.exceptionThrown"]
        check(not errors, "no console errors or CSP violations" + (": " + "; ".join(errors) if errors else ""))
        requests = [e["params"]["request"]["url"] for e in cdp.events if e.get("method") == "Network.requestWillBeSent"]
        check(all(u.startswith("file://") for u in requests), "no network requests" + (": " + ", ".join(requests) if requests else ""))
        if print_shot_pending:
            viewport(620, 860, scale=2)
            cdp.send("Page.navigate", url="file://" + os.path.abspath(stem + ".pdf") + "#page=1&toolbar=0&navpanes=0&view=Fit")
            time.sleep(3)
            screenshot(print_png)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    print("OK" if not failures else f"{len(failures)} check(s) failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
