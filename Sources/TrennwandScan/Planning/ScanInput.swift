import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// One input of a scan: a file and, optionally, the profile to read it with.
package struct ScanInput: Sendable, Hashable {
    package var path: String
    package var profile: String?

    package init(path: String, profile: String? = nil) {
        self.path = path
        self.profile = profile
    }
}

/// Expands the scan paths: files as given, directories recursively to their input files (the
/// extensions of `SourceFormat.fileExtensions`: `.csv`, `.xml`, `.jsonl`, `.ndjson`, and compressed
/// inputs such as `.csv.gz` and `.zip`; sorted, hidden files skipped), zip archives to their input
/// members. Names are read as bytes (`readdir`), so names that are not valid UTF-8 are found and
/// kept openable (`SystemPath`).
package func expandPaths(_ paths: [String]) -> [String] {
    var out: [String] = []
    for p in paths {
        if let st = SystemPath.status(p), (st.st_mode & S_IFMT) == S_IFDIR {
            var files: [String] = []
            collectInputs(in: p, relative: "", into: &files)
            out += files.sorted().map { (p as NSString).appendingPathComponent($0) }
        } else {
            out.append(p)
        }
    }
    // Compressed exports: a zip archive stands for its input members (`a.zip!/inner/b.csv`).
    return out.flatMap { ZipArchive.memberInputs($0) ?? [$0] }
}

/// Appends the input files below `dir` (paths relative to the scan root). Symbolic links
/// to directories are not followed (as `FileManager`'s enumerator did not).
private func collectInputs(in dir: String, relative: String, into files: inout [String]) {
    guard let d = SystemPath.withCString(dir, { opendir($0) }) else { return }
    defer { closedir(d) }
    while let entry = readdir(d) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { raw -> [UInt8] in
            Array(raw.prefix { $0 != 0 })
        }
        if name == [0x2E] || name == [0x2E, 0x2E] { continue }
        let n = SystemPath.string(name)
        let rel = relative.isEmpty ? n : relative + "/" + n
        let full = (dir as NSString).appendingPathComponent(n)
        var st = stat()
        guard SystemPath.withCString(full, { lstat($0, &st) }) == 0 else { continue }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            collectInputs(in: full, relative: rel, into: &files)
            continue
        }
        let ext = (n as NSString).pathExtension.lowercased()
        if !n.hasPrefix(".") && (SourceFormat.fileExtensions.contains(ext) || InputFile.isCompressedInputName(n)) { files.append(rel) }
    }
}

/// The check that a scan has something to read, made while planning, before any rule runs: a
/// nightly job over an empty or unmounted export folder would otherwise report "clean" forever.
package enum InputSelection {
    /// Nil when there are inputs, or none are allowed (`allow_empty: true`, `--allow-empty`);
    /// else the error (exit 3) naming the patterns and paths that matched nothing.
    package static func emptyError(inputs: [ScanInput], patterns: [String], allowEmpty: Bool) -> ScanDiagnostic? {
        guard inputs.isEmpty, !allowEmpty else { return nil }
        let named = patterns.isEmpty ? "–" : patterns.joined(separator: ", ")
        return ScanDiagnostic(code: emptyCode, label: .inputError, message: Localized(
            de: "keine Eingabedatei gefunden (\(named)) – Pfad prüfen (Laufwerk eingehängt? Exporte abgelegt? Endungen .csv, .xml, .jsonl, .ndjson, .gz, .zip); ist ein leerer Lauf gewollt: allow_empty: true im Prüfauftrag oder --allow-empty [\(emptyCode)]",
            en: "no input file found (\(named)) – check the path (mounted? exports in place? extensions .csv, .xml, .jsonl, .ndjson, .gz, .zip); if an empty run is intended: allow_empty: true in the audit configuration or --allow-empty [\(emptyCode)]"),
            voice: .interface)
    }

    /// A pattern of the configuration that matched nothing while others did: a warning.
    package static func unmatchedWarning(_ pattern: String) -> ScanDiagnostic {
        ScanDiagnostic(code: "input.no-match", label: .warning, message: Localized(
            de: "\(pattern): trifft keine Eingabedatei – Pfad oder Muster prüfen [input.no-match]",
            en: "\(pattern): matches no input file – check the path or pattern [input.no-match]"), voice: .interface)
    }

    package static let emptyCode = "input.empty"
}
