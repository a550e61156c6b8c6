import Foundation
import TrennwandRecords

/// A problem of `trennwand export` or `trennwand sql` with the export directory, in our own words
/// (German and English) with a code; the CLI maps `isUsage` to exit 2, everything else to exit 3.
package struct ExportError: Error, Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        /// A file or directory cannot be created or written.
        case write
        /// The directory holds no `manifests/*.json`.
        case noExport
        case unreadableManifest
        /// The export's schema version, rule pack or time zone differ from what `sql` renders.
        case mismatch(String)
        /// A file name a dialect's client cannot name (a line break in a psql `\copy` path; Spark: Hadoop glob or URI characters).
        case unloadablePath
    }

    package var kind: Kind
    package var path: String
    package var errno: Int32 = 0

    package init(_ kind: Kind, path: String, errno: Int32 = 0) {
        self.kind = kind
        self.path = path
        self.errno = errno
    }

    /// A configuration matter (exit 2) rather than an I/O problem (exit 3).
    package var isUsage: Bool {
        switch kind {
        case .mismatch, .unloadablePath: return true
        case .write, .noExport, .unreadableManifest: return false
        }
    }

    package var code: String {
        switch kind {
        case .write: return "export.write"
        case .noExport: return "export.missing"
        case .unreadableManifest: return "export.manifest"
        case .mismatch: return "export.mismatch"
        case .unloadablePath: return "sql.path"
        }
    }

    /// The message; `path` as given (the caller neutralises control characters for a terminal).
    package func text(_ language: Language, path shown: String? = nil) -> String {
        let p = shown ?? path
        let de: String, en: String
        switch kind {
        case .write:
            let (rde, ren) = Self.reason(errno)
            de = "\(p): kann nicht geschrieben werden (\(rde))"
            en = "\(p): cannot be written (\(ren))"
        case .noExport:
            de = "\(p): kein Export gefunden (kein manifests/*.json) – zuerst trennwand export --out \(p)"
            en = "\(p): no export found (no manifests/*.json) – run trennwand export --out \(p) first"
        case .unreadableManifest:
            de = "\(p): Manifest nicht lesbar oder kein Manifest von trennwand export"
            en = "\(p): manifest unreadable or not written by trennwand export"
        case .mismatch(let what):
            de = "\(p): \(what) passt nicht zu diesem Aufruf – mit demselben Regelwerk und derselben Version neu exportieren"
            en = "\(p): \(what) does not match this invocation – export again with the same rule pack and version"
        case .unloadablePath:
            de = "\(p): Dateiname kann im Client des Dialekts nicht angegeben werden (Zeilenumbruch; bei Spark auch [ ] { } \\ :)"
            en = "\(p): the dialect's client cannot name this file (a line break; for Spark also [ ] { } \\ :)"
        }
        return (language == .de ? de : en) + " [\(code)]"
    }

    /// Our words for the common reasons a write fails.
    static func reason(_ e: Int32) -> (String, String) {
        switch e {
        case ENOSPC, EDQUOT: return ("kein freier Platz", "no space left")
        case EACCES, EPERM: return ("keine Berechtigung", "permission denied")
        case EROFS: return ("nur lesbares Dateisystem", "read-only file system")
        case ENOENT, ENOTDIR: return ("Verzeichnis fehlt oder ist kein Verzeichnis", "directory missing or not a directory")
        case EEXIST, EISDIR: return ("Pfad ist belegt", "path is taken")
        default: return ("Fehler \(e)", "error \(e)")
        }
    }
}
