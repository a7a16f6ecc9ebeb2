#!/usr/bin/env python3
"""No function in Sources/ over 80 lines (issue 20): a long function is a job that computes and writes at once, or
steps its doc comment already lists. Counts from the `func`/`init` line to its closing brace, string literals and
comments excluded from the brace count. Usage: tools/check_function_length.py [--limit N] [--list]
Exit 1 with each function over the limit (file:line name lines); --list prints every function over 60 too."""
import os, re, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 80
decl = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|private|fileprivate|internal|static|final|override|mutating|nonisolated|@inlinable|@discardableResult)\s+)*(func\s+[^\s(<]+|init[?!]?|deinit|subscript|(?:var|let)\s+\w+\s*:[^={]*\{\s*$)")

def code_only(lines):
    """Each line with string literals and comments blanked (multi-line strings and block comments included)."""
    out, in_multi, in_block = [], False, False
    for line in lines:
        s, i, buf = line, 0, []
        while i < len(s):
            if in_block:
                j = s.find("*/", i)
                if j < 0: i = len(s); break
                in_block = False; i = j + 2; continue
            if in_multi:
                j = s.find('"""', i)
                if j < 0: i = len(s); break
                in_multi = False; i = j + 3; continue
            if s.startswith('"""', i): in_multi = True; i += 3; continue
            if s.startswith("//", i): break
            if s.startswith("/*", i): in_block = True; i += 2; continue
            c = s[i]
            if c == '"':
                i += 1; depth = 0
                while i < len(s):
                    if s[i] == "\\" and i + 1 < len(s) and s[i + 1] == "(":
                        depth += 1; i += 2; buf.append("(")
                        continue
                    if depth and s[i] == "(": depth += 1; buf.append("("); i += 1; continue
                    if depth and s[i] == ")": depth -= 1; buf.append(")"); i += 1; continue
                    if depth: buf.append(s[i]); i += 1; continue
                    if s[i] == "\\": i += 2; continue
                    if s[i] == '"': i += 1; break
                    i += 1
                continue
            buf.append(c); i += 1
        out.append("".join(buf))
    return out

found = []
for d, _, fs in os.walk(os.path.join(root, "Sources")):
    for f in sorted(fs):
        if not f.endswith(".swift"): continue
        path = os.path.join(d, f)
        raw = open(path, encoding="utf-8").read().split("\n")
        code = code_only(raw)
        for i, line in enumerate(code):
            m = decl.match(line)
            if not m: continue
            # find the body's opening brace at depth 0 of this declaration (the signature may span lines)
            depth, start, j = 0, None, i
            while j < len(code) and j < i + 15:
                if "{" in code[j]: start = j; break
                if j > i and decl.match(code[j]): break
                j += 1
            if start is None: continue
            depth = 0
            for k in range(start, len(code)):
                depth += code[k].count("{") - code[k].count("}")
                if depth <= 0:
                    n = k - i + 1
                    name = m.group(1).split("(")[0]
                    found.append((n, os.path.relpath(path, root), i + 1, name))
                    break
bad = sorted([x for x in found if x[0] > limit], reverse=True)
if "--list" in sys.argv:
    for n, p, l, name in sorted([x for x in found if x[0] > 60], reverse=True): print(f"{p}:{l}: {name} {n} lines")
for n, p, l, name in bad: print(f"{p}:{l}: {name} is {n} lines (limit {limit}): split it along its steps")
if bad: sys.exit(1)
print(f"functions: none over {limit} lines in Sources/ ({len(found)} counted)")
