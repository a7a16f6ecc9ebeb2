#!/usr/bin/env python3
"""Writes man pages for hotspot and each of its subcommands from the binary's own help.

Usage: tools/manpages.py BIN OUT_DIR → OUT_DIR/hotspot.1, OUT_DIR/hotspot-inspect.1, … (section 1, roff man macros).
The text is what `BIN --experimental-dump-help` gives (swift-argument-parser's description of every command, option,
default and discussion), so a man page never says other than `--help`. tools/package installs them, gzipped, in
/usr/share/man/man1."""
import json, os, subprocess, sys


def esc(text):
    """Roff-safe text: backslashes doubled, a leading dot or quote protected, hyphens in options kept literal."""
    out = []
    for line in (text or "").replace("\\", "\\e").split("\n"):
        line = line.replace("-", "\\-")
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line)
    return "\n".join(out)


def synopsis(cmd, path):
    parts = []
    for a in cmd.get("arguments", []):
        if a.get("shouldDisplay") is False:
            continue
        names = a.get("names") or []
        long_names = [n["name"] for n in names if n["kind"] in ("long", "longWithSingleDash")]
        value = a.get("valueName", "value")
        if a["kind"] == "positional":
            item = f"<{value}>" + ("..." if a.get("isRepeating") else "")
        elif long_names:
            item = f"--{long_names[0]}" + ("" if a["kind"] == "flag" else f" <{value}>")
        else:
            continue
        parts.append(f"[{item}]" if a.get("isOptional") else item)
    return f".B {path}\n" + " ".join(esc(p) for p in parts)


def page(cmd, path, date, version):
    name = path.replace(" ", "-")
    lines = [f'.TH "{name.upper()}" "1" "{date}" "hotspot {version}" "hotspot manual"', ".SH NAME",
             f"{esc(name)} \\- {esc(cmd.get('abstract', ''))}", ".SH SYNOPSIS", synopsis(cmd, path)]
    if cmd.get("discussion"):
        lines.append(".SH DESCRIPTION")
        for para in cmd["discussion"].split("\n\n"):
            if not para.strip():
                continue
            lines.append(".PP")
            for line in para.strip("\n").split("\n"):
                # Indented lines (formulas, examples) keep their line breaks.
                lines.append(f".nf\n{esc(line)}\n.fi" if line.startswith("  ") else esc(line))
    opts = [a for a in cmd.get("arguments", []) if a.get("shouldDisplay", True)]
    if opts:
        lines.append(".SH OPTIONS")
        for a in opts:
            names = a.get("names") or []
            shown = ", ".join(("-" if n["kind"] in ("short", "longWithSingleDash") else "--") + n["name"] for n in names)
            value = a.get("valueName", "value")
            head = shown + ("" if a["kind"] == "flag" else f" <{value}>") if shown else f"<{value}>"
            lines.append(f".TP\n\\fB{esc(head)}\\fR")
            text = a.get("abstract", "")
            if a.get("discussion"):
                text += "\n" + a["discussion"]
            if a.get("defaultValue") not in (None, ""):
                text += f" (default: {a['defaultValue']})"
            lines.append(esc(text))
    subs = [s for s in cmd.get("subcommands", []) if s.get("shouldDisplay", True)]
    if subs:
        lines.append(".SH COMMANDS")
        for s in subs:
            lines.append(f".TP\n\\fB{esc(s['commandName'])}\\fR\n{esc(s.get('abstract', ''))}\nSee \\fB{esc(name)}\\-{esc(s['commandName'])}\\fR(1).")
    lines += [".SH SEE ALSO", "The guides: /usr/share/doc/hotspot (README.md and docs/)." if path == "hotspot" else "\\fBhotspot\\fR(1)"]
    return "\n".join(lines) + "\n"


def main():
    bin_, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    info = json.loads(subprocess.run([bin_, "--experimental-dump-help"], capture_output=True, text=True, check=True).stdout)
    version = subprocess.run([bin_, "--version"], capture_output=True, text=True, check=True).stdout.strip()
    # A fixed date (the package's version, not the day it was built) keeps the pages byte-identical on a rebuild.
    date = "hotspot " + version
    root = info["command"]
    written = []
    def walk(cmd, path):
        fname = os.path.join(out, path.replace(" ", "-") + ".1")
        open(fname, "w", encoding="utf-8").write(page(cmd, path, date, version))
        written.append(fname)
        for s in cmd.get("subcommands", []):
            if s.get("commandName") != "help":
                walk(s, f"{path} {s['commandName']}")
    walk(root, "hotspot")
    print("\n".join(written))


main()
