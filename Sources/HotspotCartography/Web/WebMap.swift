import Foundation
import HotspotCore
import HotspotIO

/// The web map of an output set: `map.html` beside the layers, an offline Leaflet page that opens by double-click
/// (file://) and from a web server (`hotspot serve FOLDER`), drawing the set's layers with the classes and colours of
/// their QGIS styles, a legend per layer, popups under full field names, a layer switcher, a scale bar and the
/// set's attribution.
///
/// Files (all relative to the set's folder; nothing is fetched from outside it: no CDN, no tile basemap):
/// - `map.html`: the page and its viewer script (inline);
/// - `map-data.js`: `window.HOTSPOT_MAP_DATA = {…};` — the layers (their GeoJSON as written), classes, per-feature
///   class, field names, labels and attribution. A script, not JSON fetched by the page: browsers refuse `fetch()` of
///   local files on file://, but load `<script src>`;
/// - `leaflet/leaflet.js`, `leaflet/leaflet.css`, `leaflet/images/*.png`: Leaflet, copied from Debian's
///   libjs-leaflet (`/usr/share/javascript/leaflet`, or the folder in `HOTSPOT_LEAFLET`) at run time.
///
/// Pure: the same page and assets give byte-identical files (keys sorted, numbers as written in the layers, no time).
public enum WebMap {
    /// What a layer's features are.
    public enum Geometry: String, Sendable { case polygon, line, point }

    /// Where a layer sits: the set's own layers, reference outlines (study area, wards), or context (roads, stations).
    public enum Role: String, Sendable { case data, reference, context }

    /// One drawing class of a layer (a legend row): a class of a Classification, a context kind, or the single
    /// symbol of an outline or point layer. Colours `#rrggbb`; widths in CSS pixels.
    public struct Symbol: Sendable, Equatable {
        public var label: String
        public var fill: String?
        public var fillOpacity: Double = 1
        /// Diagonal hatching over `fill` (Sporadic, Oscillating), as an SVG pattern.
        public var hatch: String?
        public var stroke: String?
        public var weight: Double = 1
        /// SVG dash array in pixels ("4 2"), or nil for solid.
        public var dash: String?
        /// Circle radius in pixels (point layers).
        public var radius: Double?
        /// Features drawn with this symbol.
        public var count: Int
        public init(label: String, fill: String?, fillOpacity: Double = 1, hatch: String? = nil, stroke: String? = nil, weight: Double = 1,
                    dash: String? = nil, radius: Double? = nil, count: Int) {
            self.label = label; self.fill = fill; self.fillOpacity = fillOpacity; self.hatch = hatch; self.stroke = stroke
            self.weight = weight; self.dash = dash; self.radius = radius; self.count = count
        }
    }

    /// A label drawn on the map at a fixed place (ward names, hotspot ids), lon/lat.
    public struct Label: Sendable, Equatable {
        public var lon: Double, lat: Double, text: String
        public init(lon: Double, lat: Double, text: String) { self.lon = lon; self.lat = lat; self.text = text }
    }

    public struct Layer: Sendable {
        /// The layer's name as written (`density`, `wards-2025-W41`).
        public var name: String
        /// Shown in the layer switcher and as the legend's heading.
        public var title: String
        /// An RFC 7946 FeatureCollection (lon/lat), e.g. the text of `NAME.geojson`.
        public var geojson: String
        public var geometry: Geometry
        public var role: Role
        public var symbols: [Symbol]
        /// The symbol of each feature (index into `symbols`), or nil when the feature is not drawn (zero density);
        /// nil for the whole layer: every feature has symbol 0.
        public var symbolOf: [Int?]?
        /// Field → the name shown in popups (the full CSV column name of `NAME.fields.csv`).
        public var aliases: [String: String]
        /// A property shown as a tooltip on hover (area names).
        public var hoverField: String?
        public var labels: [Label]
        /// Labels start at their point and run east (beside a polygon) instead of being centred on it.
        public var labelsBeside = false
        /// The legend lists every class, empty ones too (a graduated scale fixed from a baseline reads the same every
        /// period); otherwise only the classes present.
        public var legendAll = false
        public var visible: Bool
        /// A line for the attribution (a context layer's licence).
        public var attribution: String?
        public init(name: String, title: String, geojson: String, geometry: Geometry, role: Role = .data, symbols: [Symbol],
                    symbolOf: [Int?]? = nil, aliases: [String: String] = [:], hoverField: String? = nil, labels: [Label] = [],
                    visible: Bool = true, attribution: String? = nil) {
            self.name = name; self.title = title; self.geojson = geojson; self.geometry = geometry; self.role = role
            self.symbols = symbols; self.symbolOf = symbolOf; self.aliases = aliases; self.hoverField = hoverField
            self.labels = labels; self.visible = visible; self.attribution = attribution
        }
    }

    /// A page: its title, layers (bottom to top within each role) and attribution lines.
    public struct Page: Sendable {
        public var title: String
        public var layers: [Layer]
        public var attribution: [String]
        public init(title: String, layers: [Layer], attribution: [String]) {
            self.title = title; self.layers = layers; self.attribution = attribution
        }
    }

    public static let htmlName = "map.html"
    public static let dataName = "map-data.js"
    /// The data script starts with this and ends with `;\n`; in between is JSON.
    public static let dataPrefix = "window.HOTSPOT_MAP_DATA = "
    /// What the page and the warnings say when Leaflet is missing.
    public static let installHint = "install libjs-leaflet (apt-get install libjs-leaflet)"

    // MARK: - Classes

    /// Pixels per millimetre on screen (CSS pixels, 96 per inch).
    static let pxPerMM = 96 / 25.4

    /// The symbols of a QGIS style's classes, drawn as QGIS draws the `.qml`: fills without outline; New Hot/Cold Spot
    /// outlined in their colour (0.5 mm); No Pattern Detected as a 0.26 mm outline in its colour without fill;
    /// Sporadic and Oscillating hatched. Counts are set from `symbolOf`.
    public static func symbols(_ c: Classification) -> [Symbol] {
        c.classes.map { k in
            if k.outlineOnly {
                return Symbol(label: k.label, fill: nil, stroke: k.fill, weight: max(1, (k.lineMM ?? 0.26) * pxPerMM), count: k.count)
            }
            return Symbol(label: k.label, fill: k.fill, hatch: k.hatch, stroke: k.outline, weight: k.outline == nil ? 1 : 0.5 * pxPerMM, count: k.count)
        }
    }

    /// The class of each feature as QGIS assigns it from the `.qml` (`LayerStyle.qml`): graduated classes by
    /// lower ≤ v < next lower with open outer ends over positive values (zero, negative and null not drawn);
    /// categories by the value's text. `values` is the classification field's value per feature.
    public static func classify(_ values: [Value], _ c: Classification) -> [Int?] {
        switch c.kind {
        case let .graduated(lower, upper):
            let n = min(lower.count, upper.count, c.classes.count)
            guard n > 0 else { return values.map { _ in nil } }
            return values.map { v in
                let x: Double
                switch v { case .int(let i): x = Double(i); case .double(let d, _): x = d; default: return nil }
                guard x.isFinite, x > 0 else { return nil }
                var k = 0
                while k + 1 < n && x >= lower[k + 1] { k += 1 }
                return k
            }
        case .categorized(let cats):
            let position = Dictionary(cats.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            return values.map { v in
                if case .null = v { return nil }
                return position[v.csvText].flatMap { $0 < c.classes.count ? $0 : nil }
            }
        }
    }

    /// The symbols and per-feature classes of a layer written with `classification`: the classification's own
    /// classes per feature when it has one per row (what the print maps drew), else assigned as QGIS assigns them.
    public static func classified(_ c: Classification, properties: Table) -> (symbols: [Symbol], symbolOf: [Int?]) {
        let of: [Int?]
        if c.classOf.count == properties.rows.count {
            of = c.classOf
        } else if let f = properties.columns.firstIndex(of: c.field) {
            of = classify(properties.rows.map { $0[f] }, c)
        } else {
            of = properties.rows.map { _ in nil }
        }
        var s = symbols(c)
        for i in s.indices { s[i].count = 0 }
        for k in of { if let k, k < s.count { s[k].count += 1 } }
        return (s, of)
    }

    // MARK: - GeoJSON of context features

    /// A FeatureCollection of any geometries (lon/lat) with string properties, 6 decimals.
    public static func featureCollection(name: String, features: [(geometry: FeatureGeometry, properties: [(String, String?)])]) -> String {
        func pt(_ p: XY) -> String { "[" + Fmt.fixed(p.x, 6) + "," + Fmt.fixed(p.y, 6) + "]" }
        func line(_ l: [XY]) -> String { "[" + l.map(pt).joined(separator: ",") + "]" }
        var s = "{\"type\":\"FeatureCollection\",\"name\":\(Fmt.jsonString(name)),\"features\":["
        for (i, f) in features.enumerated() {
            let g: String
            switch f.geometry {
            case .points(let p): g = p.count == 1 ? "{\"type\":\"Point\",\"coordinates\":\(pt(p[0]))}" : "{\"type\":\"MultiPoint\",\"coordinates\":\(line(p))}"
            case .lines(let ls): g = ls.count == 1 ? "{\"type\":\"LineString\",\"coordinates\":\(line(ls[0]))}" : "{\"type\":\"MultiLineString\",\"coordinates\":[\(ls.map(line).joined(separator: ","))]}"
            case .polygons(let m): g = GeoJSONWriter.geometry(m)
            case .empty: g = "null"
            }
            s += (i > 0 ? "," : "") + "\n{\"type\":\"Feature\",\"id\":\(i + 1),\"geometry\":\(g),\"properties\":{"
            s += f.properties.map { Fmt.jsonString($0.0) + ":" + ($0.1.map(Fmt.jsonString) ?? "null") }.joined(separator: ",") + "}}"
        }
        return s + "\n]}\n"
    }

    // MARK: - Leaflet

    /// Leaflet's files as copied beside a page (`leaflet/leaflet.js`, `leaflet/leaflet.css`, `leaflet/images/…`).
    public struct Leaflet: Sendable {
        public var files: [(path: String, data: Data)]
        /// Where they were read from.
        public var source: String

        /// The Debian libjs-leaflet folder.
        public static let systemFolder = "/usr/share/javascript/leaflet"

        /// Leaflet from `HOTSPOT_LEAFLET` (a folder holding leaflet.js or leaflet.min.js, leaflet.css and images/),
        /// else Debian's libjs-leaflet; nil when neither holds it. The minified script is taken when there is one
        /// (Debian's `leaflet.js` is the unminified source; upstream's is minified), without its source-map comment
        /// (the map is not copied).
        public static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> Leaflet? {
            let folder = environment["HOTSPOT_LEAFLET"].flatMap { $0.isEmpty ? nil : $0 } ?? systemFolder
            func read(_ name: String) -> Data? { FileManager.default.contents(atPath: (folder as NSString).appendingPathComponent(name)) }
            guard let js = read("leaflet.min.js") ?? read("leaflet.js"), let css = read("leaflet.css") else { return nil }
            var text = String(decoding: js, as: UTF8.self)
            if let r = text.range(of: "\n//# sourceMappingURL=", options: .backwards) { text = String(text[..<r.lowerBound]) + "\n" }
            var files: [(String, Data)] = [("leaflet/leaflet.js", Data(text.utf8)), ("leaflet/leaflet.css", css)]
            let images = (folder as NSString).appendingPathComponent("images")
            for f in ((try? FileManager.default.contentsOfDirectory(atPath: images)) ?? []).sorted() where f.hasSuffix(".png") {
                if let d = FileManager.default.contents(atPath: (images as NSString).appendingPathComponent(f)) { files.append(("leaflet/images/\(f)", d)) }
            }
            return Leaflet(files: files, source: folder)
        }
    }

    // MARK: - Files

    /// The files of a set's web map, paths relative to the set's folder: `map.html`, `map-data.js` and, when
    /// `leaflet` is given, Leaflet's files under `leaflet/`. Without Leaflet the page says how to install it.
    public static func files(_ page: Page, leaflet: Leaflet?) -> [(path: String, data: Data)] {
        [(htmlName, Data(html(title: page.title, periods: nil).utf8)), (dataName, Data(dataScript(page).utf8))]
            + (leaflet?.files ?? [])
    }

    /// The index page of a folder of period sets (a weekly job's `OUT/layers/`): `map.html` with a selector of the
    /// periods, and Leaflet's files under `leaflet/`. `periods` are (label shown, sub-folder holding that period's
    /// set with its `map-data.js`), in the order listed; the first is shown first, and `map.html#PERIOD` opens
    /// PERIOD. Choosing a period loads `FOLDER/map-data.js` with a script tag: every request stays inside the folder,
    /// on file:// as from a server. Layers keep their visibility across periods (by name without the period) and
    /// the view is kept.
    public static func periodIndex(title: String, periods: [(label: String, folder: String)], leaflet: Leaflet?) -> [(path: String, data: Data)] {
        [(htmlName, Data(html(title: title, periods: periods).utf8))] + (leaflet?.files ?? [])
    }

    /// `map-data.js`: the page's data as one JSON object assigned to `window.HOTSPOT_MAP_DATA`.
    public static func dataScript(_ page: Page) -> String {
        var attribution = page.attribution
        for l in page.layers { if let a = l.attribution, !attribution.contains(a) { attribution.append(a) } }
        let layers = page.layers.map { l -> JSON in
            var o: [String: JSON] = [
                "name": .string(l.name), "key": .string(periodless(l.name)), "title": .string(l.title),
                "geometry": .string(l.geometry.rawValue), "role": .string(l.role.rawValue), "visible": .bool(l.visible),
                "symbols": .array(l.symbols.map(symbolJSON)),
                "aliases": .object(l.aliases.mapValues { .string($0) }),
                "labels": .array(l.labels.map { .array([.number($0.lat, 6), .number($0.lon, 6), .string($0.text)]) }),
                "data": .raw(l.geojson.trimmingCharacters(in: .whitespacesAndNewlines)),
            ]
            if let s = l.symbolOf { o["symbolOf"] = .array(s.map { $0.map { .int($0) } ?? .null }) }
            if let h = l.hoverField { o["hover"] = .string(h) }
            if l.labelsBeside { o["labelsBeside"] = .bool(true) }
            if l.legendAll { o["legendAll"] = .bool(true) }
            return .object(o)
        }
        let root = JSON.object(["title": .string(page.title), "attribution": .array(attribution.map { .string($0) }), "layers": .array(layers)])
        return dataPrefix + root.text + ";\n"
    }

    /// A layer's name without a trailing period (`wards-2025-W41` → `wards`, `hotspots-2025-10` → `hotspots`).
    public static func periodless(_ name: String) -> String {
        if let r = name.range(of: "-[0-9]{4}-(W[0-9]{2}|[0-9]{2})$", options: .regularExpression) { return String(name[..<r.lowerBound]) }
        return name
    }

    static func symbolJSON(_ s: Symbol) -> JSON {
        var o: [String: JSON] = ["label": .string(s.label), "count": .int(s.count), "weight": .number(s.weight, 2)]
        if let f = s.fill { o["fill"] = .string(f); o["fillOpacity"] = .number(s.fillOpacity, 2) }
        if let h = s.hatch { o["hatch"] = .string(h) }
        if let c = s.stroke { o["stroke"] = .string(c) }
        if let d = s.dash { o["dash"] = .string(d) }
        if let r = s.radius { o["radius"] = .number(r, 1) }
        return .object(o)
    }

    /// HTML text (element content and attribute values).
    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// A JSON literal safe inside an inline `<script>` (no `</script>`).
    static func scriptJSON(_ j: JSON) -> String { j.text.replacingOccurrences(of: "</", with: "<\\/") }

    static func html(title: String, periods: [(label: String, folder: String)]?) -> String {
        let config = JSON.object([
            "periods": periods.map { .array($0.map { .array([.string($0.label), .string($0.folder)]) }) } ?? .null,
            "install": .string(installHint),
        ])
        let dataTag = periods == nil ? "<script src=\"\(dataName)\"></script>\n" : ""
        return """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(title))</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="leaflet/leaflet.css">
        <style>
        \(css)
        </style>
        </head>
        <body>
        <div id="map"></div>
        <div id="hs-missing" class="hs-box" hidden></div>
        <script src="leaflet/leaflet.js"></script>
        \(dataTag)<script>
        var HOTSPOT_PAGE = \(scriptJSON(config));
        \(viewer)
        </script>
        </body>
        </html>

        """
    }

    static let css = """
    html, body { height: 100%; margin: 0; font: 13px/1.35 "DejaVu Sans", Verdana, Arial, sans-serif; color: #222; }
    #map { position: absolute; inset: 0; background: #ffffff; }
    .hs-box { background: #fff; padding: 6px 9px; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.35); }
    .hs-title { font-weight: bold; font-size: 14px; max-width: 420px; }
    .hs-title select { margin-left: 6px; font: inherit; }
    .hs-title .hs-period { margin-left: 12px; font-weight: normal; }
    .hs-legend { max-height: 55vh; overflow-y: auto; max-width: 330px; }
    .hs-legend h4 { margin: 6px 0 3px; font-size: 12px; }
    .hs-legend h4:first-child { margin-top: 0; }
    .hs-row { display: flex; align-items: center; margin: 2px 0; font-size: 12px; }
    .hs-sw { width: 20px; height: 13px; margin-right: 7px; flex: none; box-sizing: border-box; }
    .hs-n { color: #777; margin-left: 4px; }
    .hs-label { background: none; border: none; }
    .hs-label span { display: inline-block; transform: translate(-50%, -50%); white-space: nowrap; font-size: 11px; color: #333;
      text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 3px #fff; }
    .hs-label.hs-strong span { font-weight: bold; font-size: 12px; }
    .hs-label.hs-beside span { transform: translate(4px, -50%); }
    .hs-popup table { border-collapse: collapse; }
    .hs-popup td { padding: 1px 8px 1px 0; vertical-align: top; }
    .hs-popup td:first-child { color: #555; }
    .hs-popup h4 { margin: 0 0 4px; }
    .leaflet-control-attribution { white-space: normal; max-width: 70vw; }
    #hs-missing { position: absolute; top: 40%; left: 10%; right: 10%; font-size: 16px; z-index: 2000; }
    """

    /// The viewer: reads `HOTSPOT_MAP_DATA` (or, on an index page, loads the chosen period's data script) and draws it.
    static let viewer = #"""
    (function () {
      'use strict';
      var page = HOTSPOT_PAGE;
      function say(text) { var m = document.getElementById('hs-missing'); m.textContent = text; m.hidden = false; }
      if (typeof L === 'undefined') {
        say('Leaflet is missing (leaflet/leaflet.js beside this page): ' + page.install + ', then run hotspot again.');
        return;
      }
      function esc(s) { return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'); }
      function colour(c) { return /^#[0-9a-fA-F]{6}$/.test(c || '') ? c : null; }
      var PANES = { context_area: 380, data: 400, reference: 420, context_line: 430, outline: 440, point: 450, context_point: 460, label: 470 };
      var map = L.map('map', { zoomControl: false, zoomSnap: 0.25, preferCanvas: false });
      Object.keys(PANES).forEach(function (p) { map.createPane('hs-' + p).style.zIndex = PANES[p]; });
      map.attributionControl.setPrefix('Leaflet');
      L.control.scale({ imperial: false, maxWidth: 160 }).addTo(map);

      // Hatched fills (Sporadic, Oscillating) as SVG patterns the paths refer to.
      var defs = document.createElement('div');
      defs.style.cssText = 'position:absolute;width:0;height:0;overflow:hidden';
      document.body.appendChild(defs);
      var patterns = {};
      function hatch(fill, line) {
        var key = fill + line;
        if (!patterns[key]) {
          var id = 'hs-hatch-' + Object.keys(patterns).length;
          defs.insertAdjacentHTML('beforeend', '<svg width="0" height="0"><defs><pattern id="' + id +
            '" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="' +
            fill + '"/><line x1="1" y1="0" x2="1" y2="6" stroke="' + line + '" stroke-width="2"/></pattern></defs></svg>');
          patterns[key] = id;
        }
        return 'url(#' + patterns[key] + ')';
      }
      function paneOf(l, s) {
        if (l.role === 'context') return l.geometry === 'polygon' ? 'hs-context_area' : l.geometry === 'line' ? 'hs-context_line' : 'hs-context_point';
        if (l.role === 'reference') return 'hs-reference';
        if (l.geometry === 'point') return 'hs-point';
        return s.some(function (x) { return colour(x.fill); }) ? 'hs-data' : 'hs-outline';
      }
      function pathStyle(s) {
        var fill = colour(s.fill), stroke = colour(s.stroke), h = colour(s.hatch);
        return {
          stroke: !!stroke, color: stroke || '#000000', weight: s.weight || 1, opacity: 1, dashArray: s.dash || null,
          fill: !!fill, fillColor: fill && h ? hatch(fill, h) : (fill || '#000000'), fillOpacity: s.fillOpacity == null ? 1 : s.fillOpacity
        };
      }
      function popup(l, f) {
        var box = document.createElement('div'), h = document.createElement('h4'), t = document.createElement('table');
        box.className = 'hs-popup'; h.textContent = l.title; box.appendChild(h); box.appendChild(t);
        var p = f.properties || {};
        Object.keys(p).forEach(function (k) {
          var tr = t.insertRow(), a = tr.insertCell(), b = tr.insertCell();
          a.textContent = l.aliases[k] || k;
          b.textContent = p[k] === null || p[k] === undefined ? '' : String(p[k]);
        });
        return box;
      }
      function build(l) {
        var group = L.layerGroup(), pane = paneOf(l, l.symbols);
        l.data.features.forEach(function (f, i) { f.hsClass = l.symbolOf ? l.symbolOf[i] : 0; });
        var g = L.geoJSON(l.data, {
          pane: pane,
          filter: function (f) { return !!f.geometry && f.hsClass !== null && f.hsClass !== undefined && l.symbols[f.hsClass]; },
          style: function (f) { return pathStyle(l.symbols[f.hsClass]); },
          pointToLayer: function (f, at) {
            var s = l.symbols[f.hsClass], o = pathStyle(s);
            o.radius = s.radius || 4; o.pane = pane;
            return L.circleMarker(at, o);
          },
          onEachFeature: function (f, layer) {
            layer.bindPopup(function () { return popup(l, f); }, { maxWidth: 380 });
            if (l.hover && f.properties && f.properties[l.hover] != null) layer.bindTooltip(esc(f.properties[l.hover]), { sticky: true });
          }
        });
        group.addLayer(g);
        if (l.role === 'context' && l.geometry === 'polygon') {
          // Context areas: the fill beneath the layers, the outline over them (as on the print maps).
          g.setStyle(function (f) { var o = pathStyle(l.symbols[f.hsClass]); o.stroke = false; return o; });
          group.addLayer(L.geoJSON(l.data, {
            pane: 'hs-context_line', interactive: false,
            filter: function (f) { return !!f.geometry && f.hsClass !== null && f.hsClass !== undefined && l.symbols[f.hsClass]; },
            style: function (f) { var o = pathStyle(l.symbols[f.hsClass]); o.fill = false; return o; }
          }));
        }
        var tint = l.role === 'data' ? colour(l.symbols[0] && l.symbols[0].stroke) : null;
        l.labels.forEach(function (x) {
          group.addLayer(L.marker([x[0], x[1]], {
            pane: 'hs-label', interactive: false, keyboard: false,
            icon: L.divIcon({ className: 'hs-label' + (l.role === 'data' ? ' hs-strong' : '') + (l.labelsBeside ? ' hs-beside' : ''),
              html: '<span' + (tint ? ' style="color:' + tint + '"' : '') + '>' + esc(x[2]) + '</span>', iconSize: null })
          }));
        });
        group.hsBounds = g.getBounds();
        return group;
      }
      function swatch(l, s) {
        var d = document.createElement('span'), fill = colour(s.fill), stroke = colour(s.stroke), h = colour(s.hatch);
        d.className = 'hs-sw';
        if (l.geometry === 'point') { d.style.borderRadius = '50%'; d.style.width = d.style.height = '10px'; d.style.margin = '0 12px 0 4px'; }
        if (l.geometry === 'line') { d.style.height = '0'; d.style.borderTop = Math.max(2, s.weight) + 'px ' + (s.dash ? 'dashed ' : 'solid ') + (stroke || '#000'); }
        else {
          if (fill) d.style.background = h ? 'repeating-linear-gradient(45deg,' + h + ' 0 2px,' + fill + ' 2px 6px)' : fill;
          if (fill && s.fillOpacity < 1) d.style.opacity = Math.max(0.35, s.fillOpacity);
          d.style.border = stroke ? Math.min(3, Math.max(1, s.weight)) + 'px ' + (s.dash ? 'dashed ' : 'solid ') + stroke : (fill ? '1px solid rgba(0,0,0,.15)' : '1px solid #999');
        }
        return d;
      }

      var state = { layers: [], control: null, legend: null, visible: {}, fitted: false };
      var legend = L.control({ position: 'bottomright' });
      legend.onAdd = function () { var d = L.DomUtil.create('div', 'hs-box hs-legend'); L.DomEvent.disableScrollPropagation(d); L.DomEvent.disableClickPropagation(d); return d; };
      legend.addTo(map);
      function drawLegend() {
        var box = legend.getContainer();
        box.textContent = '';
        state.layers.forEach(function (e) {
          if (!map.hasLayer(e.group)) return;
          var l = e.layer, shown = l.legendAll ? l.symbols : l.symbols.filter(function (s) { return s.count > 0; });
          if (!shown.length) return;
          var h = document.createElement('h4');
          h.textContent = l.title; box.appendChild(h);
          if (shown.length === 1 && shown[0].label === l.title) { h.insertBefore(swatch(l, shown[0]), h.firstChild); h.className = 'hs-row'; return; }
          shown.forEach(function (s) {
            var row = document.createElement('div'), t = document.createElement('span'), n = document.createElement('span');
            row.className = 'hs-row'; t.textContent = s.label; n.className = 'hs-n'; n.textContent = '(' + s.count + ')';
            row.appendChild(swatch(l, s)); row.appendChild(t); if (l.role === 'data') row.appendChild(n); box.appendChild(row);
          });
        });
        box.style.display = box.firstChild ? '' : 'none';
      }
      map.on('overlayadd overlayremove', function (ev) {
        if (!state.control) return;
        state.layers.forEach(function (e) { if (e.group === ev.layer) state.visible[e.layer.key] = ev.type === 'overlayadd'; });
        drawLegend();
      });

      function render(data) {
        // The switcher goes first, so that removing the previous period's layers is not read as the user's choice.
        if (state.control) map.removeControl(state.control);
        state.control = null;
        state.layers.forEach(function (e) { map.removeLayer(e.group); });
        var attribution = map.attributionControl;
        if (state.attribution) attribution.removeAttribution(state.attribution);
        state.attribution = data.attribution.map(esc).join(' ');
        attribution.addAttribution(state.attribution);
        state.layers = data.layers.map(function (l) { return { layer: l, group: build(l) }; });
        var overlays = {};
        // The switcher lists the set's layers first, then reference outlines and context.
        ['data', 'reference', 'context'].forEach(function (role) {
          state.layers.forEach(function (e) {
            if (e.layer.role !== role) return;
            var name = esc(e.layer.title);
            while (overlays[name]) name += ' ';
            overlays[name] = e.group;
          });
        });
        state.layers.forEach(function (e) {
          var on = state.visible.hasOwnProperty(e.layer.key) ? state.visible[e.layer.key] : e.layer.visible;
          if (on) e.group.addTo(map);
        });
        state.control = L.control.layers(null, overlays, { collapsed: false, position: 'topright' });
        state.control.addTo(map);
        if (!state.fitted) {
          var b = L.latLngBounds([]);
          state.layers.forEach(function (e) { if (e.layer.role === 'data' && e.layer.visible && e.group.hsBounds.isValid()) b.extend(e.group.hsBounds); });
          if (!b.isValid()) state.layers.forEach(function (e) { if (e.group.hsBounds.isValid()) b.extend(e.group.hsBounds); });
          if (b.isValid()) map.fitBounds(b, { padding: [24, 24] }); else map.setView([54.5, -2.5], 6);
          state.fitted = true;
        }
        drawLegend();
        document.documentElement.setAttribute('data-hotspot-layers', String(state.layers.length));
      }

      var head = L.control({ position: 'topleft' });
      head.onAdd = function () { var d = L.DomUtil.create('div', 'hs-box hs-title'); L.DomEvent.disableClickPropagation(d); return d; };
      head.addTo(map);
      L.control.zoom({ position: 'topleft' }).addTo(map);
      var title = document.createElement('span');
      head.getContainer().appendChild(title);

      if (!page.periods) {
        if (!window.HOTSPOT_MAP_DATA) { say('map-data.js (beside this page) is missing or damaged: run hotspot again.'); return; }
        title.textContent = window.HOTSPOT_MAP_DATA.title;
        render(window.HOTSPOT_MAP_DATA);
        return;
      }
      // An index of periods: a selector loads the chosen period's data script (inside this folder).
      var select = document.createElement('select');
      page.periods.forEach(function (p, i) { var o = document.createElement('option'); o.value = String(i); o.textContent = p[0]; select.appendChild(o); });
      var label = document.createElement('label'); label.textContent = 'Period'; label.className = 'hs-period';
      head.getContainer().appendChild(label); head.getContainer().appendChild(select);
      var loading = null;
      function show(i) {
        var p = page.periods[i];
        if (!p) return;
        select.value = String(i);
        if (loading) loading.remove();
        window.HOTSPOT_MAP_DATA = undefined;
        var s = document.createElement('script');
        s.src = p[1].split('/').map(encodeURIComponent).join('/') + '/map-data.js';
        s.onload = function () {
          if (!window.HOTSPOT_MAP_DATA) { say(p[1] + '/map-data.js is damaged: run hotspot again.'); return; }
          document.getElementById('hs-missing').hidden = true;
          title.textContent = window.HOTSPOT_MAP_DATA.title + ' ';
          render(window.HOTSPOT_MAP_DATA);
          if (location.hash.slice(1) !== p[0]) history.replaceState(null, '', '#' + encodeURIComponent(p[0]));
        };
        s.onerror = function () { say(p[1] + '/map-data.js could not be loaded: is the period\'s folder there?'); };
        loading = s;
        document.head.appendChild(s);
      }
      select.addEventListener('change', function () { show(Number(select.value)); });
      var wanted = decodeURIComponent(location.hash.slice(1)), first = 0;
      page.periods.forEach(function (p, i) { if (p[0] === wanted) first = i; });
      if (!page.periods.length) { say('No period has a map yet.'); return; }
      show(first);
    })();
    """#
}

/// A JSON value written with sorted keys and fixed number formats (deterministic).
indirect enum JSON {
    case string(String), int(Int), number(Double, Int), bool(Bool), null
    case array([JSON]), object([String: JSON])
    /// Already JSON (a layer's GeoJSON text), written as it is.
    case raw(String)

    var text: String {
        var s = ""
        write(into: &s)
        return s
    }
    func write(into s: inout String) {
        switch self {
        case .string(let v): s += Fmt.jsonString(v)
        case .int(let v): s += String(v)
        case let .number(v, d):
            var t = Fmt.fixed(v, d)
            if t.contains(".") { while t.hasSuffix("0") { t.removeLast() }; if t.hasSuffix(".") { t.removeLast() } }
            s += t
        case .bool(let v): s += v ? "true" : "false"
        case .null: s += "null"
        case .array(let a):
            s += "["
            for (i, v) in a.enumerated() { if i > 0 { s += "," }; v.write(into: &s) }
            s += "]"
        case .object(let o):
            s += "{"
            for (i, k) in o.keys.sorted().enumerated() {
                if i > 0 { s += "," }
                s += Fmt.jsonString(k) + ":"
                o[k]!.write(into: &s)
            }
            s += "}"
        case .raw(let r): s += r
        }
    }
}
