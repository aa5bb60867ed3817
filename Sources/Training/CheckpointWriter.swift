import Foundation
import ModelFormats
import Transformer

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Saves a student as a Hugging Face folder, and periodic checkpoints beside it.
///
/// A folder holds `model.safetensors` (Float32, HF names, `{"format": "pt"}` metadata),
/// `config.json`, the tokenizer files (`tokenizer.json`, `tokenizer_config.json` with the chat
/// template, `generation_config.json`), and for a checkpoint `optimizer.safetensors` (the AdamW
/// moments as 1-D tensors `exp_avg` and `exp_avg_sq` in the parameter layout's order) and
/// `trainer_state.json`, written last.
///
/// Nothing is lost (DESIGN.md): every file is written under a temporary name and renamed; a
/// checkpoint is assembled in `DIR/.checkpoint-N.tmp-PID` and renamed to `DIR/checkpoint-N`
/// (HF Trainer's name) only when complete, and older checkpoints are deleted only after that.
public enum CheckpointWriter {
    /// Writes the student (and, for a checkpoint, the moments and trainer state) into
    /// `folder`, creating it if needed. `trainerState` is the trainer's own JSON object (step,
    /// seed, data position, …), stored as given and handed back by `Checkpoint.load`. `--out DIR` receives the final model this way, with
    /// neither moments nor state.
    public static func write(student: Student, optimizerMoments: (FloatBuffer, FloatBuffer)? = nil,
                             trainerState: Data? = nil, to folder: URL) throws {
        let path = folder.path
        func failure(_ error: Error) -> TrainingError {
            (error as? TrainingError) ?? .checkpoint(path: path, why: "\(error)")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            var tensors: [(name: String, shape: [Int], values: [Float])] = []
            for t in student.layout.tensors {
                tensors.append((t.name, t.shape, Array(UnsafeBufferPointer(start: student.parameters.pointer + t.offset, count: t.count))))
            }
            try SafetensorsWriter.write(tensors: tensors, dtype: .f32, metadata: ["format": "pt"],
                                        to: folder.appendingPathComponent(Checkpoint.modelFile))
            tensors = []
            try student.huggingFaceConfig.write(to: folder.appendingPathComponent("config.json"))
            for (name, data) in student.tokenizer.files.sorted(by: { $0.key < $1.key }) {
                try data.write(to: folder.appendingPathComponent(name), options: .atomic)
            }
            if let moments = optimizerMoments {
                let (first, second) = moments
                let n = student.layout.totalCount
                guard first.count == n, second.count == n else {
                    throw TrainingError.checkpoint(path: path, why: "the AdamW moments hold \(first.count) and \(second.count) floats, the parameters \(n)")
                }
                try SafetensorsWriter.write(
                    tensors: [(Checkpoint.firstMoment, [n], first.array), (Checkpoint.secondMoment, [n], second.array)],
                    dtype: .f32, metadata: ["format": "pt"], to: folder.appendingPathComponent(Checkpoint.optimizerFile))
            }
            // Last: its presence is what marks a checkpoint complete.
            if let trainerState {
                guard (try? JSONSerialization.jsonObject(with: trainerState)) is [String: Any] else {
                    throw TrainingError.checkpoint(path: path, why: "the trainer state is not a JSON object; nothing could resume from it")
                }
                try trainerState.write(to: folder.appendingPathComponent(Checkpoint.trainerStateFile), options: .atomic)
            }
        } catch {
            throw failure(error)
        }
    }

    /// Writes `directory/checkpoint-<step>` atomically, then deletes all but the newest `keep`
    /// complete checkpoints in `directory` and any temporaries a killed run left. Returns the
    /// checkpoint's folder.
    @discardableResult
    public static func writeCheckpoint(student: Student, optimizerMoments: (FloatBuffer, FloatBuffer)?,
                                       trainerState: Data, step: Int, in directory: URL, keep: Int = 2) throws -> URL {
        guard step >= 0, keep >= 1 else {
            throw TrainingError.invalidSetting("a checkpoint needs step ≥ 0 and keep ≥ 1 (found step \(step), keep \(keep))")
        }
        let fm = FileManager.default
        let final = directory.appendingPathComponent(Checkpoint.folderPrefix + String(step))
        let temporary = directory.appendingPathComponent(".\(final.lastPathComponent)\(Checkpoint.temporaryMarker)\(getpid())")
        try? fm.removeItem(at: temporary)
        do {
            try write(student: student, optimizerMoments: optimizerMoments, trainerState: trainerState, to: temporary)
            // A resumed run may write the same step again: the old folder moves aside first.
            var displaced: URL?
            if fm.fileExists(atPath: final.path) {
                let aside = directory.appendingPathComponent(".\(final.lastPathComponent)\(Checkpoint.temporaryMarker)old-\(getpid())")
                try? fm.removeItem(at: aside)
                try move(final, to: aside)
                displaced = aside
            }
            try move(temporary, to: final)
            if let displaced { try? fm.removeItem(at: displaced) }
        } catch {
            try? fm.removeItem(at: temporary)
            throw (error as? TrainingError) ?? .checkpoint(path: final.path, why: "\(error)")
        }
        try prune(directory, keep: keep)
        return final
    }

    /// Deletes complete checkpoints beyond the newest `keep`, and leftover temporaries.
    static func prune(_ directory: URL, keep: Int) throws {
        let fm = FileManager.default
        let complete = Checkpoint.completeCheckpoints(in: directory)
        for (_, url) in complete.dropLast(keep) {
            do { try fm.removeItem(at: url) } catch {
                throw TrainingError.checkpoint(path: url.path, why: "cannot delete an old checkpoint: \(error.localizedDescription)")
            }
        }
        let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        for name in names where name.hasPrefix("." + Checkpoint.folderPrefix) && name.contains(Checkpoint.temporaryMarker) {
            try? fm.removeItem(at: directory.appendingPathComponent(name))
        }
    }

    private static func move(_ from: URL, to: URL) throws {
        guard rename(from.path, to.path) == 0 else {
            throw TrainingError.checkpoint(path: to.path, why: "cannot rename \(from.lastPathComponent) into place (\(String(cString: strerror(errno))))")
        }
    }
}
