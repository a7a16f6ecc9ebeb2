import Foundation
import HotspotIO

/// How a layer opens in QGIS: a classified fill (the same classes and colours as the maps) or outlines with
/// labels. Written as a `.qml` file beside each GeoJSON and as the default style in the GeoPackage's
/// `layer_styles` table, which QGIS applies when the layer is opened.
public indirect enum LayerStyle: Sendable {
    case classified(Classification)
    /// Outlines only, optionally labelled by a field (hotspot polygons: `id`).
    case outline(colour: String, widthMM: Double, labelField: String?)
    /// Point markers, one class per size (`Class.sizeMM`) on a graduated field: incidents stacked at one point.
    case points(Classification)
    /// Another style with labels from `field` (ward names, hotspot ids). QGIS's labelling engine places the labels of
    /// every layer together, so labels of two layers (hotspot ids, ward names) never overprint each other.
    case labelled(LayerStyle, field: String)

    /// The classes of the style, if it has any.
    public var classification: Classification? {
        switch self {
        case .classified(let c), .points(let c): return c
        case .outline: return nil
        case .labelled(let s, _): return s.classification
        }
    }

    /// The same style reading renamed fields (full CSV names → the layer's short names).
    public func renamed(_ names: [String: String]) -> LayerStyle {
        switch self {
        case .classified(var c): c.field = names[c.field] ?? c.field; return .classified(c)
        case let .outline(colour, width, label): return .outline(colour: colour, widthMM: width, labelField: label.map { names[$0] ?? $0 })
        case .points(var c): c.field = names[c.field] ?? c.field; return .points(c)
        case let .labelled(style, field): return .labelled(style.renamed(names), field: names[field] ?? field)
        }
    }

    /// The QGIS style document (QML, QGIS 3), without field aliases.
    public var qml: String { qml(aliases: []) }

    /// The QGIS style document (QML, QGIS 3) with `aliases`: QGIS shows each field under its alias (attribute
    /// table, identify results, forms), so the short Shapefile-safe names (`peak_km2`) read as the full CSV column
    /// names (`peak_density_per_km2`) of `NAME.fields.csv`.
    public func qml(aliases: [FieldAlias]) -> String { qml(aliases: aliases, label: nil) }

    /// The document with `label` (a field and its colour) when labels of another style are asked for: the
    /// `<qgis>` element with its style categories, the renderer, the labelling and the aliases.
    func qml(aliases: [FieldAlias], label: (field: String, colour: String)?) -> String {
        let doctype = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        let categories = aliases.isEmpty ? "" : "|Fields"
        let aliasBlock = aliases.isEmpty ? "" : "  <aliases>\n" + aliases.map {
            "    <alias field=\"\(esc($0.field))\" index=\"\($0.index)\" name=\"\(esc($0.name))\"/>\n"
        }.joined() + "  </aliases>\n"
        let head = label == nil ? "Symbology\(categories)\"" : "Symbology|Labeling\(categories)\" labelsEnabled=\"1\""
        switch self {
        case let .labelled(style, field):
            let colour: String
            if case .outline(let c, _, _) = style { colour = c } else { colour = "#252525" }
            return style.qml(aliases: aliases, label: (field, colour))
        case .points(let c):
            let open = doctype + "<qgis version=\"3.28.0\" styleCategories=\"\(head)>\n"
            guard let renderer = pointsRenderer(c) else { return open + "</qgis>\n" }
            return open + renderer + (label.map { labeling($0.field, $0.colour) } ?? "") + aliasBlock + "</qgis>\n"
        case .classified(let c):
            // The legend's title (what the classes are, e.g. which baseline fixed them), for a reader of the file.
            let comment = c.title.isEmpty ? "" : "<!-- \(esc(c.title).replacingOccurrences(of: "--", with: "–")) -->\n"
            return doctype + comment + "<qgis version=\"3.28.0\" styleCategories=\"\(head)>\n" + classifiedRenderer(c)
                + (label.map { labeling($0.field, $0.colour) } ?? "") + aliasBlock + "</qgis>\n"
        case let .outline(colour, width, labelField):
            let f = labelField ?? label?.field
            var o = doctype + "<qgis version=\"3.28.0\" styleCategories=\"Symbology|Labeling\(categories)\" labelsEnabled=\"\(f == nil ? 0 : 1)\">\n"
            o += "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <symbols>\n"
            o += fillSymbol(name: "0", fill: nil, outline: (colour, width))
            o += "    </symbols>\n  </renderer-v2>\n"
            if let f { o += labeling(f, colour) }
            return o + aliasBlock + "</qgis>\n"
        }
    }

    /// QGIS's simple labelling by field `f` in `colour`, with a white buffer.
    private func labeling(_ f: String, _ colour: String) -> String {
        """
          <labeling type="simple">
            <settings calloutType="simple">
              <text-style fieldName="\(esc(f))" isExpression="0" fontSize="10" fontSizeUnit="Point" textColor="\(rgba(colour))" fontFamily="DejaVu Sans" fontWeight="75">
                <text-buffer bufferDraw="1" bufferSize="1" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="1"/>
              </text-style>
              <placement placement="1" offsetType="0"/>
            </settings>
          </labeling>

        """
    }

    /// The graduated-size marker renderer of a points style (nil unless its classes are graduated): one circle per
    /// class, its size the class's `sizeMM`.
    private func pointsRenderer(_ c: Classification) -> String? {
        guard case let .graduated(lower, upper) = c.kind else { return nil }
        var o = "  <renderer-v2 type=\"graduatedSymbol\" attr=\"\(esc(c.field))\" graduatedMethod=\"GraduatedSize\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n"
        let last = min(lower.count, upper.count, c.classes.count) - 1
        for (k, cls) in c.classes.enumerated() where k <= last {
            let hi = k == last ? Double.greatestFiniteMagnitude : lower[k + 1] - 0.5
            o += "      <range lower=\"\(exact(lower[k] - 0.5))\" upper=\"\(exact(hi))\" symbol=\"\(k)\" label=\"\(esc(cls.label))\" render=\"true\"/>\n"
        }
        o += "    </ranges>\n    <symbols>\n"
        for (k, cls) in c.classes.enumerated() {
            o += """
                  <symbol type="marker" name="\(k)" alpha="1" clip_to_extent="1" force_rhr="0">
                    <layer class="SimpleMarker" enabled="1" pass="0" locked="0">
                      <Option type="Map">
                        <Option name="name" type="QString" value="circle"/>
                        <Option name="color" type="QString" value="\(rgba(cls.fill))"/>
                        <Option name="outline_color" type="QString" value="255,255,255,255"/>
                        <Option name="outline_style" type="QString" value="solid"/>
                        <Option name="outline_width" type="QString" value="0.2"/>
                        <Option name="outline_width_unit" type="QString" value="MM"/>
                        <Option name="size" type="QString" value="\(num(cls.sizeMM ?? 2))"/>
                        <Option name="size_unit" type="QString" value="MM"/>
                      </Option>
                    </layer>
                  </symbol>

            """
        }
        return o + "    </symbols>\n  </renderer-v2>\n"
    }

    /// The renderer of a classified style: graduated colours or categories, then a fill symbol per class.
    private func classifiedRenderer(_ c: Classification) -> String {
        var o: String
        switch c.kind {
        case let .graduated(lower, upper):
            o = "  <renderer-v2 type=\"graduatedSymbol\" attr=\"\(esc(c.field))\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n"
            // The outer breaks are open (any positive value; no top): the layer's values are rounded to their
            // column's decimals, so the largest can round above the top break and the smallest below the
            // first, and QGIS would leave those features undrawn. Zero and negative values stay undrawn.
            // QGIS puts v in a range when lower < v ≤ upper (the first: lower ≤ v); hotspot's classes hold
            // lower[k] ≤ v < lower[k + 1]. So each break is written as the double just below it: a count equal
            // to a break (2 with breaks 2, 3, 4) falls in the class it starts, as on the maps and the web map.
            let last = min(lower.count, upper.count, c.classes.count) - 1
            for (k, cls) in c.classes.enumerated() where k < lower.count && k < upper.count {
                let lo = k == 0 ? Double.leastNormalMagnitude : lower[k].nextDown, hi = k == last ? Double.greatestFiniteMagnitude : upper[k].nextDown
                o += "      <range lower=\"\(exact(lo))\" upper=\"\(exact(hi))\" symbol=\"\(k)\" label=\"\(esc(cls.label))\" render=\"true\"/>\n"
            }
            o += "    </ranges>\n"
        case .categorized(let values):
            o = "  <renderer-v2 type=\"categorizedSymbol\" attr=\"\(esc(c.field))\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <categories>\n"
            for (k, cls) in c.classes.enumerated() where k < values.count {
                o += "      <category value=\"\(esc(values[k]))\" symbol=\"\(k)\" label=\"\(esc(cls.label))\" render=\"true\" type=\"\(Int(values[k]) == nil ? "string" : "long")\"/>\n"
            }
            o += "    </categories>\n"
        }
        o += "    <symbols>\n"
        // Outline-only classes (No Pattern Detected) have no fill; New Hot/Cold Spot are outlined in their colour;
        // sporadic and oscillating patterns carry a diagonal line-pattern fill over their base, as on the maps.
        for (k, cls) in c.classes.enumerated() {
            o += fillSymbol(name: "\(k)", fill: cls.outlineOnly ? nil : cls.fill,
                            outline: cls.outlineOnly ? (cls.fill, cls.lineMM ?? 0.26) : cls.outline.map { ($0, 0.5) }, hatch: cls.hatch)
        }
        return o + "    </symbols>\n  </renderer-v2>\n"
    }

    /// A field's alias in a QGIS style: `field` the layer's (short) name, `index` its position among the layer's
    /// fields as QGIS lists them (a GeoPackage's `fid` is field 0), `name` what QGIS shows.
    public struct FieldAlias: Sendable, Equatable {
        public var field: String
        public var index: Int
        public var name: String
        public init(field: String, index: Int, name: String) { self.field = field; self.index = index; self.name = name }
    }

    /// Aliases for a layer's `fields` (in their order) from a short → full name map (a field missing from the map
    /// is its own alias), so that every field has one. `firstIndex` is 1 for a GeoPackage table (its `fid` comes first), 0 for GeoJSON.
    public static func aliases(fields: [String], fullNames: [String: String], firstIndex: Int) -> [FieldAlias] {
        fields.enumerated().map { i, f in
            FieldAlias(field: f, index: firstIndex + i, name: fullNames[f] ?? f)
        }
    }

    func fillSymbol(name: String, fill: String?, outline: (String, Double)?, hatch: String? = nil) -> String {
        let hatchLayer = hatch.map { h in
            """
                    <layer class="LinePatternFill" enabled="1" pass="0" locked="0">
                      <Option type="Map">
                        <Option name="angle" type="QString" value="45"/>
                        <Option name="distance" type="QString" value="1.4"/>
                        <Option name="distance_unit" type="QString" value="MM"/>
                        <Option name="line_width" type="QString" value="0.5"/>
                        <Option name="line_width_unit" type="QString" value="MM"/>
                        <Option name="color" type="QString" value="\(rgba(h))"/>
                      </Option>
                      <symbol type="line" name="@\(name)@1" alpha="1" clip_to_extent="1" force_rhr="0">
                        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
                          <Option type="Map">
                            <Option name="line_color" type="QString" value="\(rgba(h))"/>
                            <Option name="line_width" type="QString" value="0.5"/>
                            <Option name="line_width_unit" type="QString" value="MM"/>
                          </Option>
                        </layer>
                      </symbol>
                    </layer>

            """
        } ?? ""
        return """
              <symbol type="fill" name="\(name)" alpha="1" clip_to_extent="1" force_rhr="0">
                <layer class="SimpleFill" enabled="1" pass="0" locked="0">
                  <Option type="Map">
                    <Option name="color" type="QString" value="\(fill.map(rgba) ?? "0,0,0,0")"/>
                    <Option name="style" type="QString" value="\(fill == nil ? "no" : "solid")"/>
                    <Option name="outline_color" type="QString" value="\(outline.map { rgba($0.0) } ?? "0,0,0,0")"/>
                    <Option name="outline_style" type="QString" value="\(outline == nil ? "no" : "solid")"/>
                    <Option name="outline_width" type="QString" value="\(outline.map { num($0.1) } ?? "0")"/>
                    <Option name="outline_width_unit" type="QString" value="MM"/>
                  </Option>
                </layer>
        \(hatchLayer)      </symbol>

        """
    }

    /// `#rrggbb` → `r,g,b,255`, QGIS's colour notation.
    func rgba(_ hex: String) -> String {
        let h = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard h.count == 6, let v = UInt32(h, radix: 16) else { return "0,0,0,255" }
        return "\(v >> 16 & 0xFF),\(v >> 8 & 0xFF),\(v & 0xFF),255"
    }
    func num(_ v: Double) -> String { v.isFinite ? String(format: "%.6g", v) : "0" }
    /// A class break as QGIS reads it back to the same double (17 significant digits): with 6, the top class's
    /// upper break fell below the largest value (2220.44 < 2220.4404…) and QGIS left that feature undrawn.
    func exact(_ v: Double) -> String { v.isFinite ? String(format: "%.17g", v) : "0" }
    func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// How a single-band raster (the KDE surface as GeoTIFF and ESRI ASCII grid) opens in QGIS: singleband pseudocolour,
/// discrete, on the classes of the vector layer of the same surface (the same breaks and colours as
/// `MapStyle.meanMultiples` gives the maps and the vector `.qml`). Values of 0 (no incident within the bandwidth) and
/// NoData (the band's NoData value, −9999 in hotspot's rasters) are transparent; nothing is drawn black.
///
/// QGIS finds a file layer's default style by its base name (`QgsMapLayer::styleURI`: the path with its extension
/// replaced by `.qml`), so the raster style goes beside the raster under the raster's own base name
/// (`density-raster.qml` for `density-raster.tif` and `density-raster.asc`), apart from the vector style.
public struct RasterStyle: Sendable, Equatable {
    public var classification: Classification
    /// Band opacity, 0–1.
    public var opacity: Double

    public init(_ classification: Classification, opacity: Double = 1) {
        self.classification = classification; self.opacity = opacity
    }

    /// The colour-ramp entries QGIS's discrete shader reads (a value is drawn in the colour of the first entry whose
    /// value it does not exceed): 0 → transparent, then each class up to its upper break, the last to infinity.
    public var entries: [(value: Double, colour: String?, label: String)] {
        guard case let .graduated(_, upper) = classification.kind else { return [] }
        var e: [(Double, String?, String)] = [(0, nil, "no incident within the bandwidth")]
        for (k, cls) in classification.classes.enumerated() where k < upper.count {
            e.append((k == classification.classes.count - 1 ? .infinity : upper[k], cls.fill, cls.label))
        }
        return e
    }

    /// The QGIS raster style document (QML, QGIS 3).
    public var qml: String {
        let style = LayerStyle.classified(classification)
        guard case let .graduated(lower, upper) = classification.kind else { return "" }
        let lo = lower.first ?? 0, hi = upper.last ?? 1
        var o = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        o += "<qgis version=\"3.28.0\" styleCategories=\"Symbology\">\n  <pipe>\n"
        o += "    <rasterrenderer type=\"singlebandpseudocolor\" band=\"1\" opacity=\"\(style.num(opacity))\" alphaBand=\"-1\" nodataColor=\"\" classificationMin=\"\(style.num(lo))\" classificationMax=\"\(style.num(hi))\">\n"
        o += "      <rasterTransparency/>\n"
        o += "      <minMaxOrigin>\n        <limits>None</limits>\n        <extent>WholeRaster</extent>\n        <statAccuracy>Estimated</statAccuracy>\n"
        o += "        <cumulativeCutLower>0.02</cumulativeCutLower>\n        <cumulativeCutUpper>0.98</cumulativeCutUpper>\n        <stdDevFactor>2</stdDevFactor>\n      </minMaxOrigin>\n"
        o += "      <rastershader>\n        <colorrampshader colorRampType=\"DISCRETE\" classificationMode=\"1\" clip=\"0\" minimumValue=\"\(style.num(lo))\" maximumValue=\"\(style.num(hi))\" labelPrecision=\"6\">\n"
        for e in entries {
            let value = e.value.isInfinite ? "inf" : style.exact(e.value)
            o += "          <item value=\"\(value)\" color=\"\(e.colour ?? "#000000")\" alpha=\"\(e.colour == nil ? 0 : 255)\" label=\"\(style.esc(e.label))\"/>\n"
        }
        o += "        </colorrampshader>\n      </rastershader>\n    </rasterrenderer>\n"
        o += "    <brightnesscontrast brightness=\"0\" contrast=\"0\" gamma=\"1\"/>\n"
        o += "    <huesaturation saturation=\"0\" grayscaleMode=\"0\" invertColors=\"0\" colorizeOn=\"0\"/>\n"
        o += "    <rasterresampler maxOversampling=\"2\"/>\n  </pipe>\n  <blendMode>0</blendMode>\n</qgis>\n"
        return o
    }
}

extension LayerStyle: GeoPackageWriter.QMLStyling {
    public func qml(fields: [String], fullNames: [String: String], firstIndex: Int) -> String {
        qml(aliases: fullNames.isEmpty ? [] : Self.aliases(fields: fields, fullNames: fullNames, firstIndex: firstIndex))
    }
}
