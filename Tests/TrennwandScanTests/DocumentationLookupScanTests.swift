import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords
import XCTest
@testable import TrennwandScan

/// A Träger access log that names only the entry read (Tests/data/lookup): TW208 and TW107 resolve
/// the entry through the documentation export scanned in the same run (docs/rule-language.md).
final class DocumentationLookupScanTests: XCTestCase {
    static let data = Repo.root.appendingPathComponent("Tests/data/lookup")

    struct Fixture {
        let catalog: ProfileCatalog
        let ruleSet = RuleSet.load(rulesDirectory: Repo.rules)
        let policy: PolicyData
        let key = PseudonymKey(bytes: Array(repeating: 0x5A, count: 32), origin: "test")

        init() throws {
            catalog = try ProfileCatalog(directories: [Repo.rules + "/profiles", data.appendingPathComponent("profiles").path])
            policy = try PolicyData.load(rulesDirectory: Repo.rules)
        }

        func path(_ name: String) -> String { data.appendingPathComponent(name).path }

        /// The log before the export by default: the index must not depend on the input order.
        func scan(threads: Int = 1, chunkBytes: Int? = nil, names: [String]? = nil,
                  planSkips: (([String], [String]) throws -> Set<String>)? = nil) throws -> ScanResult {
            let files = names ?? ["Traeger-Eintraege.csv", "Traeger-Dokumentation.xml", "Mitarbeitende.csv", "Teilnehmende.csv"]
            var s = ScanScheduler(catalog: catalog, ruleSet: ruleSet, policy: policy, pseudonymizer: Pseudonymizer(key: key),
                                  onlyRules: nil, now: 1_767_178_800, threads: threads, chunkBytes: chunkBytes)
            s.planSkips = planSkips
            return try s.run(files.map { ScanInput(path: path($0)) })
        }
    }

    /// Lines of the access log on which `rule` reported a violation.
    func violationLines(_ r: ScanResult, _ rule: String) -> [Int] {
        Array(r.findings).filter { $0.ruleID == rule && $0.findingClass == .violation && $0.locator.file.hasSuffix("Traeger-Eintraege.csv") }
            .map(\.locator.line).sorted()
    }

    func testEntryLogResolvesThroughTheDocumentationExport() throws {
        let f = try Fixture()
        let r = try f.scan()
        XCTAssertEqual(r.kinds[f.path("Traeger-Eintraege.csv")], .access)
        for a in r.inputs { XCTAssertNil(a.fileError, a.file) }
        // Line 2: administration reads a team-only entry; line 5: prints a restricted one.
        // Not: line 3 (team member), line 4 (visible to all), line 9 (the author), line 8 (entry unknown).
        XCTAssertEqual(violationLines(r, "TW208"), [2, 5])
        // Line 6: a Jobcenter account reads the entry of a non-participant; line 7 (participant's entry) not.
        XCTAssertEqual(violationLines(r, "TW107"), [6])
        // Naming the entry says whose data were read: no "log without subject" finding (TW901).
        XCTAssertEqual(Array(r.findings).filter { $0.ruleID == "TW901" }.count, 0)
        // The unknown entry V-9999 is a configuration gap of TW208, not a violation.
        let gaps = Array(r.findings).filter { $0.findingClass == .gap && ($0.detail?.en.contains("documentation") ?? false) }
        XCTAssertEqual(gaps.map(\.locator.line), [8])
        XCTAssertTrue(gaps.first?.detail?.en.contains("TW208") ?? false, "\(gaps.map { $0.detail?.en ?? "" })")
        // The export is still checked as documentation, and it is not counted as reference data.
        XCTAssertEqual(r.inputs.first { $0.file.hasSuffix(".xml") }?.read, 4)
        XCTAssertNil(r.referenceRows[.documentation])
    }

    func testWithoutTheExportEveryEntryIsAGapNotAViolation() throws {
        let f = try Fixture()
        let r = try f.scan(names: ["Traeger-Eintraege.csv", "Mitarbeitende.csv", "Teilnehmende.csv"])
        XCTAssertEqual(violationLines(r, "TW208"), [])
        XCTAssertEqual(violationLines(r, "TW107"), [])
        let gaps = Array(r.findings).filter { $0.findingClass == .gap && ($0.detail?.en.contains("documentation") ?? false) }
        XCTAssertEqual(Set(gaps.map(\.locator.line)), [2, 4, 5, 6, 8], "one gap per distinct entry id")
    }

    /// With `--state`, an indexed export is reference data: a changed entry must rescan the
    /// unchanged access log (its hash goes into the reference hash, like a staff table's).
    func testIndexedExportCountsAsReferenceForIncrementalScans() throws {
        let f = try Fixture()
        final class Seen { var reference: [String] = [] }
        let seen = Seen()
        _ = try f.scan(planSkips: { _, reference in seen.reference = reference; return [] })
        XCTAssertEqual(Set(seen.reference), [f.path("Mitarbeitende.csv"), f.path("Teilnehmende.csv"), f.path("Traeger-Dokumentation.xml")])
        // Without an access input mapping entry, the export is neither indexed nor reference data.
        _ = try f.scan(names: ["Traeger-Dokumentation.xml", "Mitarbeitende.csv", "Teilnehmende.csv"],
                       planSkips: { _, reference in seen.reference = reference; return [] })
        XCTAssertEqual(Set(seen.reference), [f.path("Mitarbeitende.csv"), f.path("Teilnehmende.csv")])
    }

    /// The index is complete before any access record is evaluated: the same findings in the same
    /// order for any workers, chunk size and input order.
    func testSameFindingsForAnyWorkersChunksAndInputOrder() throws {
        let f = try Fixture()
        let sequential = SchedulerEquivalenceTests.Snapshot(try f.scan())
        XCTAssertFalse(sequential.findings.isEmpty)
        for (threads, chunk) in [(2, nil), (3, 64), (4, 128), (1, 100)] as [(Int, Int?)] {
            XCTAssertEqual(SchedulerEquivalenceTests.Snapshot(try f.scan(threads: threads, chunkBytes: chunk)), sequential,
                           "threads \(threads), chunk \(chunk ?? 0)")
        }
        let exportFirst = try f.scan(threads: 2, chunkBytes: 64,
                                     names: ["Traeger-Dokumentation.xml", "Traeger-Eintraege.csv", "Mitarbeitende.csv", "Teilnehmende.csv"])
        XCTAssertEqual(violationLines(exportFirst, "TW208"), [2, 5])
        XCTAssertEqual(violationLines(exportFirst, "TW107"), [6])
    }

    /// The index keeps only the looked-up fields of a documentation record (never its text).
    func testIndexKeepsOnlyTheLookupFields() {
        var r = Record(kind: .documentation, locator: Locator(file: "d.xml", line: 3, byteOffset: 0, index: 0))
        r["record_id"] = .string("V-1")
        r["subject"] = .string("TN-1")
        r["visibility"] = .string("team")
        r["text"] = .list(["Vermerk"])
        r["consent_ref"] = .string("EW-1")
        let e = DocumentationIndex.entry(of: r)
        XCTAssertEqual(e["record_id"], .string("V-1"))
        XCTAssertEqual(e["subject"], .string("TN-1"))
        XCTAssertEqual(e["visibility"], .string("team"))
        XCTAssertEqual(e["text"], .missing)
        XCTAssertEqual(e["consent_ref"], .missing)
        XCTAssertEqual(DocumentationIndex.slots.count, DocumentationIndex.fields.count, "every indexed field is in the schema")
    }
}
