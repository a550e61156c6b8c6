import XCTest
@testable import TrennwandEngine
import TrennwandRecords
import TrennwandYAML

/// A detector set for tests: detector i fires when a piece contains its trigger word.
struct FakeDetectors: DetectorScanning {
    let detectors: [DetectorInfo]
    let triggers: [[UInt8]]

    init(_ specs: [(name: String, category: String, trigger: String)]) {
        detectors = specs.map { DetectorInfo(name: $0.name, kind: .identifier, category: $0.category, title: Localized(de: $0.name, en: $0.name)) }
        triggers = specs.map { Array($0.trigger.utf8) }
    }

    func scan(_ pieces: [ByteString]) -> DetectionResult {
        var hits: [DetectorHit] = []
        for (pi, p) in pieces.enumerated() {
            for (di, t) in triggers.enumerated() where ExprTextOps.match(.contains, p, ByteString(t), ci: false) {
                hits.append(DetectorHit(detector: di, piece: pi, range: 0..<t.count))
            }
        }
        return DetectionResult(hits: hits, detectorCount: detectors.count)
    }
}

/// A counting wrapper to prove each text field is scanned at most once per record.
final class CountingDetectors: DetectorScanning, @unchecked Sendable {
    let inner: FakeDetectors
    var scans = 0
    init(_ inner: FakeDetectors) { self.inner = inner }
    var detectors: [DetectorInfo] { inner.detectors }
    func scan(_ pieces: [ByteString]) -> DetectionResult {
        scans += 1
        return inner.scan(pieces)
    }
}

enum Fixture {
    static let categoryIDs = [
        "sozial", "sozial.leistung", "sozial.sanktion", "sozial.bg", "gesundheit", "gesundheit.gutachten", "kennung",
        "intern", "vermittlung", "stamm", "beratung", "beratung.schulden", "beratung.sucht", "teilnahme",
    ]

    static let taxonomy = Taxonomy(categories: Dictionary(uniqueKeysWithValues: categoryIDs.map {
        ($0, Taxonomy.Category(id: $0, title: Localized(de: $0, en: $0), basis: ""))
    }))

    static func cell(_ d: MatrixDecision) -> MatrixCell { MatrixCell(decision: d, legalBasis: "§ 69 SGB X", note: nil) }

    static let matrix = SeparationMatrix(cells: [
        "jobcenter->traeger": [
            "sozial": cell(.forbidden), "gesundheit": cell(.forbidden), "stamm": cell(.allowed),
            "vermittlung": cell(.agreement), "teilnahme": cell(.allowed), "kennung": cell(.consent),
        ],
        "traeger->jobcenter": [
            "beratung": cell(.consent), "teilnahme": cell(.allowed), "beratung.sucht": cell(.forbidden),
        ],
    ])

    static let detectors = FakeDetectors([
        ("steuer_id", "kennung", "STEUERID"),
        ("iban", "kennung", "IBAN"),
        ("gesundheit", "gesundheit", "Diagnose"),
        ("gutachten", "gesundheit.gutachten", "Gutachten"),
        ("sanktion", "sozial.sanktion", "Sanktion"),
    ])

    /// Berlin wall-clock `YYYY-MM-DDThh:mm` as UTC epoch seconds.
    static func ts(_ s: String) -> Int64 {
        let b = Array(s.utf8)
        func n(_ r: Range<Int>) -> Int { Int(String(decoding: b[r], as: UTF8.self))! }
        let days = CivilTime.daysFromCivil(year: n(0..<4), month: n(5..<7), day: n(8..<10))
        let secs = b.count >= 16 ? n(11..<13) * 3600 + n(14..<16) * 60 : 0
        return ZoneConverter(identifier: "Europe/Berlin")!.utc(fromLocal: Int64(days) * 86_400 + Int64(secs))
    }

    static func record(_ kind: RecordKind, _ fields: [String: Value]) -> Record {
        var r = Record(kind: kind, locator: Locator(file: "t.csv", line: 1, byteOffset: 0, index: 0))
        for (k, v) in fields {
            precondition(kind.schema.slot(k) != nil, "unknown field \(k)")
            r[k] = v
        }
        return r
    }

    static func s(_ x: String) -> Value { .string(ByteString(x)) }
    static func l(_ xs: String...) -> Value { .list(xs.map { ByteString($0) }) }
    static func t(_ x: String) -> Value { .time(ts(x)) }

    static let reference: ReferenceTables = ReferenceTables([
        .staff: [
            record(.staff, ["person": s("jc.mueller"), "org": s("jobcenter"), "roles": l("pap", "leistung")]),
            record(.staff, ["person": s("tr.schmidt"), "org": s("traeger"), "roles": l("coach")]),
            record(.staff, ["person": s("jc.mueller"), "org": s("traeger"), "unit": s("duplicate, second row")]),
        ],
        .secondments: [
            record(.secondments, ["person": s("jc.mueller"), "traeger": s("awo"), "instrument": s("Abordnung"),
                                  "start": t("2025-01-01T00:00"), "end": t("2025-06-30T23:59"),
                                  "schedule": s("Mo-Fr 08:00-16:30")]),
            record(.secondments, ["person": s("jc.weber"), "traeger": s("awo"), "start": t("2025-03-01T00:00"),
                                  "schedule": s("Mo,Mi 08:00-12:00; Di 13:00-17:00")]),
            record(.secondments, ["person": s("jc.kaputt"), "traeger": s("awo"), "start": t("2025-03-01T00:00"),
                                  "schedule": s("Montag früh")]),
        ],
        .agreements: [
            record(.agreements, ["id": s("A1"), "traeger": s("awo"), "approved_by_leitung": .bool(true),
                                 "valid_from": t("2025-01-01T00:00"), "valid_to": t("2025-12-31T23:59"),
                                 "permitted_flows": l("jobcenter->traeger:vermittlung", "traeger->jobcenter:beratung"),
                                 "legal_basis": s("§ 69 Abs. 1 Nr. 1 SGB X")]),
            record(.agreements, ["id": s("A2"), "traeger": s("caritas"), "approved_by_leitung": .bool(false),
                                 "valid_from": t("2025-01-01T00:00"), "permitted_flows": l("jobcenter->traeger:vermittlung"),
                                 "legal_basis": s("§ 69 SGB X")]),
            record(.agreements, ["id": s("A3"), "traeger": s("diakonie"), "approved_by_leitung": .bool(true),
                                 "valid_from": t("2025-01-01T00:00"), "permitted_flows": l("jobcenter->traeger:vermittlung"),
                                 "legal_basis": s("  ")]),
        ],
        .consents: [
            record(.consents, ["participant": s("TN-1"), "categories": l("beratung"), "direction": s("traeger->jobcenter"),
                               "given": t("2025-02-01T00:00"), "revoked": t("2025-05-01T00:00")]),
            record(.consents, ["participant": s("TN-2"), "categories": l("beratung.schulden"), "direction": s("traeger->jobcenter"),
                               "given": t("2025-02-01T00:00")]),
        ],
        .participants: [
            record(.participants, ["participant": s("TN-1"), "traeger": s("awo"), "counselors": l("jc.mueller", "tr.schmidt"),
                                   "start": t("2025-01-15T00:00")]),
        ],
        // Records as lookup tables: the documentation index (id, date, participant, visibility, team).
        .documentation: [
            record(.documentation, ["record_id": s("V-1"), "time": t("2025-03-01T10:00"), "subject": s("TN-1"),
                                    "visibility": s("team"), "team": s("Nord")]),
            record(.documentation, ["record_id": s("V-1"), "time": t("2025-03-02T10:00"), "subject": s("TN-9"),
                                    "visibility": s("all"), "doc_type": s("duplicate id, second row")]),
        ],
    ])

    static func env(_ kind: RecordKind = .access, detectors: any DetectorScanning = Fixture.detectors) -> CompileEnvironment {
        CompileEnvironment(kind: kind, detectors: detectors, taxonomy: taxonomy, matrix: matrix, reference: reference,
                           namedLists: ["leistungsrollen": ["leistung", "sachbearbeitung", "widerspruch"], "kanaele": ["email", "fax"]])
    }

    static let origin = SourcePosition(file: "rules/t.yml", line: 1, column: 1)

    static func compile(_ text: String, _ kind: RecordKind = .access) throws -> CompiledCondition {
        try CompiledCondition.compile(text, origin: origin, environment: env(kind))
    }

    static func eval(_ text: String, _ fields: [String: Value], kind: RecordKind = .access) throws -> Tri {
        let c = try compile(text, kind)
        let ctx = EvalContext(environment: env(kind))!
        ctx.reset(record: record(kind, fields))
        return c.evaluate(ctx)
    }
}

/// Asserts that compiling fails with `code` at `line:column` of rules/t.yml.
func assertCompileError(_ text: String, code: String, line: Int = 1, column: Int, kind: RecordKind = .access,
                        file: StaticString = #filePath, testLine: UInt = #line) {
    do {
        _ = try Fixture.compile(text, kind)
        XCTFail("expected \(code) for: \(text)", file: file, line: testLine)
    } catch let e as ConfigError {
        XCTAssertEqual(e.code, code, e.text(.en), file: file, line: testLine)
        XCTAssertEqual(e.position.description, "rules/t.yml:\(line):\(column)", e.text(.en), file: file, line: testLine)
        XCTAssertFalse(e.message.de.isEmpty || e.message.en.isEmpty, file: file, line: testLine)
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: testLine)
    }
}
