import Foundation

/// Facts only the publisher knows, recorded by `distillery manifest declare DIR KEY=VALUE…`.
/// The audit cannot see them in the files, yet several license clauses turn on them
/// (Llama §2 user counts, API terms on competing models, CC NonCommercial use).
public struct Declarations: Codable, Equatable, Sendable {
    public var distributed: Bool?
    public var intendedUse: IntendedUse?
    public var licenseeMAUAtBaseRelease: Int?
    public var licenseeMAUCurrent: Int?
    public var licenseeDomicile: String?
    public var outputsGeneratedBy: OutputsGenerator?
    public var competesWithOutputProvider: Bool?
    public var termsVersion: String?
    public var teacherAccess: TeacherAccess?
    public var useRestrictionsPassedOn: String?
    public var aupReferenced: String?
    public var modificationNotice: String?
    public var datasetAttribution: String?
    public var baseWeightsRedistributed: Bool?
    public var modelType: String?

    public init() {}

    public enum IntendedUse: String, Codable, Sendable, CaseIterable { case commercial, research, `internal` }
    public enum OutputsGenerator: String, Codable, Sendable, CaseIterable { case `self`, thirdParty = "third-party" }
    public enum TeacherAccess: String, Codable, Sendable, CaseIterable { case weights, api }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case distributed
        case intendedUse = "intended_use"
        case licenseeMAUAtBaseRelease = "licensee_mau_at_base_release"
        case licenseeMAUCurrent = "licensee_mau_current"
        case licenseeDomicile = "licensee_domicile"
        case outputsGeneratedBy = "outputs_generated_by"
        case competesWithOutputProvider = "competes_with_output_provider"
        case termsVersion = "terms_version"
        case teacherAccess = "teacher_access"
        case useRestrictionsPassedOn = "use_restrictions_passed_on"
        case aupReferenced = "aup_referenced"
        case modificationNotice = "modification_notice"
        case datasetAttribution = "dataset_attribution"
        case baseWeightsRedistributed = "base_weights_redistributed"
        case modelType = "model_type"
    }

    public static var knownKeys: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// Sets one `KEY=VALUE` pair, checking the value's type; the error lists what is allowed.
    public mutating func set(_ key: String, to value: String) throws(ProvenanceError) {
        guard let k = CodingKeys(rawValue: key) else {
            throw .unknownDeclaration(key: key, known: Declarations.knownKeys)
        }
        func bool() throws(ProvenanceError) -> Bool {
            switch value.lowercased() {
            case "true", "yes": return true
            case "false", "no": return false
            default: throw .invalidDeclaration(key: key, value: value, expected: "true or false")
            }
        }
        func int() throws(ProvenanceError) -> Int {
            guard let n = Int(value.replacingOccurrences(of: "_", with: "")), n >= 0 else {
                throw .invalidDeclaration(key: key, value: value, expected: "a non-negative integer")
            }
            return n
        }
        func oneOf<E: RawRepresentable & CaseIterable>(_: E.Type) throws(ProvenanceError) -> E where E.RawValue == String {
            guard let e = E(rawValue: value) else {
                throw .invalidDeclaration(key: key, value: value, expected: E.allCases.map(\.rawValue).joined(separator: "|"))
            }
            return e
        }
        func text() throws(ProvenanceError) -> String {
            guard !value.isEmpty else { throw .invalidDeclaration(key: key, value: value, expected: "non-empty text") }
            return value
        }
        switch k {
        case .distributed: distributed = try bool()
        case .intendedUse: intendedUse = try oneOf(IntendedUse.self)
        case .licenseeMAUAtBaseRelease: licenseeMAUAtBaseRelease = try int()
        case .licenseeMAUCurrent: licenseeMAUCurrent = try int()
        case .licenseeDomicile: licenseeDomicile = try text()
        case .outputsGeneratedBy: outputsGeneratedBy = try oneOf(OutputsGenerator.self)
        case .competesWithOutputProvider: competesWithOutputProvider = try bool()
        case .termsVersion: termsVersion = try text()
        case .teacherAccess: teacherAccess = try oneOf(TeacherAccess.self)
        case .useRestrictionsPassedOn: useRestrictionsPassedOn = try text()
        case .aupReferenced: aupReferenced = try text()
        case .modificationNotice: modificationNotice = try text()
        case .datasetAttribution: datasetAttribution = try text()
        case .baseWeightsRedistributed: baseWeightsRedistributed = try bool()
        case .modelType: modelType = try text()
        }
    }

    /// `use_restrictions_passed_on`, `aup_referenced` etc. take text (where the clause is, e.g. a file
    /// name) or a yes/no; "false"/"no" means the publisher says it is not done.
    static func affirms(_ text: String?) -> Bool {
        guard let t = text?.lowercased() else { return false }
        return !["false", "no", "none"].contains(t)
    }
}
