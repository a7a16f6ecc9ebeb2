#!/usr/bin/env python3
"""Checks the web maps (map.html) of output folders in headless Chromium, as a user opens them by double-click
(file://), and with --http also as a web server serves them (each DIR served by Python's http.server on 127.0.0.1),
or with --serve BIN by hotspot's own `BIN serve DIR --port 0`. Usage: tools/check_webmap.py [--http | --serve BIN]
[--shots DIR] [--min-pixels N] DIR...
(every map.html under each DIR).

For each page, driven through the Chrome DevTools protocol (a minimal stdlib websocket client below):
  (a) no JavaScript error, no console error or warning, no failed load;
  (b) no request outside the page's folder (file:// under it, data: URLs; nothing else: no CDN, no tiles);
  (c) the layers are drawn: the page's layer count is set, each layer on by default that has features is in the
      DOM (SVG paths or labels), and a 1200×900 screenshot holds, outside the map controls (legend, switcher), at
      least --min-pixels (default 400) pixels of the class colours of the visible filled layers, with at least
      min(2, classes) distinct class colours; the legend lists each visible data layer's title and class labels, the
      switcher every layer; the classes (labels, fills, outlines) are those of the layer's NAME.qml beside it; there
      is a scale bar and the attribution (Open Government Licence);
  (e) a click on a feature of the main layer opens a popup listing its properties under their full names;
  (d) a period index (a page without map-data.js beside it) is checked on every period of its selector, and a layer
      switched on and the view are kept from one period to the next.
Screenshots go to --shots (default: a temporary folder, printed). Exit 1 on the first page that fails."""
import base64, json, os, re, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.parse, urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pngpixels  # noqa: E402


class WebSocket:
    """Just enough RFC 6455 for the DevTools protocol: text frames, masked from the client, fragmented or not."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        req = (f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
        self.sock.sendall(req.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(1)
            if not chunk:
                raise RuntimeError("websocket handshake: connection closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"websocket handshake refused: {head[:200]!r}")
        self.buf = b""

    def send(self, text):
        data = text.encode()
        n = len(data)
        head = bytes([0x81])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("websocket closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            op = b0 & 0x0F
            if op == 0x8:
                raise RuntimeError("websocket closed by the browser")
            if op == 0x9:  # ping
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="check-webmap-")
        exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
        if not exe:
            sys.exit("check_webmap: no chromium on the PATH (apt-get install chromium)")
        self.proc = subprocess.Popen([exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
                                      "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                      "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1200,900",
                                      "--remote-debugging-port=0", f"--user-data-dir={self.profile}", "about:blank"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if time.time() > deadline or self.proc.poll() is not None:
                self.close()
                sys.exit("check_webmap: chromium did not start")
            time.sleep(0.1)
        port = int(open(port_file).read().split("\n")[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30))
        page = [t for t in targets if t.get("type") == "page"][0]
        self.ws = WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0
        self.events = []
        for m in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.call(m)
        self.call("Emulation.setDeviceMetricsOverride", width=1200, height=900, deviceScaleFactor=1, mobile=False)

    def call(self, method, **params):
        self.next_id += 1
        my = self.next_id
        self.ws.send(json.dumps({"id": my, "method": method, "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == my:
                if "error" in m:
                    raise RuntimeError(f"{method}: {m['error']}")
                return m.get("result", {})
            if "method" in m:
                self.events.append(m)

    def pump(self, seconds):
        """Collects events for `seconds` (the browser keeps sending them while the page works)."""
        self.ws.sock.settimeout(0.2)
        end = time.time() + seconds
        while time.time() < end:
            try:
                m = json.loads(self.ws.recv())
                if "method" in m:
                    self.events.append(m)
            except (socket.timeout, TimeoutError):
                pass
        self.ws.sock.settimeout(60)

    def evaluate(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluate {expr[:60]}…: {r['exceptionDetails']}")
        return r["result"].get("value")

    def wait_for(self, expr, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            try:
                v = self.evaluate(expr)
            except RuntimeError:  # the page is between documents (navigating)
                v = None
            if v:
                return v
            self.pump(0.3)
        return None

    def close(self):
        try:
            self.proc.terminate()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
        shutil.rmtree(self.profile, ignore_errors=True)


def page_url(html, server):
    """The page's URL: file://…, or http://127.0.0.1:PORT/… under the served root."""
    if server is None:
        return "file://" + urllib.parse.quote(os.path.abspath(html))
    root, port = server
    return f"http://127.0.0.1:{port}/" + urllib.parse.quote(os.path.relpath(os.path.abspath(html), root))


def problems(events, folder, server):
    """(a) errors and (b) requests outside `folder`, from the DevTools events."""
    out = []
    base = page_url(os.path.join(folder, "x"), server)[:-1]
    for e in events:
        m, p = e["method"], e.get("params", {})
        if m == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            out.append(f"JavaScript error: {d.get('exception', {}).get('description') or d.get('text')}")
        elif m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            out.append(f"console.{p['type']}: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif m == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
            out.append(f"{p['entry']['level']}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        elif m == "Network.requestWillBeSent":
            url = p["request"]["url"]
            if not (url.startswith(base) or url.startswith("data:") or url == "about:blank"):
                out.append(f"request outside the folder: {url}")
        elif m == "Network.loadingFailed":
            out.append(f"failed to load: {p.get('errorText')} ({p.get('type')})")
    return out


def hexrgb(c):
    return tuple(int(c[i:i + 2], 16) for i in (1, 3, 5))


STATE = r"""(() => {
  const d = window.HOTSPOT_MAP_DATA, out = {layers: [], legend: '', boxes: []};
  document.querySelectorAll('.leaflet-control').forEach(e => { const r = e.getBoundingClientRect(); out.boxes.push([r.left, r.top, r.right, r.bottom]); });
  const lg = document.querySelector('.hs-legend'); out.legend = lg ? lg.innerText : '';
  const sw = document.querySelector('.leaflet-control-layers'); out.switcher = sw ? sw.innerText : '';
  out.attribution = (document.querySelector('.leaflet-control-attribution') || {}).innerText || '';
  if (d) d.layers.forEach(l => {
    const pane = document.querySelectorAll('.leaflet-pane path').length;
    out.layers.push({name: l.name, title: l.title, role: l.role, visible: l.visible, symbols: l.symbols, features: l.data.features.length, labels: l.labels.length});
  });
  out.paths = document.querySelectorAll('.leaflet-pane svg path').length;
  out.labels = document.querySelectorAll('.hs-label').length;
  out.count = document.documentElement.getAttribute('data-hotspot-layers');
  out.scale = !!document.querySelector('.leaflet-control-scale-line');
  out.title = (document.querySelector('.hs-title') || {}).innerText || '';
  return out;
})()"""


def qml_classes(path):
    """(label, fill #rrggbb or None, outline #rrggbb or None) per class of a QGIS style, in symbol order."""
    import xml.dom.minidom
    doc = xml.dom.minidom.parse(path)
    r = doc.getElementsByTagName("renderer-v2")[0]
    items = r.getElementsByTagName("range") or r.getElementsByTagName("category")
    symbols = {}
    for sym in r.getElementsByTagName("symbols")[0].getElementsByTagName("symbol"):
        if sym.parentNode.tagName != "symbols":
            continue
        opts = {o.getAttribute("name"): o.getAttribute("value") for o in sym.getElementsByTagName("layer")[0].getElementsByTagName("Option") if o.getAttribute("name")}
        rgb = lambda v: "#%02x%02x%02x" % tuple(int(x) for x in v.split(",")[:3])
        if sym.getAttribute("type") == "marker":  # a point class: its fill; the thin white ring is not a class outline
            symbols[sym.getAttribute("name")] = (rgb(opts["color"]), None)
            continue
        symbols[sym.getAttribute("name")] = (rgb(opts["color"]) if opts.get("style") == "solid" else None,
                                             rgb(opts["outline_color"]) if opts.get("outline_style") == "solid" else None)
    return [(i.getAttribute("label"), *symbols[i.getAttribute("symbol")]) for i in items]


def check_styles(folder, layers):
    """The web map's classes are the .qml's: the same labels, fills and outlines, in the same order."""
    out = []
    for l in layers:
        qml = os.path.join(folder, l["name"] + ".qml")
        if l["role"] != "data" or not os.path.exists(qml):
            continue
        want = qml_classes(qml)
        if not want:
            continue
        got = [(s["label"], s.get("fill"), s.get("stroke") if s.get("stroke") and (s.get("fill") is None or s.get("weight", 1) > 1) else None) for s in l["symbols"]]
        if got != want:
            out.append(f"{l['name']}: classes differ from {l['name']}.qml: {got[:3]}… ≠ {want[:3]}…")
    return out


def check_view(b, html, folder, shot, min_pixels):
    """Checks what the page shows now; returns the problems."""
    out = []
    st = b.evaluate(STATE)
    if not st["count"] or int(st["count"]) != len(st["layers"]) or not st["layers"]:
        return out + [f"the page drew no layers (data-hotspot-layers={st['count']})"]
    if st["paths"] == 0:
        out.append("no SVG path drawn")
    labels = sum(l["labels"] for l in st["layers"] if l["visible"])
    if st["labels"] != labels:
        out.append(f"{st['labels']} labels on the map, the layers on hold {labels}")
    for l in st["layers"]:
        if l["visible"] and l["role"] == "data":
            if l["title"] not in st["legend"]:
                out.append(f"legend lacks the title of {l['name']}: {l['title']!r}")
            for s in l["symbols"]:
                if s["count"] > 0 and s["label"] not in st["legend"]:
                    out.append(f"legend of {l['name']} lacks class {s['label']!r}")
                if s["count"] > 0 and len(l["symbols"]) > 1 and f"({s['count']})" not in st["legend"]:
                    out.append(f"legend of {l['name']} lacks the count of {s['label']!r} ({s['count']})")
        if l["title"] not in st["switcher"]:
            out.append(f"layer switcher lacks {l['title']!r}")
    out += check_styles(folder, st["layers"])
    png = base64.b64decode(b.call("Page.captureScreenshot", format="png")["data"])
    open(shot, "wb").write(png)
    w, h, ch, rows = pngpixels.pixels(png)
    boxes = st["boxes"]
    shown = [l for l in st["layers"] if l["visible"] and l["role"] == "data" and l["features"] > 0]
    if not shown and any(l["role"] == "data" and l["features"] > 0 for l in st["layers"]):
        out.append("no layer of the set is on at first")
    want, strokes = {}, {}
    for l in shown:
        for s in l["symbols"]:
            if s["count"] > 0 and s.get("fill") and s.get("fillOpacity", 1) == 1 and not s.get("hatch"):
                want[hexrgb(s["fill"])] = 0
            if s["count"] > 0 and s.get("stroke"):
                strokes[hexrgb(s["stroke"])] = 0
    if not want and strokes:
        # Outlines only (areas compared, hotspots): their line colour, fewer pixels.
        want, min_pixels = strokes, min_pixels // 4
    if shown and not want:
        out.append(f"nothing to look for in the screenshot: {[l['name'] for l in shown]}")
    if want:
        inside = lambda x, y: any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in boxes)
        for y in range(0, h):
            r = rows[y]
            for x in range(0, w):
                px = tuple(r[x * ch:x * ch + 3])
                if px in want and not inside(x, y):
                    want[px] += 1
        total = sum(want.values())
        seen = sum(1 for v in want.values() if v >= 10)
        if total < min_pixels or seen < min(2, len(want)):
            out.append(f"screenshot: {total} pixels in the class colours, {seen} of {len(want)} classes visible (want ≥ {min_pixels}, ≥ {min(2, len(want))})")
    # (e) a click on a feature of the main layer opens a popup listing its properties under their full names.
    fills = [l for l in shown if any(x.get("fill") for x in l["symbols"])]
    if fills:
        box = b.evaluate("""(() => { for (const p of document.querySelectorAll('.leaflet-hs-data-pane path')) {
            const r = p.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (r.width > 2 && r.height > 2 && document.elementFromPoint(x, y) === p) return [x, y]; } return null; })()""")
        if not box:
            out.append("no feature of the main layer to click")
        else:
            for t in ("mousePressed", "mouseReleased"):
                b.call("Input.dispatchMouseEvent", type=t, x=box[0], y=box[1], button="left", clickCount=1)
            text = b.wait_for("(document.querySelector('.leaflet-popup-content') || {}).innerText", 10) or ""
            names = set(b.evaluate(f"Object.values(window.HOTSPOT_MAP_DATA.layers.find(l => l.name === {json.dumps(fills[0]['name'])}).aliases)"))
            missing = [n for n in names if n not in text]
            if not text or missing:
                out.append(f"popup of {fills[0]['name']} lacks the full names {missing[:4]}: {text[:120]!r}")
            b.evaluate("document.querySelectorAll('.leaflet-popup-close-button').forEach(e => e.click())")
    if not st["scale"]:
        out.append("no scale bar")
    if "Open Government Licence" not in st["attribution"]:
        out.append(f"attribution missing: {st['attribution']!r}")
    return out


def check_page(b, html, shots, min_pixels, server=None):
    folder = os.path.dirname(os.path.abspath(html))
    b.events.clear()
    url = page_url(html, server)
    b.call("Page.navigate", url=url)
    index = not os.path.exists(os.path.join(folder, "map-data.js"))
    ready = b.wait_for("document.readyState === 'complete' && !!document.documentElement.getAttribute('data-hotspot-layers')", 60)
    b.pump(0.5)
    errs = [] if ready else ["the page never finished drawing (no data-hotspot-layers)"]
    name = ("http-" if server else "") + re.sub(r"[^A-Za-z0-9]+", "-", os.path.relpath(html, os.path.dirname(folder)))
    if ready:
        if not index:
            errs += check_view(b, html, folder, os.path.join(shots, name + ".png"), min_pixels)
        else:
            n = b.evaluate("document.querySelectorAll('.hs-title select option').length")
            if not n:
                errs.append("period index without periods")
            keep = None
            view = "[document.querySelector('.leaflet-map-pane').style.transform, document.querySelector('.leaflet-control-scale-line').innerText]"
            for i in range(n or 0):
                if i == 1:
                    # A layer switched on and the view are kept when another period is chosen.
                    keep = b.evaluate("""(() => { for (const e of document.querySelectorAll('.leaflet-control-layers-overlays label')) {
                        const c = e.querySelector('input'); if (!c.checked) { c.click(); return e.innerText.trim(); } } return null; })()""")
                    before = b.evaluate(view)
                b.evaluate(f"(() => {{ document.documentElement.removeAttribute('data-hotspot-layers'); const s = document.querySelector('.hs-title select'); s.value = '{i}'; s.dispatchEvent(new Event('change')); }})()")
                if not b.wait_for("!!document.documentElement.getAttribute('data-hotspot-layers')", 60):
                    errs.append(f"period {i} never drew")
                    continue
                b.pump(0.3)
                if i == 1 and keep:
                    on = b.evaluate(f"""[...document.querySelectorAll('.leaflet-control-layers-overlays label')].some(e => e.innerText.trim() === {json.dumps(keep)} && e.querySelector('input').checked)""")
                    if not on:
                        errs.append(f"period {i}: layer {keep!r} switched on in the previous period is off")
                    if b.evaluate(view) != before:
                        errs.append(f"period {i}: the view moved ({before} → {b.evaluate(view)})")
                    b.evaluate(f"""[...document.querySelectorAll('.leaflet-control-layers-overlays label')].forEach(e => {{ if (e.innerText.trim() === {json.dumps(keep)}) e.querySelector('input').click(); }})""")
                errs += [f"period {i}: {e}" for e in check_view(b, html, folder, os.path.join(shots, f"{name}-{i}.png"), min_pixels)]
    errs += problems(b.events, folder, server)
    return errs


def main(argv):
    shots, min_pixels, roots, http, serve = None, 400, [], False, None
    i = 0
    while i < len(argv):
        if argv[i] == "--http":
            http = True; i += 1
        elif argv[i] == "--serve":  # serve each DIR with `BIN serve DIR --port 0` (hotspot's own server)
            http = True; serve = argv[i + 1]; i += 2
        elif argv[i] == "--shots":
            shots = argv[i + 1]; i += 2
        elif argv[i] == "--min-pixels":
            min_pixels = int(argv[i + 1]); i += 2
        else:
            roots.append(argv[i]); i += 1
    if not roots:
        sys.exit(__doc__)
    pages = []
    for r in roots:
        for d, dirs, fs in os.walk(r):
            dirs.sort()
            if "map.html" in fs:
                pages.append((r, os.path.join(d, "map.html")))
    if not pages:
        sys.exit(f"check_webmap: no map.html under {' '.join(roots)}")
    shots = shots or tempfile.mkdtemp(prefix="webmap-shots-")
    os.makedirs(shots, exist_ok=True)
    b = Browser()
    failed = 0
    procs = []
    try:
        servers = {}
        if http:
            import functools, http.server, threading

            class Quiet(http.server.SimpleHTTPRequestHandler):
                def log_message(self, *a):
                    pass
            for r in sorted({r for r, _ in pages}):
                if serve:
                    import subprocess
                    proc = subprocess.Popen([serve, "serve", r, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
                    procs.append(proc)
                    line = proc.stdout.readline()
                    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
                    if not m:
                        sys.exit(f"check_webmap: {serve} serve {r} printed no URL: {line!r}")
                    servers[r] = (os.path.abspath(r), int(m.group(1)))
                    continue
                srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=os.path.abspath(r)))
                threading.Thread(target=srv.serve_forever, daemon=True).start()
                servers[r] = (os.path.abspath(r), srv.server_address[1])
        for r, p in pages:
            errs = check_page(b, p, shots, min_pixels, servers.get(r))
            if errs:
                failed += 1
                print(f"FAIL {p}")
                for e in errs[:12]:
                    print(f"  {e}")
            else:
                print(f"ok   {p}")
    finally:
        b.close()
        for proc in procs:
            proc.terminate()
            proc.wait()
    how = f"from {serve} serve" if serve else "from a local web server" if http else "offline (file://)"
    print(f"{len(pages) - failed} of {len(pages)} web maps draw {how} without errors; screenshots in {shots}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
