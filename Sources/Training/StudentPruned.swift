extension Student {
    /// A depth-pruned copy of `teacher` (a path or cache name): its blocks `keepLayers`, in
    /// that order, with its embedding, final norm and head (Minitron's depth pruning,
    /// Muralidharan et al. 2024; DistilBERT's every-other-layer initialisation).
    public static func pruned(teacher: String, keepLayers: [Int]) throws -> Student {
        let model = try load(teacher)
        let count = model.config.layerCount
        guard !keepLayers.isEmpty else {
            throw TrainingError.studentInitialisation("no layers to keep; pass layer indices in 0..<\(count)")
        }
        if let bad = keepLayers.first(where: { $0 < 0 || $0 >= count }) {
            throw TrainingError.studentInitialisation("layer \(bad) is out of range: \(teacher) has layers 0..<\(count)")
        }
        guard Set(keepLayers).count == keepLayers.count else {
            throw TrainingError.studentInitialisation("keep-layers \(keepLayers) names a layer twice")
        }
        return try copying(model, keepLayers: keepLayers)
    }

    /// `--keep-every K`: layers 0, K, 2K, … below `layerCount`. The last layer is kept only
    /// when K divides `layerCount − 1`: evenly spaced from the first block, as DistilBERT and
    /// Minitron's depth pruning start from the bottom (SmolLM2's 30 layers, K = 3: 0, 3, …, 27).
    public static func everyKthLayer(_ k: Int, layerCount: Int) throws -> [Int] {
        guard k >= 1, layerCount >= 1 else {
            throw TrainingError.studentInitialisation("--keep-every must be at least 1 (found \(k)) for a model with \(layerCount) layers")
        }
        return Array(stride(from: 0, to: layerCount, by: k))
    }
}
