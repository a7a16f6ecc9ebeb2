import CGDAL
import Foundation
import HotspotCore

/// A tiled basemap under a print map: XYZ tiles (`{z}/{x}/{y}`, Web Mercator as OpenStreetMap serves them, or the OS
/// Maps API's EPSG:27700 tile matrix) or a WMTS layer (`WMTS:capabilities-url,layer=…`), fetched through GDAL's
/// WMS/WMTS drivers — their disk cache (so a map drawn once redraws offline), their HTTP client with the program's
/// User-Agent — and warped to British National Grid by GDAL (bilinear) at the zoom whose tile pixels print at 96 dpi.
/// The tiles a map needs are counted before any is fetched, and a map needing more than the cap is refused (tile
/// servers forbid bulk downloads).
public enum Basemap {
    /// The tile matrix of an XYZ URL.
    public enum Scheme: String, Sendable, Codable, CaseIterable {
        /// EPSG:3857, 256-px tiles, zoom 0 = the world in one tile (OpenStreetMap, most XYZ servers).
        case webMercator = "3857"
        /// EPSG:27700, 256-px tiles, origin (−238375, 1376256), 896 m/px at zoom 0 halving per zoom (OS Maps API ZXY).
        case britishNationalGrid = "27700"
        var maxZoom: Int { self == .webMercator ? 19 : 13 }
        /// Map units per tile pixel at zoom 0.
        var resolution0: Double { self == .webMercator ? 2 * 20_037_508.342789244 / 256 : 896 }
        var epsg: Int { self == .webMercator ? 3857 : 27700 }
    }

    public struct Request: Sendable, Equatable {
        public var url: String
        public var scheme: Scheme
        /// At most this many tiles per map.
        public var maxTiles: Int
        /// GDAL's tile cache folder.
        public var cache: String
        public var userAgent: String
        /// Seconds a tile may take.
        public var timeout: Int
        public init(url: String, scheme: Scheme = .webMercator, maxTiles: Int = 256, cache: String, userAgent: String, timeout: Int = 30) {
            self.url = url; self.scheme = scheme; self.maxTiles = maxTiles; self.cache = cache; self.userAgent = userAgent; self.timeout = timeout
        }
        public var isWMTS: Bool { url.hasPrefix("WMTS:") }
    }

    public struct Result: Sendable {
        /// The warped basemap as a PNG (RGBA: what no tile covers is transparent).
        public var png: Data
        /// The zoom fetched (nil for WMTS, where GDAL chooses the matrix level).
        public var zoom: Int?
        public var tiles: Int
        /// Whether any tile covers the frame (false: every tile missing).
        public var covered: Bool
    }

    public enum BasemapError: Error, CustomStringConvertible, Equatable {
        case unavailable(String)
        case tooManyTiles(String)
        public var description: String {
            switch self { case .unavailable(let m), .tooManyTiles(let m): return m }
        }
    }

    /// The zoom whose tile pixels, printed at 96 dpi (0.2646 mm), show `unitsPerPixel` map units each.
    public static func zoom(unitsPerPixel: Double, scheme: Scheme) -> Int {
        max(0, min(scheme.maxZoom, Int(log2(scheme.resolution0 / unitsPerPixel).rounded())))
    }

    /// The tiles covering `extent` (in the scheme's CRS) at `zoom`: (x0, y0, x1, y1) inclusive, y counted from the top.
    public static func tileRange(_ e: Extent, zoom: Int, scheme: Scheme) -> (x0: Int, y0: Int, x1: Int, y1: Int) {
        let size = scheme.resolution0 * 256 / pow(2, Double(zoom))
        let (ox, oy) = scheme == .webMercator ? (-20_037_508.342789244, 20_037_508.342789244) : (-238_375.0, 1_376_256.0)
        return (Int(((e.minX - ox) / size).rounded(.down)), Int(((oy - e.maxY) / size).rounded(.down)),
                Int(((e.maxX - ox) / size).rounded(.down)), Int(((oy - e.minY) / size).rounded(.down)))
    }

    /// Pixels of the image for a frame of `widthMM` × `heightMM`: one tile pixel per 0.2646 mm (96 dpi).
    public static func pixels(widthMM: Double, heightMM: Double) -> (w: Int, h: Int) {
        (max(1, Int((widthMM / 0.2646).rounded())), max(1, Int((heightMM / 0.2646).rounded())))
    }

    /// Fetches and warps the basemap of `extent` (EPSG:27700 metres, the map frame's ground) into `w` × `h` pixels.
    public static func render(extent e: Extent, width w: Int, height h: Int, request r: Request) throws -> Result {
        GDALLibrary.register()
        try FileManager.default.createDirectory(atPath: r.cache, withIntermediateDirectories: true)
        var zoom: Int?
        var tiles: Int
        let source: String
        if r.isWMTS {
            // GDAL picks the matrix level nearest the output resolution (-ovr AUTO): about one tile per 256 × 256 pixels.
            tiles = (w / 256 + 2) * (h / 256 + 2)
            source = r.url
            CPLSetConfigOption("GDAL_DEFAULT_WMS_CACHE_PATH", r.cache)
        } else {
            // The frame in the tile CRS (corners and edge midpoints), its zoom and its tiles.
            var xs = [e.minX, e.maxX, e.minX, e.maxX, (e.minX + e.maxX) / 2, (e.minX + e.maxX) / 2, e.minX, e.maxX]
            var ys = [e.minY, e.minY, e.maxY, e.maxY, e.minY, e.maxY, (e.minY + e.maxY) / 2, (e.minY + e.maxY) / 2]
            if r.scheme.epsg != 27700 { _ = try Projection(from: 27700, to: r.scheme.epsg).transform(x: &xs, y: &ys) }
            guard let te = Extent(x: xs, y: ys) else { throw BasemapError.unavailable("basemap: the map's extent cannot be projected to EPSG:\(r.scheme.epsg)") }
            let z = Basemap.zoom(unitsPerPixel: te.width / Double(w), scheme: r.scheme)
            let t = tileRange(te, zoom: z, scheme: r.scheme)
            tiles = (t.x1 - t.x0 + 1) * (t.y1 - t.y0 + 1)
            zoom = z
            source = wmsXML(r, zoom: z)
        }
        guard tiles <= r.maxTiles else {
            throw BasemapError.tooManyTiles("basemap: this map needs \(tiles) tiles\(zoom.map { " at zoom \($0)" } ?? ""), more than the cap of \(r.maxTiles) per map (tile servers forbid bulk downloads): draw a smaller area or paper, or raise --basemap-max-tiles")
        }
        do {
            return try warp(source, extent: e, width: w, height: h, request: r, zoom: zoom, tiles: tiles)
        } catch let online as BasemapError where !r.isWMTS {
            // Offline (or the server down): the cache alone, tiles missing from it left blank; a map with no cached
            // tile at all is an error, not an empty basemap.
            let offline = source.replacingOccurrences(of: "</GDAL_WMS>", with: "<OfflineMode>true</OfflineMode></GDAL_WMS>")
            guard let result = try? warp(offline, extent: e, width: w, height: h, request: r, zoom: zoom, tiles: tiles), result.covered else { throw online }
            return result
        }
    }

    static func warp(_ source: String, extent e: Extent, width w: Int, height h: Int, request r: Request, zoom: Int?, tiles: Int) throws -> Result {
        CPLErrorReset()
        guard let src = GDALOpenEx(source, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else {
            throw BasemapError.unavailable("basemap: GDAL cannot open \(redacted(r.url)) (\(GDALLibrary.lastError("unknown error")))")
        }
        let s = GDALDatasetHandle(src)
        defer { withExtendedLifetime(s) {} }  // open until the scope ends (layers and bands use s.raw)
        let args = ["-of", "MEM", "-t_srs", "EPSG:27700", "-te", "\(e.minX)", "\(e.minY)", "\(e.maxX)", "\(e.maxY)",
                    "-ts", "\(w)", "\(h)", "-r", "bilinear", "-ovr", r.isWMTS ? "AUTO" : "NONE", "-wo", "NUM_THREADS=1", "-q"]
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        for a in args { argv = CSLAddString(argv, a) }
        defer { CSLDestroy(argv) }
        guard let opts = GDALWarpAppOptionsNew(argv, nil) else { throw BasemapError.unavailable("basemap: GDAL warp options refused") }
        defer { GDALWarpAppOptionsFree(opts) }
        var srcs: [GDALDatasetH?] = [s.raw]
        var usage: Int32 = 0
        let warped = srcs.withUnsafeMutableBufferPointer { GDALWarp("", nil, 1, $0.baseAddress, opts, &usage) }
        guard let warped, CPLGetLastErrorType().rawValue < CE_Failure.rawValue else {
            if let warped { GDALClose(warped) }
            throw BasemapError.unavailable("basemap: the tiles could not be fetched from \(redacted(r.url)) and are not in the cache (\(r.cache)): \(GDALLibrary.lastError("no answer")); connect to the network once to fill the cache, or draw the map without --basemap")
        }
        let d = GDALDatasetHandle(warped)
        defer { withExtendedLifetime(d) {} }  // open until the scope ends (layers and bands use d.raw)
        // Whether any pixel is covered (alpha > 0): the last band of the RGBA result.
        var covered = true
        if GDALGetRasterCount(d.raw) == 4 {
            var alpha = [UInt8](repeating: 0, count: w * h)
            let err = alpha.withUnsafeMutableBytes { GDALRasterIO(GDALGetRasterBand(d.raw, 4), GF_Read, 0, 0, Int32(w), Int32(h), $0.baseAddress, Int32(w), Int32(h), GDT_Byte, 0, 0) }
            covered = err == CE_None && alpha.contains { $0 > 0 }
        }
        // PNG through GDAL's driver into memory.
        let path = "/vsimem/hotspot-basemap-\(UUID().uuidString).png"
        guard let png = GDALGetDriverByName("PNG"), let out = GDALCreateCopy(png, path, d.raw, 0, nil, nil, nil) else {
            throw BasemapError.unavailable("basemap: GDAL cannot write a PNG (\(GDALLibrary.lastError("PNG driver missing")))")
        }
        GDALClose(out)
        var length: vsi_l_offset = 0
        guard let buffer = VSIGetMemFileBuffer(path, &length, 1) else { throw BasemapError.unavailable("basemap: the PNG was not written") }
        defer { VSIFree(buffer) }
        return Result(png: Data(bytes: buffer, count: Int(length)), zoom: zoom, tiles: tiles, covered: covered)
    }

    /// GDAL's WMS description of an XYZ server (`{z}/{x}/{y}` → `${z}/${x}/${y}`), full resolution at `zoom`, RGBA (a
    /// tile the server does not have, HTTP 204 or 404, is transparent), cached on disk.
    public static func wmsXML(_ r: Request, zoom: Int) -> String {
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
        }
        let url = r.url.replacingOccurrences(of: "{z}", with: "${z}").replacingOccurrences(of: "{x}", with: "${x}").replacingOccurrences(of: "{y}", with: "${y}")
            .replacingOccurrences(of: "$$", with: "$")
        let window: String
        if r.scheme == .webMercator {
            window = "<UpperLeftX>-20037508.342789244</UpperLeftX><UpperLeftY>20037508.342789244</UpperLeftY><LowerRightX>20037508.342789244</LowerRightX><LowerRightY>-20037508.342789244</LowerRightY><TileCountX>1</TileCountX><TileCountY>1</TileCountY>"
        } else {
            // 5 × 6 tiles of 229,376 m at zoom 0 cover Great Britain from the OS matrix's origin.
            window = "<UpperLeftX>-238375</UpperLeftX><UpperLeftY>1376256</UpperLeftY><LowerRightX>908505</LowerRightX><LowerRightY>0</LowerRightY><TileCountX>5</TileCountX><TileCountY>6</TileCountY>"
        }
        return """
        <GDAL_WMS><Service name="TMS"><ServerUrl>\(esc(url))</ServerUrl></Service>\
        <DataWindow>\(window)<TileLevel>\(zoom)</TileLevel><YOrigin>top</YOrigin></DataWindow>\
        <Projection>EPSG:\(r.scheme.epsg)</Projection><BlockSizeX>256</BlockSizeX><BlockSizeY>256</BlockSizeY><BandsCount>4</BandsCount>\
        <Cache><Path>\(esc(r.cache))</Path></Cache><UserAgent>\(esc(r.userAgent))</UserAgent><Timeout>\(r.timeout)</Timeout>\
        <MaxConnections>2</MaxConnections><ZeroBlockHttpCodes>204,404</ZeroBlockHttpCodes></GDAL_WMS>
        """
    }

    /// A URL without its query string (API keys stay out of messages).
    public static func redacted(_ url: String) -> String {
        guard let q = url.firstIndex(of: "?") else { return url }
        return String(url[..<q]) + "?…"
    }
}
