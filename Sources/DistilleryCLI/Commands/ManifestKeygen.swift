import ArgumentParser
import Foundation
import Provenance

struct ManifestKeygen: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keygen", abstract: "Create an Ed25519 key pair: FILE (private, mode 600) and FILE.pub.")

    @Option(help: "Private key file to create.") var out: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("\(out) exists; refusing to overwrite a key.") }
        let keys = ManifestSigning.generateKeyPair()
        guard FileManager.default.createFile(atPath: out, contents: Data((keys.privateKey + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write \(out)")
        }
        try Data((keys.publicKey + "\n").utf8).write(to: URL(fileURLWithPath: out + ".pub"))
        print("private key: \(out)\npublic key:  \(out).pub (\(keys.publicKey))")
    }
}
