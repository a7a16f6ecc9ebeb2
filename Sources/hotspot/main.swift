// The hotspot command: everything but `serve` is in HotspotCLI (so the fuzzer can parse command lines too, without
// building Hummingbird); `serve` comes from HotspotServe and is added to the same subcommands here.
import ArgumentParser
import HotspotCLI
import HotspotIO
import HotspotServe

struct HotspotMain: AsyncParsableCommand {
    static let configuration: CommandConfiguration = {
        var c = Hotspot.configuration
        c.subcommands.append(ServeCommand.self)
        c.discussion += "\n\n`hotspot serve FOLDER` publishes an output folder's layers as OGC API – Features (see hotspot serve --help)."
        return c
    }()

    /// As `Hotspot.main`: SIGINT/SIGTERM handlers first (they remove unfinished outputs and exit 130/143), then the
    /// command. `serve` writes nothing and stops gracefully on those signals itself, so it keeps them.
    static func start() async {
        do {
            var command = try parseAsRoot()
            EnvironmentCheck.enforce()
            if let serve = command as? ServeCommand {
                try await serve.run()
            } else {
                Signals.install()
                if var async = command as? AsyncParsableCommand { try await async.run() } else { try command.run() }
            }
        } catch {
            exit(withError: error)
        }
    }
}

await HotspotMain.start()
