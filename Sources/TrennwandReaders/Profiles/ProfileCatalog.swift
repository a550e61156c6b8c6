import Foundation
import TrennwandRecords
import TrennwandYAML

/// All source profiles known to a run, loaded from one or more directories, with detection of
/// the profile that fits a file (by its format: CSV header columns, XML root element, JSON keys).
public final class ProfileCatalog: Sendable {
    /// The profiles sorted by directory order, then file name: deterministic across machines.
    public let profiles: [SourceProfile]

    /// The words the profiles know: keys and targets of every value map (configuration, never
    /// data). Part of the rule pack's vocabulary: a `.label` value equal to one is shown verbatim.
    public var vocabulary: Set<String> {
        var words: Set<String> = []
        for p in profiles {
            for f in p.fields {
                for (key, target) in f.valueMap {
                    words.insert(key)
                    if let target { words.insert(target) }
                }
                for p in f.patterns { if let target = p.target { words.insert(target) } }
            }
        }
        return words
    }

    /// Builds a catalog from parsed profiles; a duplicate id is a `ConfigError`.
    public init(profiles: [SourceProfile]) throws {
        var seen: [String: SourcePosition] = [:]
        for p in profiles {
            if let other = seen[p.id] { throw ProfileIssue.duplicateID(p.position, id: p.id, other: other) }
            seen[p.id] = p.position
        }
        self.profiles = profiles
    }

    /// Loads every `*.yaml` / `*.yml` file of the directories (not recursive), sorted by name.
    public convenience init(directories: [String]) throws {
        var loaded: [SourceProfile] = []
        for dir in directories {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else {
                throw ConfigError(SourcePosition(file: dir, line: 1, column: 1), code: "profile.directory",
                                  de: "Profilverzeichnis kann nicht gelesen werden", en: "profile directory cannot be read")
            }
            for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
                loaded.append(try SourceProfile.load(path: (dir as NSString).appendingPathComponent(name)))
            }
        }
        try self.init(profiles: loaded)
    }

    /// The profile with this id, or nil.
    public func profile(id: String) -> SourceProfile? {
        profiles.first { $0.id == id }
    }

    /// The profile with this id; an unknown id is a `ConfigError` listing the known ones.
    public func require(id: String) throws -> SourceProfile {
        guard let p = profile(id: id) else { throw ProfileIssue.unknownProfile(id, known: profiles.map(\.id)) }
        return p
    }

    /// Chooses the profile for a file by its format's detection (CSV: decoded header, XML: root
    /// element, JSON Lines: keys of the first object).
    /// Throws `InputError`: `profile.no-match`, `profile.ambiguous`, or the reader's error.
    public func detect(file: String) throws -> SourceProfile {
        try Self.sniffFormat(path: file).spec.detect(file: file, catalog: self)
    }

    /// The format that claims the first character after an optional BOM and whitespace (UTF-8 or,
    /// with a UTF-16 BOM, UTF-16): XML `<`, JSON Lines `{`; else CSV. Throws `InputError` for a
    /// file that cannot be read, is not a regular file (`input.not-regular-file`: a FIFO would
    /// hang) or is compressed (`input.compressed`).
    public static func sniffFormat(path: String) throws -> SourceFormat {
        let head = try InputFile.head(path: path, count: 4096)
        if let format = InputFile.compression(head) { throw InputFile.compressed(path, format: format) }
        let space: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        if let bom = InputFile.wideBOM(head), bom.hasPrefix("UTF-16") {
            // libxml2 reads UTF-16 XML; the CSV reader refuses UTF-16 with a clear error.
            let littleEndian = bom == "UTF-16LE"
            var i = 2
            while i + 1 < head.count {
                let (lo, hi) = littleEndian ? (head[i], head[i + 1]) : (head[i + 1], head[i])
                if hi == 0 && space.contains(lo) { i += 2; continue }
                return hi == 0 && lo < 0x80 ? SourceFormat.claiming(lo) : .csv
            }
            return .csv
        }
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < head.count, space.contains(head[i]) { i += 1 }
        return i < head.count ? SourceFormat.claiming(head[i]) : .csv
    }
}
