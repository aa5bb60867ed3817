import Foundation
import Testing
import ModelFormats
import ModelLoading
@testable import Training

/// Students from Hugging Face folders: the tiny transformers checkpoints of TransformerTests
/// (qwen2 with q/k/v biases and a tied head; llama with an untied head), given SmolLM2's
/// published tokenizer files.
@Suite struct StudentFromHFFolderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    func folder(_ name: String) throws -> URL {
        let folder = try temporaryFolder("hf-\(name)")
        let source = Self.root.appendingPathComponent("TransformerTests/Fixtures/\(name)")
        let tokenizer = Self.root.appendingPathComponent("TokenizersTests/Fixtures/smollm2")
        for file in ["config.json", "model.safetensors", "generation_config.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        for file in ["tokenizer.json", "tokenizer_config.json"] {
            try FileManager.default.copyItem(at: tokenizer.appendingPathComponent(file), to: folder.appendingPathComponent(file))
        }
        return folder
    }

    @Test(arguments: ["tiny-qwen2", "tiny-llama3"])
    func pretrainedFromHFFolderKeepsEveryTensorAndFile(_ name: String) throws {
        let source = try folder(name)
        let out = try temporaryFolder("hf-\(name)-out")
        defer { for url in [source, out] { try? FileManager.default.removeItem(at: url) } }
        let student = try Student.pretrained(reference: source.path)
        let weights = try SafetensorsFile(url: source.appendingPathComponent("model.safetensors"))
        // Every tensor as it was: Hugging Face files rotate halves, nothing is permuted.
        for tensorName in weights.tensorNames {
            #expect(student.values(of: tensorName) == (try weights.tensor(named: tensorName).values), "\(name): \(tensorName)")
        }
        #expect(student.layout.tensors.count == weights.tensorNames.count)
        if name == "tiny-qwen2" { #expect(student.config.hasAttentionBias && student.config.tiedEmbeddings) }
        if name == "tiny-llama3" { #expect(!student.config.tiedEmbeddings) }

        try CheckpointWriter.write(student: student, to: out)
        let written = try SafetensorsFile(url: out.appendingPathComponent("model.safetensors"))
        #expect(written.tensorNames.sorted() == weights.tensorNames.sorted())
        for file in ["tokenizer.json", "tokenizer_config.json", "generation_config.json"] {
            #expect(try Data(contentsOf: out.appendingPathComponent(file)) == Data(contentsOf: source.appendingPathComponent(file)), "\(file)")
        }
        let original = try LoadedModel.load(source.path, threads: 1), saved = try LoadedModel.load(out.path, threads: 1)
        let tokens: [Int32] = [1, 5, 9, 20, 77, 3]
        let expected = try original.decoder.lastLogits(of: tokens)
        #expect(try saved.decoder.lastLogits(of: tokens) == expected)
        #expect(try student.decoder(threads: 1).lastLogits(of: tokens) == expected)
    }
}
