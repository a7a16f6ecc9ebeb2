import CGEOS
import HotspotCore

/// Owns one reentrant GEOS context handle and collects the messages GEOS reports through it.
/// Not thread-safe (GEOS contexts are per thread): create one per thread.
public final class GEOSContext {
    let handle: GEOSContextHandle_t
    private let messages = MessageBox()

    final class MessageBox { var errors: [String] = []; var notices: [String] = [] }

    public init() throws {
        guard let h = GEOS_init_r() else { throw GeoError.geos("GEOS_init_r failed") }
        handle = h
        let box = Unmanaged.passUnretained(messages).toOpaque()
        GEOSContext_setErrorMessageHandler_r(h, { msg, data in
            guard let msg, let data else { return }
            Unmanaged<MessageBox>.fromOpaque(data).takeUnretainedValue().errors.append(String(cString: msg))
        }, box)
        GEOSContext_setNoticeMessageHandler_r(h, { msg, data in
            guard let msg, let data else { return }
            Unmanaged<MessageBox>.fromOpaque(data).takeUnretainedValue().notices.append(String(cString: msg))
        }, box)
    }

    deinit { GEOS_finish_r(handle) }

    /// The last error GEOS reported, consumed.
    func takeError(_ fallback: String) -> GeoError {
        let m = messages.errors.last ?? fallback
        messages.errors.removeAll()
        return .geos(m)
    }

    public static var version: String { String(cString: GEOSversion()) }
}

public enum GeoError: Error, CustomStringConvertible, Equatable {
    case geos(String)
    case proj(String)
    case invalidGeometry(area: String, reason: String)
    case gdal(String)
    /// A database or table that cannot be reached or does not exist (an input that cannot be read, as a missing file).
    case unreachable(String)

    public var description: String {
        switch self {
        case .geos(let m): return "GEOS: \(m)"
        case .proj(let m): return "PROJ: \(m)"
        case let .invalidGeometry(a, r): return "area \(a) has an invalid polygon (\(r)) that could not be repaired"
        case .gdal(let m), .unreachable(let m): return m
        }
    }
}
