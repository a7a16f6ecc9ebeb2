import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography

extension OutputSet {
    /// A point layer: `NAME.geojson` (RFC 7946, lon/lat `x`/`y`), `NAME.fields.csv` (short → full field names) and,
    /// with a `style`, `NAME.qml` beside it; drawn on the set's web map in the style's classes. `points` are the same
    /// points in EPSG:27700 (kept for the database); empty when the set has no database.
    public func writePoints(_ name: String, x: [Double], y: [Double], points: [XY], properties long: Table, idColumn: String = "id",
                            style longStyle: LayerStyle? = nil) throws {
        let fields = FieldNames.layer(long)
        let properties = fields.table
        try write("\(name).fields.csv", fields.dictionary.csv())
        let geojson = GeoJSONWriter.points(name: name, x: x, y: y, properties: properties, idColumn: fields.rename[idColumn] ?? idColumn)
        try write("\(name).geojson", geojson)
        collectWebPoints(name, geojson: geojson, count: x.count, properties: properties, style: longStyle?.renamed(fields.rename), aliases: fields.aliases)
        if let style = longStyle?.renamed(fields.rename) {
            try write("\(name).qml", style.qml(aliases: LayerStyle.aliases(fields: properties.columns, fullNames: fields.aliases, firstIndex: 0)))
        }
        collectPoints(name, points: points, properties: long)
    }
}
