#!/usr/bin/env python3
"""Hostile-input suite for the hotspot CLI (tools/e2e runs it; `tools/hostile.py BIN N` for more cases).

Generates damaged inputs from seeds (the demo data, and the real police.uk files in ../shared when present):
byte flips, truncations, inserted NULs, quotes, CRs and long lines, changed encodings, and runs `hotspot inspect
--json` on each with a time limit. Every case must end in a documented exit code (0, 65, 66) within the limit with
one error line on stderr; when it succeeds, accepted + quarantined = read, and the quarantine file lists every
rejected row with its line. Fixtures are generated, never committed."""
import glob, gzip, json, os, random, subprocess, sys, tempfile

bin_, n = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
seeds = [os.path.join(root, "Geodata/demo/incidents.csv")]
shared = os.path.join(root, "..", "shared", "data", "policeuk")
seeds += sorted(glob.glob(os.path.join(shared, "*", "*.csv")))[:8]
seeds += sorted(glob.glob(os.path.join(shared, "*", "*.csv.gz")))[:2]
rng = random.Random(20261125)

def load(p):
    data = open(p, "rb").read()
    return gzip.decompress(data) if p.endswith(".gz") else data

def mutate(b):
    b = bytearray(b[:400_000])
    kind = rng.choice(["flip", "truncate", "nul", "quote", "cr", "longline", "latin1", "utf16", "crlf-mix", "dupheader", "swapcols", "gzip-cut", "empty", "junk"])
    if kind == "flip":
        for _ in range(rng.randint(1, 50)): b[rng.randrange(len(b))] = rng.randrange(256)
    elif kind == "truncate": b = b[: rng.randrange(len(b))]
    elif kind == "nul":
        for _ in range(rng.randint(1, 10)): b.insert(rng.randrange(len(b)), 0)
    elif kind == "quote":
        for _ in range(rng.randint(1, 5)): b.insert(rng.randrange(len(b)), ord('"'))
    elif kind == "cr": b = b.replace(b"\n", b"\r")
    elif kind == "longline": b = b[:2000] + b"x" * rng.choice([70_000, 300_000]) + b[2000:]
    elif kind == "latin1": b = b.replace(b"e", b"\xe9")
    elif kind == "utf16": b = bytearray(b"\xff\xfe" + bytes(b.decode("utf-8", "replace").encode("utf-16-le")))
    elif kind == "crlf-mix": b = b.replace(b"\n", b"\r\n", rng.randint(1, 50))
    elif kind == "dupheader": b = b + b[: b.find(b"\n") + 1] * 3
    elif kind == "swapcols": b = b.replace(b",51.", b",X.").replace(b",-0.", b",51.").replace(b",X.", b",-0.")
    elif kind == "empty": b = bytearray()
    elif kind == "junk": b = bytearray(rng.randbytes(rng.randint(1, 5000)))
    return kind, bytes(b)

ok = bad = 0
with tempfile.TemporaryDirectory() as tmp:
    for k in range(n):
        seed = seeds[k % len(seeds)]
        kind, data = mutate(load(seed))
        gz = kind == "gzip-cut" or rng.random() < 0.15
        path = os.path.join(tmp, f"case{k}.csv" + (".gz" if gz else ""))
        with open(path, "wb") as f:
            if gz:
                z = gzip.compress(data)
                f.write(z[: rng.randrange(10, len(z))] if kind == "gzip-cut" else z)
            else:
                f.write(data)
        q = os.path.join(tmp, f"q{k}.csv")
        try:
            p = subprocess.run([bin_, "inspect", "--json", "--quiet", "--quarantine", q, path], capture_output=True, timeout=60)
        except subprocess.TimeoutExpired:
            bad += 1; print(f"  FAIL case {k} ({kind}, {os.path.basename(seed)}): hang (> 60 s)"); continue
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        problem = None
        if p.returncode not in (0, 65, 66): problem = f"exit {p.returncode}: {err[-3:]}"
        elif p.returncode != 0 and not (len(err) == 1 and err[0].startswith("hotspot: error: ") and path in err[0] and len(err[0]) < 600):
            problem = f"error message not one clear line naming the file: {err[:3]}"
        elif p.returncode == 0:
            d = json.loads(p.stdout)
            if d["accepted"] + d["quarantined"] != d["read"]: problem = f"does not balance: {d}"
            rows = open(q, encoding="utf-8", errors="replace").read().count("\n")
            if d["quarantined"] > 0 and rows < d["quarantined"] + 1: problem = f"quarantine file has {rows} lines for {d['quarantined']} rows"
            if kind in ("gzip-cut",) and gz: problem = "a truncated gzip was read without error"
        if problem: bad += 1; print(f"  FAIL case {k} ({kind}{'+gz' if gz else ''}, {os.path.basename(seed)}): {problem}")
        else: ok += 1
print(f"hostile: {ok} passed, {bad} failed")
sys.exit(1 if bad else 0)
