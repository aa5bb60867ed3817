import Foundation

/// The lineage of one or more artefacts, resolved from local manifests, the knowledge base and,
/// where no manifest exists, the model card and GGUF metadata. Resolution never traps: a missing,
/// malformed or cyclic ancestor becomes a finding and the walk goes on.
public struct LineageGraph: Sendable {
    public enum Origin: Sendable, Equatable {
        /// A folder with a manifest.json.
        case manifest(URL)
        /// A folder or GGUF file without one; the manifest was inferred from what it ships.
        case shippedMetadata(URL)
        case knowledgeBase
        /// Known only from the child's parent record.
        case parentRecord
    }

    public struct Node: Sendable {
        public var key: String
        public var manifest: Manifest
        public var origin: Origin
        /// Indices of parent nodes, in the order of `manifest.parents` that resolved.
        public var edges: [(parent: Int, record: Parent)] = []
        public var evidence: ShippedEvidence?
        public var displayID: String { manifest.id ?? manifest.name }
    }

    public private(set) var nodes: [Node] = []
    public private(set) var roots: [Int] = []
    /// Problems of the graph itself: cycles, dangling parents, unknown licenses, malformed manifests.
    public private(set) var findings: [AuditFinding] = []
    private var index: [String: Int] = [:]
    let knowledgeBase: LicenseKnowledgeBase

    public init(paths: [URL], knowledgeBase: LicenseKnowledgeBase) {
        self.knowledgeBase = knowledgeBase
        var queue: [Int] = []
        for path in paths {
            let subject = path.path
            switch loadLocal(path, readEvidence: true, subject: subject) {
            case let .success(node):
                let i = insert(node)
                roots.append(i)
                queue.append(i)
            case let .failure(error):
                findings.append(AuditFinding(severity: .fail, rule: "malformed-manifest", ancestor: nil, section: nil,
                                             message: error.description, fix: "Fix the manifest, or delete it and run `distillery manifest init`.",
                                             subject: subject))
            }
        }
        // Breadth-first; `index` keys make every artefact one node however many paths reach it.
        var head = 0
        while head < queue.count {
            let child = queue[head]
            head += 1
            for record in nodes[child].manifest.parents {
                let (key, made) = resolve(record, of: child)
                if let existing = index[key] {
                    nodes[child].edges.append((existing, record))
                } else if let node = made {
                    let i = insert(node)
                    nodes[child].edges.append((i, record))
                    queue.append(i)
                }
            }
        }
        checkLicenses()
        findCycles()
    }

    private mutating func insert(_ node: Node) -> Int {
        nodes.append(node)
        index[node.key] = nodes.count - 1
        return nodes.count - 1
    }

    // MARK: Resolving a parent record

    private mutating func resolve(_ record: Parent, of child: Int) -> (String, Node?) {
        let childNode = nodes[child]
        if let path = record.path {
            let base: URL
            switch childNode.origin {
            case let .manifest(folder): base = folder
            case let .shippedMetadata(url): base = url.pathExtension.lowercased() == "gguf" ? url.deletingLastPathComponent() : url
            default: base = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            }
            // Normalised, or `a/../b/../c/…` grows along a chain until it passes PATH_MAX.
            let url = URL(fileURLWithPath: Self.resolve(path, against: base.path), isDirectory: true)
            let key = "path:" + url.path
            if index[key] != nil { return (key, nil) }
            switch loadLocal(url, readEvidence: false, subject: nil) {
            case let .success(node):
                return (key, Node(key: key, manifest: node.manifest, origin: node.origin))
            case let .failure(error):
                let fallback = placeholder(for: record)
                findings.append(AuditFinding(
                    severity: .fail, rule: "dangling-parent", ancestor: record.id, section: nil,
                    message: "\(childNode.displayID): parent '\(record.id)' points at \(url.path), which cannot be used: \(error.description)",
                    fix: "Fix the path in manifest.json parents[].path, or remove it to resolve '\(record.id)' from the knowledge base.",
                    subject: nil))
                return (key, Node(key: key, manifest: fallback, origin: .parentRecord))
            }
        }
        if let known = knowledgeBase.model(record.id) {
            let key = "kb:" + (known.id ?? known.name).lowercased()
            return (key, index[key] == nil ? Node(key: key, manifest: known, origin: .knowledgeBase) : nil)
        }
        let key = "id:" + record.id.lowercased()
        if index[key] != nil { return (key, nil) }
        let hasLicense = record.license != nil
        findings.append(AuditFinding(
            severity: hasLicense ? .warn : .fail, rule: "dangling-parent", ancestor: record.id, section: nil,
            message: "\(childNode.displayID): parent '\(record.id)' has no local manifest and is not in the knowledge base"
                + (hasLicense ? "; its lineage stops here and only the license on the parent record ('\(record.license ?? "")') is checked"
                              : " and the parent record names no license, so nothing it imposes can be checked"),
            fix: "Give the parent a path to its folder (`--path`), record its license (`--license`), or add its manifest to manifests/models/.",
            subject: nil))
        return (key, Node(key: key, manifest: placeholder(for: record), origin: .parentRecord))
    }

    private func placeholder(for record: Parent) -> Manifest {
        Manifest(name: record.id, license: record.license ?? "", id: record.id.contains("/") ? record.id : nil, kind: nil, tool: nil)
    }

    // MARK: Loading a folder, manifest file or GGUF file

    private func loadLocal(_ url: URL, readEvidence: Bool, subject: String?) -> Result<Node, ProvenanceError> {
        // Fast path for an ancestor folder with a manifest (nearly every node of a big graph):
        // one read, no stat calls. Anything else takes the careful path below.
        if !readEvidence, let data = try? Data(contentsOf: url.appendingPathComponent(Manifest.fileName)) {
            let path = url.path
            return Result { () throws(ProvenanceError) in try Manifest.decode(data, path: path + "/" + Manifest.fileName) }
                .map { Node(key: "path:" + path, manifest: $0, origin: .manifest(url)) }
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            return .failure(.fileNotFound(path: url.path, hint: "Check the path."))
        }
        let folder = isDir.boolValue ? url : url.deletingLastPathComponent()
        let gguf = !isDir.boolValue && url.pathExtension.lowercased() == "gguf" ? url : nil
        let key = "path:" + Self.normalisedPath(url.path)
        let manifestFile = !isDir.boolValue && url.pathExtension == "json" ? url : folder.appendingPathComponent(Manifest.fileName)
        if FileManager.default.fileExists(atPath: manifestFile.path) {
            do {
                let manifest = try Manifest.load(from: manifestFile)
                let evidence = readEvidence ? ShippedEvidence(folder: folder, gguf: gguf, knowledgeBase: knowledgeBase) : nil
                return .success(Node(key: key, manifest: manifest, origin: .manifest(folder), evidence: evidence))
            } catch { return .failure(error) }
        }
        let evidence = ShippedEvidence(folder: folder, gguf: gguf, knowledgeBase: knowledgeBase)
        let inferred = inferManifest(from: evidence, fallbackName: gguf?.deletingPathExtension().lastPathComponent ?? folder.lastPathComponent)
        return .success(Node(key: key, manifest: inferred, origin: .shippedMetadata(gguf ?? folder), evidence: evidence))
    }

    /// `../x` against `/a/b` → `/a/x`. The common shapes (`../name`, `name`) without splitting the
    /// whole path: this runs once per edge of a 10,000-node graph.
    static func resolve(_ path: String, against base: String) -> String {
        if path.hasPrefix("/") { return normalisedPath(path) }
        var rest = Substring(path)
        var dir = Substring(base)
        while true {
            if rest.hasPrefix("./") { rest = rest.dropFirst(2) }
            else if rest.hasPrefix("../") { rest = rest.dropFirst(3); dir = dir[..<(dir.lastIndex(of: "/") ?? dir.startIndex)] }
            else { break }
        }
        let joined = (dir.isEmpty ? "" : String(dir)) + "/" + rest
        return rest.contains("/.") || rest.hasPrefix(".") || rest.hasSuffix("/") || rest.contains("//") ? normalisedPath(joined) : joined
    }

    /// `/a/./b/../c/` → `/a/c`: one spelling per folder, so two routes to a parent meet in one node.
    /// (String work; `URL.standardizedFileURL` cost a tenth of a 10,000-node audit.)
    static func normalisedPath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    /// A manifest for a folder that has none: what its card and GGUF say; the knowledge base's
    /// lineage when the name is a well-known model and the files name no parents.
    private func inferManifest(from evidence: ShippedEvidence, fallbackName: String) -> Manifest {
        let name = evidence.ggufName ?? fallbackName
        let license = evidence.card?.effectiveLicense ?? evidence.ggufLicense ?? ""
        var manifest = Manifest(name: name, license: license, kind: .model, tool: nil)
        let relation = evidence.card?.baseModelRelation.flatMap(Relation.init(rawValue:))
            ?? (evidence.ggufFile != nil ? .quantized : .finetune)
        for base in (evidence.card?.baseModels ?? []) + evidence.ggufBaseModels where !manifest.parents.contains(where: { $0.id == base }) {
            manifest.parents.append(Parent(id: base, role: .base, relation: relation))
        }
        for dataset in (evidence.card?.datasets ?? []) + evidence.ggufDatasets where !manifest.parents.contains(where: { $0.id == dataset }) {
            manifest.parents.append(Parent(id: dataset, role: .dataset, relation: .finetune))
        }
        if let known = knowledgeBase.model(name) {
            manifest.id = known.id
            if manifest.license.isEmpty { manifest.license = known.license }
            if manifest.parents.isEmpty {
                manifest.parents = known.parents
                manifest.declarations = known.declarations
            }
        }
        return manifest
    }

    // MARK: Checks on the graph itself

    private mutating func checkLicenses() {
        let known = knowledgeBase.knownLicenseIDs.joined(separator: ", ")
        for node in nodes {
            if node.manifest.license.isEmpty {
                if node.origin != .parentRecord {  // dangling parents were reported already
                    findings.append(AuditFinding(severity: .fail, rule: "missing-license", ancestor: node.displayID, section: nil,
                        message: "\(node.displayID) declares no license", fix: "Record one: `license` in manifest.json or in the README front matter.", subject: nil))
                }
            } else if knowledgeBase.license(node.manifest.license) == nil {
                findings.append(AuditFinding(severity: .fail, rule: "unknown-license", ancestor: node.displayID, section: nil,
                    message: "\(node.displayID): license id '\(node.manifest.license)' is not in the knowledge base, so its terms cannot be checked",
                    fix: "Use one of: \(known); or add manifests/licenses/\(node.manifest.license).json written from the license text.", subject: nil))
            }
            for (parent, record) in node.edges {
                guard let declared = record.license, let a = knowledgeBase.license(declared),
                      let b = knowledgeBase.license(nodes[parent].manifest.license), a.id != b.id else { continue }
                findings.append(AuditFinding(severity: .warn, rule: "parent-license-mismatch", ancestor: record.id, section: nil,
                    message: "\(node.displayID) records parent '\(record.id)' as \(a.id), but its manifest says \(b.id)",
                    fix: "Correct the parent's license in \(node.displayID)'s manifest to \(b.id).", subject: nil))
            }
        }
    }

    /// Iterative three-colour DFS (a 10,000-deep chain must not overflow the stack); each back edge is one cycle.
    private mutating func findCycles() {
        var colour = [UInt8](repeating: 0, count: nodes.count)  // 0 new, 1 on stack, 2 done
        var stack: [(node: Int, next: Int)] = []
        for start in nodes.indices where colour[start] == 0 {
            stack.append((start, 0))
            colour[start] = 1
            while let top = stack.last {
                let edges = nodes[top.node].edges
                if top.next < edges.count {
                    stack[stack.count - 1].next += 1
                    let p = edges[top.next].parent
                    if colour[p] == 0 {
                        colour[p] = 1
                        stack.append((p, 0))
                    } else if colour[p] == 1, let from = stack.firstIndex(where: { $0.node == p }) {
                        let loop = stack[from...].map { nodes[$0.node].displayID } + [nodes[p].displayID]
                        findings.append(AuditFinding(severity: .fail, rule: "lineage-cycle", ancestor: nodes[p].displayID, section: nil,
                            message: "lineage cycle: \(loop.joined(separator: " → ")) (a model cannot be its own ancestor)",
                            fix: "Remove the wrong parent record from one of these manifests.", subject: nil))
                    }
                } else {
                    colour[top.node] = 2
                    stack.removeLast()
                }
            }
        }
    }

    // MARK: Ancestry

    /// Every ancestor of `root` with the channels (bit set of `Channel.bit`) it reaches `root` by,
    /// nearest first. Linear in the graph: a node is revisited only when it gains a channel.
    public func ancestors(of root: Int) -> [(node: Int, channels: UInt8)] {
        var reach = [UInt8](repeating: 0, count: nodes.count)
        var order: [Int] = []
        var queue: [(Int, UInt8)] = [(root, Channel.weights.bit)]
        var head = 0
        while head < queue.count {
            let (n, via) = queue[head]
            head += 1
            for (p, record) in nodes[n].edges where p != root {
                var gained: UInt8 = 0
                for c in Channel.allCases where via & c.bit != 0 { gained |= c.then(Channel(role: record.role)).bit }
                let new = gained & ~reach[p]
                guard new != 0 else { continue }
                if reach[p] == 0 { order.append(p) }
                reach[p] |= new
                queue.append((p, new))
            }
        }
        return order.map { ($0, reach[$0]) }
    }
}
