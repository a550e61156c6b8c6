import Foundation
import TrennwandReaders
import TrennwandRecords
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `stat(2)` says about an input, taken before the scan and compared after it.
///
/// A file that changes while it is read (truncated, appended to, replaced) gives records of no
/// single version of it. The status-change time moves on every write, truncation and `touch`
/// and cannot be set back by the writer, so equal (device, inode, size, mtime, ctime) before
/// hashing and after reading mean the bytes read are the bytes hashed for the ledger.
struct FileIdentity: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modified: Int64
    var changed: Int64

    /// A zip member (`a.zip!/m.csv`) has the archive file's identity (the key holds the member).
    init?(path: String) {
        guard let st = SystemPath.status(InputFile.archiveMember(path)?.archive ?? path) else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
        size = Int64(st.st_size)
        #if canImport(Darwin)
        modified = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        changed = Int64(st.st_ctimespec.tv_sec) * 1_000_000_000 + Int64(st.st_ctimespec.tv_nsec)
        #else
        modified = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        changed = Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        #endif
    }

    /// Code of the file error of an input that changed while it was read.
    static let changedCode = "input.changed-during-scan"

    static func snapshot(_ paths: [String]) -> [String: FileIdentity] {
        var out: [String: FileIdentity] = [:]
        for p in paths { if let id = FileIdentity(path: p) { out[p] = id } }
        return out
    }

    /// Marks every read input whose identity changed since `before` with the file error
    /// `input.changed-during-scan`: its records may be incomplete, and the state ledger keeps it
    /// as failed (not scanned), so the next run reads it again in full.
    static func markChanged(_ accounts: [InputAccount], before: [String: FileIdentity], skipped: Set<String>) -> [InputAccount] {
        accounts.map { account in
            guard account.fileError == nil, !skipped.contains(account.file),
                  let old = before[account.file], FileIdentity(path: account.file) != old else { return account }
            var a = account
            let now = FileIdentity(path: account.file)
            let sizes = now.map { "\(old.size) → \($0.size) bytes" } ?? "\(old.size) bytes → removed"
            a.fileError = InputError(
                file: account.file, code: changedCode,
                de: "Datei wurde während der Prüfung verändert (\(sizes.replacingOccurrences(of: "bytes", with: "Byte").replacingOccurrences(of: "removed", with: "entfernt"))); ihre Datensätze sind womöglich unvollständig. Sie gilt nicht als geprüft und wird beim nächsten Lauf vollständig gelesen – Prüfung starten, wenn der Export fertig geschrieben ist",
                en: "file changed during the scan (\(sizes)); its records may be incomplete. It is not recorded as scanned and is read in full by the next run – start the scan once the export is completely written").rejection
            return a
        }
    }
}
