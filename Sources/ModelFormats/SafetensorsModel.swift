import Foundation

/// The weights of a Hugging Face model folder: either one `model.safetensors`, or shards
/// listed by `model.safetensors.index.json` (`{"metadata": …, "weight_map": {tensor: file}}`).
public final class SafetensorsModel: @unchecked Sendable {
    public let directory: URL
    /// All tensor names, sorted.
    public let tensorNames: [String]
    public let shards: [SafetensorsFile]
    private let shardOfTensor: [String: Int]

    public init(directory: URL) throws {
        self.directory = directory
        let indexURL = directory.appendingPathComponent("model.safetensors.index.json")
        let singleURL = directory.appendingPathComponent("model.safetensors")
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: indexURL.path) {
            let weightMap = try Self.readWeightMap(indexURL)
            var shardIndex: [String: Int] = [:]
            var opened: [SafetensorsFile] = []
            var mapping: [String: Int] = [:]
            for (tensor, shardName) in weightMap.sorted(by: { $0.key < $1.key }) {
                let position: Int
                if let known = shardIndex[shardName] {
                    position = known
                } else {
                    let shardURL = directory.appendingPathComponent(shardName)
                    guard fileManager.fileExists(atPath: shardURL.path) else {
                        throw SafetensorsError(.invalidIndex, file: indexURL.path, "shard '\(shardName)' (holding '\(tensor)') is missing",
                                               fix: "download every model-*.safetensors file listed in the index")
                    }
                    opened.append(try SafetensorsFile(url: shardURL))
                    position = opened.count - 1
                    shardIndex[shardName] = position
                }
                guard opened[position].info(named: tensor) != nil else {
                    throw SafetensorsError(.invalidIndex, file: indexURL.path, "the index puts '\(tensor)' in '\(shardName)', which does not contain it")
                }
                mapping[tensor] = position
            }
            shards = opened
            shardOfTensor = mapping
        } else if fileManager.fileExists(atPath: singleURL.path) {
            let file = try SafetensorsFile(url: singleURL)
            shards = [file]
            shardOfTensor = Dictionary(uniqueKeysWithValues: file.tensorNames.map { ($0, 0) })
        } else {
            throw SafetensorsError(.unreadable, file: directory.path,
                                   "the folder has neither model.safetensors nor model.safetensors.index.json",
                                   fix: "point at a Hugging Face model folder with safetensors weights")
        }
        tensorNames = shardOfTensor.keys.sorted()
    }

    public func info(named name: String) -> SafetensorsTensorInfo? {
        shardOfTensor[name].flatMap { shards[$0].info(named: name) }
    }

    public func tensor(named name: String) throws -> SafetensorsTensor {
        guard let shard = shardOfTensor[name] else {
            throw SafetensorsError(.missingTensor, file: directory.path, "no tensor named '\(name)' in the model")
        }
        return try shards[shard].tensor(named: name)
    }

    /// `weight_map` of the index, with every shard name checked to be a plain file name so a
    /// crafted index cannot point outside the folder.
    static func readWeightMap(_ url: URL) throws -> [String: String] {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SafetensorsError(.unreadable, file: url.path, "cannot read (\(error.localizedDescription))")
        }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let map = object["weight_map"] as? [String: Any] else {
            throw SafetensorsError(.invalidIndex, file: url.path, "not a JSON object with a \"weight_map\" object")
        }
        var result: [String: String] = [:]
        for (tensor, value) in map {
            guard let shard = value as? String, !shard.isEmpty, !shard.contains("/"), !shard.contains("\\"),
                  shard != ".", shard != ".." else {
                throw SafetensorsError(.invalidIndex, file: url.path, "weight_map entry for '\(tensor)' is not a plain shard file name")
            }
            result[tensor] = shard
        }
        return result
    }
}
