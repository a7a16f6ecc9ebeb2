#!/usr/bin/env python3
"""Checks a `hotspot fetch policeuk` folder against the archive it came from (Python's zipfile extraction): every
CSV named in manifest.json is byte-identical to its member in ARCHIVE, and its entry's size, SHA-256, member, rows
and archive are right. With FILE… only those files are checked (and must be there).

Usage: tools/check_fetch.py ARCHIVE.zip FOLDER [FILE…]
"""
import csv, hashlib, io, json, os, sys, zipfile

archive, folder, only = sys.argv[1], sys.argv[2], sys.argv[3:]
z = zipfile.ZipFile(archive)
manifest = json.load(open(os.path.join(folder, "manifest.json")))
entries = {e["file"]: e for e in manifest["files"]}
files = only or sorted(entries)
assert files, "no files"
vintage = os.path.basename(archive)[:-4]
for f in files:
    e = entries[f]
    member = f[:7] + "/" + f
    want = z.read(member)
    got = open(os.path.join(folder, f), "rb").read()
    assert got == want, f"{f}: differs from {member} of {archive}"
    assert e["member"] == member and e["size"] == len(want), f"{f}: manifest member/size wrong: {e}"
    assert e["sha256"] == hashlib.sha256(want).hexdigest(), f"{f}: manifest SHA-256 wrong"
    assert e["archive"] == vintage, f"{f}: manifest archive {e['archive']}, not {vintage}"
    rows = sum(1 for _ in csv.reader(io.StringIO(want.decode("utf-8"), newline=""))) - 1
    assert e["rows"] == rows, f"{f}: manifest rows {e['rows']}, the file has {rows}"
    assert e["anonymisation"] == ("from-2022-07" if f[:7] >= "2022-07" else "before-2022-07"), f"{f}: anonymisation"
    assert not [n for n in os.listdir(folder) if n.endswith(".part") or ".tmp" in n], "a .part or temporary file is left"
print(f"{len(files)} files byte-identical to {os.path.basename(archive)}'s members, manifest right")
