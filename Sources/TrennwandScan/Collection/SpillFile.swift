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
        lock.lock()
        defer { lock.unlock() }
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

    /// Reads `length` bytes at `offset`; nil if the file cannot be read there.
    ///
    /// Through a block of `readBlock` bytes: a report reads the findings in nearly the order they
    /// were spilled (units merge in input order), so one `pread` serves the next few hundred of
    /// them instead of one call each (3,700 calls were a tenth of writing the text summary of a
    /// 256 MB XML scan; issue 20, twelfth stop). Not mapped into memory: mapped pages would count
    /// towards the scan's peak RSS.
    func read(offset: Int64, length: Int) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        guard offset >= 0, length >= 0, offset + Int64(length) <= size else { return nil }
        if offset >= blockStart, offset + Int64(length) <= blockStart + Int64(block.count) {
            let from = Int(offset - blockStart)
            return Array(block[from..<(from + length)])
        }
        if length > Self.readBlock { return readDirect(offset: offset, count: length) }
        guard let fresh = readDirect(offset: offset, count: Int(min(Int64(Self.readBlock), size - offset))) else { return nil }
        block = fresh
        blockStart = offset
        return Array(block[0..<length])
    }

    /// Bytes read ahead per `pread` when reading back.
    static let readBlock = 256 << 10
    private let lock = NSLock()
    private var block: [UInt8] = []
    private var blockStart: Int64 = 0

    private func readDirect(offset: Int64, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let ok = bytes.withUnsafeMutableBytes { buf -> Bool in
            var done = 0
            while done < count {
                let n = pread(fd, buf.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return false }
                done += n
            }
            return true
        }
        return ok ? bytes : nil
    }
}
