#!/usr/bin/env python3
"""Writes trennwand(1) in troff `man` macros from the CLI's own help (`--experimental-dump-help`).

Why not ArgumentParser's generate-manual plugin: with the pinned swift-argument-parser (1.8.2) it
drops every non-ASCII character ("Prüfung" becomes "Prfung", String+Escaping.swift keeps
`character.isASCII` only), and every help text of Trennwand is German or names the Träger. This
script reads the same JSON the plugin reads, so the page follows the CLI; the sections a help text
does not carry (exit status, environment, files, completions) are written here, in both languages.

    manpage.py BINARY de|en VERSION > trennwand.1
"""
import json
import os
import subprocess
import sys

T = {
    "de": {
        "name": "BEZEICHNUNG", "synopsis": "ÜBERSICHT", "description": "BESCHREIBUNG", "commands": "BEFEHLE",
        "exit": "EXIT-STATUS", "env": "UMGEBUNG", "files": "DATEIEN", "completion": "SHELL-VERVOLLSTÄNDIGUNG",
        "seealso": "SIEHE AUCH", "manual": "Trennwand-Handbuch",
        "intro": "Trennwand liest exportierte Zugriffsprotokolle, Dokumentationsdatensätze und erklärte "
                 "Datenflüsse (CSV, XML, JSON Lines) und prüft sie mit den mitgelieferten Regeln auf die "
                 "Trennung der Sozialdaten zwischen Jobcenter und Träger. Alle Meldungen sind deutsch; "
                 "\\-\\-lang en oder TRENNWAND_LANG=en schaltet auf Englisch.",
        "version": "zeigt Version, Git-Commit des Builds und den Hash des Regelpakets.",
        "exits": [("0", "keine offene Feststellung ab \\-\\-fail\\-on."),
                  ("1", "Feststellungen ab \\-\\-fail\\-on (der Lauf selbst war erfolgreich)."),
                  ("2", "Regel-, Profil-, Ausnahme- oder Konfigurationsfehler, Schlüsselproblem."),
                  ("3", "Eingabe- oder Ausgabefehler (unlesbare Datei, fehlende Baseline, Zustand).")],
        "envs": [("TRENNWAND_LANG", "de (Standard) oder en."),
                 ("TRENNWAND_KEY", "Pseudonym-Schlüssel, mindestens 64 Hex-Ziffern."),
                 ("TRENNWAND_KEY_FILE", "Datei mit dem Pseudonym-Schlüssel (Modus 0600 oder 0400)."),
                 ("TRENNWAND_RULES", "anderes Regelverzeichnis statt der mitgelieferten Regeln."),
                 ("TRENNWAND_LOG_LEVEL", "trace … critical, Standard notice."),
                 ("TRENNWAND_CACHE_DIR", "Ordner für übersetzte Detektor-Datenbanken (off: keiner); sonst $CACHE_DIRECTORY, "
                                         "$XDG_CACHE_HOME/trennwand oder ~/.cache/trennwand."),
                 ("JOURNAL_STREAM", "von systemd gesetzt: Protokollzeilen mit <N>-Prioritäten für journald.")],
        "filesl": [("/usr/share/trennwand/Rules", "die mitgelieferten Regeln, Profile und Policy."),
                   ("/usr/share/doc/trennwand/", "Dokumentation; examples/ mit einem synthetischen Beispiel."),
                   ("/lib/systemd/system/trennwand-audit.service, .timer", "nächtlicher Prüflauf (nicht aktiviert)."),
                   ("/var/lib/trennwand", "Zustand (Verlauf, Befunde) des Dienstes, Modus 0700."),
                   ("/var/cache/trennwand", "übersetzte Detektor-Datenbanken des Dienstes (jederzeit löschbar)."),
                   ("~/.local/share/trennwand/pseudonym.key", "Schlüssel je Benutzer, wenn keiner angegeben ist.")],
        "completions": "Bash, Zsh und Fish laden die Vervollständigung aus dem Paket selbst; erzeugen lässt sie "
                       "sich mit trennwand \\-\\-generate\\-completion\\-script bash|zsh|fish.",
    },
    "en": {
        "name": "NAME", "synopsis": "SYNOPSIS", "description": "DESCRIPTION", "commands": "COMMANDS",
        "exit": "EXIT STATUS", "env": "ENVIRONMENT", "files": "FILES", "completion": "SHELL COMPLETION",
        "seealso": "SEE ALSO", "manual": "Trennwand Manual",
        "intro": "Trennwand reads exported access logs, documentation records and declared data flows "
                 "(CSV, XML, JSON Lines) and checks them with the built-in rules for the separation of "
                 "social data between Jobcenter and Träger. Messages are German by default; "
                 "\\-\\-lang en or TRENNWAND_LANG=en switches to English.",
        "version": "prints the version, the git commit of the build and the rule-pack hash.",
        "exits": [("0", "no open finding at or above \\-\\-fail\\-on."),
                  ("1", "findings at or above \\-\\-fail\\-on (the run itself succeeded)."),
                  ("2", "rule, profile, waiver or configuration error, key problem."),
                  ("3", "input or output error (unreadable file, missing baseline, state store).")],
        "envs": [("TRENNWAND_LANG", "de (default) or en."),
                 ("TRENNWAND_KEY", "pseudonym key, at least 64 hex digits."),
                 ("TRENNWAND_KEY_FILE", "file holding the pseudonym key (mode 0600 or 0400)."),
                 ("TRENNWAND_RULES", "another rules directory instead of the built-in rules."),
                 ("TRENNWAND_LOG_LEVEL", "trace … critical, default notice."),
                 ("TRENNWAND_CACHE_DIR", "folder for compiled detector databases (off: none); else $CACHE_DIRECTORY, "
                                         "$XDG_CACHE_HOME/trennwand or ~/.cache/trennwand."),
                 ("JOURNAL_STREAM", "set by systemd: log lines carry <N> priorities for journald.")],
        "filesl": [("/usr/share/trennwand/Rules", "the built-in rules, profiles and policy."),
                   ("/usr/share/doc/trennwand/", "documentation; examples/ holds a synthetic example."),
                   ("/lib/systemd/system/trennwand-audit.service, .timer", "nightly audit run (not enabled)."),
                   ("/var/lib/trennwand", "state (history, findings) of the service, mode 0700."),
                   ("/var/cache/trennwand", "compiled detector databases of the service (safe to delete)."),
                   ("~/.local/share/trennwand/pseudonym.key", "per-user key when none is given.")],
        "completions": "Bash, Zsh and Fish load the completions shipped with the package; they are made with "
                       "trennwand \\-\\-generate\\-completion\\-script bash|zsh|fish.",
    },
}


def esc(text):
    """Escapes running text for troff: backslashes, hyphens, and a leading dot or quote."""
    out = []
    for line in (text or "").split("\n"):
        line = line.replace("\\", "\\e").replace("-", "\\-")
        if line.startswith(".") or line.startswith("'"):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def names(arg):
    parts = []
    for n in arg.get("names", []):
        prefix = {"short": "-", "long": "--", "longWithSingleDash": "-"}.get(n["kind"], "--")
        parts.append("\\fB" + esc(prefix + n["name"]) + "\\fR")
    value = arg.get("valueName")
    if arg["kind"] == "positional":
        return "\\fI" + esc(value or "arg") + "\\fR" + ("…" if arg.get("isRepeating") else "")
    label = ", ".join(parts)
    if arg["kind"] == "option" and value:
        label += " \\fI" + esc(value) + "\\fR"
    return label


def command(cmd, path, out):
    if not cmd.get("shouldDisplay", True) or cmd["commandName"] == "help":
        return
    full = path + [cmd["commandName"]]
    out.append(".SS \"" + " ".join(full) + "\"")
    if cmd.get("abstract"):
        out.append(esc(cmd["abstract"]))
    if cmd.get("discussion"):
        out.append(".PP")
        out.append(esc(cmd["discussion"]))
    for arg in cmd.get("arguments", []):
        if not arg.get("shouldDisplay", True) or arg.get("preferredName", {}).get("name") in ("help", "version"):
            continue
        out.append(".TP")
        out.append(names(arg))
        text = arg.get("abstract", "")
        if arg.get("discussion"):
            text += "\n" + arg["discussion"]
        out.append(esc(text) if text else "\\&")
    for sub in cmd.get("subcommands", []):
        command(sub, full, out)


def main():
    binary, lang, version = sys.argv[1], sys.argv[2], sys.argv[3]
    env = dict(os.environ, TRENNWAND_LANG=lang)
    dump = json.loads(subprocess.run([binary, "--experimental-dump-help"], env=env, check=True,
                                     capture_output=True).stdout)
    root, t = dump["command"], T[lang]
    out = [           '.\\" Generated by packaging/manpage.py from `trennwand --experimental-dump-help`; do not edit.',
           '.TH TRENNWAND 1 "" "trennwand ' + version + '" "' + t["manual"] + '"',
           '.nh', '.ad l',
           ".SH " + t["name"], "trennwand \\- " + esc(root.get("abstract", "")),
           ".SH " + t["synopsis"],
           ".B trennwand", "[\\fB\\-\\-lang\\fR \\fIde\\fR|\\fIen\\fR] \\fIsubcommand\\fR [\\fIoptions\\fR]",
           ".br", ".B trennwand \\-\\-version", ".br", ".B trennwand", "\\fIsubcommand\\fR \\fB\\-\\-help\\fR",
           ".SH " + t["description"], t["intro"], ".PP", esc(root.get("discussion", "")),
           ".TP", "\\fB\\-\\-version\\fR", t["version"],
           ".SH " + t["commands"]]
    for sub in root.get("subcommands", []):
        command(sub, ["trennwand"], out)
    out.append(".SH " + t["exit"])
    for code, text in t["exits"]:
        out += [".TP", "\\fB" + code + "\\fR", text]
    out.append(".SH " + t["env"])
    for name, text in t["envs"]:
        out += [".TP", "\\fB" + name + "\\fR", esc(text)]
    out.append(".SH " + t["files"])
    for name, text in t["filesl"]:
        out += [".TP", "\\fI" + esc(name) + "\\fR", esc(text)]
    out += [".SH " + t["completion"], t["completions"],
            ".SH " + t["seealso"],
            "\\fBsystemctl\\fR(1), \\fBsystemd.timer\\fR(5), \\fBjournalctl\\fR(1); "
            "/usr/share/doc/trennwand/README.md, operations.md, ci.md, outputs.md, rules.md."]
    # Non-ASCII as troff's \[uXXXX]: the page renders the same with or without preconv.
    page = "\n".join(out) + "\n"
    sys.stdout.write("".join(c if ord(c) < 128 else "\\[u%04X]" % ord(c) for c in page))


if __name__ == "__main__":
    main()
