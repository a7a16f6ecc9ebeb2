// The hotspot command: everything is in HotspotCLI (so the fuzzer can parse command lines too).
import HotspotCLI

Hotspot.main()
