import Foundation

/// How a layer opens in QGIS: a classified fill (the same classes and colours as the maps) or outlines with
/// labels. Written as a `.qml` file beside each GeoJSON and as the default style in the GeoPackage's
/// `layer_styles` table, which QGIS applies when the layer is opened.
public enum LayerStyle: Sendable {
    case classified(Classification)
    /// Outlines only, optionally labelled by a field (hotspot polygons: `id`).
    case outline(colour: String, widthMM: Double, labelField: String?)

    /// The same style reading renamed fields (full CSV names → the layer's short names).
    public func renamed(_ names: [String: String]) -> LayerStyle {
        switch self {
        case .classified(var c): c.field = names[c.field] ?? c.field; return .classified(c)
        case let .outline(colour, width, label): return .outline(colour: colour, widthMM: width, labelField: label.map { names[$0] ?? $0 })
        }
    }

    /// The QGIS style document (QML, QGIS 3).
    public var qml: String {
        var o = "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n"
        switch self {
        case .classified(let c):
            o += "<qgis version=\"3.28.0\" styleCategories=\"Symbology\">\n"
            switch c.kind {
            case let .graduated(lower, upper):
                o += "  <renderer-v2 type=\"graduatedSymbol\" attr=\"\(esc(c.field))\" graduatedMethod=\"GraduatedColor\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <ranges>\n"
                for (k, cls) in c.classes.enumerated() where k < lower.count && k < upper.count {
                    o += "      <range lower=\"\(num(lower[k]))\" upper=\"\(num(upper[k]))\" symbol=\"\(k)\" label=\"\(esc(cls.label))\" render=\"true\"/>\n"
                }
                o += "    </ranges>\n"
            case .categorized(let values):
                o += "  <renderer-v2 type=\"categorizedSymbol\" attr=\"\(esc(c.field))\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <categories>\n"
                for (k, cls) in c.classes.enumerated() where k < values.count {
                    o += "      <category value=\"\(esc(values[k]))\" symbol=\"\(k)\" label=\"\(esc(cls.label))\" render=\"true\" type=\"long\"/>\n"
                }
                o += "    </categories>\n"
            }
            o += "    <symbols>\n"
            for (k, cls) in c.classes.enumerated() { o += fillSymbol(name: "\(k)", fill: cls.fill, outline: nil) }
            o += "    </symbols>\n  </renderer-v2>\n</qgis>\n"
        case let .outline(colour, width, labelField):
            o += "<qgis version=\"3.28.0\" styleCategories=\"Symbology|Labeling\" labelsEnabled=\"\(labelField == nil ? 0 : 1)\">\n"
            o += "  <renderer-v2 type=\"singleSymbol\" symbollevels=\"0\" enableorderby=\"0\" forceraster=\"0\">\n    <symbols>\n"
            o += fillSymbol(name: "0", fill: nil, outline: (colour, width))
            o += "    </symbols>\n  </renderer-v2>\n"
            if let f = labelField {
                o += """
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
            o += "</qgis>\n"
        }
        return o
    }

    func fillSymbol(name: String, fill: String?, outline: (String, Double)?) -> String {
        """
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
              </symbol>

        """
    }

    /// `#rrggbb` → `r,g,b,255`, QGIS's colour notation.
    func rgba(_ hex: String) -> String {
        let h = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard h.count == 6, let v = UInt32(h, radix: 16) else { return "0,0,0,255" }
        return "\(v >> 16 & 0xFF),\(v >> 8 & 0xFF),\(v & 0xFF),255"
    }
    func num(_ v: Double) -> String { v.isFinite ? String(format: "%.6g", v) : "0" }
    func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
