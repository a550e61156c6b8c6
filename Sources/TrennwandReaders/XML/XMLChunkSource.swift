// Parallel XML reading: one large export split at record elements, each part parsed by its own
// libxml2 push parser on its own thread, with the same records, rejections, line numbers, indices
// and errors as one sequential read.
//
// How a part starts: a part begins at a *line start* whose line holds, after at most 63 spaces or
// tabs, a start tag whose local name is the record element's (`boundaries`). That is only a
// candidate — the name may stand in a comment, a CDATA section, a text, or an element of the same
// name off the record path. The part's parser is first given a one-line prefix: the file's BOM and
// XML declaration and the start tags of the record's ancestors — the root's from the file head,
// the others guessed by searching backwards from the candidate — and then the file's bytes from
// the candidate. Lines are counted from the line after the prefix, byte offsets from the file start.
//
// How a part ends: its parser stops before the first record at such a clean line start at or after
// the next part's candidate and reports that line's offset and the open ancestors there, written
// out canonically from what libxml2 parsed (`XMLParseState.canonicalTag`); the parser state there
// is nothing but those elements and their namespaces (no DTD, no entities).
//
// Who decides (`ChunkChain`, by induction as for CSV): part 0 starts at the file start; a part's
// result stands only if it started at the offset where the previous part stopped *and* its
// prefix left libxml2 with the same open elements (same canonical bytes). Then its parser sees
// the same bytes in the same state as the sequential one and produces the same events; the column
// of a record is counted within `XMLParseState.lineWindow` bytes, which libxml2 keeps buffered
// however the input was fed, and the parts feed libxml2 on the same 256 KiB grid as the whole-file
// read. A wrong guess is read again from the true offset with the true context replayed.
//
// What is not split (read whole, as before): compressed inputs, files not in UTF-8 (a declared
// encoding other than UTF-8, a UTF-16/32 BOM: a byte search for `<` and LF would be wrong), a
// DOCTYPE or anything but comments and PIs before the root (the reader refuses a DOCTYPE anyway;
// an internal subset could declare entities and defaults a replayed prefix would not have), record
// paths of one step (the root is the only record), and files smaller than two parts.
//
// Errors: a part that ends in a well-formedness error (or any libxml2 error) is never taken as
// is — some messages cite state from before the part (the line of an element opened earlier) — the
// rest of the file is read by one sequential parser from the file start, skipping the records
// already merged: records, rejections and the error are the sequential read's. The same happens
// when the parts' parsers together took in more than `nameBudget` bytes of distinct names: the
// sequential parser's name dictionary is limited (10 MB in libxml2 2.9.14), a part's is smaller,
// so a file near that limit is read the way that reaches it.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

/// An XML file prepared for reading in parts (see the file comment).
public struct XMLChunkSource: ChunkSource {
    public let path: String
    public let dataStart: Int64 = 0
    public let firstLine = 1
    public let fileSize: Int64
    /// BOM and XML declaration as in the file, line breaks as spaces (empty without a declaration).
    let declaration: [UInt8]
    /// The root element's start tag as in the file, line breaks as spaces.
    let rootTag: [UInt8]
    /// Local names of the record path's steps between the root and the record (both excluded).
    let ancestorNames: [[UInt8]]
    let recordName: [UInt8]

    /// Longest indentation of a candidate line (bytes): below `XMLParseState.lineWindow`.
    static let maxIndent = 63
    /// Longest qualified name looked at in a candidate or ancestor start tag.
    static let maxName = 256
    /// How far back an ancestor's start tag is searched for before the part is guessed unusable.
    static let maxAncestorDistance: Int64 = 8 << 20
    /// Longest ancestor start tag replayed.
    static let maxTag = 64 << 10
    /// 1 MiB of distinct names; libxml2 refuses more than 10 MB of dictionary pools, which at
    /// most ~5 MB of names can need (pools grow ×4).
    static let distinctNameBudget = 1 << 20

    public var errorsNeedSequentialRead: Bool { true }
    public var nameBudget: Int? { Self.distinctNameBudget }

    /// Nil when the file is read whole (see the file comment).
    init?(path: String, profile: SourceProfile) {
        guard let normaliser = try? ProfileNormaliser(profile: profile, file: path),
              let spec = try? CompiledSpec(normaliser.xmlSpec), spec.recordSteps.count >= 2,
              case .plain(let fd)? = try? InputFile.openForReading(path) else { return nil }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return nil }
        fileSize = Int64(info.st_size)
        let headSize = Int(min(fileSize, 1 << 20))
        var head = [UInt8](repeating: 0, count: headSize)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, headSize, 0) }
        guard n == headSize, let (declaration, rootTag) = Self.prolog(head) else { return nil }
        guard Self.localName(of: rootTag) == spec.recordSteps[0].local else { return nil }
        self.path = path
        self.declaration = Self.flattened(declaration)
        self.rootTag = Self.flattened(rootTag)
        ancestorNames = spec.recordSteps.dropFirst().dropLast().map(\.local)
        recordName = spec.recordSteps[spec.recordSteps.count - 1].local
    }

    public func normaliser(profile: SourceProfile) throws -> ProfileNormaliser {
        try ProfileNormaliser(profile: profile, file: path)
    }

    /// Candidate part starts, ascending, the first one 0: from every chunk size of `schedule`, the
    /// next line start that looks like a record's start tag (see the file comment).
    public func boundaries(_ schedule: ChunkSchedule) throws -> [Int64] {
        var starts: [Int64] = [0]
        guard schedule.chunkBytes > 0, fileSize > Int64(schedule.chunkBytes) else { return starts }
        let fd = try InputFile.open(path)
        defer { _ = close(fd) }
        var target = Int64(schedule.size(at: 0, fileSize: fileSize))
        while target < fileSize, let start = try candidate(fd, from: target) {
            if start > starts[starts.count - 1] { starts.append(start) }
            target = start + Int64(schedule.size(at: start, fileSize: fileSize))
        }
        return starts
    }

    public func read(from start: Int64, before end: Int64, blockSize: Int, normaliser: ProfileNormaliser,
                     progress: inout ChunkProgress, _ body: (NormaliseOutcome) throws -> Void,
                     rejected: (Rejection) throws -> Void) throws {
        try read(from: start, context: nil, skipping: 0, before: end, blockSize: blockSize, normaliser: normaliser,
                 progress: &progress, body, rejected: rejected)
    }

    public func read(from start: Int64, context: ChunkContext?, skipping: Int, before end: Int64, blockSize: Int,
                     normaliser: ProfileNormaliser, progress: inout ChunkProgress, _ body: (NormaliseOutcome) throws -> Void,
                     rejected: (Rejection) throws -> Void) throws {
        try readViews(from: start, context: context, skipping: skipping, before: end, blockSize: blockSize,
                      normaliser: normaliser, progress: &progress, { view in try body(normaliser.normalise(view)) },
                      rejected: rejected)
    }

    /// The XML batch path: records normalised straight into the batch's columns (`BatchFill`).
    public func readBatches(from start: Int64, context: ChunkContext?, skipping: Int, before end: Int64, blockSize: Int,
                            normaliser: ProfileNormaliser, symbols: SymbolTable, capacity: Int, progress: inout ChunkProgress,
                            _ body: (RecordBatch) throws -> Void, rejected: (Rejection) throws -> Void) throws {
        let fill = BatchFill(normaliser: normaliser, symbols: symbols, capacity: capacity)
        var p = progress
        defer { progress = p }
        try BatchDelivery.run(batch: { fill.batch }, body: body) { deliver in
            try readViews(from: start, context: context, skipping: skipping, before: end, blockSize: blockSize,
                          normaliser: normaliser, progress: &p, { view in try fill.add(view, rejected: rejected, deliver: deliver) },
                          rejected: rejected)
        }
    }

    /// Parses the records that start in `[start, end)` (the part's context replayed first) and
    /// hands each record element to `body` while the parser holds it.
    private func readViews(from start: Int64, context: ChunkContext?, skipping: Int, before end: Int64, blockSize: Int,
                           normaliser: ProfileNormaliser, progress: inout ChunkProgress, _ body: (XMLRecordView) throws -> Void,
                           rejected: (Rejection) throws -> Void) throws {
        var prefix: [UInt8]?
        if start > 0 {
            guard let tags = try context?.bytes ?? guessedContext(before: start), !tags.isEmpty else {
                progress.startContext = .unusable
                return
            }
            prefix = declaration + tags + [0x0A]
        }
        let reader = try XMLRecordReader(path: path, spec: normaliser.xmlSpec, chunkSize: blockSize)
        var result = XMLPartResult()
        defer {
            if start > 0 { progress.startContext = result.startContext.map { ChunkContext(bytes: $0) } ?? .unusable }
            if let stop = result.stop {
                progress.end = stop.lineStart
                progress.lineBreaks = stop.line - 1
                progress.endContext = ChunkContext(bytes: stop.context)
            } else {
                progress.end = fileSize
            }
            progress.records = result.records
            progress.names = result.names
            progress.bytesRead = result.bytesRead
        }
        try reader.forEachRecord(part: XMLPart(start: start, prefix: prefix, stopAt: end, skipping: skipping), result: &result,
                                 body, rejected: rejected)
    }

    // MARK: - Candidates

    /// The first line start at or after `from` that looks like a record's start tag.
    private func candidate(_ fd: Int32, from: Int64) throws -> Int64? {
        let window = 64 << 10
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: window, alignment: 16)
        defer { buffer.deallocate() }
        var pos = from
        var atLineStart = false  // buffer[0] starts a line that is still to be checked
        read: while pos < fileSize {
            let n = pread(fd, buffer, window, off_t(pos))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return nil }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: n)
            let complete = pos + Int64(n) >= fileSize
            var i = 0
            if atLineStart {
                switch Self.recordLine(bytes, at: 0, name: recordName, complete: complete) {
                case true?: return pos
                case false?, nil: break
                }
            }
            while true {
                guard let hit = memchr(buffer + i, 0x0A, n - i) else {
                    pos += Int64(n)
                    atLineStart = false
                    continue read
                }
                let lineStart = buffer.distance(to: hit) + 1
                if lineStart >= n {
                    pos += Int64(n)
                    atLineStart = true
                    continue read
                }
                switch Self.recordLine(bytes, at: lineStart, name: recordName, complete: complete) {
                case true?: return pos + Int64(lineStart)
                case false?: i = lineStart
                case nil:
                    // The line runs past the window: look at it again at the start of the next one.
                    pos += Int64(lineStart)
                    atLineStart = true
                    continue read
                }
            }
        }
        return nil
    }

    /// Whether the line at `at` is blank up to a start tag named `name` (any prefix); nil: the
    /// bytes end before that is known (and more follow: `complete` false).
    static func recordLine(_ bytes: UnsafeRawBufferPointer, at: Int, name: [UInt8], complete: Bool) -> Bool? {
        var j = at
        while j < bytes.count && (bytes[j] == 0x20 || bytes[j] == 0x09) {
            j += 1
            if j - at > maxIndent { return false }
        }
        guard j < bytes.count else { return complete ? false : nil }
        guard bytes[j] == UInt8(ascii: "<") else { return false }
        return startTag(bytes, at: j, name: name, complete: complete)
    }

    /// Whether a start tag with local name `name` begins at `lt` (a `<`); nil: not enough bytes.
    static func startTag(_ bytes: UnsafeRawBufferPointer, at lt: Int, name: [UInt8], complete: Bool) -> Bool? {
        let first = lt + 1
        var k = first
        var colon = -1
        while k < bytes.count {
            let c = bytes[k]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") { break }
            if c == UInt8(ascii: ":") { colon = k }
            k += 1
            if k - first > maxName { return false }
        }
        guard k < bytes.count else { return complete ? false : nil }
        guard k > first, bytes[first] != UInt8(ascii: "!"), bytes[first] != UInt8(ascii: "?") else { return false }
        let local = colon >= 0 ? colon + 1 : first
        return k - local == name.count && zip(bytes[local..<k], name).allSatisfy { $0 == $1 }
    }

    // MARK: - Guessing the ancestors

    /// The root's start tag and those of the record's other ancestors as found searching backwards
    /// from `start` (each the nearest start tag of that name before the next inner one); nil when
    /// one is not found, is empty (`/>`) or too long. Only a guess: the parser's verdict counts.
    func guessedContext(before start: Int64) throws -> [UInt8]? {
        if ancestorNames.isEmpty { return rootTag }
        let fd = try InputFile.open(path)
        defer { _ = close(fd) }
        var tags: [[UInt8]] = []
        var before = start
        for name in ancestorNames.reversed() {
            guard let at = try Self.lastStartTag(fd, name: name, before: before, fileSize: fileSize),
                  let tag = try Self.tag(fd, at: at, fileSize: fileSize) else { return nil }
            tags.append(Self.flattened(tag))
            before = at
        }
        return rootTag + tags.reversed().flatMap { $0 }
    }

    /// Offset of the nearest start tag with local name `name` that begins before `before`.
    static func lastStartTag(_ fd: Int32, name: [UInt8], before: Int64, fileSize: Int64) throws -> Int64? {
        let window = 64 << 10
        let overlap = maxName + 2
        var buffer = [UInt8](repeating: 0, count: window + overlap)
        var hi = before
        while hi > 0 && before - hi < maxAncestorDistance {
            let lo = max(0, hi - Int64(window))
            let want = Int(min(hi + Int64(overlap), fileSize) - lo)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(lo)) }
            guard n == want else { return nil }
            let found: Int? = buffer.withUnsafeBytes { raw in
                let bytes = UnsafeRawBufferPointer(rebasing: raw[0..<n])
                var p = Int(hi - lo) - 1
                while p >= 0 {
                    if bytes[p] == UInt8(ascii: "<"), startTag(bytes, at: p, name: name, complete: true) == true { return p }
                    p -= 1
                }
                return nil
            }
            if let found { return lo + Int64(found) }
            hi = lo
        }
        return nil
    }

    /// The start tag at `at` up to its `>` (quote-aware); nil when longer than `maxTag` or empty (`/>`).
    static func tag(_ fd: Int32, at: Int64, fileSize: Int64) throws -> [UInt8]? {
        let want = Int(min(Int64(maxTag), fileSize - at))
        var bytes = [UInt8](repeating: 0, count: want)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(at)) }
        guard n == want, let end = tagEnd(bytes, from: 0) else { return nil }
        guard end > 0, bytes[end - 1] != UInt8(ascii: "/") else { return nil }
        return Array(bytes[0...end])
    }

    /// Index of the `>` closing the tag that starts at `from`, skipping quoted attribute values.
    static func tagEnd(_ bytes: [UInt8], from: Int) -> Int? {
        var i = from
        var quote: UInt8 = 0
        while i < bytes.count {
            let c = bytes[i]
            if quote != 0 {
                if c == quote { quote = 0 }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if c == UInt8(ascii: ">") {
                return i
            }
            i += 1
        }
        return nil
    }

    // MARK: - The file head

    /// BOM + XML declaration (possibly empty) and the root start tag; nil when the file is not
    /// UTF-8, has anything but whitespace, comments and PIs before the root (a DOCTYPE), or its
    /// root is empty or does not start within `head`.
    static func prolog(_ head: [UInt8]) -> (declaration: [UInt8], root: [UInt8])? {
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        var declaration: [UInt8] = []
        if head[i...].starts(with: Array("<?xml".utf8)), head.count > i + 5, [0x20, 0x09, 0x0A, 0x0D].contains(head[i + 5]) {
            guard let end = find(Array("?>".utf8), in: head, from: i) else { return nil }
            declaration = Array(head[0..<(end + 2)])
            guard isUTF8(declaration: declaration) else { return nil }
            i = end + 2
        } else if i > 0 {
            declaration = Array(head[0..<i])
        }
        while i < head.count {
            switch head[i] {
            case 0x20, 0x09, 0x0A, 0x0D:
                i += 1
            case UInt8(ascii: "<"):
                if head[i...].starts(with: Array("<!--".utf8)) {
                    guard let end = find(Array("-->".utf8), in: head, from: i + 4) else { return nil }
                    i = end + 3
                } else if head[i...].starts(with: Array("<?".utf8)) {
                    guard let end = find(Array("?>".utf8), in: head, from: i + 2) else { return nil }
                    i = end + 2
                } else if i + 1 < head.count, head[i + 1] != UInt8(ascii: "!") {
                    guard let end = tagEnd(head, from: i), head[end - 1] != UInt8(ascii: "/") else { return nil }
                    return (declaration, Array(head[i...end]))
                } else {
                    return nil  // DOCTYPE or other markup
                }
            default:
                return nil
            }
        }
        return nil
    }

    /// Whether an XML declaration leaves the encoding UTF-8 (none named, or UTF-8).
    static func isUTF8(declaration: [UInt8]) -> Bool {
        guard let at = find(Array("encoding".utf8), in: declaration, from: 0) else { return true }
        var i = at + 8
        while i < declaration.count, [0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: "=")].contains(declaration[i]) { i += 1 }
        guard i < declaration.count, declaration[i] == UInt8(ascii: "\"") || declaration[i] == UInt8(ascii: "'") else { return false }
        let quote = declaration[i]
        guard let end = declaration[(i + 1)...].firstIndex(of: quote) else { return false }
        return String(decoding: declaration[(i + 1)..<end], as: UTF8.self).uppercased() == "UTF-8"
    }

    static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var i = from
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }

    /// The local name of the start tag `tag` (after `<` and any prefix).
    static func localName(of tag: [UInt8]) -> [UInt8] {
        var name: [UInt8] = []
        for c in tag.dropFirst() {
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == UInt8(ascii: ">") || c == UInt8(ascii: "/") { break }
            if c == UInt8(ascii: ":") { name = [] } else { name.append(c) }
        }
        return name
    }

    /// Line breaks as spaces (CR LF as one: attribute-value normalisation makes each one space), so
    /// the prefix is one line.
    static func flattened(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let c = bytes[i]
            if c == 0x0D {
                out.append(0x20)
                if i + 1 < bytes.count && bytes[i + 1] == 0x0A { i += 1 }
            } else if c == 0x0A {
                out.append(0x20)
            } else {
                out.append(c)
            }
            i += 1
        }
        return out
    }
}
