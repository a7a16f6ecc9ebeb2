import Foundation
import HotspotCore
import HotspotIO
import HotspotCartography
@testable import HotspotReports

/// A request as the tests spell it: the inputs, where to write, and the one product.
func request(_ files: [String], read: ReadOptions = ReadOptions(), boundary: LayerSpec? = nil, layers: [LayerSpec] = [],
             out: String, products: (inout Project.Products) -> Void = { _ in }) -> Project {
    var p = Project(files: files, out: out)
    p.read = read; p.boundary = boundary; p.layers = layers
    products(&p.products)
    return p
}
