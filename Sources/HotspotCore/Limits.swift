/// Every numeric range and default a user can set, stated once: the CLI checks its flags against these, project
/// files decode against them, and help text quotes them.
public enum Limits {
    /// A grid cell's size in metres (`--cell`, `cell:`): a metre to 100 km.
    public static let cellSize: ClosedRange<Double> = 1...100_000
    /// A kernel bandwidth or neighbourhood radius in metres (`--bandwidth`, `--radius`).
    public static let distance: ClosedRange<Double> = 1...100_000
    /// The most cells a grid may have (`--max-cells`, `max_cells:`; a grid of 200 million cells already needs ~5 GB
    /// for a KDE), and the default: 5 million cells of 8-byte values are 40 MB per surface.
    public static let maxCells: ClosedRange<Int> = 1...200_000_000
    public static let defaultMaxCells = 5_000_000
    /// An EPSG code (`--epsg`, `epsg:`): the registry's codes lie in this range.
    public static let epsg: ClosedRange<Int> = 1024...999_999
    /// Map resolution in dots per inch (`--dpi`, `dpi:`).
    public static let dpi: ClosedRange<Int> = 72...600
    /// Permutations for conditional-randomisation p-values (`--permutations`).
    public static let permutations: ClosedRange<Int> = 0...99_999
    /// Permutations of Local Moran's I (`hotspot moran --permutations`): at least 99, so that p can reach 0.01.
    public static let moranPermutations: ClosedRange<Int> = 99...99_999
    /// Distance bands of `hotspot optimized`'s incremental spatial autocorrelation (ArcGIS: 10; at least 3 for a peak).
    public static let optimizedBands: ClosedRange<Int> = 3...30
    /// The seed of the permutations' random generator (`--seed`), and its default.
    public static let defaultSeed: UInt64 = 12345
}
