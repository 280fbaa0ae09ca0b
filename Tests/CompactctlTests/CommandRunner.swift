import Foundation

/// Runs a built executable of this package, the way an operator would, and captures what it
/// prints and how it exits.
struct CommandRunner {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The package's root folder, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folder the test bundle was built into, which holds the executables too.
    static let productsDirectory: URL = {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = bundle.deletingLastPathComponent()
        while directory.path != "/" && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("compactctl").path) {
            directory = directory.deletingLastPathComponent()
        }
        return directory
    }()

    /// A new folder for a configuration under the temporary directory (`NAME-UUID`), with an
    /// empty `compacts/` and `templates` linked to the shipped ones: what a test's
    /// `compactd.toml` and compact files are written into.
    static func configFolder(_ name: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("compacts"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("templates").path, withDestinationPath: packageRoot.appendingPathComponent("Config/templates").path)
        return directory
    }

    static func executable(_ name: String) -> String {
        name.hasPrefix("/") ? name : productsDirectory.appendingPathComponent(name).path
    }

    static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], workingDirectory: URL = packageRoot,
        beforeReading: ((_ pid: Int32, _ stdout: FileHandle) throws -> Void)? = nil
    ) throws -> Result {
        try runProgram(executable(name), arguments, environment: environment, workingDirectory: workingDirectory, beforeReading: beforeReading)
    }

    /// Runs any program (by absolute path) to completion. `beforeReading`, if given, is called
    /// once it started, before its standard output is read (a test that holds the output back).
    static func runProgram(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], workingDirectory: URL = packageRoot,
        beforeReading: ((_ pid: Int32, _ stdout: FileHandle) throws -> Void)? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "COMPACTD_CONFIG")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.currentDirectoryURL = workingDirectory
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a full stderr pipe cannot block the child.
        let errData = LockedData()
        let reader = Thread { errData.set(err.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        try beforeReading?(process.processIdentifier, out.fileHandleForReading)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errData.isSet { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData.value, as: UTF8.self))
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    private var done = false

    func set(_ d: Data) { lock.withLock { data = d; done = true } }
    var isSet: Bool { lock.withLock { done } }
    var value: Data { lock.withLock { data } }
}
