import Crypto
import Foundation
import Testing
@testable import Provenance

/// A changed weight file or an edited manifest is caught, and the message names the file.
@Suite struct IntegrityTests {
    let fx: LineageFixtures
    init() throws { fx = try LineageFixtures() }

    func signedModel() throws -> (dir: URL, publicKey: String) {
        let m = try fx.manifest("SmolLM2-135M-Tuned", license: "apache-2.0",
                                parents: [Parent(id: "HuggingFaceTB/SmolLM2-135M", role: .base, relation: .finetune, license: "apache-2.0")])
        let dir = try fx.folder("signed", manifest: m,
                                files: ["model.safetensors": String(repeating: "weights", count: 1000), "config.json": "{}",
                                        "LICENSE": LineageFixtures.Text.apache])
        let keys = ManifestSigning.generateKeyPair()
        let keyFile = fx.root.appendingPathComponent("key")
        try Data(keys.privateKey.utf8).write(to: keyFile)
        _ = try ManifestSigning.sign(folder: dir, keyFile: keyFile)
        return (dir, keys.publicKey)
    }

    @Test func signedUntouchedModelVerifies() throws {
        let (dir, publicKey) = try signedModel()
        #expect(try ManifestSigning.verify(folder: dir, trustedPublicKey: publicKey).isEmpty)
        #expect(fx.audit(dir).findings(rule: "signature").isEmpty)
        #expect(fx.audit(dir).findings(rule: "file-hash").isEmpty)
    }

    @Test func changedWeightFileIsCaughtByName() throws {
        let (dir, publicKey) = try signedModel()
        // Same size, one byte different: only the hash can tell.
        var bytes = try Data(contentsOf: dir.appendingPathComponent("model.safetensors"))
        bytes[10] ^= 1
        try bytes.write(to: dir.appendingPathComponent("model.safetensors"))
        let problems = try ManifestSigning.verify(folder: dir, trustedPublicKey: publicKey)
        #expect(problems.count == 1)
        #expect(problems.first?.hasPrefix("model.safetensors: sha256") == true)
        let finding = try #require(fx.audit(dir).findings(rule: "file-hash").first)
        #expect(finding.severity == .fail && finding.message.contains("model.safetensors"))
    }

    @Test func missingAndResizedFilesAreCaught() throws {
        let (dir, _) = try signedModel()
        try FileManager.default.removeItem(at: dir.appendingPathComponent("config.json"))
        try Data("short".utf8).write(to: dir.appendingPathComponent("model.safetensors"))
        let messages = fx.audit(dir).findings(rule: "file-hash").map(\.message)
        #expect(messages.contains { $0.hasPrefix("config.json: listed") })
        #expect(messages.contains { $0.hasPrefix("model.safetensors: size 5 bytes") })
    }

    @Test func editedManifestBreaksTheSignature() throws {
        let (dir, publicKey) = try signedModel()
        var m = try Manifest.load(from: dir)
        m.license = "mit"  // relicensing after signing
        try m.write(to: dir)
        let problems = try ManifestSigning.verify(folder: dir, trustedPublicKey: publicKey)
        #expect(problems.count == 1)
        #expect(problems.first?.contains("manifest.json") == true)
        #expect(problems.first?.contains("edited after it was signed") == true)
        let finding = try #require(fx.audit(dir).findings(rule: "signature").first)
        #expect(finding.severity == .fail && finding.message.contains("manifest.json"))
    }

    @Test func reSigningWithAnotherKeyIsCaughtWhenTheKeyIsPinned() throws {
        let (dir, publicKey) = try signedModel()
        var m = try Manifest.load(from: dir)
        m.license = "mit"
        try ManifestSigning.sign(&m, with: Curve25519.Signing.PrivateKey())
        try m.write(to: dir)
        #expect(try ManifestSigning.verify(folder: dir).isEmpty)  // self-consistent…
        let pinned = try ManifestSigning.verify(folder: dir, trustedPublicKey: publicKey)
        #expect(pinned.first?.contains("not by the trusted key") == true)  // …but not by the publisher
    }

    @Test func signingRefusesStaleHashes() throws {
        let (dir, _) = try signedModel()
        try Data("new weights".utf8).write(to: dir.appendingPathComponent("model.safetensors"))
        let keys = ManifestSigning.generateKeyPair()
        let keyFile = fx.root.appendingPathComponent("key2")
        try Data(keys.privateKey.utf8).write(to: keyFile)
        #expect(throws: ProvenanceError.self) { try ManifestSigning.sign(folder: dir, keyFile: keyFile) }
    }

    @Test func badKeyFileIsATypedError() throws {
        let (dir, _) = try signedModel()
        let keyFile = fx.root.appendingPathComponent("bad-key")
        try Data("not a key".utf8).write(to: keyFile)
        do {
            _ = try ManifestSigning.sign(folder: dir, keyFile: keyFile)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("bad-key") && error.description.contains("keygen"))
        }
    }

    @Test func sha256IsStreamedAndCorrect() throws {
        let dir = try fx.folder("hash", files: ["abc.txt": "abc"])
        let digest = try FileDigest.sha256(of: dir.appendingPathComponent("abc.txt"))
        #expect(digest.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")  // FIPS 180-2 test vector
        #expect(digest.size == 3)
        // Across a chunk boundary: 4 MiB + 1 bytes of "a".
        let big = Data(repeating: UInt8(ascii: "a"), count: FileDigest.chunkSize + 1)
        try big.write(to: dir.appendingPathComponent("big"))
        #expect(try FileDigest.sha256(of: dir.appendingPathComponent("big")).hex == SHA256.hash(data: big).map { String(format: "%02x", $0) }.joined())
    }
}
