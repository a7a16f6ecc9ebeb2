import Foundation
import HotspotCore
import HotspotIO
import HotspotTestSupport
import Testing
@testable import HotspotReports

/// The product registry (issue 20): one list that project files, `hotspot run` and the CLI iterate.
@Suite struct ProductRegistryTests {
    static let demo = Paths.repo.appendingPathComponent("Geodata/demo").path

    func write(_ text: String) throws -> String { try temporaryFile(text) }

    @Test func everyProductHasAUniqueNameAndKeys() {
        let names = ProductRegistry.names
        #expect(Set(names).count == names.count)
        #expect(names == ["areas", "grid", "kde", "gistar", "moran", "optimized", "emerging", "compare", "pspo", "accuracy", "nearrepeat", "context", "stops"])
        for p in ProductRegistry.all { #expect(!p.keys.isEmpty && Set(p.keys).count == p.keys.count, "\(p.name)") }
    }

    @Test func anUnknownProductIsRefusedWithTheRegistrysList() throws {
        let path = try write("inputs: {files: [\(Self.demo)/incidents.csv]}\nproducts:\n  density: {}\n")
        do { _ = try Project.load(path); Issue.record("loaded") } catch let e as Project.ProjectError {
            #expect(e.key == "products.density")
            #expect(e.message == "unknown key; products takes \(ProductRegistry.names.sorted().joined(separator: ", "))")
        }
        let empty = try write("inputs: {files: [\(Self.demo)/incidents.csv]}\nproducts: {}\n")
        do { _ = try Project.load(empty); Issue.record("loaded") } catch let e as Project.ProjectError {
            #expect(e.message == "no product: give at least one of \(ProductRegistry.list)")
        }
    }

    /// A product's requests are kept by type; the folders `hotspot run` writes follow the registry's order.
    @Test func requestsAreKeptByProductInRegistryOrder() {
        var products = Project.Products()
        products.pspo = Project.PspoRequest()
        products[GridJob.self] = Project.GridRequest()
        #expect(products.grid != nil && products.kde == nil)
        #expect(products.names == ["grid", "pspo"])
        #expect(Project.Products.written(products.names) == ["grid/", "pspo/", "pspo.zip", "metadata.json"])
        products.grid = nil
        #expect(products.names == ["pspo"])
    }

    /// `accuracy:` in a project file: the same request `hotspot accuracy` builds from its flags.
    @Test func accuracyDecodesFromAProjectFile() throws {
        let path = try write("""
            inputs: {files: [\(Self.demo)/incidents.csv]}
            products:
              accuracy: {hotspots: \(Self.demo)/wards.geojson, where: "WD22NM=Millpond", earlier: [\(Self.demo)/incidents.csv]}
            """)
        let a = try #require(try Project.load(path).products.accuracy)
        #expect(a.hotspots == Self.demo + "/wards.geojson")
        #expect(a.whereProperty?.0 == "WD22NM" && a.whereProperty?.1 == "Millpond")
        #expect(a.earlier == [Self.demo + "/incidents.csv"])
        let bad = try write("inputs: {files: [\(Self.demo)/incidents.csv]}\nproducts:\n  accuracy: {hotspots: \(Self.demo)/wards.geojson, where: Millpond}\n")
        do { _ = try Project.load(bad); Issue.record("loaded") } catch let e as Project.ProjectError {
            #expect(e.key == "products.accuracy.where" && e.message.hasPrefix("use property=value"))
        }
    }
}

/// docs/reference/project-file.md lists every product with every key it takes (the page is the promise).
@Suite struct ProjectFileReferenceTests {
    @Test func theReferencePageListsEveryProductsKeys() throws {
        let page = try String(contentsOf: Paths.repo.appendingPathComponent("docs/reference/project-file.md"), encoding: .utf8)
        for p in ProductRegistry.all {
            let start = try #require(page.range(of: "`\(p.name): {"), "\(p.name) is not on the page")
            let end = try #require(page.range(of: "}`", range: start.upperBound..<page.endIndex))
            let listed = page[start.upperBound..<end.lowerBound].replacingOccurrences(of: #"\s*\([^)]*\)"#, with: "", options: .regularExpression)
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(Set(listed) == Set(p.keys), "\(p.name): the page lists \(listed), the product takes \(p.keys)")
        }
    }
}
