import Foundation
import TrennwandReaders
import TrennwandRecords

/// How far the reading of one input has got, for a frontend's progress display: bytes of the
/// file read (by record position), its size, and its records so far.
///
/// Reported on the scanning (merging) thread only: after every merged chunk of a chunked file,
/// and every `ReadProgress.recordStride` records of a file read whole. A frontend receives it by
/// binding `ReadProgress.$sink` around `Scan.run` (task-local, also in synchronous code): the
/// hot path then costs one nil check per file when nobody listens.
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

    /// The frontend's receiver, bound around a scan.
    @TaskLocal package static var sink: (@Sendable (ReadProgress) -> Void)?

    /// Records between two reports of a file read whole.
    static let recordStride = 2048

    /// The size of a plain input file (nil for compressed inputs and archive members).
    static func plainSize(_ path: String) -> Int64? {
        if InputFile.isCompressedInputName(path) || InputFile.archiveMember(path) != nil { return nil }
        return SystemPath.status(path).map { Int64($0.st_size) }
    }
}
