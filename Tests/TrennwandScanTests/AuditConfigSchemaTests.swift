import Foundation
import TrennwandReaders
import TrennwandRecords
@testable import TrennwandScan
import XCTest

/// The configuration schema is the parser's list of keys: every documented key loads (its own
/// example), every key the parser reads is documented, unknown keys fail with a suggestion.
final class AuditConfigSchemaTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-config-\(getpid())-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    private func load(_ yaml: String) throws -> AuditConfig {
        let path = dir.appendingPathComponent("audit.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return try AuditConfig.load(path: path)
    }

    private func error(_ yaml: String) -> ConfigError? {
        do { _ = try load(yaml); return nil } catch let e as ConfigError { return e } catch { return nil }
    }

    func testEveryDocumentedExampleLoads() throws {
        XCTAssertGreaterThan(AuditConfigSchema.keys.count, 20)
        for key in AuditConfigSchema.keys {
            XCTAssertNoThrow(try load(key.example), "example of \(key.path) does not load:\n\(key.example)")
            // The example uses the key it documents.
            let top = key.path.split(separator: ".").first.map(String.init)!.replacingOccurrences(of: "[]", with: "")
            XCTAssertTrue(key.example.contains(top + ":") && key.example.contains(key.name + ":"), key.path)
        }
    }

    /// Derived from the parser's source: every key it reads (`optional("…")`, `required("…")`) is
    /// in the schema, and every schema key is read by the parser (none documented but ignored).
    func testParserAndSchemaNameTheSameKeys() throws {
        let source = try String(contentsOf: Repo.root.appendingPathComponent("Sources/TrennwandScan/Planning/AuditConfig.swift"), encoding: .utf8)
        var read: Set<String> = []
        for marker in ["optional(\"", "required(\""] {
            for part in source.components(separatedBy: marker).dropFirst() {
                read.insert(String(part.prefix { $0 != "\"" }))
            }
        }
        // `sources` and `reference` are read through the loop over both names.
        XCTAssertTrue(source.contains("for key in [\"reference\", \"sources\"]"))
        read.formUnion(["sources", "reference"])
        let documented = Set(AuditConfigSchema.keys.map(\.name))
        XCTAssertEqual(read.subtracting(documented), [], "read by the parser but not in AuditConfigSchema")
        XCTAssertEqual(documented.subtracting(read), [], "in AuditConfigSchema but never read by the parser")
    }

    func testUnknownKeyNamesPositionAndSuggestion() throws {
        let e = try XCTUnwrap(error("fail_on: high\nretention_month: 3\n"))
        XCTAssertEqual(e.code, "config.unknown-key")
        XCTAssertEqual(e.position.line, 2)
        XCTAssertTrue(e.message.en.contains("did you mean 'retention_months'"), e.message.en)
        XCTAssertTrue(e.message.de.contains("meinten Sie „retention_months“"), e.message.de)

        let nested = try XCTUnwrap(error("rules:\n  onyl: [TW105]\n"))
        XCTAssertEqual(nested.position.line, 2)
        XCTAssertTrue(nested.message.en.contains("'rules.onyl' – did you mean 'only'"), nested.message.en)

        let entry = try XCTUnwrap(error("sources:\n  - path: a.csv\n    profil: x\n"))
        XCTAssertEqual(entry.position.line, 3)
        XCTAssertTrue(entry.message.en.contains("did you mean 'profile'"), entry.message.en)

        let far = try XCTUnwrap(error("zzz: 1\n"))
        XCTAssertFalse(far.message.en.contains("did you mean"), far.message.en)
    }

    func testProfilesAreResolvedBesideTheFile() throws {
        let one = try load("profiles: eigene/\n")
        XCTAssertEqual(one.profileDirectories, [dir.path + "/eigene/"])
        let list = try load("profiles: [a, /abs/b]\n")
        XCTAssertEqual(list.profileDirectories, [dir.path + "/a", "/abs/b"])
        XCTAssertEqual(try load("lang: de\n").profileDirectories, [])
    }

    func testUnknownProfileIdIsAConfigurationErrorNamingTheKnownOnes() throws {
        let catalog = try ProfileCatalog(directories: [Repo.rules + "/profiles"])
        let good = try load("sources:\n  - path: a.csv\n    profile: jobcenter-zugriffe\n")
        XCTAssertNoThrow(try good.checkProfiles(catalog))
        let bad = try load("sources:\n  - path: a.csv\nreference:\n  - path: b.csv\n    profile: stammdaten-personal\n")
        XCTAssertThrowsError(try bad.checkProfiles(catalog)) { error in
            let e = error as? ConfigError
            XCTAssertEqual(e?.code, "config.unknown-profile")
            XCTAssertEqual(e?.position.line, 5)
            XCTAssertTrue(e?.message.en.contains("stammdaten-mitarbeitende") == true, "\(String(describing: e))")
        }
    }

    func testMarkdownListsEveryKey() {
        let md = AuditConfigSchema.markdown()
        for key in AuditConfigSchema.keys {
            XCTAssertTrue(md.contains("## `\(key.path)`"), key.path)
            XCTAssertTrue(md.contains(key.description.de) && md.contains(key.description.en), key.path)
        }
    }
}
