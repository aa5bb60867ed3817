import Foundation
@testable import Provenance

/// Builds model folders in a temporary directory the way publishers ship them.
struct LineageFixtures {
    let root: URL
    let kb: LicenseKnowledgeBase

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("provenance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        kb = try LicenseKnowledgeBase.bundled()
    }

    /// License texts reduced to their official title and opening, as the audit recognises them.
    enum Text {
        static let mit = "MIT License\n\nCopyright (c) 2023 DeepSeek\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software…\n"
        static let apache = "\n                                 Apache License\n                           Version 2.0, January 2004\n                        http://www.apache.org/licenses/\n"
        static let llama31 = "LLAMA 3.1 COMMUNITY LICENSE AGREEMENT\nLlama 3.1 Version Release Date: July 23, 2024\n…\n"
        static let llama33 = "LLAMA 3.3 COMMUNITY LICENSE AGREEMENT\nLlama 3.3 Version Release Date: December 6, 2024\n"
        static let gemma = "Gemma Terms of Use\n\nLast modified: March 24, 2025\n…\n"
        static let llamaNotice = "Llama 3.1 is licensed under the Llama 3.1 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved."
        static let gemmaNotice = "Gemma is provided under and subject to the Gemma Terms of Use found at ai.google.dev/gemma/terms"
    }

    /// A folder with the given files; `manifest` is written (with file hashes) when given.
    @discardableResult
    func folder(_ name: String, manifest: Manifest? = nil, files: [String: String] = [:], binary: [String: Data] = [:]) throws -> URL {
        let dir = root.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (file, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(file)) }
        for (file, data) in binary { try data.write(to: dir.appendingPathComponent(file)) }
        if var manifest {
            try manifest.recordFiles(in: dir)
            try manifest.write(to: dir)
        }
        return dir
    }

    func manifest(_ name: String, license: String, parents: [Parent] = [], declare: [String] = [], kind: ArtefactKind = .model) throws -> Manifest {
        var m = Manifest(name: name, license: license, kind: kind, created: "2026-11-22T09:00:00Z")
        for p in parents { try m.addParent(p) }
        for d in declare { try m.declare(assignment: d) }
        return m
    }

    func audit(_ paths: URL..., use: Declarations.IntendedUse? = nil) -> AuditReport {
        Auditor(knowledgeBase: kb).audit(paths: paths, intendedUse: use)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }

    /// A minimal GGUF v3 file: header, string metadata, no tensors (GGUF.md §1.1–1.3).
    static func gguf(_ strings: [(String, String)], uint: [(String, UInt32)] = []) -> Data {
        var d = Data("GGUF".utf8)
        func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { d.append(contentsOf: $0) } }
        func str(_ s: String) { u64(UInt64(s.utf8.count)); d.append(contentsOf: Array(s.utf8)) }
        u32(3); u64(0); u64(UInt64(strings.count + uint.count))
        for (k, v) in strings { str(k); u32(8); str(v) }
        for (k, v) in uint { str(k); u32(4); u32(v) }
        return d
    }
}
