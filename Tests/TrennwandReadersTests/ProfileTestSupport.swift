import Foundation
import TrennwandRecords
@testable import TrennwandReaders

/// Shared helpers for the profile and ingest tests.
enum ProfileFixtures {
    static let catalog: ProfileCatalog = {
        // The shipped profiles must load; a failure here is a test failure with the ConfigError text.
        do { return try ProfileCatalog(directories: [TestPaths.rules.appendingPathComponent("profiles").path]) } catch {
            fatalError("profiles do not load: \(error)")
        }
    }()

    static func sample(_ name: String) -> String { TestPaths.samples.appendingPathComponent(name).path }

    /// Writes bytes to a fresh temporary file and returns its path.
    static func temp(_ name: String, _ text: String, encoding: String.Encoding = .utf8) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-profile-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: url.path, contents: text.data(using: encoding))
        return url.path
    }

    static func ingest(_ path: String, profile: SourceProfile? = nil) -> (IngestResult, [Record]) {
        var records: [Record] = []
        let result = Ingest.run(file: path, profile: profile, catalog: catalog) { records.append($0) }
        return (result, records)
    }

    static func iso(_ v: Value) -> String? { v.timeValue.map(CivilTime.iso8601) }
    static func str(_ v: Value) -> String? { v.stringValue?.string }
}
