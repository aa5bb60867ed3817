import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Training

@Suite struct MetricsLogTests {
    private func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    private func trainRecord(_ step: Int) -> MetricsRecord {
        MetricsRecord(step: step, split: .train, loss: 5 - 0.1 * Double(step), kl: 0.5, top1: 0.25,
                      tokensPerSecond: 2048, learningRate: 1e-4)
    }

    @Test func recordsRoundTripAndUnknownFiguresAreLeftOut() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(MetricsLog.fileName)
        let log = try MetricsLog(url: url, resumingAt: nil)
        let written = [
            trainRecord(1),
            MetricsRecord(step: 2, split: .train, loss: 4.5, tokensPerSecond: 1900.5, learningRate: 2e-4),
            MetricsRecord(step: 2, split: .eval, loss: 4.75, top1: 0.3, perplexity: exp(4.75)),
        ]
        for record in written { try log.append(record) }
        #expect(try MetricsLog.records(in: url) == written)

        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].contains("\"tokens_per_s\":2048") && lines[0].contains("\"lr\":0.0001"))
        #expect(!lines[1].contains("\"kl\"") && !lines[1].contains("\"top1\"") && !lines[1].contains("null"))
        #expect(lines[2].contains("\"split\":\"eval\"") && lines[2].contains("\"perplexity\""))
    }

    @Test func aDivergedLossStillWritesAValidLine() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(MetricsLog.fileName)
        let log = try MetricsLog(url: url, resumingAt: nil)
        try log.append(MetricsRecord(step: 7, split: .train, loss: .nan, kl: .infinity))
        let read = try MetricsLog.records(in: url)
        #expect(read.count == 1 && read[0].loss.isNaN && read[0].kl == .infinity)
        let line = try Data(contentsOf: url)
        #expect((try? JSONSerialization.jsonObject(with: line)) != nil)
    }

    @Test func resumingDropsStepsPastTheCheckpointAndATornLine() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(MetricsLog.fileName)
        var log = try MetricsLog(url: url, resumingAt: nil)
        for step in 1...10 {
            try log.append(trainRecord(step))
            if step % 5 == 0 { try log.append(MetricsRecord(step: step, split: .eval, loss: 4, perplexity: exp(4))) }
        }
        // A kill in the middle of a write leaves a partial last line.
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"step\":11,\"spl".utf8))
        try handle.close()
        #expect(try MetricsLog.records(in: url).count == 12)

        log = try MetricsLog(url: url, resumingAt: 6)
        let kept = try MetricsLog.records(in: url)
        #expect(kept.map(\.step) == [1, 2, 3, 4, 5, 5, 6])
        #expect(kept[5].split == .eval)
        for step in 7...8 { try log.append(trainRecord(step)) }
        let resumed = try MetricsLog.records(in: url).filter { $0.split == .train }.map(\.step)
        #expect(resumed == Array(1...8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [MetricsLog.fileName])

        _ = try MetricsLog(url: url, resumingAt: nil)
        #expect(try MetricsLog.records(in: url).isEmpty)
    }

    @Test func aCorruptLineInsideTheFileIsAnErrorNamingIt() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(MetricsLog.fileName)
        try Data("{\"step\":1,\"split\":\"train\",\"loss\":3}\nnot json\n{\"step\":2,\"split\":\"train\",\"loss\":2}\n".utf8).write(to: url)
        #expect(throws: TrainingError.self) { try MetricsLog.records(in: url) }
        do {
            _ = try MetricsLog.records(in: url)
        } catch {
            #expect(String(describing: error).contains("line 2"))
        }
    }

    /// The path's points: "M x y" then one "L x y" per further point.
    private func pathPoints(_ d: String) -> Int {
        d.filter { $0 == "M" || $0 == "L" }.count
    }

    private func trainPath(in svg: String) -> String? {
        guard let start = svg.range(of: "<path class=\"train\" d=\"") else { return nil }
        let rest = svg[start.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    private func checkWellFormed(_ svg: String, trainPoints: Int) throws {
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        #if canImport(FoundationXML)
        let document = try XMLDocument(xmlString: svg)
        #expect(document.rootElement()?.name == "svg")
        let paths = try document.nodes(forXPath: "//*[local-name()='path'][@class='train']")
        #expect(paths.count == (trainPoints > 0 ? 1 : 0))
        if let path = paths.first as? XMLElement, let d = path.attribute(forName: "d")?.stringValue {
            #expect(pathPoints(d) == trainPoints)
        }
        #else
        #expect(svg.hasPrefix("<svg ") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<g").count == svg.components(separatedBy: "</g>").count)
        #endif
        #expect(pathPoints(trainPath(in: svg) ?? "") == trainPoints)
    }

    @Test func lossCurveIsWellFormedSVGWithAPointPerTrainRecord() throws {
        var records = (1...40).map(trainRecord)
        records += [10, 20, 30, 40].map { MetricsRecord(step: $0, split: .eval, loss: 4.2 - 0.02 * Double($0), perplexity: 1) }
        let svg = LossCurve.svg(records: records, title: "student <10 layers> & co")
        try checkWellFormed(svg, trainPoints: 40)
        #expect(svg.contains("student &lt;10 layers&gt; &amp; co"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 4 + 1)  // eval points + legend
        #expect(svg.contains(">train</text>") && svg.contains(">eval</text>"))
        #expect(svg.contains(">40</text>"))  // a step tick label at the last step
    }

    @Test func lossCurveHandlesNoOneAndFlatRecords() throws {
        try checkWellFormed(LossCurve.svg(records: []), trainPoints: 0)
        try checkWellFormed(LossCurve.svg(records: [trainRecord(3)]), trainPoints: 1)
        let flat = (0..<5).map { MetricsRecord(step: $0, split: .train, loss: 2) }
        try checkWellFormed(LossCurve.svg(records: flat), trainPoints: 5)
        let diverged = [trainRecord(1), MetricsRecord(step: 2, split: .train, loss: .nan)]
        try checkWellFormed(LossCurve.svg(records: diverged), trainPoints: 1)
        try checkWellFormed(LossCurve.svg(records: [MetricsRecord(step: 0, split: .eval, loss: 3)]), trainPoints: 0)
    }

    @Test func lossCurveIsWrittenAtomicallyBesideTheMetrics() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent(LossCurve.fileName)
        try LossCurve.write(records: (1...3).map(trainRecord), to: url)
        try LossCurve.write(records: (1...5).map(trainRecord), to: url)
        let text = try String(contentsOf: url, encoding: .utf8)
        #expect(pathPoints(trainPath(in: text) ?? "") == 5)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == [LossCurve.fileName])
    }
}
