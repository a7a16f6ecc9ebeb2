import CZlib
import Foundation

/// Where an incident file's bytes come from: a plain file, or a gzip-compressed one (`.gz`, decompressed as it
/// streams with zlib). `rawBytesRead` counts the bytes of the file itself (for progress and its SHA-256).
protocol ByteSource {
    /// The next chunk of decompressed bytes, empty at the end, and the file's own bytes consumed for it.
    mutating func next(_ maxCount: Int) throws -> (data: Data, raw: Data)
}

struct PlainSource: ByteSource {
    let handle: FileHandle
    mutating func next(_ maxCount: Int) throws -> (data: Data, raw: Data) {
        let d = try handle.read(upToCount: maxCount) ?? Data()
        return (d, d)
    }
}

/// Streaming gzip decompression (zlib `inflate` with gzip headers; concatenated members are read in turn).
final class GzipSource: ByteSource {
    let handle: FileHandle
    let path: String
    private var stream = z_stream()
    private var input = Data()
    private var finished = false
    /// True between a member's first byte and its end-of-stream marker (CRC and length checked by zlib).
    private var inMember = false

    init(handle: FileHandle, path: String) throws {
        self.handle = handle; self.path = path
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw InputError.unreadable(path, "cannot start gzip decompression")
        }
    }

    deinit { inflateEnd(&stream) }

    func next(_ maxCount: Int) throws -> (data: Data, raw: Data) {
        guard !finished else { return (Data(), Data()) }
        var out = Data(count: maxCount)
        var produced = 0
        var raw = Data()
        while produced < maxCount {
            if input.isEmpty {
                let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
                if chunk.isEmpty {
                    if inMember { throw truncated }
                    finished = true; break
                }
                raw.append(chunk)
                input = chunk
            }
            inMember = true
            var consumed = 0
            let status: Int32 = input.withUnsafeBytes { inBuf in
                out.withUnsafeMutableBytes { outBuf in
                    stream.next_in = UnsafeMutablePointer(mutating: inBuf.bindMemory(to: Bytef.self).baseAddress!)
                    stream.avail_in = uInt(inBuf.count)
                    stream.next_out = outBuf.bindMemory(to: Bytef.self).baseAddress! + produced
                    stream.avail_out = uInt(maxCount - produced)
                    let s = inflate(&stream, Z_NO_FLUSH)
                    consumed = inBuf.count - Int(stream.avail_in)
                    produced = maxCount - Int(stream.avail_out)
                    return s
                }
            }
            input.removeFirst(consumed)
            if status == Z_STREAM_END {
                inMember = false
                // Another gzip member may follow.
                if input.isEmpty {
                    let chunk = try handle.read(upToCount: 1 << 20) ?? Data()
                    if chunk.isEmpty { finished = true; break }
                    raw.append(chunk); input = chunk
                }
                inflateReset(&stream)
            } else if status != Z_OK && status != Z_BUF_ERROR {
                throw InputError.unreadable(path, "corrupt gzip data (zlib status \(status))")
            } else if status == Z_BUF_ERROR && consumed == 0 && produced < maxCount && input.isEmpty == false {
                throw InputError.unreadable(path, "corrupt gzip data")
            }
        }
        out.count = produced
        return (out, raw)
    }

    private var truncated: InputError {
        InputError.unreadable(path, "truncated gzip file: it ends before its end-of-stream marker and checksum (cut short while copying or downloading?); nothing was used")
    }
}
