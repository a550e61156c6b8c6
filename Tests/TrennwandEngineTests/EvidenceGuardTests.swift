import Foundation
import TrennwandFindings
import TrennwandRecords
import XCTest

@testable import TrennwandEngine

/// Masking by value (issue #12 item 1): the label rule (vocabulary or code-like token), free text
/// as length plus masked hits, and the evaluator applying the field's disclosure class.
final class EvidenceGuardTests: XCTestCase {
    static let detectors = try! DetectorSet(rulesDirectory: TestPaths.rules.path)

    func testLabelsAreShownOnlyAsVocabularyOrCodeLikeTokens() {
        let g = EvidenceGuard(vocabulary: ["VerBIS", "e-mail (verschlüsselt)"], detectors: Self.detectors)
        // Vocabulary, case-insensitive.
        XCTAssertEqual(g.label("VerBIS", reveal: false), "VerBIS")
        XCTAssertEqual(g.label("verbis", reveal: false), "verbis")
        XCTAssertEqual(g.label("E-Mail (verschlüsselt)", reveal: false), "E-Mail (verschlüsselt)")
        // Code-like tokens.
        XCTAssertEqual(g.label("JC-PC-0815", reveal: false), "JC-PC-0815")
        XCTAssertEqual(g.label("VB-2025-01", reveal: false), "VB-2025-01")
        // Not shown: names, words without a digit, long digit runs, identifiers, long tokens.
        for v in ["Max Mustermann", "Mustermann", "962D000999", "36574261809", "DE89370400440532013000",
                  "K220645122", "AB-1234-5678-9012-3456-7890", "TR-PC-\u{1B}[2J1"] {
            XCTAssertTrue(g.label(ByteString(v), reveal: false).hasPrefix("[Text, \(v.utf8.count) Bytes]"), v)
        }
        // K220645122 has a 9-digit run; a 4-digit-run token on which a detector fires is refused too.
        XCTAssertFalse(g.isCodeToken("K220645122"))
        // With reveal: raw, but neutralised.
        XCTAssertEqual(g.label("Max \u{1B}[2J\u{202E}Mustermann", reveal: true), "Max ␛[2J<U+202E>Mustermann")
    }

    func testFreeTextShowsLengthAndMaskedHitsBounded() {
        let g = EvidenceGuard(vocabulary: [], detectors: Self.detectors)
        let text = "Kunde Kd-Nr 962D000999 Max Mustermann IBAN DE89370400440532013000 SteuerID 36574261809"
        let shown = g.freeText(ByteString(text))
        XCTAssertTrue(shown.hasPrefix("[Text, \(text.utf8.count) Bytes]: "), shown)
        XCTAssertTrue(shown.contains("iban DE******"), shown)
        XCTAssertTrue(shown.contains("steuer_id 36******"), shown)
        XCTAssertTrue(shown.contains("kundennummer 96******"), shown)
        for raw in ["962D000999", "Mustermann", "DE89370400440532013000", "36574261809"] {
            XCTAssertFalse(shown.contains(raw), raw)
        }
        // Many hits: at most 10 listed, at most 200 characters.
        let many = String(repeating: "IBAN DE89370400440532013000 ", count: 50)
        let bounded = g.freeText(ByteString(many))
        XCTAssertLessThanOrEqual(bounded.count, EvidenceGuard.maxLength)
        XCTAssertLessThanOrEqual(bounded.components(separatedBy: "DE******").count - 1, EvidenceGuard.maxHits)
        XCTAssertTrue(bounded.hasPrefix("[Text, \(many.utf8.count) Bytes]: iban DE******"), bounded)
    }

    /// The compiled pack: vocabulary from conditions and named lists, not from reference data.
    func testPackVocabularyAndEvaluatorDisclosure() throws {
        let policy = try PolicyData.load(rulesDirectory: TestPaths.rules.path)
        let set = RuleSet.load(rulesDirectory: TestPaths.rules.path)
        let (pack, errors) = CompiledRulePack.compile(set, policy: policy, reference: .empty, now: 1_767_000_000)
        XCTAssertEqual(errors.count, 0)
        let g = pack.evidenceGuard
        XCTAssertTrue(g.isDisclosable("VerBIS"), "named list value")
        XCTAssertTrue(g.isDisclosable("gesundheit.gutachten"), "taxonomy category")
        XCTAssertFalse(g.isDisclosable("Beratung im Projekt"))

        let key = PseudonymKey(bytes: Array("0123456789abcdef-key-A".utf8), origin: "test")
        let evaluator = try RuleEvaluator(pack: pack, pseudonymizer: Pseudonymizer(key: key))
        let planted = "Kd-Nr 962D000999 Max Mustermann IBAN DE89370400440532013000 \u{1B}[2J \u{202E}"
        var record = Record(kind: .access, locator: Locator(file: "a\u{1B}]8;;x.csv", line: 2, byteOffset: 0, index: 1))
        record["time"] = .time(1_738_570_000)
        record["actor"] = .string("Max Mustermann")
        record["actor_org"] = .string("jobcenter")
        record["system"] = .string("VerBIS")
        record["system_owner"] = .string("jobcenter")
        record["action"] = .string("send")
        record["subject"] = .string("962D000999")
        record["category"] = .string("sozial.leistung")
        record["channel"] = .string(ByteString(planted))
        record["destination"] = .string(ByteString(planted))
        record["destination_org"] = .string("traeger")
        record["purpose"] = .string(ByteString(planted))
        var findings: [Finding] = []
        evaluator.evaluate(record) { findings.append($0) }
        evaluator.finish { findings.append($0) }
        XCTAssertFalse(findings.isEmpty)
        var sawPlanted = false
        for f in findings {
            XCTAssertFalse(f.locator.file.contains("\u{1B}"))
            for e in f.evidence {
                for raw in ["962D000999", "Mustermann", "DE89370400440532013000", "\u{1B}", "\u{202E}"] {
                    XCTAssertFalse(e.value.contains(raw), "\(f.ruleID) \(e.field): \(e.value)")
                }
                if ["channel", "destination", "purpose"].contains(e.field) {
                    sawPlanted = true
                    XCTAssertTrue(e.value.hasPrefix("[Text, \(planted.utf8.count) Bytes]"), e.value)
                }
                if e.field == "system" { XCTAssertEqual(e.value, "VerBIS") }
            }
            for p in f.persons.values { XCTAssertTrue(p.hasPrefix("P-"), p) }
        }
        XCTAssertTrue(sawPlanted, "no rule showed a planted field: \(findings.map(\.ruleID))")
    }
}
