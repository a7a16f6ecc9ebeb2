import Foundation
import HotspotCore
import HotspotIO

/// A product `hotspot run` makes: its name (the key under `products:` in a project file and the folder it is written
/// to), its project-file section (decoded in its own file, Products/NAME.swift), its typed parameters (`Request`,
/// kept in `Project.products`) and how it is made from the inputs a run has loaded once. Adding a product is one
/// file (its job and this conformance) plus one line in `ProductRegistry.all`; project-file validation, `hotspot
/// run`'s order and messages, and the CLI's check that each product has its command all iterate the registry.
public protocol Product: SendableMetatype {
    /// The typed parameters: the project-file section and the command's flags decode to this value.
    associatedtype Request: Sendable
    /// The key under `products:` and the folder inside the run's output.
    static var name: String { get }
    /// The keys its section takes (a key outside them stops the run: "… takes a, b, c").
    static var keys: [String] { get }
    /// Decodes its section (`section`, already checked against `keys`) for the project decoded so far (its layers,
    /// map options): paths are relative to the project file.
    static func decode(_ section: [String: Project.Field], at field: Project.Field, for project: Project) throws -> Request
    /// Makes the product into `project.out` (its folder in the run's output set) from the loaded inputs.
    static func make(_ project: Project, command: String, inputs: JobInputs) throws -> ProductOutcome
    /// Files it writes beside its folder in a run's output (default none; the PSPO pack's zip).
    static var besideFolder: [String] { get }
}

extension Product {
    public static var besideFolder: [String] { [] }
    /// Whether `project` asks for this product.
    static func isRequested(_ project: Project) -> Bool { project.products[Self.self] != nil }
    /// Decodes the section and keeps its request in `project.products`.
    static func decodeSection(_ field: Project.Field, into project: inout Project) throws {
        let section = try field.mapping(Set(keys))
        project.products[Self.self] = try decode(section, at: field, for: project)
    }
}

/// What a product made, as `hotspot run` reports it.
public struct ProductOutcome {
    /// The line logged on stderr, e.g. "kde: bandwidth 350.0 m, 3 hotspot polygon(s)".
    public var summary: String
    public var warnings: [String]
    /// Files the product writes beside its folder (the PSPO pack's zip), name → bytes, recorded in the run's set.
    public var besideFolder: [(String, Data)]
    public init(summary: String, warnings: [String] = [], besideFolder: [(String, Data)] = []) {
        self.summary = summary; self.warnings = warnings; self.besideFolder = besideFolder
    }
}

/// Every product `hotspot run` can make, in the order it makes them and lists them.
public enum ProductRegistry {
    public static let all: [any Product.Type] = [
        AreasJob.self, GridJob.self, KDEJob.self, GiStarJob.self, MoranJob.self, OptimizedJob.self, EmergingJob.self, CompareJob.self, PspoJob.self, AccuracyJob.self,
        NearRepeatJob.self, ContextJob.self, StopsJob.self,
    ]
    /// The products' names, in order.
    public static var names: [String] { all.map { $0.name } }
    /// "areas, grid, kde, …" for messages.
    public static var list: String { names.joined(separator: ", ") }
}

extension Project {
    /// The products to make and their parameters, one request per product (absent: not made). Read and set one
    /// product's request with its type, `products[KDEJob.self]`, or its named accessor (`products.kde`, declared in
    /// the product's file).
    public struct Products: Sendable {
        private var requests: [String: any Sendable] = [:]
        public init() {}
        public subscript<P: Product>(_ product: P.Type) -> P.Request? {
            get { requests[P.name] as? P.Request }
            set { requests[P.name] = newValue }
        }
        /// The products requested, in the registry's order (the folders `hotspot run` writes).
        public var names: [String] { ProductRegistry.names.filter { requests[$0] != nil } }
        /// What `hotspot run` writes for the products `names`: their folders, the pack's zip, metadata.json.
        public static func written(_ names: [String]) -> [String] {
            names.map { $0 + "/" } + ProductRegistry.all.filter { names.contains($0.name) }.flatMap { $0.besideFolder } + ["metadata.json"]
        }
    }
}
