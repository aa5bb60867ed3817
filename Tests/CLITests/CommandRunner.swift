import Foundation

/// Runs the built `distillery` executable (it sits beside the test bundle) and captures
/// what it prints, so tests see exactly what a user sees.
struct CommandResult {
    var status: Int32
    var standardOutput: String
    var standardError: String
}

enum CommandRunner {
    static var executable: URL {
        let products = Bundle.main.bundleURL.deletingLastPathComponent()
        let beside = products.appendingPathComponent("distillery")
        if FileManager.default.fileExists(atPath: beside.path) { return beside }
        // Bundle.main is the xctest runner on some platforms; fall back to the test bundle's folder.
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("distillery")
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        for (key, value) in environment { merged[key] = value }
        process.environment = merged
        let output = Pipe(), error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Read before waiting: a full pipe would block the child.
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus,
                             standardOutput: String(decoding: outData, as: UTF8.self),
                             standardError: String(decoding: errData, as: UTF8.self))
    }

    /// Starts `distillery ARGUMENTS`, SIGKILLs it as soon as `marker` exists (a checkpoint in
    /// place, say) and says whether the kill is what ended it.
    static func killed(_ arguments: [String], whenExists marker: URL, timeout: TimeInterval = 600) throws -> Bool {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while !FileManager.default.fileExists(atPath: marker.path), process.isRunning, Date() < deadline { usleep(5_000) }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal
    }

    static func json(_ arguments: [String]) throws -> [String: Any] {
        let result = try run(arguments)
        guard result.status == 0 else {
            throw CommandFailure(message: "distillery \(arguments.joined(separator: " ")) exited \(result.status): \(result.standardError)")
        }
        let object = try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8))
        guard let dictionary = object as? [String: Any] else {
            throw CommandFailure(message: "not a JSON object: \(result.standardOutput)")
        }
        return dictionary
    }
}

struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
