import Foundation

extension BPETokenizer {
    /// Text → ids, following llama.cpp's `llama_tokenize` (TOKENIZERS.md §3).
    ///
    /// - Parameters:
    ///   - addSpecialTokens: put BOS first / EOS last when the model says so (`addsBOS`, `addsEOS`).
    ///   - parseSpecialTokens: recognise CONTROL tokens such as `<|im_start|>` in the text. When
    ///     false their text is tokenized as ordinary text; USER_DEFINED (added, non-special)
    ///     tokens are always recognised (§5.1 step 2).
    public func encode(_ text: String, addSpecialTokens: Bool = true, parseSpecialTokens: Bool = true) -> [Int32] {
        var out: [Int32] = []
        out.reserveCapacity(text.utf8.count / 3 + 2)
        if addSpecialTokens && addsBOS, let bos = bosID { out.append(bos) }
        let scalars = text.unicodeScalars.map(\.value)
        scalars.withUnsafeBufferPointer { s in
            for fragment in splitter.split(s, parseSpecial: parseSpecialTokens) {
                switch fragment {
                case let .token(id): out.append(id)
                case let .text(range): encodeFragment(UnsafeBufferPointer(rebasing: s[range]), into: &out)
                }
            }
        }
        if addSpecialTokens && addsEOS, let eos = eosID { out.append(eos) }
        return out
    }

    /// One raw fragment between special tokens: normalise, pre-tokenize, byte-encode, merge.
    private func encodeFragment(_ raw: UnsafeBufferPointer<UInt32>, into out: inout [Int32]) {
        // Scalars below U+0300 are never changed by NFC, so most text skips normalisation.
        if normalizesNFC && raw.contains(where: { $0 >= 0x300 }) {
            var view = String.UnicodeScalarView()
            for v in raw { if let u = Unicode.Scalar(v) { view.append(u) } }
            let normalized = String(view).precomposedStringWithCanonicalMapping.unicodeScalars.map(\.value)
            normalized.withUnsafeBufferPointer { encodeNormalized($0, into: &out) }
        } else {
            encodeNormalized(raw, into: &out)
        }
    }

    private func encodeNormalized(_ s: UnsafeBufferPointer<UInt32>, into out: inout [Int32]) {
        let classes = s.map(ScalarClass.of)
        var words: [Range<Int>] = []
        classes.withUnsafeBufferPointer { c in
            wordSplitter.split(s, classes: c, range: 0..<s.count, into: &words)
        }
        var bytes: [UInt8] = []
        for word in words {
            bytes.removeAll(keepingCapacity: true)
            for v in s[word] { appendUTF8(v, to: &bytes) }
            encodeWord(bytes, into: &out)
        }
    }

    @inline(__always)
    private func appendUTF8(_ v: UInt32, to bytes: inout [UInt8]) {
        switch v {
        case 0..<0x80:
            bytes.append(UInt8(v))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | (v >> 6)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | (v >> 12)))
            bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | (v >> 18)))
            bytes.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// One pre-token's UTF-8 bytes → ids (§3 steps 3.3–3.5).
    private func encodeWord(_ bytes: [UInt8], into out: inout [Int32]) {
        if ignoresMerges, let id = idForBytes[bytes] {
            out.append(id)
            return
        }
        let cacheable = bytes.count <= WordCache.maxWordBytes
        if cacheable, let ids = cache.get(bytes) {
            out.append(contentsOf: ids)
            return
        }
        var ids = merges.apply(bytes.map { byteIDs[Int($0)] })
        if ids.contains(where: { $0 < 0 }) {
            // A byte with no token of its own (not in a complete byte-level vocabulary):
            // the unknown token if there is one, otherwise dropped as llama.cpp does.
            ids = ids.compactMap { $0 >= 0 ? $0 : unknownID }
        }
        if cacheable { cache.put(bytes, ids) }
        out.append(contentsOf: ids)
    }
}
