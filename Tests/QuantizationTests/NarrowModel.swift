import Foundation
import ModelFormats

/// SmolLM2 cut down to rows that fit the 256-value K blocks, so the pure K types have a real
/// model to run: width 256 (the first 4 of 9 query heads, the first of 3 key/value heads),
/// the full 1536 feed-forward and 49k vocabulary, the first `layers` blocks. Its weights are
/// SmolLM2's own, sliced, so their spread is a trained model's; its text is not.
enum NarrowModel {
    static let width = 256, queryHeads = 4, keyValueHeads = 1, headSize = 64

    /// Writes the narrow model as F32 from the F32 SmolLM2 at `source`.
    static func write(from source: URL, layers: Int, to url: URL) throws {
        let file = try GGUFFile(url: source)
        let keep = file.tensors.filter { info in
            guard let layer = info.name.split(separator: ".").dropFirst().first.flatMap({ Int($0) }),
                  info.name.hasPrefix("blk.") else { return true }
            return layer < layers
        }
        let tensors = try keep.map { info -> GGUFWriter.Tensor in
            let shape = narrowShape(info.name, info.shape)
            let values = try file.dequantized(info)
            return GGUFWriter.Tensor(name: info.name, shape: shape, type: .f32) {
                try quantize(crop(values, from: info.shape, to: shape), as: .f32, rowLength: shape[0], tensor: info.name)
            }
        }
        let overrides: [String: GGUFValue] = [
            "llama.embedding_length": .uint32(UInt32(width)),
            "llama.attention.head_count": .uint32(UInt32(queryHeads)),
            "llama.attention.head_count_kv": .uint32(UInt32(keyValueHeads)),
            "llama.block_count": .uint32(UInt32(layers)),
            "general.name": .string("SmolLM2 narrow \(width)x\(layers)"),
        ]
        let metadata = file.metadataKeys.compactMap { key -> (key: String, value: GGUFValue)? in
            guard let value = overrides[key] ?? file.metadata[key] else { return nil }
            return (key, value)
        }
        try GGUFWriter.write(metadata: metadata, tensors: tensors, to: url)
    }

    /// The `ne` shape each tensor gets: every 576 (width) becomes 256; the query and output
    /// projections keep 4 heads, key and value 1 head.
    static func narrowShape(_ name: String, _ shape: [Int]) -> [Int] {
        var narrow = shape.map { $0 == 576 ? width : $0 }
        if name.hasSuffix("attn_k.weight") || name.hasSuffix("attn_v.weight") { narrow[1] = keyValueHeads * headSize }
        return narrow
    }

    /// The leading block of a row-major matrix (`ne[0]` values per row): the first
    /// `to[0]` values of each of the first rows.
    static func crop(_ values: [Float], from: [Int], to: [Int]) -> [Float] {
        let columns = from[0], keptColumns = to[0]
        let keptRows = to.dropFirst().reduce(1, *)
        var out: [Float] = []
        out.reserveCapacity(keptColumns * keptRows)
        for row in 0 ..< keptRows {
            out += values[row * columns ..< row * columns + keptColumns]
        }
        return out
    }
}
