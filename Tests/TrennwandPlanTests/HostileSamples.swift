import Foundation
import XCTest

/// Hostile values planted into a copy of the Samples' Träger log, shared by the engine tests of
/// the Plan and CLI test targets (the CLI target holds a symlink to this file): quotes, a
/// backslash, psql's `\N` and `\.`, a tab, `'; DROP TABLE`, non-BMP characters and a 1 MB value.
enum HostileSamples {
    static let workstation = "W'\"; DROP TABLE access; -- \\ \\N \\. \t \u{1F600}\u{1D11E}"
    static let participant = "TN-'\"; DROP TABLE x; --\\\u{1F600}"
    static let bigWorkstation = String(repeating: "X", count: 1 << 20) + "\u{1F600}"

    /// Writes the values into `samples/Traeger-Zugriffe.csv`: line 24 (TW103, TW107: export to a
    /// private workstation) gets the participant and the workstation, line 19 (TW103) the 1 MB
    /// workstation (fields 8 and 9).
    static func inject(_ samples: URL) throws {
        let url = samples.appendingPathComponent("Traeger-Zugriffe.csv")
        var lines = String(decoding: try Data(contentsOf: url), as: UTF8.self).components(separatedBy: "\n")
        func quoted(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        var f = lines[23].components(separatedBy: ",")
        XCTAssertEqual(f.count, 11, lines[23])
        f[7] = quoted(participant)
        f[8] = quoted(workstation)
        lines[23] = f.joined(separator: ",")
        f = lines[18].components(separatedBy: ",")
        XCTAssertEqual(f.count, 11, lines[18])
        f[8] = quoted(bigWorkstation)
        lines[18] = f.joined(separator: ",")
        try Data(lines.joined(separator: "\n").utf8).write(to: url)
    }
}
