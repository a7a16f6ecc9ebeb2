import Synchronization

/// Parsed layers, keyed by (path, table) and checked against the file's key (device, inode, mtime, size) on every
/// request: a file swapped in or rewritten is read again, whole. A layer is read once however many requests ask for
/// it at the same time (they wait for the same task). Least recently used layers go beyond `budgetBytes`.
public final class LayerCache: Sendable {
    struct Slot: Sendable {
        var key: FileKey
        var task: Task<ServedLayer, any Error>
        var bytes: Int
        var used: UInt64
    }
    private let slots = Mutex<(slots: [String: Slot], clock: UInt64)>(([:], 0))
    let budgetBytes: Int
    /// How the layer is read (a test can count or slow reads).
    let reader: @Sendable (CatalogueEntry) throws -> ServedLayer

    public init(budgetBytes: Int = 1 << 30, reader: @escaping @Sendable (CatalogueEntry) throws -> ServedLayer = LayerReader.read) {
        self.budgetBytes = budgetBytes; self.reader = reader
    }

    static func name(_ e: CatalogueEntry) -> String {
        switch e.source {
        case .geojson: return e.path
        case .geopackage(let t): return e.path + "\u{0}" + t
        }
    }

    /// The layer as its file is now. Throws `LayerError` when the file is gone or cannot be read.
    public func layer(_ entry: CatalogueEntry) async throws -> ServedLayer {
        guard let key = FileKey.of(path: entry.path) else { throw LayerError.unreadable("\(entry.relativePath) is gone") }
        let name = Self.name(entry)
        let task: Task<ServedLayer, any Error> = slots.withLock { s in
            s.clock += 1
            if var hit = s.slots[name], hit.key == key {
                hit.used = s.clock
                s.slots[name] = hit
                return hit.task
            }
            let reader = self.reader
            let t = Task.detached { try reader(entry) }
            s.slots[name] = Slot(key: key, task: t, bytes: 0, used: s.clock)
            return t
        }
        do {
            let layer = try await task.value
            record(name: name, layer: layer)
            return layer
        } catch {
            // A failed read is not kept: the next request tries again.
            slots.withLock { s in if let cur = s.slots[name], cur.key == key { s.slots[name] = nil } }
            throw error
        }
    }

    /// Notes the layer's size and evicts the least recently used others beyond the budget.
    private func record(name: String, layer: ServedLayer) {
        slots.withLock { s in
            guard var cur = s.slots[name], cur.bytes == 0 else { return }
            cur.bytes = layer.approximateBytes
            s.slots[name] = cur
            var total = s.slots.values.reduce(0) { $0 + $1.bytes }
            while total > budgetBytes, s.slots.count > 1,
                  let victim = s.slots.filter({ $0.key != name && $0.value.bytes > 0 }).min(by: { $0.value.used < $1.value.used }) {
                total -= victim.value.bytes
                s.slots[victim.key] = nil
            }
        }
    }

    /// Drops layers whose files are no longer in the catalogue.
    public func prune(keeping entries: [CatalogueEntry]) {
        let names = Set(entries.map(Self.name))
        slots.withLock { s in s.slots = s.slots.filter { names.contains($0.key) } }
    }

    public var count: Int { slots.withLock { $0.slots.count } }
}
