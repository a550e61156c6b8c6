import Foundation
import XCTest
import TrennwandRecords
@testable import TrennwandEngine

/// Keyword terms are compiled without start-of-match tracking: a match's start is its end minus
/// the term's length, or (a space, `ß`) found backwards from its end (`KeywordAtom`). Held to
/// Vectorscan's own leftmost start (`startTracking: true`) on every built-in term.
final class KeywordStartTests: XCTestCase {
    private var rules: URL { TestPaths.rules }

    private func set(startTracking: Bool) throws -> DetectorSet {
        try DetectorSet(detectorsFile: rules.appendingPathComponent("detectors.yaml").path,
                        listsDirectory: rules.appendingPathComponent("lists").path, prefilter: true, startTracking: startTracking)
    }

    /// Every built-in term, as written in its list.
    private func terms() throws -> [KeywordTerm] {
        let dir = rules.appendingPathComponent("lists").path
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
            .flatMap { try KeywordList.load(path: (dir as NSString).appendingPathComponent($0)).terms }
    }

    /// A spelling of `term` that its expression matches: letters in random case, umlauts in
    /// either case, `ß` or `ẞ`, each space a run of white space.
    private func variant(_ term: KeywordTerm, _ rng: inout some RandomNumberGenerator) -> [UInt8] {
        var out: [UInt8] = []
        for atom in term.atoms {
            switch atom {
            case .byte(let b): out.append(b)
            case .letter(let l): out.append(Bool.random(using: &rng) ? l | 0x20 : l & ~0x20)
            case .umlaut(let lower, let upper): out += [0xC3, Bool.random(using: &rng) ? lower : upper]
            case .eszett: out += Bool.random(using: &rng) ? [0xC3, 0x9F] : [0xE1, 0xBA, 0x9E]
            case .space:
                for _ in 0..<Int.random(in: 1...3, using: &rng) { out.append([0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].randomElement(using: &rng)!) }
            }
        }
        return out
    }

    func testAtomsSpanTheFixedLength() throws {
        for t in try terms() {
            let atoms = t.atoms
            if let n = t.fixedLength {
                XCTAssertFalse(atoms.contains(.space) || atoms.contains(.eszett), t.text)
                let width = atoms.reduce(0) { w, a in if case .umlaut = a { return w + 2 } else { return w + 1 } }
                XCTAssertEqual(width, n, t.text)
            } else {
                XCTAssertTrue(atoms.contains(.space) || atoms.contains(.eszett), t.text)
            }
        }
    }

    func testSameHitsAsVectorscansStartOfMatch() throws {
        let fast = try set(startTracking: false), tracked = try set(startTracking: true)
        XCTAssertTrue(fast.matchLengths.contains { $0 >= 0 })
        XCTAssertTrue(fast.matchLengths.contains(DetectorSet.spanningStart))
        XCTAssertFalse(tracked.matchLengths.contains { $0 != DetectorSet.reportedStart })
        let all = try terms()
        XCTAssertGreaterThan(all.filter { $0.fixedLength == nil }.count, 20)
        let glue: [[UInt8]] = [[], [0x20], Array("x".utf8), Array("-".utf8), Array("ü".utf8), Array("\n".utf8), Array("2".utf8),
                               Array(". ".utf8), Array("Vor".utf8), Array("chen".utf8), [0x09]]
        var rng = SystemRandomNumberGenerator()
        let a = fast.makeScanner(), b = tracked.makeScanner()
        var total = 0
        for round in 0..<400 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                text += glue.randomElement(using: &rng)!
                // Each term at least once; then at random.
                let t = round < all.count ? all[(round + text.count) % all.count] : all.randomElement(using: &rng)!
                text += variant(t, &rng)
                text += glue.randomElement(using: &rng)!
            }
            let pieces = [ByteString(text), ByteString(Array("Notiz: ".utf8) + text)]
            let x = a.scan(pieces).hits, y = b.scan(pieces).hits
            XCTAssertEqual(x, y, String(decoding: text, as: UTF8.self))
            total += x.count
        }
        XCTAssertGreaterThan(total, 800)
    }

    func testStartOfATermWithSpacesAndEszett() throws {
        let term = try XCTUnwrap(terms().first { $0.text == "abbruch der maßnahme" })
        let text = Array("Vor dem ABBRUCH \t der\n\nMAẞNAHME".utf8)
        text.withUnsafeBufferPointer { b in
            XCTAssertEqual(KeywordAtom.start(of: term.atoms, in: b, end: b.count), Array("Vor dem ".utf8).count)
            XCTAssertNil(KeywordAtom.start(of: term.atoms, in: b, end: b.count - 1))
        }
    }
}
