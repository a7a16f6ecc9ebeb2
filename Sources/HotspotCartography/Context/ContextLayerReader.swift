import Foundation
import HotspotCore
import HotspotIO
import HotspotGeo

/// Reads a context layer (`--context NAME=SOURCE`) from any source OGR opens — GeoJSON, GeoPackage
/// (`file.gpkg:layer`), Shapefile, FlatGeobuf, a PostGIS table — with points, lines or polygons, projects it to
/// British National Grid, and gives each feature its drawing class (from a class field when present) and label.
public enum ContextLayerReader {
    public struct Spec: Sendable, Equatable, Codable {
        public var name: String
        public var source: String
        /// The field labels are read from (default: the first of `ContextStyle.nameFields` present; "" for none).
        public var labelField: String?
        /// The attribution line; by default ODbL for OpenStreetMap data (OSM tag fields), the OS line for OS Open
        /// Roads, else none (a warning asks for `--context-attribution`).
        public var attribution: String?
        public init(name: String, source: String, labelField: String? = nil, attribution: String? = nil) {
            self.name = name; self.source = source; self.labelField = labelField; self.attribution = attribution
        }
    }

    public static let osmAttribution = "Context: © OpenStreetMap contributors, available under the Open Database Licence (ODbL)."
    public static let osAttribution = "Context: contains OS data © Crown copyright and database right."

    public struct Result: Sendable {
        public var layer: ContextLayer
        public var labelField: String?
        public var sha256: String?
        public var warnings: [String]
    }

    public static func read(_ spec: Spec, gridDirectories: [String] = []) throws -> Result {
        let (file, layerName) = PolygonLayerReader.ogrSource(spec.source) ?? (spec.source, nil)
        let database = file.hasPrefix("PG:")
        if !database { try InputFile.check(file) }
        let src: OGRFeatures.Layer
        do { src = try OGRFeatures.read(file, layer: layerName) } catch {
            throw InputError.unusable("context layer \(spec.name): \(error)")
        }
        var warnings: [String] = []
        let lower = Dictionary(src.fields.map { ($0.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
        let labelField: String?
        if let f = spec.labelField {
            if f.isEmpty { labelField = nil } else {
                guard src.fields.contains(f) else {
                    throw InputError.unusable("context layer \(spec.name): no field '\(f)' for labels; its fields are: \(src.fields.joined(separator: ", "))")
                }
                labelField = f
            }
        } else {
            labelField = ContextStyle.nameFields.first(where: src.fields.contains)
        }
        let classColumns = ContextStyle.classFields.compactMap { f in src.fields.firstIndex(of: f).map { (f.lowercased(), $0) } }
        let labelColumn = labelField.flatMap { src.fields.firstIndex(of: $0) }
        // Project every coordinate of the layer in one batch.
        var epsg = src.epsg
        if epsg == nil, (file as NSString).pathExtension.lowercased() == "geojson" || (file as NSString).pathExtension.lowercased() == "json" { epsg = 4326 }
        guard let epsg else {
            throw InputError.unusable("context layer \(spec.name): its CRS is not one OGR can name by an EPSG code (or it has none); reproject it to EPSG:27700 or 4326")
        }
        let all = src.geometries.flatMap(\.coordinates)
        var x = all.map(\.x), y = all.map(\.y)
        if epsg != 27700, !all.isEmpty {
            _ = try Projection(from: epsg, to: 27700, gridDirectories: gridDirectories).transform(x: &x, y: &y)
        }
        let xy = zip(x, y).map { XY($0, $1) }
        var features: [ContextLayer.Feature] = []
        var offset = 0
        for (k, g) in src.geometries.enumerated() {
            let n = g.coordinates.count
            defer { offset += n }
            guard g != .empty else { continue }
            let projected = g.replacing(xy[offset..<(offset + n)])
            guard projected.coordinates.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) else { continue }
            var classes: [String: String] = [:]
            for (f, c) in classColumns { if let v = src.values[k][c] { classes[f] = v } }
            let label = labelColumn.flatMap { src.values[k][$0] }.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            features.append(.init(geometry: projected, kind: ContextStyle.kind(geometry: projected, classes: classes), label: label))
        }
        if features.isEmpty { throw InputError.unusable("context layer \(spec.name): \(spec.source) holds no points, lines or polygons") }
        var attribution = spec.attribution
        if attribution == nil {
            let osmTags: Set<String> = ["highway", "railway", "osm_id", "@id", "public_transport", "amenity", "osm_type"]
            if src.fields.contains(where: { osmTags.contains($0.lowercased()) }) { attribution = osmAttribution }
            else if lower["roadclassification"] != nil || lower["formofway"] != nil { attribution = osAttribution }
            else { warnings.append("context layer \(spec.name): no attribution known for \(spec.source); give it with --context-attribution \(spec.name)=TEXT") }
        }
        let sha = database ? nil : try Hashing.sha256(file: file)
        return Result(layer: ContextLayer(name: spec.name, features: features, attribution: attribution?.isEmpty == true ? nil : attribution),
                      labelField: labelField, sha256: sha, warnings: warnings)
    }
}
