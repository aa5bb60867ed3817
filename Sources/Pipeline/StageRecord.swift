import Foundation

/// What `.distill/<stage>.json` remembers about a stage: the fingerprint of the inputs it ran
/// on, whether it finished, the digest of what it wrote and its figures for the summary. It is
/// written (as not complete) before the stage starts, so a crash leaves a record to resume from.
struct StageRecord<Result: Codable>: Codable {
    var stage: String
    var fingerprint: String
    var complete: Bool
    var outputDigest: String?
    var result: Result?
    /// Seconds the stage ran, over all its resumed parts.
    var seconds: Double

    enum CodingKeys: String, CodingKey {
        case stage, fingerprint, complete, outputDigest = "output_digest", result, seconds
    }
}

/// The `.distill/` folder of a pipeline's output.
struct StageRecordStore {
    let folder: URL

    func url(_ stage: String) -> URL { folder.appendingPathComponent("\(stage).json") }

    func load<Result: Codable>(_ stage: String, as: Result.Type) throws -> StageRecord<Result>? {
        let url = url(stage)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(StageRecord<Result>.self, from: Data(contentsOf: url))
        } catch {
            // An unreadable record only costs a rerun of that stage.
            return nil
        }
    }

    func save<Result: Codable>(_ record: StageRecord<Result>) throws {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(record).write(to: url(record.stage), options: .atomic)
        } catch {
            throw PipelineError.stageFailed(stage: record.stage, why: "cannot write its record \(url(record.stage).path): \(error.localizedDescription)")
        }
    }
}
