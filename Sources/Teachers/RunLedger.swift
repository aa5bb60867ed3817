import Foundation
import Traces

/// What a generate run keeps beside its shards so a rerun of the same command resumes it:
/// `generate.json` (the teacher and settings, which a resumed run must match) and
/// `generate-settled.txt` (samples that ended without a trace to keep, one trace id a line,
/// so a resumed run does not sample them again).
struct RunLedger {
    static let settingsName = "generate.json"
    static let settledName = "generate-settled.txt"

    let directory: URL
    private(set) var settled: Set<String> = []

    /// Checks a folder's earlier run against this one and records this one's settings.
    init(directory: URL, teacher: TeacherIdentity, settings: GenerateSettings) throws {
        self.directory = directory
        var fields = settings.identityFields
        fields["teacher"] = teacher.model
        fields["teacher_sha256"] = teacher.sha256 ?? "-"
        let url = directory.appendingPathComponent(Self.settingsName)
        if let data = FileManager.default.contents(atPath: url.path) {
            guard let earlier = try? JSONDecoder().decode([String: String].self, from: data) else {
                throw GenerateError.ledger(file: url.path, reason: "is not the JSON object a generate run writes")
            }
            let differing = fields.keys.sorted().filter { earlier[$0] != fields[$0] }
            if !differing.isEmpty {
                let list = differing.map { "\($0) \(earlier[$0] ?? "unset") → \(fields[$0] ?? "unset")" }.joined(separator: ", ")
                throw GenerateError.ledger(file: url.path, reason: "holds a run with other settings (\(list)); resume with the same settings or write to a new --out")
            }
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            do {
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                try encoder.encode(fields).write(to: url, options: .atomic)
            } catch {
                throw GenerateError.ledger(file: url.path, reason: "cannot be written: \(error.localizedDescription)")
            }
        }
        let settledURL = directory.appendingPathComponent(Self.settledName)
        if let text = try? String(contentsOf: settledURL, encoding: .utf8) {
            // A torn last line (a kill mid-write) has fewer than 32 characters: not an id.
            settled = Set(text.split(separator: "\n").map(String.init).filter { $0.count == 32 })
        }
    }

    /// Records that a sample ended without a trace to keep; one write, so a kill cannot tear it.
    mutating func settle(_ traceID: String) throws {
        settled.insert(traceID)
        let url = directory.appendingPathComponent(Self.settledName)
        let line = Data((traceID + "\n").utf8)
        do {
            if !FileManager.default.fileExists(atPath: url.path) { try Data().write(to: url) }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } catch {
            throw GenerateError.ledger(file: url.path, reason: "cannot be appended to: \(error.localizedDescription)")
        }
    }

    /// Trace ids already in the folder: finished shards plus the writer's journal.
    static func doneTraceIDs(in directory: URL, writer: MDSShardWriter) throws -> Set<String> {
        var done = Set<String>()
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("index.json").path) {
            try MDSDataset(directory: directory).forEachSample { _, sample in
                if case let .string(id)? = sample["id"] { done.insert(id) }
            }
        }
        for sample in try writer.pendingSamples() {
            if case let .string(id)? = sample["id"] { done.insert(id) }
        }
        return done
    }
}

public enum GenerateError: Error, CustomStringConvertible {
    case ledger(file: String, reason: String)
    case invalidSettings(String)

    public var description: String {
        switch self {
        case let .ledger(file, reason): return "\(file) \(reason)"
        case let .invalidSettings(reason): return reason
        }
    }
}
