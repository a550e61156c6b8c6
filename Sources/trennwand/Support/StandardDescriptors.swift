#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard input, output and error as the process found them at start.
///
/// A descriptor among 0, 1, 2 that the caller closed (`>&-`, `2>&-`) would be handed out by the
/// next `open()`: a report's temporary file would become "stdout" and receive another format's
/// bytes (issue #12 B3), a diagnostic would fail with EBADF (B4). `secure()` opens each closed one
/// on /dev/null before anything else opens a file, and remembers which were closed: an output
/// that names stdout then stops the run (`output.stdout-closed`, exit 3) instead of vanishing.
/// SIGPIPE is ignored, so a reader that goes away is a write error (EPIPE), not a silent death.
enum StandardDescriptors {
    /// The descriptors (0, 1, 2) that were closed at start; computed once, by `secure()`.
    static let closedAtStart: [Int32] = {
        var closed: [Int32] = []
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) < 0 && errno == EBADF {
            // open() returns the lowest free descriptor, which is this one.
            let opened = open("/dev/null", O_RDWR)
            if opened >= 0 && opened != fd {
                _ = dup2(opened, fd)
                close(opened)
            }
            closed.append(fd)
        }
        signal(SIGPIPE, SIG_IGN)
        return closed
    }()

    /// Call first in `main`, before any file is opened or any thread starts.
    static func secure() { _ = closedAtStart }

    static var stdoutWasClosed: Bool { closedAtStart.contains(STDOUT_FILENO) }

    /// Whether an output path means standard output.
    static func namesStdout(_ path: String) -> Bool {
        ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"].contains(path)
    }
}

/// Writes all of `bytes` to `fd` with write(2), retrying on EINTR. Returns false on any other
/// error (EPIPE, EBADF, ENOSPC): diagnostics are best effort and never trap, unlike
/// Foundation's `FileHandle.write`, which raises on EBADF.
@discardableResult
func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
    bytes.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            if n == 0 { return false }
            offset += n
        }
        return true
    }
}

/// Writes text to standard error, best effort (see `writeAll`).
func writeStderr(_ text: String) {
    writeAll(STDERR_FILENO, Array(text.utf8))
}
