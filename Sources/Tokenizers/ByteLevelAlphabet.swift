/// GPT-2's byte → printable-character table (TOKENIZERS.md §1).
///
/// Byte-level BPE never sees raw bytes: every UTF-8 byte is replaced by one printable scalar
/// before merging, and the vocabulary is written in that alphabet (`Ġ` is a space). The table
/// is a bijection between the 256 bytes and 256 scalars, so a token's text maps back to exact bytes.
enum ByteLevelAlphabet {
    /// Scalar value for each byte.
    static let scalarForByte: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 0x100
        for byte in 0..<256 {
            // The 188 printable Latin-1 bytes keep their own code point; the other 68 take
            // U+0100, U+0101, … in increasing byte order.
            if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// Inverse table over U+0000…U+0143; -1 where a scalar is not in the alphabet.
    static let byteForScalar: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalarForByte.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    /// The byte a scalar of the alphabet stands for, or nil if it is not in the alphabet.
    @inline(__always)
    static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        let v = Int(scalar.value)
        guard v < byteForScalar.count else { return nil }
        let b = byteForScalar[v]
        return b < 0 ? nil : UInt8(b)
    }

    /// Token text in the alphabet → bytes; nil if some scalar is outside the alphabet.
    static func bytes(ofAlphabetText text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            guard let b = byte(for: scalar) else { return nil }
            out.append(b)
        }
        return out
    }

    /// Decodes a token's text as Hugging Face's `ByteLevel` decoder does: scalars in the
    /// alphabet become their byte, any other scalar contributes its own UTF-8 bytes.
    static func decodeLeniently(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for scalar in text.unicodeScalars {
            if let b = byte(for: scalar) { out.append(b) } else { out.append(contentsOf: Array(String(scalar).utf8)) }
        }
        return out
    }
}
