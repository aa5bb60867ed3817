/// The four character classes the pre-tokenizer regexes distinguish (TOKENIZERS.md §4.2):
/// `\p{L}` letters, `\p{N}` numbers, `\s` whitespace, and everything else ("other").
enum ScalarClass {
    static let other: UInt8 = 0
    static let letter: UInt8 = 1
    static let number: UInt8 = 2
    static let whitespace: UInt8 = 3

    private static let ascii: [UInt8] = (0..<128).map { v in
        switch v {
        case 0x09...0x0D, 0x20: return whitespace
        case 0x30...0x39: return number
        case 0x41...0x5A, 0x61...0x7A: return letter
        default: return other
        }
    }

    @inline(__always)
    static func of(_ value: UInt32) -> UInt8 {
        if value < 128 { return ascii[Int(value)] }
        return nonASCII(value)
    }

    private static func nonASCII(_ value: UInt32) -> UInt8 {
        // `\s` is the White_Space property, which is not a general category (§4.2).
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
            return whitespace
        default: break
        }
        guard let scalar = Unicode.Scalar(value) else { return other }
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            return letter
        case .decimalNumber, .letterNumber, .otherNumber:
            return number
        default:
            return other
        }
    }
}
