import Foundation

/// The MDS columns of a trace dataset. Token arrays are `bytes` of little-endian values, not
/// `ndarray`, because MDS cannot store an empty ndarray (MDS.md §4, §8) and an endpoint
/// without logprobs gives none. Python reads them with
/// `np.frombuffer(s["topk_ids"], "<i4").reshape(-1, s["topk"])`.
extension TraceRecord {
    public static let columns: [MDSColumn] = [
        MDSColumn("id", .str), MDSColumn("prompt_id", .str), MDSColumn("sample_index", .int64),
        MDSColumn("attempt", .int32), MDSColumn("messages", .json), MDSColumn("reasoning", .str),
        MDSColumn("answer", .str), MDSColumn("completion", .str), MDSColumn("reference_answer", .str),
        MDSColumn("verification", .json), MDSColumn("teacher", .json), MDSColumn("sampling", .json),
        MDSColumn("finish_reason", .str), MDSColumn("prompt_tokens", .int32),
        MDSColumn("completion_tokens", .int32), MDSColumn("timings", .json),
        MDSColumn("token_ids", .bytes), MDSColumn("token_logprobs", .bytes), MDSColumn("topk", .int32),
        MDSColumn("topk_ids", .bytes), MDSColumn("topk_logprobs", .bytes), MDSColumn("metadata", .json),
    ]

    public var mdsSample: [String: MDSValue] {
        get throws {
            let verificationText = try verification.map { try Self.jsonText($0) } ?? "null"
            return [
                "id": .string(id), "prompt_id": .string(promptID), "sample_index": .int(Int64(sampleIndex)),
                "attempt": .int(Int64(attempt)), "messages": .json(try Self.jsonText(messages)),
                "reasoning": .string(reasoning), "answer": .string(answer), "completion": .string(completion),
                "reference_answer": .string(referenceAnswer),
                "verification": .json(verificationText),
                "teacher": .json(try Self.jsonText(teacher)), "sampling": .json(try Self.jsonText(sampling)),
                "finish_reason": .string(finishReason), "prompt_tokens": .int(Int64(promptTokens)),
                "completion_tokens": .int(Int64(completionTokens)), "timings": .json(try Self.jsonText(timings)),
                "token_ids": .bytes(Self.littleEndianBytes(tokenIDs.map { UInt32(bitPattern: $0) })),
                "token_logprobs": .bytes(Self.littleEndianBytes(tokenLogprobs.map(\.bitPattern))),
                "topk": .int(Int64(topK)),
                "topk_ids": .bytes(Self.littleEndianBytes(topIDs.map { UInt32(bitPattern: $0) })),
                "topk_logprobs": .bytes(Self.littleEndianBytes(topLogprobs.map(\.bitPattern))),
                "metadata": .json(metadata),
            ]
        }
    }

    /// Reads a sample of a trace dataset back; `file`/`sample` only name the place in errors.
    public init(mdsSample s: [String: MDSValue], file: String = "", sample: Int = 0) throws {
        func fail(_ column: String, _ reason: String) -> TracesError {
            .malformedSample(file: file, sample: sample, column: column, reason: reason)
        }
        func string(_ c: String) throws -> String {
            guard case let .string(v)? = s[c] else { throw fail(c, "missing or not a string") }
            return v
        }
        func integer(_ c: String) throws -> Int {
            switch s[c] {
            case let .int(v)?: return Int(v)
            case let .uint(v)?: return Int(v)
            default: throw fail(c, "missing or not an integer")
            }
        }
        func json<T: Decodable>(_ c: String, _ type: T.Type) throws -> T {
            guard case let .json(text)? = s[c] else { throw fail(c, "missing or not JSON") }
            do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
                throw fail(c, "does not decode: \(error)")
            }
        }
        func words(_ c: String) throws -> [UInt32] {
            guard case let .bytes(b)? = s[c] else { throw fail(c, "missing or not bytes") }
            guard b.count % 4 == 0 else { throw fail(c, "\(b.count) bytes is not a whole number of 4-byte values") }
            return stride(from: 0, to: b.count, by: 4).map {
                UInt32(b[$0]) | UInt32(b[$0 + 1]) << 8 | UInt32(b[$0 + 2]) << 16 | UInt32(b[$0 + 3]) << 24
            }
        }
        guard case let .json(metadata)? = s["metadata"] else { throw fail("metadata", "missing or not JSON") }
        self.init(
            id: try string("id"), promptID: try string("prompt_id"), sampleIndex: try integer("sample_index"),
            attempt: try integer("attempt"), messages: try json("messages", [TraceMessage].self),
            reasoning: try string("reasoning"), answer: try string("answer"), completion: try string("completion"),
            referenceAnswer: try string("reference_answer"),
            verification: try json("verification", TraceVerification?.self),
            teacher: try json("teacher", TraceTeacher.self), sampling: try json("sampling", TraceSampling.self),
            finishReason: try string("finish_reason"), promptTokens: try integer("prompt_tokens"),
            completionTokens: try integer("completion_tokens"), timings: try json("timings", TraceTimings.self),
            tokenIDs: try words("token_ids").map { Int32(bitPattern: $0) },
            tokenLogprobs: try words("token_logprobs").map { Float(bitPattern: $0) },
            topK: try integer("topk"), topIDs: try words("topk_ids").map { Int32(bitPattern: $0) },
            topLogprobs: try words("topk_logprobs").map { Float(bitPattern: $0) }, metadata: metadata)
        guard topIDs.count == topLogprobs.count, topK == 0 ? topIDs.isEmpty : topIDs.count == tokenIDs.count * topK else {
            throw fail("topk_ids", "\(topIDs.count) ids and \(topLogprobs.count) logprobs do not make \(tokenIDs.count) rows of \(topK)")
        }
    }

    /// Compact JSON with sorted keys: stable bytes for the same record. Non-finite floats
    /// never reach a json column (MDS.md §4): they live in the `bytes` columns only.
    static func jsonText<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func littleEndianBytes(_ words: [UInt32]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: words.count * 4)
        for (i, w) in words.enumerated() {
            out[4 * i] = UInt8(truncatingIfNeeded: w)
            out[4 * i + 1] = UInt8(truncatingIfNeeded: w >> 8)
            out[4 * i + 2] = UInt8(truncatingIfNeeded: w >> 16)
            out[4 * i + 3] = UInt8(truncatingIfNeeded: w >> 24)
        }
        return out
    }
}
