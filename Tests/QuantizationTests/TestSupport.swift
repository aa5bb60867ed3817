import Crypto
import Foundation
import Provenance

func sha256(_ url: URL) throws -> String { try FileDigest.sha256(of: url).hex }

func digest(_ bytes: UnsafeRawBufferPointer) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}
