import Foundation

/// An anonymous temporary file (unlinked right after creation) for findings during a scan.
final class SpillFile {
    private let fd: Int32
    private var size: Int64 = 0

    init?() {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array((dir + "/trennwand-findings-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { return nil }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Appends `data`; returns its offset, or nil if the write failed (disk full: the caller keeps
    /// the finding in memory).
    func append(_ data: Data) -> Int64? {
        let offset = size
        let ok = data.withUnsafeBytes { buf -> Bool in
            var done = 0
            while done < buf.count {
                let n = pwrite(fd, buf.baseAddress! + done, buf.count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        guard ok else { return nil }
        size += Int64(data.count)
        return offset
    }

    func read(offset: Int64, length: Int) -> Data? {
        var data = Data(count: length)
        let ok = data.withUnsafeMutableBytes { buf -> Bool in
            var done = 0
            while done < length {
                let n = pread(fd, buf.baseAddress! + done, length - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        return ok ? data : nil
    }
}
