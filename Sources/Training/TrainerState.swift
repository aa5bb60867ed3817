import Foundation

/// What a checkpoint needs besides weights and moments to continue a run exactly: the step
/// (which fixes the data, `TrainingData.batches(ofStep:)`), AdamW's update count and the
/// settings the schedule was computed from. Written as `trainer_state.json`.
struct TrainerState: Codable, Equatable {
    var step: Int
    var optimizerUpdates: Int
    var totalSteps: Int
    var settings: TrainingSettings

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    static func decode(_ data: Data, path: String) throws -> TrainerState {
        do { return try JSONDecoder().decode(TrainerState.self, from: data) } catch {
            throw TrainingError.checkpoint(path: path, why: "trainer_state.json is unreadable (\(error)); resume from an earlier checkpoint or start again without --resume")
        }
    }
}
