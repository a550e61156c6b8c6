import Foundation
import TrennwandRecords
import XCTest
@testable import TrennwandEngine

/// A scan's start (`RuleSet.loadWithPolicy`: rule files parsed on one other thread beside the
/// policy) and `RuleSet.load` (files parsed side by side) give the same rule set and the same
/// errors in the same order, also for a broken rules directory.
final class RuleLoadingTests: XCTestCase {
    private func same(_ dir: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let plain = RuleSet.load(rulesDirectory: dir)
        let (atStart, _) = try RuleSet.loadWithPolicy(rulesDirectory: dir)
        XCTAssertEqual(atStart.rules.map(\.id), plain.rules.map(\.id), file: file, line: line)
        XCTAssertEqual(atStart.rules.map { $0.norms.map(\.citation) }, plain.rules.map { $0.norms.map(\.citation) }, file: file, line: line)
        XCTAssertEqual(atStart.errors.map { $0.text(.en) }, plain.errors.map { $0.text(.en) }, file: file, line: line)
        XCTAssertEqual(atStart.hash, plain.hash, file: file, line: line)
        XCTAssertEqual(atStart.catalogue == nil, plain.catalogue == nil, file: file, line: line)
    }

    func testShippedRules() throws {
        try same(TestPaths.rules.path)
        XCTAssertGreaterThanOrEqual(RuleSet.load(rulesDirectory: TestPaths.rules.path).rules.count, 32)
    }

    func testBrokenRulesDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tw-rule-loading-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.copyItem(at: TestPaths.rules, to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        let zugriff = dir.appendingPathComponent("zugriff")
        // A second TW101, a file that is no YAML, a file named after another rule, a broken catalogue.
        try FileManager.default.copyItem(at: zugriff.appendingPathComponent("TW101-taetigkeit-ohne-vereinbarung.yaml"),
                                         to: zugriff.appendingPathComponent("TW101-zweites-mal.yaml"))
        try Data("id: [unclosed\n".utf8).write(to: zugriff.appendingPathComponent("TW199-kaputt.yaml"))
        try FileManager.default.copyItem(at: zugriff.appendingPathComponent("TW102-zugriff-ausserhalb-abordnung.yaml"),
                                         to: zugriff.appendingPathComponent("TW198-falscher-name.yaml"))
        try same(dir.path)
        let errors = RuleSet.load(rulesDirectory: dir.path).errors
        XCTAssertGreaterThanOrEqual(errors.count, 3, "\(errors.map { $0.text(.en) })")
        try Data("norms: [".utf8).write(to: dir.appendingPathComponent("norms.yaml"))
        try same(dir.path)
        XCTAssertNil(RuleSet.load(rulesDirectory: dir.path).catalogue)
    }
}
