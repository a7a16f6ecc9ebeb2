/// The text of a C string that a C library may return as NULL (a NULL column value, an allocation that failed, an
/// unknown error code): `fallback` then, never a crash in `String(cString:)` (issue 21).
public func cText(_ p: UnsafePointer<CChar>?, or fallback: String = "") -> String {
    p.map { String(cString: $0) } ?? fallback
}

/// `cText` for the unsigned text SQLite returns (`sqlite3_column_text`).
public func cText(_ p: UnsafePointer<UInt8>?, or fallback: String = "") -> String {
    p.map { String(cString: $0) } ?? fallback
}
