import Testing
@testable import HotspotCore

@Suite struct KernelDensityTests {
    static let px: [Double] = [0, 100, 0, 100, 50, 60, 55, 400]
    static let py: [Double] = [0, 0, 100, 100, 50, 40, 45, 400]

    /// ../shared/reference/README.md: the ArcGIS default-radius vector.
    @Test func arcgisDefaultRadiusVector() {
        let c = Bandwidth.centrography(x: Self.px, y: Self.py)
        #expect(abs(c.mx - 95.625) < 1e-12 && abs(c.my - 91.875) < 1e-12)
        #expect(abs(c.sd - 171.2340) < 5e-5)
        #expect(abs(c.dm - 77.4544) < 5e-5)
        let h = Bandwidth.arcgis(x: Self.px, y: Self.py)
        #expect(abs(h - 55.2406) < 5e-5)
        // Quartic density at (50, 50) with that radius: 8.8896e-4 per m².
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 1, nrows: 1)
        let s = kernelDensity(x: Self.px, y: Self.py, grid: grid, parameters: KDEParameters(bandwidth: h, unit: .perM2, mode: .exact))
        #expect(abs(s.values[0] - 8.8896e-4) < 5e-8)
    }

    @Test func nrdVector() {
        #expect(abs(Bandwidth.nrd(Self.px) - 130.4737) < 5e-5)
        #expect(abs(Bandwidth.nrd(Self.py) - 146.1306) < 5e-5)
        #expect(abs(Bandwidth.compute(.nrd, x: Self.px, y: Self.py) - (130.4737 + 146.1306) / 2) < 1e-4)
    }

    /// Every kernel integrates to 1: one incident at a cell centre, h = 100 cells; Σ density · c² ≈ 1 (the midpoint
    /// rule's error on the uniform kernel's disc edge is the largest, ≈ 2/h).
    @Test(arguments: Kernel.allCases)
    func integratesToOne(kernel: Kernel) {
        let c = 1.0, h = 100.0
        let grid = SquareGrid(x0: -110, y0: -110, cellSize: c, ncols: 220, nrows: 220)
        let s = kernelDensity(x: [0.5], y: [0.5], grid: grid, parameters: KDEParameters(bandwidth: h, kernel: kernel, unit: .perM2, mode: .exact))
        let total = s.values.reduce(0, +) * c * c
        #expect(abs(total - 1) < 2e-3, "\(kernel): \(total)")
        // Exactly the closed form at the centre.
        #expect(abs(s.values[110 * 220 + 110] - kernel.constant / (Double.pi * h * h) * kernel.profile(u2: 0)) < 1e-15)
    }

    @Test func exactMatchesBruteForceAndCountsPointsOutsideTheGrid() {
        var g = SystemRandomNumberGenerator()
        let xs = (0..<3000).map { _ in Double.random(in: -500...1500, using: &g) }
        let ys = (0..<3000).map { _ in Double.random(in: -500...1500, using: &g) }
        let ws = (0..<3000).map { _ in Double.random(in: 0.5...2, using: &g) }
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 50, ncols: 20, nrows: 20)
        for kernel in Kernel.allCases {
            let s = kernelDensity(x: xs, y: ys, weights: ws, grid: grid, parameters: KDEParameters(bandwidth: 230, kernel: kernel, unit: .perKm2, mode: .exact))
            for k in stride(from: 0, to: grid.cellCount, by: 7) {
                let ctr = grid.centre(index: k)
                var want = 0.0
                for i in 0..<xs.count {
                    let d = ((xs[i] - ctr.x) * (xs[i] - ctr.x) + (ys[i] - ctr.y) * (ys[i] - ctr.y)).squareRoot()
                    if d < 230 { want += ws[i] * kernel.value(distance: d, bandwidth: 230) }
                }
                want *= 1e6
                #expect(abs(s.values[k] - want) <= 1e-9 * max(1e-12, abs(want)), "\(kernel) cell \(k)")
            }
        }
    }

    @Test func binnedStaysWithinItsDocumentedBound() {
        var g = SystemRandomNumberGenerator()
        let xs = (0..<20_000).map { _ in 500 + 200 * Double.random(in: -1...1, using: &g) + Double.random(in: 0...1000, using: &g) }
        let ys = (0..<20_000).map { _ in Double.random(in: 0...1000, using: &g) }
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 25, ncols: 60, nrows: 40)
        var p = KDEParameters(bandwidth: 150, unit: .perKm2, mode: .exact)
        let exact = kernelDensity(x: xs, y: ys, grid: grid, parameters: p)
        p.mode = .binned
        let binned = kernelDensity(x: xs, y: ys, grid: grid, parameters: p)
        #expect(binned.mode == .binned && binned.errorPerIncident > 0)
        let delta = 25.0 / 4 / 2.0.squareRoot()
        for k in 0..<grid.cellCount {
            let ctr = grid.centre(index: k)
            var near = 0
            for i in 0..<xs.count {
                let dx = xs[i] - ctr.x, dy = ys[i] - ctr.y
                if dx * dx + dy * dy < (150 + delta) * (150 + delta) { near += 1 }
            }
            #expect(abs(binned.values[k] - exact.values[k]) <= binned.errorPerIncident * Double(near) + 1e-9)
        }
        // The bound is not vacuous: the mean error is well under 1% of the mean density.
        let meanErr = zip(binned.values, exact.values).map { abs($0 - $1) }.reduce(0, +) / Double(grid.cellCount)
        let mean = exact.values.reduce(0, +) / Double(grid.cellCount)
        #expect(meanErr < 0.01 * mean)
    }

    @Test func autoPicksExactForSmallInputs() {
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 10, nrows: 10)
        #expect(kernelDensity(x: [500], y: [500], grid: grid, parameters: KDEParameters(bandwidth: 400)).mode == .exact)
        var p = KDEParameters(bandwidth: 400); p.exactBudget = 10
        #expect(kernelDensity(x: [500, 600], y: [500, 600], grid: grid, parameters: p).mode == .binned)
    }

    @Test func maskGivesNoData() {
        let grid = SquareGrid(x0: 0, y0: 0, cellSize: 100, ncols: 2, nrows: 1)
        let s = kernelDensity(x: [50], y: [50], grid: grid, parameters: KDEParameters(bandwidth: 400), mask: [true, false])
        #expect(s.values[0] > 0 && s.values[1].isNaN)
    }
}

@Suite struct DualDensityTests {
    @Test func operationsAndFloor() {
        let g = SquareGrid(x0: 0, y0: 0, cellSize: 1, ncols: 3, nrows: 1)
        let p = KDEParameters(bandwidth: 1)
        let a = DensitySurface(grid: g, values: [4, 2, .nan], parameters: p, mode: .exact)
        let b = DensitySurface(grid: g, values: [2, 0, 1], parameters: p, mode: .exact)
        #expect(dualDensity(a, b, operation: .ratio, floor: 0.5)[0...1] == [2, 4])
        #expect(dualDensity(a, b, operation: .difference, floor: 0)[0...1] == [2, 2])
        #expect(abs(dualDensity(a, b, operation: .logRatio, floor: 0.5)[0] - 0.6931471805599453) < 1e-15)
        #expect(dualDensity(a, b, operation: .ratio, floor: 0.5)[2].isNaN)
    }
}
