import Foundation
import Synchronization
import TrennwandReaders
import TrennwandRecords

/// How far the reading of one input has got, for a frontend's progress display: bytes of the
/// file read (by record position), its size, and its records so far.
///
/// Reported on the scanning (merging) thread only: after every merged chunk of a chunked file,
/// and every `ReadProgress.recordStride` records of a file read whole. A frontend receives it by
/// running `Scan.run` inside `ReadProgress.reporting(to:)`: the hot path then costs one locked
/// read per file (and per merged chunk) when nobody listens.
package struct ReadProgress: Sendable, Equatable {
    package var path: String
    /// Bytes of the file read so far (for compressed inputs: of the decompressed stream).
    package var bytes: Int64
    /// The file's size, when known and comparable to `bytes` (nil for compressed inputs).
    package var size: Int64?
    /// Records read from the file so far.
    package var records: Int

    package init(path: String, bytes: Int64, size: Int64?, records: Int) {
        self.path = path
        self.bytes = bytes
        self.size = size
        self.records = records
    }

    /// The frontend's receiver while a scan runs inside `reporting(to:)`.
    ///
    /// A process-wide slot, not a task-local: binding a `@TaskLocal` from the synchronous CLI
    /// (`$sink.withValue` outside any task) crashed every release-build scan inside the Swift
    /// runtime (`swift_task_localValuePush`, bad pointer), while debug builds ran. One scan runs
    /// per process; a nested `reporting` restores the outer receiver.
    package static var sink: (@Sendable (ReadProgress) -> Void)? { slot.withLock { $0 } }

    private static let slot = Mutex<(@Sendable (ReadProgress) -> Void)?>(nil)

    /// Runs `body` with `sink` receiving the read progress (nil: nobody listens).
    package static func reporting<T>(to sink: (@Sendable (ReadProgress) -> Void)?, _ body: () throws -> T) rethrows -> T {
        let outer = slot.withLock { current in
            let outer = current
            current = sink
            return outer
        }
        defer { slot.withLock { $0 = outer } }
        return try body()
    }

    /// Records between two reports of a file read whole.
    static let recordStride = 2048

    /// The size of a plain input file (nil for compressed inputs and archive members).
    static func plainSize(_ path: String) -> Int64? {
        if InputFile.isCompressedInputName(path) || InputFile.archiveMember(path) != nil { return nil }
        return SystemPath.status(path).map { Int64($0.st_size) }
    }
}
