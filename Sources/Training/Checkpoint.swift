import Foundation
import ModelFormats
import ModelLoading
import Transformer

/// A saved student read back: the parameters bit for bit, and for a checkpoint the AdamW
/// moments and the trainer's state (the JSON bytes it gave `CheckpointWriter`).
public struct Checkpoint {
    public var student: Student
    /// (`exp_avg`, `exp_avg_sq`), nil for a final model folder.
    public var optimizerMoments: (FloatBuffer, FloatBuffer)?
    public var trainerState: Data?

    static let modelFile = "model.safetensors"
    static let optimizerFile = "optimizer.safetensors"
    static let trainerStateFile = "trainer_state.json"
    static let firstMoment = "exp_avg"
    static let secondMoment = "exp_avg_sq"
    static let folderPrefix = "checkpoint-"
    static let temporaryMarker = ".tmp-"

    /// Reads a folder `CheckpointWriter` wrote (or any Hugging Face folder of Float32,
    /// F16 or BF16 safetensors of a dense decoder in one file, with a tokenizer.json).
    public static func load(folder: URL) throws -> Checkpoint {
        let path = folder.path
        do {
            let hf = try HFModelConfig(url: folder.appendingPathComponent("config.json"))
            let config = try HFModelLoader.config(of: hf, file: path + "/config.json")
            try config.validate()
            let layout = ParameterLayout(config: config)
            let parameters = try FloatBuffer(count: layout.totalCount)
            let model = try SafetensorsFile(url: folder.appendingPathComponent(modelFile))
            for t in layout.tensors {
                try read(t.name, shape: t.shape, from: model, into: parameters.pointer + t.offset)
            }
            let known = Set(layout.tensors.map(\.name)).union([ParameterNames.outputHead])
            if let extra = model.tensorNames.first(where: { !known.contains($0) }) {
                throw TrainingError.checkpoint(path: path, why: "model.safetensors has a tensor \(extra) this architecture does not use")
            }
            let student = try Student(config: config, huggingFaceConfig: hf, parameters: parameters,
                                      tokenizer: try StudentTokenizer(huggingFaceFolder: folder))
            var moments: (FloatBuffer, FloatBuffer)?
            let optimizerURL = folder.appendingPathComponent(optimizerFile)
            if FileManager.default.fileExists(atPath: optimizerURL.path) {
                let file = try SafetensorsFile(url: optimizerURL)
                let n = layout.totalCount
                let first = try FloatBuffer(count: n), second = try FloatBuffer(count: n)
                try read(firstMoment, shape: [n], from: file, into: first.pointer)
                try read(secondMoment, shape: [n], from: file, into: second.pointer)
                moments = (first, second)
            }
            let stateURL = folder.appendingPathComponent(trainerStateFile)
            let state = FileManager.default.fileExists(atPath: stateURL.path) ? try Data(contentsOf: stateURL) : nil
            return Checkpoint(student: student, optimizerMoments: moments, trainerState: state)
        } catch let error as TrainingError {
            throw error
        } catch {
            throw TrainingError.checkpoint(path: path, why: "\(error)")
        }
    }

    /// The newest complete checkpoint in `directory`: the `checkpoint-N` folder with the
    /// highest N that has a trainer_state.json. Temporaries (`.checkpoint-N.tmp-…`) and
    /// folders without the state file are ignored; nil when there is none.
    public static func latestCheckpoint(in directory: URL) -> URL? {
        completeCheckpoints(in: directory).last?.url
    }

    /// Complete checkpoints, oldest step first.
    static func completeCheckpoints(in directory: URL) -> [(step: Int, url: URL)] {
        let fm = FileManager.default
        let names = (try? fm.contentsOfDirectory(atPath: directory.path)) ?? []
        var found: [(step: Int, url: URL)] = []
        for name in names where name.hasPrefix(folderPrefix) {
            guard let step = Int(name.dropFirst(folderPrefix.count)), step >= 0 else { continue }
            let url = directory.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue,
                  fm.fileExists(atPath: url.appendingPathComponent(trainerStateFile).path) else { continue }
            found.append((step, url))
        }
        return found.sorted { $0.step < $1.step }
    }

    /// Copies one tensor into `destination`, its shape checked.
    private static func read(_ name: String, shape: [Int], from file: SafetensorsFile,
                             into destination: UnsafeMutablePointer<Float>) throws {
        guard let info = file.info(named: name) else {
            throw TrainingError.checkpoint(path: file.url.path, why: "tensor \(name) is missing")
        }
        guard info.shape == shape else {
            throw TrainingError.checkpoint(path: file.url.path, why: "tensor \(name) has shape \(info.shape), expected \(shape)")
        }
        let values = try file.tensor(named: name).values
        values.withUnsafeBufferPointer { if let b = $0.baseAddress { destination.update(from: b, count: values.count) } }
    }
}
