import CGDAL
import Foundation
import HotspotCore

/// Writes a run's layers to PostgreSQL/PostGIS through OGR's PostgreSQL driver (libpq, COPY for the rows): one table
/// per layer in `schema` (geometry `geom` in the layer's EPSG with a GiST index, typed columns), and a row in
/// `schema.hotspot_runs` with the run's metadata — all in one transaction, so a failed or killed run leaves the
/// previous tables as they were. Credentials come only from the connection string, `PGPASSFILE`/`.pgpass` or the
/// `PG*` environment variables; `redacted` is what may be printed or recorded.
public enum PostGISWriter {
    public enum Kind: Sendable { case integer, real, text }
    public enum FieldValue: Sendable { case int(Int), real(Double), text(String), null }
    public struct Layer: Sendable {
        public var table: String
        public var fields: [(name: String, kind: Kind)]
        public var rows: [[FieldValue]]
        /// Polygons, or points when `points` is given.
        public var polygons: [MultiPolygon]
        public var points: [XY]?
        public var epsg: Int
        public init(table: String, fields: [(name: String, kind: Kind)], rows: [[FieldValue]], polygons: [MultiPolygon], points: [XY]? = nil, epsg: Int) {
            self.table = table; self.fields = fields; self.rows = rows; self.polygons = polygons; self.points = points; self.epsg = epsg
        }
    }

    public struct WriteError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The connection string without its password (`postgresql://user:secret@host/db` → `postgresql://user@host/db`;
    /// `password=…` dropped from key-value strings).
    public static func redacted(_ url: String) -> String {
        var s = url
        if let r = s.range(of: "://"), let at = s.range(of: "@", range: r.upperBound..<s.endIndex) {
            let userinfo = s[r.upperBound..<at.lowerBound]
            if let colon = userinfo.firstIndex(of: ":") { s.removeSubrange(colon..<at.lowerBound) }
        }
        s = s.replacingOccurrences(of: #"(?i)password=[^&\s]*&?"#, with: "", options: .regularExpression)
        return s.hasSuffix("?") || s.hasSuffix("&") ? String(s.dropLast()) : s
    }

    /// A message on one line (libpq's run over several), without GDAL's "PQconnectdb failed." preamble.
    static func oneLine(_ s: String) -> String {
        s.replacingOccurrences(of: "PQconnectdb failed.", with: "").split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// Opens the database for update (a `postgresql://` URI or a libpq key-value string).
    static func open(_ url: String) throws -> GDALDatasetHandle {
        GDALLibrary.register()
        CPLErrorReset()
        let source = url.hasPrefix("PG:") ? url : "PG:" + url
        guard let ds = GDALOpenEx(source, UInt32(GDAL_OF_VECTOR | GDAL_OF_UPDATE), nil, nil, nil) else {
            throw WriteError(description: "cannot connect: \(oneLine(GDALLibrary.lastError("no PostgreSQL driver")))")
        }
        return GDALDatasetHandle(ds)
    }

    static func sql(_ d: GDALDatasetHandle, _ statement: String) throws {
        CPLErrorReset()
        let r = GDALDatasetExecuteSQL(d.raw, statement, nil, nil)
        if let r { GDALDatasetReleaseResultSet(d.raw, r) }
        if CPLGetLastErrorType() == CE_Failure { throw WriteError(description: GDALLibrary.lastError("SQL failed")) }
    }

    /// One product's tables and its `hotspot_runs` row.
    public struct Run: Sendable {
        public var layers: [Layer], product: String, metadata: String
        public init(layers: [Layer], product: String, metadata: String) { self.layers = layers; self.product = product; self.metadata = metadata }
    }

    /// Writes `layers` (replacing tables of the same names) and one `hotspot_runs` row, in one transaction.
    public static func write(url: String, schema: String, layers: [Layer], product: String, metadata: String) throws {
        try write(url: url, schema: schema, runs: [Run(layers: layers, product: product, metadata: metadata)])
    }

    /// Writes several products' tables and their `hotspot_runs` row (in order) in one transaction: a reader sees
    /// all of them or none (`hotspot run` with several products).
    public static func write(url: String, schema: String, runs: [Run]) throws {
        try prepare(url: url, schema: schema, runs: runs).commit()
    }

    /// Writes the tables and rows of `runs` inside a transaction left open: `commit()` makes them visible, and a
    /// transaction not committed is rolled back when it goes (so that an output folder and its tables change together).
    public static func prepare(url: String, schema: String, runs: [Run]) throws -> Transaction {
        let d = try open(url)
        CPLSetConfigOption("PG_USE_COPY", "YES")
        defer { CPLSetConfigOption("PG_USE_COPY", nil) }
        guard GDALDatasetStartTransaction(d.raw, 0) == OGRERR_NONE else {
            throw WriteError(description: "\(redacted(url)): cannot start a transaction (\(GDALLibrary.lastError("?")))")
        }
        let t = Transaction(d)
        do {
            try sql(d, "CREATE SCHEMA IF NOT EXISTS \"\(schema)\"")
            try sql(d, "CREATE TABLE IF NOT EXISTS \"\(schema)\".hotspot_runs (run_id serial PRIMARY KEY, product text NOT NULL, tables text[] NOT NULL, written_at timestamptz NOT NULL DEFAULT now(), metadata jsonb NOT NULL)")
            for run in runs {
                for l in run.layers { try writeLayer(d, schema: schema, l) }
                var tag = "hs"
                while run.metadata.contains("$\(tag)$") { tag += "x" }
                let tables = run.layers.map { "'\($0.table.replacingOccurrences(of: "'", with: "''"))'" }.joined(separator: ",")
                try sql(d, "INSERT INTO \"\(schema)\".hotspot_runs (product, tables, metadata) VALUES ('\(run.product.replacingOccurrences(of: "'", with: "''"))', ARRAY[\(tables)]::text[], $\(tag)$\(run.metadata)$\(tag)$::jsonb)")
            }
        } catch {
            t.rollback()
            throw WriteError(description: "nothing written, the previous tables are unchanged: \(oneLine("\(error)"))")
        }
        return t
    }

    /// A transaction holding written tables, not yet visible to readers. Rolled back unless committed.
    public final class Transaction {
        private let dataset: GDALDatasetHandle
        private var open = true
        init(_ d: GDALDatasetHandle) { dataset = d }

        /// Makes the tables visible.
        public func commit() throws {
            guard open else { return }
            open = false
            guard GDALDatasetCommitTransaction(dataset.raw) == OGRERR_NONE else {
                _ = GDALDatasetRollbackTransaction(dataset.raw)
                throw WriteError(description: "nothing written, the previous tables are unchanged: commit failed: \(oneLine(GDALLibrary.lastError("?")))")
            }
        }

        /// Discards the tables (the previous ones stay).
        public func rollback() {
            guard open else { return }
            open = false
            _ = GDALDatasetRollbackTransaction(dataset.raw)
        }

        deinit { rollback() }
    }

    static func writeLayer(_ d: GDALDatasetHandle, schema: String, _ l: Layer) throws {
        guard let srs = OSRNewSpatialReference(nil) else { throw WriteError(description: "OSR failed") }
        defer { OSRDestroySpatialReference(srs) }
        _ = OSRImportFromEPSG(srs, Int32(l.epsg))
        // The GiST index is built after the rows (one sorted build: ≈ 1 s for a million polygons, where OGR's index made
        // with the table took every COPY row into it one by one, ≈ 10 s), under the name OGR gives it.
        let options = ["OVERWRITE=YES", "GEOMETRY_NAME=geom", "FID=fid", "SPATIAL_INDEX=NONE", "LAUNDER=NO", "SCHEMA=\(schema)"]
        var c: [UnsafeMutablePointer<CChar>?] = options.map { strdup($0) } + [nil]
        defer { for p in c { free(p) } }
        CPLErrorReset()
        let type = l.points != nil ? wkbPoint : wkbMultiPolygon
        guard let layer = c.withUnsafeMutableBufferPointer({ GDALDatasetCreateLayer(d.raw, l.table, srs, type, $0.baseAddress) }) else {
            throw WriteError(description: "\(schema).\(l.table): cannot create the table (\(GDALLibrary.lastError("?")))")
        }
        if let bad = OGRLayerFill.createFields(layer, l.fields) { throw WriteError(description: "\(l.table).\(bad): \(GDALLibrary.lastError("cannot add the column"))") }
        let defn = OGR_L_GetLayerDefn(layer)
        for (k, row) in l.rows.enumerated() {
            guard let f = OGR_F_Create(defn) else { throw WriteError(description: "OGR feature failed") }
            defer { OGR_F_Destroy(f) }
            OGRLayerFill.setFields(f, row)
            if let pts = l.points {
                let g = OGR_G_CreateGeometry(wkbPoint)
                OGR_G_SetPoint_2D(g, 0, pts[k].x, pts[k].y)
                _ = OGR_F_SetGeometryDirectly(f, g)
            } else {
                _ = OGR_F_SetGeometryDirectly(f, geometry(l.polygons[k]))
            }
            guard OGR_L_CreateFeature(layer, f) == OGRERR_NONE else { throw WriteError(description: "\(l.table): \(GDALLibrary.lastError("cannot write a row"))") }
        }
        _ = OGR_L_SyncToDisk(layer)
        func ident(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        try sql(d, "CREATE INDEX \(ident(l.table + "_geom_geom_idx")) ON \(ident(schema)).\(ident(l.table)) USING GIST (geom)")
    }

    static func geometry(_ mp: MultiPolygon) -> OGRGeometryH? {
        let m = OGR_G_CreateGeometry(wkbMultiPolygon)
        for p in mp.polygons {
            let poly = OGR_G_CreateGeometry(wkbPolygon)
            for r in [p.exterior] + p.holes {
                var ring = r
                if let f = r.first, let last = r.last, f != last { ring.append(f) }
                let g = OGR_G_CreateGeometry(wkbLinearRing)
                var x = ring.map(\.x), y = ring.map(\.y)
                x.withUnsafeMutableBytes { xb in
                    y.withUnsafeMutableBytes { yb in
                        OGR_G_SetPoints(g, Int32(ring.count), xb.baseAddress, Int32(MemoryLayout<Double>.stride), yb.baseAddress, Int32(MemoryLayout<Double>.stride), nil, 0)
                    }
                }
                _ = OGR_G_AddGeometryDirectly(poly, g)
            }
            _ = OGR_G_AddGeometryDirectly(m, poly)
        }
        return m
    }
}
