import ArgumentParser
import Foundation
import Provenance

struct ManifestVerify: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the signature and every file's SHA-256; exit 1 if anything differs.")

    @Argument(help: "Folder holding manifest.json.") var dir: String
    @Option(name: .customLong("public-key"), help: "Trusted public key (base64) or a .pub file; without it any valid signer is accepted.")
    var publicKey: String?

    func run() throws {
        var trusted = publicKey
        if let p = publicKey, FileManager.default.fileExists(atPath: p) {
            trusted = try String(contentsOfFile: p, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let problems = try ManifestSigning.verify(folder: URL(fileURLWithPath: dir), trustedPublicKey: trusted)
        guard problems.isEmpty else {
            problems.forEach { print("FAIL \($0)") }
            throw ExitCode(1)
        }
        let manifest = try Manifest.load(from: URL(fileURLWithPath: dir))
        print("ok: signature by \(manifest.signature?.publicKey ?? "") verifies; \(manifest.files.count) files match their hashes"
              + (trusted == nil ? " (signer not pinned: pass --public-key to require a specific key)" : ""))
    }
}
