import Foundation
import Testing
@testable import ModelFormats

/// The real default teacher, SmolLM2-135M-Instruct Q4_1, against gguf-py's reading of it
/// (Fixtures/smollm2_q4_1.json). Skipped, with a message, when the model is absent.
@Suite(.enabled(if: TeacherModel.isPresent, "the default teacher is absent; run scripts/setup.sh"))
struct GGUFModelTests {
    static let expected: [String: Any] = (try? Fixture.json("smollm2_q4_1.json")) ?? [:]

    @Test func parsesLikeGGUFPy() throws {
        let file = try GGUFFile(url: TeacherModel.url)
        let e = Self.expected
        #expect(file.fileSize == e["file_size"] as? Int)
        #expect(file.version == 3)
        #expect(file.metadataKeys == e["kv_keys"] as? [String])
        #expect(file.dataStart == e["data_offset"] as? Int)
        #expect(file.alignment == 32)
        #expect(try file.string("general.architecture") == "llama")
        #expect(try file.int("llama.block_count") == 30)
        #expect(try file.int("llama.embedding_length") == 576)
        #expect(try file.float("llama.attention.layer_norm_rms_epsilon").bitPattern == UInt32(e["rms_eps_bits"] as? Int ?? 0))
        let tokens = try file.stringArray("tokenizer.ggml.tokens")
        #expect(tokens.count == e["token_count"] as? Int)
        #expect(tokens[100] == e["token_100"] as? String)
        #expect(try file.intArray("tokenizer.ggml.token_type").count == tokens.count)

        let infos = e["tensors"] as? [[String: Any]] ?? []
        #expect(file.tensors.count == 272 && infos.count == 272)
        for (tensor, want) in zip(file.tensors, infos) {
            #expect(tensor.name == want["name"] as? String)
            #expect(tensor.shape == want["shape"] as? [Int], "\(tensor.name)")
            #expect(Int(tensor.type.rawValue) == want["type"] as? Int, "\(tensor.name)")
            #expect(tensor.offset == want["offset"] as? Int, "\(tensor.name)")
            #expect(tensor.byteCount == want["n_bytes"] as? Int, "\(tensor.name)")
        }
        let embedding = try #require(file.tensor(named: "token_embd.weight"))
        #expect(embedding.shape == [576, 49152] && embedding.type == .q8_0)
        #expect(file.tensor(named: "blk.0.attn_k.weight")?.shape == [576, 192])
        #expect(file.tensor(named: "blk.0.ffn_down.weight")?.type == .q4_1)
        #expect(file.tensor(named: "output_norm.weight")?.type == .f32)
        #expect(file.tensor(named: "output.weight") == nil)   // tied embeddings

        // bytes(of:) points into the one mapping: no copy, and stable between calls.
        let norm = try #require(file.tensor(named: "output_norm.weight"))
        let a = try #require(file.bytes(of: embedding).baseAddress)
        let b = try #require(file.bytes(of: norm).baseAddress)
        #expect(b - a == norm.offset - embedding.offset)
        #expect(file.bytes(of: embedding).baseAddress == a && file.bytes(of: embedding).count == embedding.byteCount)
    }

    @Test func dequantizesLikeGGUFPy() throws {
        let file = try GGUFFile(url: TeacherModel.url)
        let samples = Self.expected["samples"] as? [[String: Any]] ?? []
        #expect(samples.count == 3)
        for sample in samples {
            let name = sample["name"] as? String ?? ""
            let tensor = try #require(file.tensor(named: name))
            let values = try file.dequantized(tensor)
            #expect(values.count == tensor.elementCount)
            let firstRows = (sample["first_rows_bits"] as? [Int] ?? []).map { UInt32($0) }
            #expect(bits(Array(values.prefix(firstRows.count))) == firstRows, "\(name): first rows")
            let positions = sample["positions"] as? [Int] ?? []
            let positionBits = (sample["position_bits"] as? [Int] ?? []).map { UInt32($0) }
            #expect(positions.map { values[$0].bitPattern } == positionBits, "\(name): sample positions")
            // gguf-py's sum is math.fsum (exactly rounded); ours adds in order in Float64, whose
            // error is far below 1e-9 of the sum of magnitudes for these sizes.
            var sum = 0.0, magnitude = 0.0
            for v in values { sum += Double(v); magnitude += abs(Double(v)) }
            let want = sample["sum"] as? Double ?? .nan
            #expect(abs(sum - want) <= 1e-9 * magnitude, "\(name): sum \(sum) vs \(want)")
        }
    }
}
