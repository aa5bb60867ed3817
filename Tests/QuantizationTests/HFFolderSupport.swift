import Foundation
import ModelFormats

/// Hugging Face folders for the conversion tests: copies of the tiny transformers-made models
/// (TransformerTests/Fixtures), with a small byte-level BPE tokenizer added.
enum HFFolderSupport {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()

    static func temporaryFolder(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("distillery-hf-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A copy of `TransformerTests/Fixtures/<name>` (config and weights, re-stored as `dtype`)
    /// plus `tinyTokenizer`.
    static func tinyFolder(_ name: String, dtype: SafetensorsDType = .f32) throws -> URL {
        let source = fixtures.appendingPathComponent("TransformerTests/Fixtures/\(name)")
        let folder = try temporaryFolder(name)
        try FileManager.default.copyItem(at: source.appendingPathComponent("config.json"), to: folder.appendingPathComponent("config.json"))
        let model = try SafetensorsModel(directory: source)
        let tensors = try model.tensorNames.map { name -> (name: String, shape: [Int], values: [Float]) in
            let tensor = try model.tensor(named: name)
            return (name, tensor.shape, tensor.values)
        }
        try SafetensorsWriter.write(tensors: tensors, dtype: dtype, to: folder.appendingPathComponent("model.safetensors"))
        try tinyTokenizer(vocabularySize: 128).write(to: folder.appendingPathComponent("tokenizer.json"))
        try Data(#"{"bos_token": "<|im_start|>", "eos_token": "<|im_end|>", "add_bos_token": false, "chat_template": "{{ messages }}"}"#.utf8)
            .write(to: folder.appendingPathComponent("tokenizer_config.json"))
        return folder
    }

    /// Three special added tokens, one plain added token, then single printable characters;
    /// a SmolLM2-style pre-tokenizer and two merges.
    static func tinyTokenizer(vocabularySize: Int) -> Data {
        var vocab: [String: Int] = ["<|endoftext|>": 0, "<|im_start|>": 1, "<|im_end|>": 2, "<tool>": 3]
        var scalar: UInt32 = 0x21
        while vocab.count < vocabularySize - 1 {
            if let character = Unicode.Scalar(scalar) { vocab[String(Character(character))] = vocab.count }
            scalar += 1
        }
        vocab["ab"] = vocab.count
        let added = [(0, "<|endoftext|>", true), (1, "<|im_start|>", true), (2, "<|im_end|>", true), (3, "<tool>", false)]
            .map { ["id": $0.0, "content": $0.1, "special": $0.2, "single_word": false, "lstrip": false, "rstrip": false, "normalized": false] as [String: Any] }
        let json: [String: Any] = [
            "version": "1.0",
            "added_tokens": added,
            "normalizer": NSNull(),
            "pre_tokenizer": ["type": "Sequence", "pretokenizers": [
                ["type": "Digits", "individual_digits": true],
                ["type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true],
            ]],
            "post_processor": NSNull(),
            "decoder": ["type": "ByteLevel"],
            "model": ["type": "BPE", "vocab": vocab, "merges": [["a", "b"], "b c"], "byte_fallback": false],
        ]
        return (try? JSONSerialization.data(withJSONObject: json, options: [.sortedKeys])) ?? Data()
    }

    static func editConfig(_ folder: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let url = folder.appendingPathComponent("config.json")
        var config = (try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]) ?? [:]
        edit(&config)
        try JSONSerialization.data(withJSONObject: config).write(to: url)
    }

    static func entries(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }
}
