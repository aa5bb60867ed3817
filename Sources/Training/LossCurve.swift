import Foundation

/// `loss.svg` beside `metrics.jsonl`: train loss as a line and eval loss as points joined by
/// a dashed line, over step. Plain SVG text, so a run folder opened in a browser shows its
/// curve with nothing installed.
public enum LossCurve {
    public static let fileName = "loss.svg"

    static let width = 640.0, height = 400.0
    static let left = 64.0, right = 24.0, top = 40.0, bottom = 48.0

    public static func svg(records: [MetricsRecord], title: String = "Training loss") -> String {
        // A diverged step (NaN, ±inf) has no place on a linear axis; the log keeps it.
        let train = records.filter { $0.split == .train && $0.loss.isFinite }
        let eval = records.filter { $0.split == .eval && $0.loss.isFinite }
        let shown = train + eval
        let steps = axis(shown.map { Double($0.step) }, ifEmpty: 0...1)
        let losses = axis(shown.map(\.loss), ifEmpty: 0...1)
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        func x(_ step: Int) -> Double { left + (Double(step) - steps.lowerBound) / (steps.upperBound - steps.lowerBound) * plotWidth }
        func y(_ loss: Double) -> Double { top + (losses.upperBound - loss) / (losses.upperBound - losses.lowerBound) * plotHeight }

        var svg = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="24" text-anchor="middle" font-size="16">\(escaped(title))</text>

        """
        // Axes, with gridlines at "nice" ticks (1, 2 or 5 × a power of ten).
        let xAxis = top + plotHeight
        svg += "<g class=\"axes\" stroke=\"#999\" fill=\"none\">\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(xAxis))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(xAxis))\"/>\n"
        svg += "<line x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(xAxis))\"/>\n</g>\n"
        svg += "<g class=\"ticks\" fill=\"#333\">\n"
        let stepTicks = ticks(steps).filter { abs($0 - $0.rounded()) < 1e-6 }.map { Int($0.rounded()) }
        for tick in stepTicks {
            let px = x(tick)
            svg += "<line x1=\"\(f(px))\" y1=\"\(f(xAxis))\" x2=\"\(f(px))\" y2=\"\(f(xAxis + 5))\" stroke=\"#999\"/>"
            svg += "<text x=\"\(f(px))\" y=\"\(f(xAxis + 18))\" text-anchor=\"middle\">\(tick)</text>\n"
        }
        let lossTicks = ticks(losses)
        let decimals = max(0, -Int((log10(spacing(losses))).rounded(.down)))
        for tick in lossTicks {
            let py = y(tick)
            svg += "<line x1=\"\(f(left))\" y1=\"\(f(py))\" x2=\"\(f(left + plotWidth))\" y2=\"\(f(py))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py + 4))\" text-anchor=\"end\">\(String(format: "%.\(decimals)f", tick))</text>\n"
        }
        svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(height - 8))\" text-anchor=\"middle\">step</text>\n"
        svg += "<text x=\"16\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" transform=\"rotate(-90 16 \(f(top + plotHeight / 2)))\">loss</text>\n"
        svg += "</g>\n"
        if shown.isEmpty {
            svg += "<text x=\"\(f(left + plotWidth / 2))\" y=\"\(f(top + plotHeight / 2))\" text-anchor=\"middle\" fill=\"#999\">no records yet</text>\n"
        }

        // One path point per train record: the tests count them.
        if !train.isEmpty {
            let points = train.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f(x($0.element.step))) \(f(y($0.element.loss)))" }
            svg += "<path class=\"train\" d=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n"
            if train.count == 1, let only = train.first {  // a one-point path draws nothing
                svg += "<circle class=\"train\" cx=\"\(f(x(only.step)))\" cy=\"\(f(y(only.loss)))\" r=\"2.5\" fill=\"#1f77b4\"/>\n"
            }
        }
        if !eval.isEmpty {
            let points = eval.enumerated().map { "\($0.offset == 0 ? "M" : "L")\(f(x($0.element.step))) \(f(y($0.element.loss)))" }
            svg += "<path class=\"eval\" d=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n"
            svg += "<g class=\"eval\" fill=\"#d62728\">\n"
            for record in eval {
                svg += "<circle cx=\"\(f(x(record.step)))\" cy=\"\(f(y(record.loss)))\" r=\"3.5\"/>\n"
            }
            svg += "</g>\n"
        }

        let legendX = left + plotWidth - 90, legendY = top + 8
        svg += """
        <g class="legend">
        <line x1="\(f(legendX))" y1="\(f(legendY))" x2="\(f(legendX + 20))" y2="\(f(legendY))" stroke="#1f77b4" stroke-width="1.5"/>
        <text x="\(f(legendX + 26))" y="\(f(legendY + 4))">train</text>
        <line x1="\(f(legendX))" y1="\(f(legendY + 18))" x2="\(f(legendX + 20))" y2="\(f(legendY + 18))" stroke="#d62728" stroke-width="1.5" stroke-dasharray="4 3"/>
        <circle cx="\(f(legendX + 10))" cy="\(f(legendY + 18))" r="3.5" fill="#d62728"/>
        <text x="\(f(legendX + 26))" y="\(f(legendY + 22))">eval</text>
        </g>
        </svg>

        """
        return svg
    }

    /// Writes `svg(records:)` to `url` (normally `<run>/loss.svg`) atomically.
    public static func write(records: [MetricsRecord], to url: URL, title: String = "Training loss") throws(TrainingError) {
        try writeAtomically(Data(svg(records: records, title: title).utf8), to: url)
    }

    /// The values' range, widened when it is a single value (one record, or a flat loss) so
    /// the scales never divide by zero.
    static func axis(_ values: [Double], ifEmpty: ClosedRange<Double>) -> ClosedRange<Double> {
        guard let low = values.min(), let high = values.max() else { return ifEmpty }
        if high > low { return low...high }
        let pad = max(abs(low) * 0.05, 0.5)
        return (low - pad)...(high + pad)
    }

    /// Gridline spacing for about five ticks: 1, 2 or 5 × a power of ten.
    static func spacing(_ range: ClosedRange<Double>) -> Double {
        let raw = (range.upperBound - range.lowerBound) / 5
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let fraction = raw / magnitude
        return (fraction < 1.5 ? 1 : fraction < 3.5 ? 2 : fraction < 7.5 ? 5 : 10) * magnitude
    }

    static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let step = spacing(range)
        // Multiples of the spacing, each computed afresh so rounding does not accumulate.
        let first = (range.lowerBound / step - 1e-9).rounded(.up), last = (range.upperBound / step + 1e-9).rounded(.down)
        guard first <= last else { return [] }
        return (0...Int(last - first)).map { (first + Double($0)) * step }
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
