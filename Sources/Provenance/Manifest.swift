import Foundation

/// `manifest.json`: what a model or trace folder is, where it came from and what it ships.
/// Schema: `manifests/schema/manifest-v1.schema.json`. Field names are snake_case in JSON.
public struct Manifest: Codable, Equatable, Sendable {
    /// Bumped when a field changes meaning; readers refuse versions they do not know.
    public static let currentSchemaVersion = 1
    public static let fileName = "manifest.json"

    public var schemaVersion: Int
    /// Hugging Face style repository id (`org/name`) when the artefact has one.
    public var id: String?
    public var name: String
    public var version: String?
    /// An SPDX id, a Hub license id or a knowledge-base id such as `llama3.1` or `qwen-research`.
    public var license: String
    public var kind: ArtefactKind?
    public var parents: [Parent]
    public var training: TrainingRecord?
    public var quantization: QuantizationRecord?
    public var files: [FileRecord]
    public var declarations: Declarations
    /// ISO 8601, UTC. Kept as text so the canonical (signed) form does not depend on a date encoder.
    public var created: String?
    public var tool: String?
    public var signature: ManifestSignature?

    public init(name: String, license: String, id: String? = nil, version: String? = nil,
                kind: ArtefactKind? = .model, created: String? = nil, tool: String? = Manifest.toolVersion) {
        self.schemaVersion = Manifest.currentSchemaVersion
        self.id = id
        self.name = name
        self.version = version
        self.license = license
        self.kind = kind
        self.parents = []
        self.files = []
        self.declarations = Declarations()
        self.created = created
        self.tool = tool
    }

    public static let toolVersion = "distillery 0.1.0"

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", id, name, version, license, kind, parents, training,
             quantization, files, declarations, created, tool, signature
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        id = try c.decodeIfPresent(String.self, forKey: .id)
        name = try c.decode(String.self, forKey: .name)
        version = try c.decodeIfPresent(String.self, forKey: .version)
        license = try c.decode(String.self, forKey: .license)
        kind = try c.decodeIfPresent(ArtefactKind.self, forKey: .kind)
        parents = try c.decodeIfPresent([Parent].self, forKey: .parents) ?? []
        training = try c.decodeIfPresent(TrainingRecord.self, forKey: .training)
        quantization = try c.decodeIfPresent(QuantizationRecord.self, forKey: .quantization)
        files = try c.decodeIfPresent([FileRecord].self, forKey: .files) ?? []
        declarations = try c.decodeIfPresent(Declarations.self, forKey: .declarations) ?? Declarations()
        created = try c.decodeIfPresent(String.self, forKey: .created)
        tool = try c.decodeIfPresent(String.self, forKey: .tool)
        signature = try c.decodeIfPresent(ManifestSignature.self, forKey: .signature)
    }

    /// The part after `org/` of the id, else the name: the "model name" license naming rules talk about.
    public var modelName: String {
        if let id, let slash = id.lastIndex(of: "/") { return String(id[id.index(after: slash)...]) }
        return name
    }
}

public enum ArtefactKind: String, Codable, Sendable, CaseIterable {
    case model, traces, dataset
}

/// One lineage edge: this artefact was made from `id` in the way `relation` says.
public struct Parent: Codable, Equatable, Sendable {
    public var id: String
    public var role: ParentRole
    public var relation: Relation
    public var license: String?
    public var revision: String?
    public var sha256: String?
    /// A local folder (relative to this manifest's folder, or absolute) holding the parent's own manifest.
    public var path: String?

    public init(id: String, role: ParentRole, relation: Relation, license: String? = nil,
                revision: String? = nil, sha256: String? = nil, path: String? = nil) {
        self.id = id; self.role = role; self.relation = relation; self.license = license
        self.revision = revision; self.sha256 = sha256; self.path = path
    }
}

public enum ParentRole: String, Codable, Sendable, CaseIterable {
    /// Weights the artefact starts from or contains (base model, merge parent, quantisation source).
    case base
    /// A model whose outputs (traces, logits) trained the artefact; its weights are not inside.
    case teacher
    /// Training data: a dataset or Distillery trace shards.
    case dataset
}

/// The Hub's `base_model_relation` values plus the two it lacks (`distillation`, `pruned`).
public enum Relation: String, Codable, Sendable, CaseIterable {
    case distillation, finetune, quantized, merge, adapter, pruned
}

public struct TrainingRecord: Codable, Equatable, Sendable {
    public var method: String
    public var settings: [String: String]
    public var figures: [String: Double]
    public init(method: String, settings: [String: String] = [:], figures: [String: Double] = [:]) {
        self.method = method; self.settings = settings; self.figures = figures
    }
}

public struct QuantizationRecord: Codable, Equatable, Sendable {
    public var type: String
    public var bitsPerWeight: Double?
    public var calibrationData: String?
    public var tool: String?
    public init(type: String, bitsPerWeight: Double? = nil, calibrationData: String? = nil, tool: String? = nil) {
        self.type = type; self.bitsPerWeight = bitsPerWeight; self.calibrationData = calibrationData; self.tool = tool
    }
    enum CodingKeys: String, CodingKey {
        case type, bitsPerWeight = "bits_per_weight", calibrationData = "calibration_data", tool
    }
}

public struct FileRecord: Codable, Equatable, Sendable {
    /// Relative to the manifest's folder, `/`-separated.
    public var path: String
    public var sha256: String
    public var size: UInt64
    public init(path: String, sha256: String, size: UInt64) { self.path = path; self.sha256 = sha256; self.size = size }
}

public struct ManifestSignature: Codable, Equatable, Sendable {
    public var algorithm: String
    /// Base64 of the raw 32-byte Ed25519 public key.
    public var publicKey: String
    /// Base64 of the 64-byte signature over `Manifest.canonicalData()`.
    public var value: String
    enum CodingKeys: String, CodingKey { case algorithm, publicKey = "public_key", value }
}
