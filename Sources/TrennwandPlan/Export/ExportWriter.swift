import Foundation
import TrennwandEngine
import TrennwandRecords

/// Writes the rows of one input into its partition files (`ExportLayout`): records by kind and
/// month, reference rows by kind, the schedules a secondments file names. Files are written as
/// `<file>.part` and renamed when complete; `finish` returns what was written, for the manifest.
package final class ExportWriter {
    private let directory: String
    private let name: String
    private let encoder: RecordRowEncoder
    private let ordinal: Int
    private var partitions: [String: Partition] = [:]
    private var order: [String] = []
    private var rows = 0
    private var scheduleTexts: [String] = []

    private final class Partition {
        let table: String
        let fd: Int32
        let temporary: String
        var buffer: [UInt8] = []
        var rows = 0

        init(table: String, fd: Int32, temporary: String) {
            self.table = table
            self.fd = fd
            self.temporary = temporary
        }
    }

    /// `ordinal`: the input's 1-based position in the scan's input list (`tw_row_no`).
    package init(directory: String, input: String, ordinal: Int, encoder: RecordRowEncoder) {
        self.directory = directory
        self.name = ExportLayout.name(ofInput: input)
        self.encoder = encoder
        self.ordinal = ordinal
    }

    package func add(_ record: Record) throws {
        rows += 1
        let path = ExportLayout.recordFile(kind: record.kind, month: ExportLayout.month(of: record), name: name)
        let p = try partition(path, table: record.kind.rawValue)
        p.buffer += encoder.line(record, rowNumber: (ordinal << 32) | rows)
        p.rows += 1
        if p.buffer.count >= 1 << 20 { try flush(p, path: path) }
        if record.kind == .secondments, let slot = RecordKind.secondments.schema.slot("schedule"), let s = record[slot].stringValue {
            scheduleTexts.append(s.string)
        }
    }

    /// Completes every file (flush, close, rename) and returns them in the order they were begun.
    package func finish() throws -> [ExportManifest.File] {
        if !scheduleTexts.isEmpty {
            let s = PolicyRows.schedules(scheduleTexts)
            for (table, lines) in [(ExportSchema.schedules, s.schedules), (ExportSchema.scheduleIntervals, s.intervals)] where !lines.isEmpty {
                let path = ExportLayout.referenceScheduleFile(table, name: name)
                let p = try partition(path, table: table.name)
                for values in lines { p.buffer += ExportRows.line(table, values) }
                p.rows += lines.count
            }
        }
        var out: [ExportManifest.File] = []
        for path in order {
            let p = partitions[path]!
            try flush(p, path: path)
            close(p.fd)
            let full = (directory as NSString).appendingPathComponent(path)
            if rename(p.temporary, full) != 0 { throw ExportError(.write, path: full, errno: errno) }
            out.append(ExportManifest.File(path: path, table: p.table, rows: p.rows))
        }
        partitions = [:]
        return out
    }

    /// Removes the unfinished files (after an error).
    package func abandon() {
        for p in partitions.values {
            close(p.fd)
            unlink(p.temporary)
        }
        partitions = [:]
    }

    private func partition(_ path: String, table: String) throws -> Partition {
        if let p = partitions[path] { return p }
        let full = (directory as NSString).appendingPathComponent(path)
        try Self.makeDirectory((full as NSString).deletingLastPathComponent)
        let temporary = full + ".part"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError(.write, path: temporary, errno: errno) }
        let p = Partition(table: table, fd: fd, temporary: temporary)
        partitions[path] = p
        order.append(path)
        return p
    }

    private func flush(_ p: Partition, path: String) throws {
        try Self.write(p.buffer, to: p.fd, path: p.temporary)
        p.buffer.removeAll(keepingCapacity: true)
    }

    static func write(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        var offset = 0
        try bytes.withUnsafeBytes { raw in
            while offset < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { throw ExportError(.write, path: path, errno: n == 0 ? EIO : errno) }
                offset += n
            }
        }
    }

    static func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code
            throw ExportError(.write, path: path, errno: code.map { Int32($0) } ?? EACCES)
        }
    }

    /// Writes `bytes` to `path` (relative to `directory`) whole: `<path>.part`, then renamed.
    package static func writeFile(_ bytes: [UInt8], directory: String, path: String) throws {
        let full = (directory as NSString).appendingPathComponent(path)
        try makeDirectory((full as NSString).deletingLastPathComponent)
        let temporary = full + ".part"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError(.write, path: temporary, errno: errno) }
        do { try write(bytes, to: fd, path: temporary) } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        if rename(temporary, full) != 0 { throw ExportError(.write, path: full, errno: errno) }
    }

    /// The policy tables (matrix, taxonomy, named lists, the schedules of rule literals and
    /// `moreSchedules`) under `policy/`. The export writes a secondments file's schedules beside its
    /// rows instead; the bench's source views (no export) give them here.
    package static func writePolicy(directory: String, policy: PolicyData, plans: [RulePlan], moreSchedules: [String] = []) throws -> [ExportManifest.File] {
        let schedules = PolicyRows.schedules(PolicyRows.scheduleTexts(plans: plans, secondments: []) + moreSchedules)
        var out: [ExportManifest.File] = []
        for (table, rows) in [(ExportSchema.separationMatrix, PolicyRows.matrix(policy)), (ExportSchema.taxonomy, PolicyRows.taxonomy(policy)),
                              (ExportSchema.namedLists, PolicyRows.namedLists(policy)), (ExportSchema.schedules, schedules.schedules),
                              (ExportSchema.scheduleIntervals, schedules.intervals)] {
            let path = ExportLayout.policyFile(table)
            try writeFile(Array(rows.map { ExportRows.line(table, $0) }.joined()), directory: directory, path: path)
            out.append(ExportManifest.File(path: path, table: table.name, rows: rows.count))
        }
        return out
    }

    package static func writeManifest(_ manifest: ExportManifest, directory: String, name: String) throws {
        let data: Data
        do { data = try manifest.encoded() } catch { throw ExportError(.write, path: ExportLayout.manifestFile(name: name), errno: EINVAL) }
        try writeFile(Array(data), directory: directory, path: ExportLayout.manifestFile(name: name))
    }
}
