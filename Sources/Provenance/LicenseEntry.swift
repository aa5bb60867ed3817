import Foundation

/// One license or set of terms from `manifests/licenses/<id>.json`, written from the license text:
/// each clause names the section that says so.
public struct LicenseEntry: Codable, Sendable, Equatable {
    public var id: String
    public var name: String
    /// Date or version of the text the clauses were read from: "Qwen license" names three texts
    /// with opposite rules, so the version is part of the identity.
    public var version: String
    public var link: String
    public var spdx: String?
    /// The Hub `license` value; `other` plus `hubLicenseName` for licenses not on the Hub list.
    public var hubLicense: String
    public var hubLicenseName: String?
    public var kind: Kind
    /// Other spellings that mean this entry (SPDX ids, Hub slugs, ScanCode keys).
    public var aliases: [String]
    /// Title lines as the license is distributed; a LICENSE file containing one is this license.
    public var titles: [String]
    public var permissions: [LicenseClause]
    public var obligations: [LicenseClause]
    public var restrictions: [LicenseClause]

    public enum Kind: String, Codable, Sendable {
        case openSource = "open-source", model, data, apiTerms = "api-terms"
    }

    enum CodingKeys: String, CodingKey {
        case id, name, version, link, spdx, hubLicense = "hub_license", hubLicenseName = "hub_license_name",
             kind, aliases, titles, permissions, obligations, restrictions
    }

    public func permits(_ kind: LicenseClause.Kind) -> Bool { permissions.contains { $0.kind == kind } }
    public func clause(_ kind: LicenseClause.Kind) -> LicenseClause? {
        (obligations + restrictions + permissions).first { $0.kind == kind }
    }
}

/// A permission, obligation or restriction. Kind-specific parameters are optional fields.
public struct LicenseClause: Codable, Sendable, Equatable {
    public var kind: Kind
    /// Where the text says it, e.g. "§1.b.i".
    public var section: String
    /// A short paraphrase of the clause.
    public var summary: String
    /// Which lineage edges carry the clause to a descendant (see `Channel`).
    public var through: [Channel]
    /// Overrides the audit's default severity for this kind when the text is softer or harder.
    public var severity: Severity?
    /// The exact string the clause asks for: a notice line, an attribution, a name prefix,
    /// the allowed field of use, or a place (EU) for a domicile exclusion.
    public var text: String?
    /// Other strings that satisfy the clause ("Built with Qwen" or "Improved using Qwen").
    public var alternatives: [String]?
    /// A user-count threshold (monthly active users).
    public var limit: Int?
    /// The date a threshold is measured at (the base model's release date).
    public var date: String?
    /// The model types a clause is limited to (e.g. Llama 3.2's EU exclusion covers multimodal models).
    public var modelTypes: [String]?

    enum CodingKeys: String, CodingKey {
        case kind, section, summary, through, severity, text, alternatives, limit, date, modelTypes = "model_types"
    }

    public enum Kind: String, Codable, Sendable, CaseIterable {
        // permissions
        case commercialUse = "commercial-use", modification, distribution
        case relicenseDerivatives = "relicense-derivatives"
        case trainOtherModels = "train-other-models"
        // obligations
        case shipLicenseCopy = "ship-license-copy"
        case noticeLine = "notice-line"
        case attributionDisplay = "attribution-display"
        case namePrefix = "name-prefix"
        case passUseRestrictions = "pass-use-restrictions"
        case referenceAUP = "reference-aup"
        case changeNotice = "change-notice"
        case attributeSource = "attribute-source"
        case shareAlike = "share-alike"
        // restrictions
        case fieldOfUse = "field-of-use"
        case mauThreshold = "mau-threshold"
        case noImproveOtherModels = "no-improve-other-models"
        case noCompetingModels = "no-competing-models"
        case domicileExclusion = "domicile-exclusion"
    }
}

/// How an ancestor reaches a descendant. Weights edges (base, merge parent, quantisation source)
/// carry everything; teacher edges carry only the clauses about outputs; dataset edges carry the
/// data license's conditions.
public enum Channel: String, Codable, Sendable, CaseIterable {
    case weights, outputs, data

    var bit: UInt8 { switch self { case .weights: 1; case .outputs: 2; case .data: 4 } }

    init(role: ParentRole) {
        switch role {
        case .base: self = .weights
        case .teacher: self = .outputs
        case .dataset: self = .data
        }
    }

    /// The channel of a two-edge path: a teacher anywhere makes it outputs (trace shards are a
    /// teacher's outputs), else data anywhere makes it data, else weights.
    func then(_ next: Channel) -> Channel {
        if self == .outputs || next == .outputs { return .outputs }
        if self == .data || next == .data { return .data }
        return .weights
    }
}

public enum Severity: String, Codable, Sendable, Comparable, CaseIterable {
    case info, warn, fail
    var rank: Int { switch self { case .info: 0; case .warn: 1; case .fail: 2 } }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}
