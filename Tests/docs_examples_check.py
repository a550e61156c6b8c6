#!/usr/bin/env python3
"""Checks the examples the docs ship as real files, against the real CLI and Makefile.

    python3 Tests/docs_examples_check.py .build/debug/trennwand

- docs/ci/github-actions.yml and docs/ci/gitlab-ci.yml parse as YAML (PyYAML); every `trennwand …`
  command line in their run/script steps names a subcommand and only options that exist (from
  `trennwand --experimental-dump-help`, the JSON ArgumentParser builds its help from); both files
  run the same commands (one layout); the apt line installs every Makefile APT_PACKAGES entry; the
  GitHub workflow grants `security-events: write` and `contents: read` and uses upload-sarif@v4;
  both cache the Swift build.
- docs/operations.md shows docs/systemd/trennwand-audit.{service,timer} unchanged.
- docs/serve.md: every `trennwand …` line of its code blocks exists, and the refusal of a
  non-loopback `--listen` it quotes is the one the binary prints.
- Self-test first: a command with an unknown option and one with an unknown subcommand must be
  reported, so a checker that accepts everything fails.
Prints "N passed, M failed" and exits 1 on any failure.
"""
import json
import os
import re
import shlex
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def dump_help(binary):
    out = subprocess.run([binary, "--experimental-dump-help"], check=True, capture_output=True).stdout
    return json.loads(out)["command"]


def option_names(cmd):
    names = set()
    for arg in cmd.get("arguments", []):
        for n in arg.get("names", []):
            names.add(("-" if n["kind"] in ("short", "longWithSingleDash") else "--") + n["name"])
    return names


def check_command(line, root):
    """Errors for one `trennwand …` command line (empty list: fine)."""
    words = shlex.split(line)
    i = next((k for k, w in enumerate(words) if w == "trennwand" or w.endswith("/trennwand")), None)
    if i is None:
        return [f"no trennwand command in: {line}"]
    args = words[i + 1:]
    cmd, path = root, ["trennwand"]
    # Options before the subcommand (e.g. --lang) belong to the root's global handling.
    while args and args[0].startswith("-") and args[0] in ("--lang",):
        args = args[2:]
    while args and not args[0].startswith("-"):
        subs = {s["commandName"]: s for s in cmd.get("subcommands", [])}
        if args[0] not in subs:
            if cmd is root:
                return [f"unknown subcommand '{args[0]}' in: {line}"]
            break  # a positional argument of the subcommand
        cmd = subs[args[0]]
        path.append(args[0])
        args = args[1:]
    if cmd is root and not any(a in ("--version", "--help") for a in args):
        return [f"no subcommand in: {line}"]
    known = option_names(cmd)
    errors = []
    for a in args:
        if a.startswith("-") and a != "-":
            name = a.split("=", 1)[0]
            if name not in known:
                errors.append(f"'{' '.join(path)}' has no option {name}: {line}")
    return errors


def command_lines(text):
    """The trennwand command lines of a shell snippet (backslash continuations joined)."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [l.strip() for l in joined.split("\n") if re.search(r"(^|/)trennwand\s", l.strip().split(" ")[0] + " ")]


def shell_snippets_github(doc):
    for job in doc["jobs"].values():
        for step in job.get("steps", []):
            if "run" in step:
                yield step["run"]


def shell_snippets_gitlab(doc):
    for name, job in doc.items():
        if isinstance(job, dict) and "script" in job:
            for s in job["script"]:
                yield s


def makefile_apt_packages():
    text = open(os.path.join(ROOT, "Makefile"), encoding="utf-8").read()
    return re.search(r"^APT_PACKAGES\s*:=\s*(.*)$", text, re.M).group(1).split()


def main():
    root = dump_help(sys.argv[1])
    passed, failed = 0, 0

    def check(ok, what):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print("FAIL:", what)

    # Self-test: the checker must reject what does not exist.
    check(check_command("trennwand gate x.csv --no-such-option", root) != [], "self-test: unknown option accepted")
    check(check_command("trennwand gaet x.csv", root) != [], "self-test: unknown subcommand accepted")
    check(check_command("trennwand gate x.csv --baseline b.sarif --format sarif=x", root) == [], "self-test: valid line rejected")

    gh = yaml.safe_load(open(os.path.join(ROOT, "docs/ci/github-actions.yml"), encoding="utf-8"))
    gl = yaml.safe_load(open(os.path.join(ROOT, "docs/ci/gitlab-ci.yml"), encoding="utf-8"))
    snippets = {"github": list(shell_snippets_github(gh)), "gitlab": list(shell_snippets_gitlab(gl))}
    commands = {}
    for name, parts in snippets.items():
        lines = [l for s in parts for l in command_lines(s)]
        check(lines != [], f"{name}: no trennwand command found")
        for l in lines:
            errs = check_command(l, root)
            check(errs == [], f"{name}: " + "; ".join(errs))
        commands[name] = [" ".join(shlex.split(l)) for l in lines]
        shell = "\n".join(parts)
        apt = [l for l in shell.split("\n") if "apt-get install" in l]
        check(len(apt) == 1, f"{name}: one apt-get install line expected, got {apt}")
        missing = [p for p in makefile_apt_packages() if apt and p not in apt[0].split()]
        check(missing == [], f"{name}: apt line lacks Makefile APT_PACKAGES {missing}")
        check("make -C tools/trennwand install PREFIX=\"$PWD/.tools\"" in shell, f"{name}: build command differs")
    check(commands["github"] == commands["gitlab"], f"the two examples run different commands: {commands}")

    job = gh["jobs"]["trennwand"]
    check(job.get("permissions", {}).get("security-events") == "write", "github: permissions security-events: write missing")
    check(job.get("permissions", {}).get("contents") == "read", "github: permissions contents: read missing")
    uses = [s.get("uses", "") for s in job["steps"]]
    check("github/codeql-action/upload-sarif@v4" in uses, f"github: upload-sarif@v4 missing: {uses}")
    check(any(u.startswith("actions/cache@") for u in uses), "github: no cache step")
    check("tools/trennwand/.build" in gl["trennwand-gate"].get("cache", {}).get("paths", []), "gitlab: no cache of .build")
    check(gl["trennwand-gate"]["artifacts"]["reports"]["junit"] == "out/trennwand-junit.xml", "gitlab: junit report path")

    ops = open(os.path.join(ROOT, "docs/operations.md"), encoding="utf-8").read()
    blocks = re.findall(r"```ini\n(.*?)```", ops, re.S)
    for unit in ("trennwand-audit.service", "trennwand-audit.timer"):
        text = open(os.path.join(ROOT, "docs/systemd", unit), encoding="utf-8").read()
        check(text in blocks, f"docs/operations.md does not show docs/systemd/{unit} unchanged")
    ci = open(os.path.join(ROOT, "docs/ci.md"), encoding="utf-8").read()
    yaml_blocks = re.findall(r"```yaml\n(.*?)```", ci, re.S)
    for f in ("ci/github-actions.yml", "ci/gitlab-ci.yml"):
        check(f in ci, f"docs/ci.md does not link docs/{f}")
        check(open(os.path.join(ROOT, "docs", f), encoding="utf-8").read() in yaml_blocks,
              f"docs/ci.md does not show docs/{f} unchanged")
    # The shell examples in docs/ci.md use existing options too.
    for block in re.findall(r"```sh\n(.*?)```", ci, re.S):
        for l in command_lines(block):
            errs = check_command(l, root)
            check(errs == [], "docs/ci.md: " + "; ".join(errs))

    # docs/serve.md: its command lines exist; the quoted refusal is the binary's own text.
    serve = open(os.path.join(ROOT, "docs/serve.md"), encoding="utf-8").read()
    serve_lines = [l for block in re.findall(r"```\n(.*?)```", serve, re.S) for l in command_lines(block)]
    check(len(serve_lines) >= 5, f"docs/serve.md: expected its command examples, got {serve_lines}")
    for l in serve_lines:
        errs = check_command(l, root)
        check(errs == [], "docs/serve.md: " + "; ".join(errs))
    refusal = subprocess.run([sys.argv[1], "serve", "--state", "/nonexistent/state.sqlite", "--listen", "0.0.0.0:8080"],
                             capture_output=True, text=True, env={k: v for k, v in os.environ.items() if k != "TRENNWAND_LANG"})
    check(refusal.returncode == 2, f"serve --listen 0.0.0.0:8080 without TLS: exit {refusal.returncode}, expected 2")
    check(refusal.stderr.strip() != "" and refusal.stderr.strip() in serve,
          f"docs/serve.md does not quote the refusal: {refusal.stderr.strip()}")

    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
