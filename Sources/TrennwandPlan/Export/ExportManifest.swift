import Foundation
import TrennwandRecords

/// What one export of one input (or of the policy tables) wrote: `manifests/<input>.json`.
///
/// One manifest per input rather than one per run: an input is exported by itself (per file,
/// stateless), so many machines can export into one directory, or their directories can be copied
/// together, and `trennwand sql` reads every manifest it finds. A manifest is written last, after
/// its files are complete: a file without a manifest is never loaded.
package struct ExportManifest: Codable, Sendable, Equatable {
    package var schemaVersion: Int
    package var toolVersion: String
    /// `RuleSet.hash` of the rule pack the detector columns and policy tables come from.
    package var rulePack: String
    /// The pack's time zone (the `__local` columns).
    package var timeZone: String
    /// The input (nil in `manifests/policy.json`).
    package var input: Input?
    package var files: [File]

    package struct Input: Codable, Sendable, Equatable {
        package var path: String
        package var profile: String?
        package var kind: String?
        /// Position in the scan's input list (1-based): `tw_row_no` of lookup tables is
        /// `ordinal << 32 | row`, so a first-row lookup takes rows in input order, as the scan does.
        package var ordinal: Int
        package var read: Int
        package var normalised: Int
        package var rejected: Int
        package var rejectedByReason: [String: Int]
        /// The reason code of a file error (the records read before it are exported, as the scan
        /// evaluates them).
        package var fileError: String?

        package init(path: String, profile: String?, kind: String?, ordinal: Int, account: InputAccount) {
            self.path = path
            self.profile = profile
            self.kind = kind
            self.ordinal = ordinal
            read = account.read
            normalised = account.normalised
            rejected = account.rejected
            rejectedByReason = account.rejectedByReason
            fileError = account.fileError?.reason.code
        }
    }

    package struct File: Codable, Sendable, Equatable {
        /// Relative to the export directory.
        package var path: String
        package var table: String
        package var rows: Int

        package init(path: String, table: String, rows: Int) {
            self.path = path
            self.table = table
            self.rows = rows
        }
    }

    package init(toolVersion: String, rulePack: String, timeZone: String, input: Input?, files: [File]) {
        schemaVersion = ExportLayout.schemaVersion
        self.toolVersion = toolVersion
        self.rulePack = rulePack
        self.timeZone = timeZone
        self.input = input
        self.files = files
    }

    package func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(self) + Data("\n".utf8)
    }

    package static func decode(_ data: Data) throws -> ExportManifest {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(ExportManifest.self, from: data)
    }

    /// Every manifest of an export directory, sorted by input ordinal then path (policy first).
    /// Throws `ExportError` when the directory has none or one cannot be read.
    package static func all(in directory: String) throws -> [ExportManifest] {
        let dir = (directory as NSString).appendingPathComponent(ExportLayout.manifestDirectory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
            throw ExportError(.noExport, path: directory)
        }
        var out: [ExportManifest] = []
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            let path = (dir as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else { throw ExportError(.unreadableManifest, path: path) }
            guard let m = try? decode(data) else { throw ExportError(.unreadableManifest, path: path) }
            out.append(m)
        }
        if out.isEmpty { throw ExportError(.noExport, path: directory) }
        return out.sorted { ($0.input?.ordinal ?? 0, $0.input?.path ?? "") < ($1.input?.ordinal ?? 0, $1.input?.path ?? "") }
    }
}
