import ArgumentParser
import Foundation
import Traces

struct TracesVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every shard's sha256 and that every sample decodes; exit 1 naming the shard at fault.")

    @Argument(help: "Dataset folder (holds index.json).") var dir: String

    func run() throws {
        let check: DatasetCheck
        do { check = try DatasetCheck(directory: URL(fileURLWithPath: dir)) } catch let error as TracesError {
            printError("FAIL \(error)")
            throw ExitCode(1)
        }
        var line = "ok: \(check.samples) samples in \(check.shards) shards decode; \(check.hashedFiles) sha256 hashes match"
        if let n = check.traceRecords { line += "; \(n) trace records read" }
        print(line)
        if !check.unhashedFiles.isEmpty {
            printError("note: no sha256 recorded for \(check.unhashedFiles.joined(separator: ", ")); those were checked by decoding only")
        }
    }
}
