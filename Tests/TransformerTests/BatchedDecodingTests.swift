import Foundation
import Testing
import ModelLoading
import Transformer

/// Many sequences in one forward take the quantised kernels' 8-vector tiles; one sequence
/// takes the single-vector path. Both must give the same logits on the real model.
@Suite(.serialized)
struct BatchedDecodingTests {
    @Test func nineSequencesDecodedTogetherMatchEachAlone() throws {
        let model = try TestModels.smolLM2()
        let decoder = model.decoder
        let prompts = (0..<9).map { model.encode("Sequence \($0): the number \($0 * 7) is") }
        let vocabulary = decoder.config.vocabularySize
        let steps = 4

        // Alone: prompt, then `steps` greedy tokens one at a time.
        var aloneTokens: [[Int32]] = []
        var aloneLogits: [[Float]] = []
        for prompt in prompts {
            var tokens = prompt
            var last: [Float] = []
            for _ in 0...steps {
                last = try decoder.lastLogits(of: tokens)
                tokens.append(Int32(last.indices.max { last[$0] < last[$1] } ?? 0))
            }
            aloneTokens.append(tokens)
            aloneLogits.append(last)
        }

        // Together: every prompt prefilled in one call (continuous batching), then one
        // entry per slot per step, feeding each slot the tokens it produced alone.
        let cache = try KVCache(config: decoder.config, slots: prompts.count, capacity: 64)
        var entries: [BatchEntry] = []
        for (slot, prompt) in prompts.enumerated() {
            for (position, token) in prompt.enumerated() {
                entries.append(BatchEntry(token: token, slot: slot, position: position, wantsLogits: position == prompt.count - 1))
            }
        }
        _ = try decoder.forward(entries, cache: cache)
        var together: [Float] = []
        for step in 0..<steps {
            let batch = prompts.indices.map { slot in
                BatchEntry(token: aloneTokens[slot][prompts[slot].count + step], slot: slot,
                           position: prompts[slot].count + step, wantsLogits: true)
            }
            together = Array(try decoder.forward(batch, cache: cache))
        }
        for slot in prompts.indices {
            let row = together[(slot * vocabulary)..<((slot + 1) * vocabulary)]
            let reference = aloneLogits[slot]
            let worst = zip(row, reference).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            #expect(worst < 1e-3, "slot \(slot): relative difference \(worst)")
            #expect(row.indices.max { row[$0] < row[$1] }.map { $0 - row.startIndex } == reference.indices.max { reference[$0] < reference[$1] })
        }
        #expect(cache.lengths == prompts.map { $0.count + steps })
    }
}
