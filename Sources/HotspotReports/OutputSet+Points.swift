import Foundation
import HotspotCore
import HotspotIO

extension OutputSet {
    /// A point layer: `NAME.geojson` (RFC 7946, lon/lat `x`/`y`), `NAME.fields.csv` (short → full field names) and,
    /// with a `style`, `NAME.qml` beside it. `points` are the same points in EPSG:27700 (kept for the database).
    public func writePoints(_ name: String, x: [Double], y: [Double], points: [XY], properties long: Table, idColumn: String = "id",
                            style longStyle: LayerStyle? = nil) throws {
        let fields = FieldNames.layer(long)
        let properties = fields.table
        try write("\(name).fields.csv", fields.dictionary.csv())
        try write("\(name).geojson", GeoJSONWriter.points(name: name, x: x, y: y, properties: properties, idColumn: fields.rename[idColumn] ?? idColumn))
        if let style = longStyle?.renamed(fields.rename) {
            try write("\(name).qml", style.qml(aliases: LayerStyle.aliases(fields: properties.columns, fullNames: fields.aliases, firstIndex: 0)))
        }
        collectPoints(name, points: points, properties: long)
    }
}
