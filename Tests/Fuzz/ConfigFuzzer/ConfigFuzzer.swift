import CLibFuzzer
import CompactdConfig
import CompactdCore
import Foundation

/// The executable's entry point (SwiftPM names it after the module): hands over to libFuzzer.
@_cdecl("compactd_config_fuzzer_main")
public func fuzzerMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzConfiguration(data, size) }
}

/// libFuzzer's entry point over everything a configuration file reaches: the TOML parser, the
/// strict readers and the loader's checks, and the planner for what loads. The input is split
/// at its first NUL byte into the main file and one compact file, written to a private folder
/// in /dev/shm and loaded as compactd and `compactctl check` load them. Any trap, overflow,
/// out-of-bounds access or exhausted stack is a crash libFuzzer reports; an error is an answer.
///
/// Built and run by `make fuzz` (swiftc -sanitize=fuzzer,address); see README.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let data else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let split = bytes.firstIndex(of: 0) ?? bytes.count
    let main = Array(bytes[..<split])
    let compact = split < bytes.count ? Array(bytes[(split + 1)...]) : []
    FuzzWorkspace.shared.write(main: main, compact: compact)
    do {
        let loaded = try ConfigurationLoader(environment: [:]).load(path: FuzzWorkspace.shared.mainPath)
        _ = Planner(configuration: loaded.configuration).plan(from: Instant(secondsSinceEpoch: 1_780_000_000), to: Instant(secondsSinceEpoch: 1_790_000_000))
    } catch {
        for problem in error.problems { _ = problem.oneLine }
    }
    return 0
}

/// The folder the inputs are written to: one per process, in memory.
final class FuzzWorkspace: @unchecked Sendable {
    static let shared = FuzzWorkspace()
    let directory: String
    var mainPath: String { directory + "/compactd.toml" }
    var compactPath: String { directory + "/compacts/fuzz.toml" }

    init() {
        directory = "/dev/shm/compactd-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory + "/compacts", withIntermediateDirectories: true)
    }

    func write(main: [UInt8], compact: [UInt8]) {
        FileManager.default.createFile(atPath: mainPath, contents: Data(main))
        FileManager.default.createFile(atPath: compactPath, contents: Data(compact))
    }
}
