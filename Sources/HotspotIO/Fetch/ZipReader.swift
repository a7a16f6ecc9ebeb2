import CZlib
import Foundation

/// One member of a zip as its central directory describes it (sizes in bytes; ZIP64 values already applied).
public struct ZipMember: Sendable, Equatable {
    public var name: String
    /// 0 stored, 8 deflated.
    public var method: Int
    public var crc32: UInt32
    public var compressedSize: Int64
    public var size: Int64
    /// Offset of the member's local header in the archive.
    public var localHeaderOffset: Int64
    public var flags: Int
}

/// Reads a zip archive (PKWARE APPNOTE 6.3, with ZIP64) through a `RangeSource`: the end of central directory
/// (and ZIP64 records), the central directory, then only the members asked for (local header and data), inflated
/// with zlib (raw deflate) and checked against their CRC-32 and sizes. Nothing else of the archive is read.
public final class ZipReader {
    public let source: RangeSource
    /// The members in central-directory order.
    public let members: [ZipMember]
    private let byName: [String: Int]

    public init(source: RangeSource) throws {
        self.source = source
        members = try ZipReader.centralDirectory(source)
        var index: [String: Int] = [:]
        for (i, m) in members.enumerated() { index[m.name] = i }
        byName = index
    }

    public func member(_ name: String) -> ZipMember? { byName[name].map { members[$0] } }

    func damaged(_ why: String) -> ArchiveError {
        ArchiveError(.damaged, "\(source.name): not a usable zip archive (\(why)); download it again")
    }

    static func centralDirectory(_ src: RangeSource) throws -> [ZipMember] {
        func damaged(_ why: String) -> ArchiveError {
            ArchiveError(.damaged, "\(src.name): not a usable zip archive (\(why)); download it again")
        }
        guard src.size >= 22 else { throw damaged("too short: \(src.size) bytes") }
        // The end of central directory record is within the last 22 + 65,535 (comment) bytes; with ZIP64 its
        // locator (20 bytes) sits just before it.
        let tailLength = Int(min(src.size, 22 + 65_535 + 20))
        let tailStart = src.size - Int64(tailLength)
        let tail = try src.read(offset: tailStart, count: tailLength)
        var e = -1
        var i = tail.count - 22
        while i >= 0 {
            if tail[i] == 0x50, tail[i + 1] == 0x4b, tail[i + 2] == 5, tail[i + 3] == 6 { e = i; break }
            i -= 1
        }
        guard e >= 0 else { throw damaged("no end of central directory record: cut short or not a zip") }
        var count = Int64(le16(tail, e + 10))
        var cdSize = Int64(le32(tail, e + 12))
        var cdOffset = Int64(le32(tail, e + 16))
        if e >= 20, le32(tail, e - 20) == 0x0706_4b50 {
            // ZIP64 end of central directory locator → record.
            let recordOffset = Int64(le64(tail, e - 20 + 8))
            guard recordOffset >= 0, recordOffset + 56 <= src.size else { throw damaged("ZIP64 locator points outside the file") }
            let rec = try src.read(offset: recordOffset, count: 56)
            guard le32(rec, 0) == 0x0606_4b50 else { throw damaged("no ZIP64 end of central directory record") }
            count = Int64(le64(rec, 32)); cdSize = Int64(le64(rec, 40)); cdOffset = Int64(le64(rec, 48))
        }
        guard cdOffset >= 0, cdSize >= 0, cdOffset + cdSize <= src.size, count >= 0, count <= cdSize / 46 + 1 else {
            throw damaged("the central directory lies outside the file (cut short?)")
        }
        // The central directory: from the tail already read when it lies there, else one more read.
        let cd: [UInt8]
        if cdOffset >= tailStart { cd = Array(tail[Int(cdOffset - tailStart)..<Int(cdOffset - tailStart + cdSize)]) }
        else { cd = Array(try src.read(offset: cdOffset, count: Int(src.size - cdOffset)).prefix(Int(cdSize))) }  // to the end: one range
        var out: [ZipMember] = []
        out.reserveCapacity(Int(count))
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= cd.count, le32(cd, p) == 0x0201_4b50 else { throw damaged("damaged central directory entry \(out.count + 1)") }
            let flags = le16(cd, p + 8), method = le16(cd, p + 10)
            let crc = UInt32(le32(cd, p + 16))
            var csize = Int64(le32(cd, p + 20)), usize = Int64(le32(cd, p + 24))
            let nlen = le16(cd, p + 28), xlen = le16(cd, p + 30), clen = le16(cd, p + 32)
            var local = Int64(le32(cd, p + 42))
            guard p + 46 + nlen + xlen + clen <= cd.count else { throw damaged("damaged central directory entry \(out.count + 1)") }
            let name = String(decoding: cd[(p + 46)..<(p + 46 + nlen)], as: UTF8.self)
            // ZIP64 extended information (0x0001): the 64-bit values of the fields that hold 0xFFFFFFFF, in order.
            var x = p + 46 + nlen
            let xEnd = x + xlen
            while x + 4 <= xEnd {
                let id = le16(cd, x), len = le16(cd, x + 2)
                if id == 1 {
                    var q = x + 4
                    if usize == 0xFFFF_FFFF, q + 8 <= x + 4 + len { usize = Int64(le64(cd, q)); q += 8 }
                    if csize == 0xFFFF_FFFF, q + 8 <= x + 4 + len { csize = Int64(le64(cd, q)); q += 8 }
                    if local == 0xFFFF_FFFF, q + 8 <= x + 4 + len { local = Int64(le64(cd, q)); q += 8 }
                }
                x += 4 + len
            }
            guard csize >= 0, usize >= 0, local >= 0, local + 30 + csize <= src.size else {
                throw damaged("\(name): its data lie outside the file (cut short?)")
            }
            out.append(ZipMember(name: name, method: method, crc32: crc, compressedSize: csize, size: usize,
                                 localHeaderOffset: local, flags: flags))
            p += 46 + nlen + xlen + clen
        }
        return out
    }

    /// The offset of `member`'s compressed data (after its local header, whose name and extra lengths may differ
    /// from the central directory's).
    public func dataOffset(_ member: ZipMember) throws -> Int64 {
        let h = try source.read(offset: member.localHeaderOffset, count: 30)
        guard h.count == 30, le32(h, 0) == 0x0403_4b50 else { throw damaged("\(member.name): no local header where the central directory says") }
        let start = member.localHeaderOffset + 30 + Int64(le16(h, 26)) + Int64(le16(h, 28))
        guard start + member.compressedSize <= source.size else { throw damaged("\(member.name): cut short") }
        return start
    }

    /// Checks what can be read before any byte of a member is taken: its method and flags.
    public func checkReadable(_ member: ZipMember) throws {
        if member.flags & 1 != 0 { throw damaged("\(member.name) is encrypted") }
        guard member.method == 0 || member.method == 8 else {
            throw damaged("\(member.name): compression method \(member.method), only stored (0) and deflated (8) are read")
        }
    }

    /// Streams `member`'s uncompressed bytes to `sink` in chunks, then checks its size and CRC-32.
    public func extract(_ member: ZipMember, chunk: Int = 1 << 20, to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        try checkReadable(member)
        let start = try dataOffset(member)
        let inflater = try ZipInflater(member: member, archive: source.name)
        var offset: Int64 = 0
        while offset < member.compressedSize {
            let n = Int(min(Int64(chunk), member.compressedSize - offset))
            let bytes = try source.read(offset: start + offset, count: n)
            try inflater.feed(bytes, to: sink)
            offset += Int64(n)
        }
        try inflater.finish(to: sink)
    }

    /// `member`'s uncompressed bytes (for small members: headers, tests).
    public func data(_ member: ZipMember) throws -> [UInt8] {
        var out: [UInt8] = []
        try extract(member) { out.append(contentsOf: $0) }
        return out
    }
}

/// Decompresses one zip member as its compressed bytes arrive (stored: copied; deflated: zlib raw inflate,
/// windowBits −15), counting its size and CRC-32 and checking both against the central directory at the end.
public final class ZipInflater {
    public let member: ZipMember
    let archive: String
    private var stream = z_stream()
    private var started = false
    private var ended = false
    public private(set) var produced: Int64 = 0
    private var crc: uLong = 0

    public init(member: ZipMember, archive: String) throws {
        self.member = member; self.archive = archive
        if member.method == 8 {
            guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw ArchiveError(.damaged, "zlib: inflateInit2 failed")
            }
            started = true
        }
    }

    deinit { if started { inflateEnd(&stream) } }

    private func damaged(_ why: String) -> ArchiveError {
        ArchiveError(.damaged, "\(archive): member \(member.name) is damaged (\(why)); download the archive again")
    }

    private func emit(_ b: UnsafeRawBufferPointer, _ sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        guard b.count > 0 else { return }
        produced += Int64(b.count)
        guard produced <= member.size else { throw damaged("more bytes than its stated size \(member.size)") }
        crc = CZlib.crc32(crc, b.bindMemory(to: Bytef.self).baseAddress, uInt(b.count))
        try sink(b)
    }

    /// Takes the next compressed bytes, passing what they decompress to.
    public func feed(_ bytes: [UInt8], to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if member.method == 0 { try bytes.withUnsafeBytes { try emit($0, sink) }; return }
        guard !ended || bytes.isEmpty else { throw damaged("bytes after the end of its deflate stream") }
        var out = [UInt8](repeating: 0, count: 1 << 18)
        var input = bytes
        try input.withUnsafeMutableBufferPointer { ib in
            stream.next_in = ib.baseAddress
            stream.avail_in = uInt(ib.count)
            repeat {
                let (status, n): (Int32, Int) = out.withUnsafeMutableBufferPointer { ob in
                    stream.next_out = ob.baseAddress; stream.avail_out = uInt(ob.count)
                    let s = inflate(&stream, Z_NO_FLUSH)
                    return (s, ob.count - Int(stream.avail_out))
                }
                try out.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<n]), sink) }
                if status == Z_STREAM_END { ended = true; if stream.avail_in > 0 { throw damaged("bytes after the end of its deflate stream") }; break }
                if status == Z_BUF_ERROR && n == 0 { break }
                guard status == Z_OK else { throw damaged("bad deflate data, zlib status \(status)") }
            } while stream.avail_in > 0 || stream.avail_out == 0
        }
    }

    /// Checks, at the end of the compressed bytes, that the stream ended with the stated size and CRC-32.
    public func finish(to sink: (UnsafeRawBufferPointer) throws -> Void) throws {
        if member.method == 8 && !ended { throw damaged("its deflate stream is cut short") }
        guard produced == member.size else { throw damaged("\(produced) bytes where its stated size is \(member.size)") }
        guard UInt32(crc) == member.crc32 else { throw damaged("CRC-32 mismatch") }
    }
}

@inline(__always) func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
@inline(__always) func le32(_ b: [UInt8], _ i: Int) -> Int { le16(b, i) | le16(b, i + 2) << 16 }
@inline(__always) func le64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(le32(b, i)) | UInt64(le32(b, i + 4)) << 32 }
