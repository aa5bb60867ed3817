import Crypto
import Foundation
import Tokenizers

/// Stable identities for prompts, traces and seeds: the same question asked of the same
/// teacher with the same settings gets the same id in a rerun or a resumed run, which is
/// how a resumed run knows what is done.
public enum TraceID {
    /// What makes a trace: the prompt, the teacher (not its endpoint: a restarted server on
    /// another port is the same teacher), the run's sampling settings and the sample index.
    public static func make(messages: [ChatMessage], teacher: TeacherIdentity, temperature: Float, topP: Float,
                            maxTokens: Int, seed: UInt64, topLogprobs: Int, sampleIndex: Int) -> String {
        var text = "trace-v1\n" + conversationKey(messages)
        text += "\nteacher=\(teacher.model)\nsha256=\(teacher.sha256 ?? "")"
        text += "\ntemperature=\(temperature)\ntop_p=\(topP)\nmax_tokens=\(maxTokens)\nseed=\(seed)"
        text += "\ntop_logprobs=\(topLogprobs)\nsample=\(sampleIndex)"
        return hex(SHA256.hash(data: Data(text.utf8))).prefix(32).description
    }

    /// A prompt's id when its line gave none: the hash of its messages.
    public static func prompt(_ messages: [ChatMessage]) -> String {
        hex(SHA256.hash(data: Data(("prompt-v1\n" + conversationKey(messages)).utf8))).prefix(16).description
    }

    /// The seed one attempt at a trace samples with: different per trace and per attempt,
    /// and the same in a resumed run.
    public static func seed(runSeed: UInt64, traceID: String, attempt: Int) -> UInt64 {
        let digest = Array(SHA256.hash(data: Data("seed-v1\n\(runSeed)\n\(traceID)\n\(attempt)".utf8)))
        return digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// Roles and contents with lengths, so no two different conversations share a key.
    private static func conversationKey(_ messages: [ChatMessage]) -> String {
        messages.map { "\($0.role.utf8.count):\($0.role)\($0.content.utf8.count):\($0.content)" }.joined(separator: "\n")
    }

    private static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
