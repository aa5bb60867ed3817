import Crypto
import Foundation

/// Ed25519 signatures over a manifest's canonical form. The manifest holds every file's SHA-256,
/// so one signature covers the lineage, the declarations and the weights.
public enum ManifestSigning {
    /// Domain separation: a signature over a manifest cannot be replayed as one over anything else.
    static let context = Data("distillery-manifest-v1\n".utf8)

    /// The manifest without its `signature`, as compact JSON with sorted keys and unescaped slashes.
    /// (Numbers are printed by Foundation's JSON encoder; a figure must round-trip to the same digits,
    /// which holds for the same Foundation, the case we sign and verify in.)
    public static func canonicalData(_ manifest: Manifest) -> Data {
        var unsigned = manifest
        unsigned.signature = nil
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return context + ((try? encoder.encode(unsigned)) ?? Data())
    }

    /// A new key pair, each as base64 of the raw 32-byte key.
    public static func generateKeyPair() -> (privateKey: String, publicKey: String) {
        let key = Curve25519.Signing.PrivateKey()
        return (key.rawRepresentation.base64EncodedString(), key.publicKey.rawRepresentation.base64EncodedString())
    }

    public static func loadPrivateKey(from url: URL) throws(ProvenanceError) -> Curve25519.Signing.PrivateKey {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw .invalidKey(path: url.path, reason: "cannot be read")
        }
        guard let raw = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw .invalidKey(path: url.path, reason: "not a base64 Ed25519 private key (32 bytes)")
        }
        return key
    }

    /// Signs the manifest as it is; call after the files are hashed.
    public static func sign(_ manifest: inout Manifest, with key: Curve25519.Signing.PrivateKey) throws(ProvenanceError) {
        let signature: Data
        do { signature = try key.signature(for: canonicalData(manifest)) } catch {
            throw .signature(reason: "signing failed: \(error)")
        }
        manifest.signature = ManifestSignature(algorithm: "ed25519", publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
                                               value: signature.base64EncodedString())
    }

    /// Checks that the files still match their hashes, then signs and writes the manifest in `folder`.
    public static func sign(folder: URL, keyFile: URL) throws(ProvenanceError) -> Manifest {
        var manifest = try Manifest.load(from: folder)
        let key = try loadPrivateKey(from: keyFile)
        guard !manifest.files.isEmpty else {
            throw .signature(reason: "\(folder.path): the manifest records no files; run `distillery manifest hash \(folder.path)` first")
        }
        let problems = AuditRuleIntegrity.verifyFiles(manifest, in: folder)
        guard problems.isEmpty else {
            throw .signature(reason: "refusing to sign: \(problems.joined(separator: "; ")). Run `distillery manifest hash \(folder.path)` if the change is intended.")
        }
        try sign(&manifest, with: key)
        try manifest.write(to: folder)
        return manifest
    }

    /// Verifies the signature; with `trustedPublicKey` (base64) also that the signer is that key,
    /// since anyone can re-sign an edited manifest with a key of their own.
    public static func verifySignature(of manifest: Manifest, trustedPublicKey: String? = nil) -> Result<Void, ProvenanceError> {
        guard let sig = manifest.signature else { return .failure(.signature(reason: "the manifest is not signed")) }
        guard sig.algorithm == "ed25519" else { return .failure(.signature(reason: "unsupported signature algorithm '\(sig.algorithm)'")) }
        guard let rawKey = Data(base64Encoded: sig.publicKey), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawKey),
              let value = Data(base64Encoded: sig.value) else {
            return .failure(.signature(reason: "signature.public_key or signature.value is not valid base64 Ed25519 data"))
        }
        if let trusted = trustedPublicKey?.trimmingCharacters(in: .whitespacesAndNewlines), trusted != sig.publicKey {
            return .failure(.signature(reason: "signed by key \(sig.publicKey), not by the trusted key \(trusted)"))
        }
        guard key.isValidSignature(value, for: canonicalData(manifest)) else {
            return .failure(.signature(reason: "signature does not verify: the manifest was edited after it was signed"))
        }
        return .success(())
    }

    /// Signature and file hashes of a folder; an empty list means both hold.
    public static func verify(folder: URL, trustedPublicKey: String? = nil) throws(ProvenanceError) -> [String] {
        let manifest = try Manifest.load(from: folder)
        var problems: [String] = []
        if case let .failure(error) = verifySignature(of: manifest, trustedPublicKey: trustedPublicKey) {
            problems.append("\(Manifest.manifestURL(for: folder).path): \(error.description)")
        }
        return problems + AuditRuleIntegrity.verifyFiles(manifest, in: folder)
    }
}
