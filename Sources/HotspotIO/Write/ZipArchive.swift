import CZlib
import Foundation

/// A minimal, deterministic ZIP (PKWARE APPNOTE 6.3.x, no Zip64): entries in the given order, deflated (raw
/// deflate, zlib level 9) when that is smaller, else stored; every timestamp 1980-01-01 00:00 and mode 0644, so the
/// same files give the same bytes. Reading checks every entry's CRC-32 and refuses paths that leave the folder.
public enum ZipArchive {
    public struct ZipError: Error, CustomStringConvertible {
        public var description: String
        init(_ s: String) { description = s }
    }

    /// The archive of `entries` (relative paths with `/`, contents).
    public static func write(_ entries: [(path: String, data: Data)]) throws -> Data {
        var out = Data(), central = Data()
        for (path, data) in entries {
            guard data.count < Int(UInt32.max), let name = path.data(using: .utf8), name.count < 65_536 else {
                throw ZipError("\(path): too large for a ZIP without Zip64")
            }
            let crc = checksum(data)
            let deflated = try deflate(data)
            let (method, body): (UInt16, Data) = deflated.count < data.count ? (8, deflated) : (0, data)
            let offset = UInt32(out.count)
            // Local file header.
            out.le32(0x0403_4b50); out.le16(20); out.le16(0x0800); out.le16(method); out.le16(0); out.le16(0x21)
            out.le32(crc); out.le32(UInt32(body.count)); out.le32(UInt32(data.count)); out.le16(UInt16(name.count)); out.le16(0)
            out.append(name); out.append(body)
            // Central directory header (made by Unix, regular file 0644).
            central.le32(0x0201_4b50); central.le16(0x0314); central.le16(20); central.le16(0x0800); central.le16(method)
            central.le16(0); central.le16(0x21); central.le32(crc); central.le32(UInt32(body.count)); central.le32(UInt32(data.count))
            central.le16(UInt16(name.count)); central.le16(0); central.le16(0); central.le16(0); central.le16(0)
            central.le32(0o100644 << 16); central.le32(offset); central.append(name)
            guard out.count < Int(UInt32.max) else { throw ZipError("the archive is too large for a ZIP without Zip64") }
        }
        let cdOffset = UInt32(out.count)
        out.append(central)
        out.le32(0x0605_4b50); out.le16(0); out.le16(0); out.le16(UInt16(entries.count)); out.le16(UInt16(entries.count))
        out.le32(UInt32(central.count)); out.le32(cdOffset); out.le16(0)
        return out
    }

    /// The entries of an archive, in central-directory order, each checked against its CRC-32.
    public static func read(_ zip: Data) throws -> [(path: String, data: Data)] {
        let z = [UInt8](zip)
        func u16(_ i: Int) throws -> Int { guard i + 2 <= z.count else { throw ZipError("truncated archive") }; return Int(z[i]) | Int(z[i + 1]) << 8 }
        func u32(_ i: Int) throws -> Int { let lo = try u16(i), hi = try u16(i + 2); return lo | hi << 16 }
        // End of central directory: the last signature within the final 64 KiB + 22 bytes.
        guard z.count >= 22 else { throw ZipError("not a ZIP archive (too short)") }
        var eocd = -1
        for i in stride(from: z.count - 22, through: max(0, z.count - 65_557), by: -1) where z[i] == 0x50 && (try? u32(i)) == 0x0605_4b50 {
            eocd = i; break
        }
        guard eocd >= 0 else { throw ZipError("not a ZIP archive (no end of central directory)") }
        let count = try u16(eocd + 10)
        var p = try u32(eocd + 16)
        var out: [(String, Data)] = []
        for _ in 0..<count {
            guard try u32(p) == 0x0201_4b50 else { throw ZipError("damaged central directory") }
            let method = try u16(p + 10), crc = try u32(p + 16), csize = try u32(p + 20), usize = try u32(p + 24)
            let nlen = try u16(p + 28), xlen = try u16(p + 30), clen = try u16(p + 32), local = try u32(p + 42)
            guard p + 46 + nlen <= z.count, let name = String(bytes: z[(p + 46)..<(p + 46 + nlen)], encoding: .utf8) else { throw ZipError("damaged entry name") }
            guard !name.hasPrefix("/"), !name.split(separator: "/").contains(".."), !name.contains("\\") else {
                throw ZipError("\(name): an entry path that leaves the folder")
            }
            guard try u32(local) == 0x0403_4b50 else { throw ZipError("\(name): damaged local header") }
            let n1 = try u16(local + 26), x1 = try u16(local + 28)
            let start = local + 30 + n1 + x1
            guard start + csize <= z.count else { throw ZipError("\(name): truncated") }
            let body = Data(z[start..<(start + csize)])
            let data: Data
            switch method {
            case 0: data = body
            case 8: data = try inflate(body, size: usize)
            default: throw ZipError("\(name): compression method \(method) is not supported")
            }
            guard data.count == usize, checksum(data) == UInt32(crc) else { throw ZipError("\(name): CRC-32 mismatch (the archive is damaged)") }
            out.append((name, data))
            p += 46 + nlen + xlen + clen
        }
        return out
    }

    static func checksum(_ d: Data) -> UInt32 {
        d.withUnsafeBytes { UInt32(crc32(0, $0.bindMemory(to: Bytef.self).baseAddress, uInt($0.count))) }
    }

    static func deflate(_ d: Data) throws -> Data {
        var s = z_stream()
        guard deflateInit2_(&s, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ZipError("zlib: deflateInit2 failed")
        }
        defer { deflateEnd(&s) }
        var out = [UInt8](repeating: 0, count: Int(deflateBound(&s, uLong(d.count))) + 16)
        var input = [UInt8](d)
        let rc = input.withUnsafeMutableBufferPointer { ib in
            out.withUnsafeMutableBufferPointer { ob -> Int32 in
                s.next_in = ib.baseAddress; s.avail_in = uInt(ib.count)
                s.next_out = ob.baseAddress; s.avail_out = uInt(ob.count)
                return CZlib.deflate(&s, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw ZipError("zlib: deflate failed (\(rc))") }
        return Data(out.prefix(Int(s.total_out)))
    }

    static func inflate(_ d: Data, size: Int) throws -> Data {
        var s = z_stream()
        guard inflateInit2_(&s, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { throw ZipError("zlib: inflateInit2 failed") }
        defer { inflateEnd(&s) }
        var out = [UInt8](repeating: 0, count: max(size, 1))
        var input = [UInt8](d)
        let rc = input.withUnsafeMutableBufferPointer { ib in
            out.withUnsafeMutableBufferPointer { ob -> Int32 in
                s.next_in = ib.baseAddress; s.avail_in = uInt(ib.count)
                s.next_out = ob.baseAddress; s.avail_out = uInt(ob.count)
                return CZlib.inflate(&s, Z_FINISH)
            }
        }
        guard rc == Z_STREAM_END else { throw ZipError("damaged deflate data") }
        return Data(out.prefix(Int(s.total_out)))
    }
}

extension Data {
    mutating func le16(_ v: UInt16) { append(UInt8(v & 0xff)); append(UInt8(v >> 8)) }
    mutating func le32(_ v: UInt32) { le16(UInt16(v & 0xffff)); le16(UInt16(v >> 16)) }
}
