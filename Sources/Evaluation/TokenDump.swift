import Foundation

/// The token sequences of an evaluation as JSONL, one object per trace:
/// `{"id": …, "tokens": [ids], "mask": [0|1 per token]}`, mask 1 on the completion tokens that
/// are scored (each by the logits of the position before it). `scripts/bench/eval_peer.py`
/// reads it, so llama.cpp sees exactly the tokens our engine saw.
public enum TokenDump {
    public static func write(_ sequences: [TraceSequence], to url: URL) throws {
        struct Line: Encodable {
            var id: String
            var tokens: [Int32]
            var mask: [Int]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data()
        for s in sequences {
            let mask = s.tokens.indices.map { $0 >= s.promptCount ? 1 : 0 }
            data.append(try encoder.encode(Line(id: s.id, tokens: s.tokens, mask: mask)))
            data.append(0x0A)
        }
        try data.write(to: url, options: .atomic)
    }
}
