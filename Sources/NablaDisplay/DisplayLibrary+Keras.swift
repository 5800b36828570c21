import Foundation
import NablaAutograd
import NablaLanguage
import NablaTensor

/// A Keras model's summary as a table: Keras' text for text/plain, an HTML table otherwise.
final class ModelSummary: RichObject {
    let model: Sequential
    init(_ m: Sequential) { model = m }
    var typeName: String { "summary" }
    var attributeNames: [String] { [] }
    func attribute(_ name: String) -> Value? { nil }
    var text: String { model.summaryText() }

    func mimeData(precision: Int) -> [String: String] {
        let total = model.countParams(), trainable = model.trainableCount
        let cells = model.summaryRows.map { r in [Table.Cell.text(r.layer), .text(r.output), .text(Sequential.grouped(r.params))] }
        var html = Table(columns: ["Layer (type)", "Output Shape", "Param #"], rowLabels: nil, cells: cells, title: "Model: \"\(model.name)\"").mimeData(precision: precision)["text/html"] ?? ""
        html += "<p>Total params: \(Sequential.grouped(total))<br>Trainable params: \(Sequential.grouped(trainable))<br>Non-trainable params: \(Sequential.grouped(total - trainable))</p>"
        return ["text/html": html, "text/plain": text]
    }
}

/// fit's history as curves: the loss (training and validation) and, beside it, the metrics.
final class HistoryPlots: RichObject {
    let plots: [Plot]
    let history: History
    init(_ h: History) {
        history = h
        let xs = h.epochs.map { Double($0 + 1) }
        var plots = [Plot]()
        let groups = [h.keys.filter { $0 == "loss" || $0 == "val_loss" }] + h.keys.filter { $0 != "loss" && !$0.hasPrefix("val_") }.map { k in h.keys.filter { $0 == k || $0 == "val_" + k } }
        for keys in groups where !keys.isEmpty {
            let p = Plot()
            p.title = keys[0]; p.xlabel = "epoch"; p.ylabel = keys[0]
            for k in keys { p.series.append(Plot.Series(xs: xs, ys: h.values[k] ?? [], label: k, scatter: false, markers: xs.count < 30)) }
            plots.append(p)
        }
        self.plots = plots
    }
    var typeName: String { "plot" }
    var attributeNames: [String] { [] }
    func attribute(_ name: String) -> Value? { nil }
    var text: String { "<history plot: " + plots.map(\.title).joined(separator: ", ") + " over \(history.epochs.count) epochs>" }

    func mimeData(precision: Int) -> [String: String] {
        var data = ["text/plain": text]
        if let first = plots.first { data["image/svg+xml"] = first.svg() }
        data["text/html"] = "<div style=\"display:flex;flex-wrap:wrap\">" + plots.map { "<div>" + $0.svg() + "</div>" }.joined() + "</div>"
        return data
    }
}

extension DisplayLibrary {
    static func keras() {
        KerasDisplay.summary = { ModelSummary($0) }
        KerasDisplay.historyPlot = { HistoryPlots($0) }
    }
}
