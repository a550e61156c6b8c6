import Foundation
import XCTest

/// `--reveal` shows every person of a finding alike — actor and subject both raw, or both
/// pseudonymised — in every format, with `--state` too; `--reveal-force` reveals like `--reveal`;
/// the state store never keeps a revealed value, so `report` stays masked (issue #16 item 6).
final class RevealConsistencyTests: XCTestCase {
    static let now = "2025-12-31T12:00:00+01:00"
    /// The Jobcenter access log: its findings name an actor and a subject.
    static let base = ["scan", "Samples/Jobcenter-Zugriffe.csv", "Samples/Stammdaten/", "--now", now, "--format", "text=/dev/null"]

    static func isPseudonym(_ s: String) -> Bool {
        s.count == 14 && s.hasPrefix("P-") && s.dropFirst(2).allSatisfy(\.isHexDigit)
    }

    /// The `persons` map of every finding of a JSON Lines output.
    static func persons(_ jsonl: String) throws -> [[String: String]] {
        try jsonl.split(separator: "\n").compactMap { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard object?["type"] as? String == "finding" else { return nil }
            return object?["persons"] as? [String: String]
        }
    }

    /// Findings naming both an actor and a subject; at least one, else the test proves nothing.
    static func actorAndSubject(_ jsonl: String) throws -> [(actor: String, subject: String)] {
        let pairs = try persons(jsonl).compactMap { p in p["actor"].flatMap { a in p["subject"].map { (actor: a, subject: $0) } } }
        XCTAssertFalse(pairs.isEmpty, "no finding with actor and subject")
        return pairs
    }

    static func containsPseudonym(_ text: String) -> Bool {
        text.range(of: #"P-[0-9a-f]{12}"#, options: .regularExpression) != nil
    }

    func testActorAndSubjectAreMaskedOrRevealedAlikeInEveryFormat() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let masked = try CLI.run(Self.base + ["--format", "jsonl=-"])
        XCTAssertTrue([0, 1].contains(masked.status), masked.stderr)
        for p in try Self.actorAndSubject(masked.stdout) {
            XCTAssertTrue(Self.isPseudonym(p.actor) && Self.isPseudonym(p.subject), "\(p)")
        }

        let formats = ["jsonl", "csv", "html", "text", "sarif", "junit"]
        let files = formats.map { dir.appendingPathComponent("r.\($0)") }
        let revealed = try CLI.run(Self.base + ["--reveal", "--reveal-force"]
                                   + zip(formats, files).flatMap { ["--format", "\($0)=\($1.path)"] })
        XCTAssertTrue([0, 1].contains(revealed.status), revealed.stderr)
        let jsonl = try String(contentsOf: files[0], encoding: .utf8)
        let pairs = try Self.actorAndSubject(jsonl)
        for p in pairs {
            XCTAssertFalse(Self.isPseudonym(p.actor) || Self.isPseudonym(p.subject), "\(p)")
        }
        for (format, file) in zip(formats, files) {
            let text = try String(contentsOf: file, encoding: .utf8)
            XCTAssertFalse(Self.containsPseudonym(text), "\(format): a pseudonym in a revealed output")
            if format != "text" {  // the terminal summary lists no persons
                XCTAssertTrue(text.contains(pairs[0].actor) && text.contains(pairs[0].subject), "\(format): \(pairs[0])")
            }
        }
        let html = try String(contentsOf: files[2], encoding: .utf8)
        XCTAssertTrue(html.contains("Personen (--reveal)"))
        XCTAssertFalse(html.contains("Personen (pseudonymisiert)"))
    }

    /// `--reveal-force` alone reveals exactly what `--reveal` does.
    func testRevealForceRevealsLikeReveal() throws {
        let reveal = try CLI.run(Self.base + ["--reveal", "--format", "jsonl=-"])
        let force = try CLI.run(Self.base + ["--reveal-force", "--format", "jsonl=-"])
        XCTAssertTrue([0, 1].contains(force.status), force.stderr)
        XCTAssertTrue(force.stderr.contains("[scan.reveal]"), force.stderr)
        let a = try Self.persons(reveal.stdout), b = try Self.persons(force.stdout)
        XCTAssertEqual(a, b)
        XCTAssertFalse(try Self.actorAndSubject(force.stdout).contains { Self.isPseudonym($0.actor) || Self.isPseudonym($0.subject) })
    }

    /// With `--state`: a revealed run reports its findings revealed (actor and subject alike, all
    /// files evaluated again), the store keeps none of the raw values and the masked evidence of
    /// the earlier run, and `report` from the store stays masked.
    func testRevealWithStateKeepsTheStoreMasked() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let db = dir.appendingPathComponent("state.db").path
        let first = try CLI.run(Self.base + ["--state", db, "--format", "jsonl=-"])
        XCTAssertTrue([0, 1].contains(first.status), first.stderr)
        let maskedPairs = try Self.actorAndSubject(first.stdout)

        let second = try CLI.run(Self.base + ["--state", db, "--reveal", "--format", "jsonl=-"])
        XCTAssertTrue([0, 1].contains(second.status), second.stderr)
        let pairs = try Self.actorAndSubject(second.stdout)
        XCTAssertEqual(pairs.count, maskedPairs.count, "every file evaluated again, every finding revealed")
        for p in pairs {
            XCTAssertFalse(Self.isPseudonym(p.actor) || Self.isPseudonym(p.subject), "\(p)")
        }
        XCTAssertFalse(Self.containsPseudonym(second.stdout))

        let dump = try DisclosureTests.sqliteDump(URL(fileURLWithPath: db))
        for p in pairs {
            XCTAssertFalse(dump.contains(p.actor) || dump.contains(p.subject), "raw person in the state store: \(p)")
        }
        let report = try CLI.run(["report", "--state", db, "--format", "jsonl=-", "--format", "text=/dev/null"])
        XCTAssertTrue([0, 1].contains(report.status), report.stderr)
        let reported = try Self.actorAndSubject(report.stdout)
        XCTAssertEqual(Set(reported.map { "\($0.actor) \($0.subject)" }), Set(maskedPairs.map { "\($0.actor) \($0.subject)" }))
        for p in pairs { XCTAssertFalse(report.stdout.contains(p.actor) || report.stdout.contains(p.subject)) }
    }
}
