import CTrennwandLibXML2
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import TrennwandRecords

typealias XMLCharPointer = UnsafePointer<xmlChar>

/// A name interned in the parser's dictionary: libxml2 hands out dictionary pointers for element
/// and attribute local names and for namespace URIs, so equal names compare by pointer.
struct InternedName {
    var uri: XMLCharPointer?
    var local: XMLCharPointer?

    @inline(__always)
    func matches(local l: XMLCharPointer?, uri u: XMLCharPointer?) -> Bool {
        local == l && uri == u
    }
}

/// Bytes of one field in the current record: all occurrences back to back, with their ranges.
///
/// A raw allocation, not an array: the batch normaliser holds a field's bytes while it writes
/// the record (`XMLRaw.firstNonEmpty`), which needs an address that stays valid outside a
/// closure; the buffer only moves when the parser appends, never while a record is delivered.
/// Freed by `release()` (the parse state's deinit).
struct FieldBuffer {
    private(set) var base: UnsafeMutablePointer<UInt8>?
    private(set) var count = 0
    private var capacity = 0
    var ranges = RangeList()
    var openStart = 0

    mutating func reset() {
        count = 0
        ranges.removeAll()
    }

    func release() {
        free(base)
        ranges.release()
    }

    /// The bytes of `range` (valid until the next append or reset).
    @inline(__always)
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base.map { UnsafeRawPointer($0 + range.lowerBound) }, count: range.count)
    }

    @inline(__always)
    mutating func append(contentsOf b: UnsafeBufferPointer<UInt8>) {
        guard let src = b.baseAddress, b.count > 0 else { return }
        if count + b.count > capacity { grow(to: count + b.count) }
        (base! + count).update(from: src, count: b.count)
        count += b.count
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base![count] = byte
        count += 1
    }

    private mutating func grow(to needed: Int) {
        let newCapacity = max(needed, capacity * 2, 256)
        guard let p = realloc(base, newCapacity) else { fatalError("out of memory growing an XML field buffer") }
        base = p.assumingMemoryBound(to: UInt8.self)
        capacity = newCapacity
    }

    /// Appends one attribute value as libxml2's SAX2 hands it over. Without entity substitution
    /// libxml2 keeps every `&` of an attribute value as the reference `&#38;` (so that the value
    /// can be written out again); each is turned back into `&` here, once, so an attribute holds
    /// the same bytes as element text (`&amp;#38;` in the file stays `&#38;`).
    mutating func appendOccurrence(_ start: UnsafePointer<xmlChar>?, _ end: UnsafePointer<xmlChar>?) {
        let lower = count
        if let start, let end, end > start {
            let value = UnsafeBufferPointer(start: start, count: end - start)
            guard memchr(start, Int32(UInt8(ascii: "&")), value.count) != nil else {
                append(contentsOf: value)
                ranges.append(lower..<count)
                return
            }
            var i = 0
            while i < value.count {
                if value[i] == UInt8(ascii: "&"), i + 4 < value.count, value[i + 1] == UInt8(ascii: "#"),
                   value[i + 2] == UInt8(ascii: "3"), value[i + 3] == UInt8(ascii: "8"), value[i + 4] == UInt8(ascii: ";") {
                    append(UInt8(ascii: "&"))
                    i += 5
                } else {
                    append(value[i])
                    i += 1
                }
            }
        }
        ranges.append(lower..<count)
    }
}

/// The occurrence ranges of one field: a raw growable list, so that copying a `FieldBuffer` or
/// iterating its ranges retains nothing (an array here was retained and released per SAX event
/// and per read of a field: with the other per-event arrays, a fifth of an XML scan's CPU went to
/// reference counting). Freed by `release()`.
struct RangeList: RandomAccessCollection {
    private var base: UnsafeMutablePointer<Range<Int>>?
    private(set) var count = 0
    private var capacity = 0

    var startIndex: Int { 0 }
    var endIndex: Int { count }

    @inline(__always)
    subscript(i: Int) -> Range<Int> {
        precondition(i >= 0 && i < count, "range index out of bounds")
        return base![i]
    }

    @inline(__always)
    mutating func append(_ r: Range<Int>) {
        if count == capacity {
            capacity = Swift.max(8, capacity * 2)
            guard let p = realloc(base, capacity * MemoryLayout<Range<Int>>.stride) else {
                fatalError("out of memory growing an XML field's ranges")
            }
            base = p.assumingMemoryBound(to: Range<Int>.self)
        }
        base![count] = r
        count += 1
    }

    mutating func removeAll() { count = 0 }

    func release() { free(base) }
}

/// Lists of small values per trie node, back to back (`starts[n] ..< starts[n + 1]`), in raw
/// storage: reading a node's list retains nothing (arrays of arrays were retained per SAX event).
struct NodeLists<T> {
    private let starts: UnsafeMutablePointer<Int>
    private let items: UnsafeMutablePointer<T>
    private let nodeCount: Int
    private let itemCount: Int

    init(_ lists: [[T]]) {
        nodeCount = lists.count
        itemCount = lists.reduce(0) { $0 + $1.count }
        starts = .allocate(capacity: nodeCount + 1)
        items = .allocate(capacity: max(itemCount, 1))
        var k = 0
        for (n, list) in lists.enumerated() {
            starts[n] = k
            for x in list {
                (items + k).initialize(to: x)
                k += 1
            }
        }
        starts[nodeCount] = k
    }

    /// The list of node `n` (valid until `release()`).
    @inline(__always)
    subscript(n: Int) -> UnsafeBufferPointer<T> {
        precondition(n >= 0 && n < nodeCount, "node out of range")
        return UnsafeBufferPointer(start: items + starts[n], count: starts[n + 1] - starts[n])
    }

    /// Items of all lists together (a bound for stacks of them).
    var totalCount: Int { itemCount }

    func release() {
        items.deinitialize(count: itemCount)
        items.deallocate()
        starts.deallocate()
    }
}

/// Where a chunk's parser stopped: before the first record whose line starts at or after the
/// chunk's end (`XMLParseState.stopAt`).
struct XMLPartStop {
    /// File offset of the record's line start (the next chunk's true start).
    var lineStart: Int64
    /// Chunk-local line of that line.
    var line: Int
    /// The open ancestors there (`XMLParseState.contextTags`).
    var context: [UInt8]
}

/// The first problem that ends a parse.
struct XMLParseProblem {
    var code: String
    var message: String
    var line: Int
    var column: Int
    var byteOffset: Int64
    /// libxml2's error number (`xmlParserErrors`), 0 for our own stops.
    var xmlError: Int32
}

/// State of one parse, reached from libxml2's C callbacks through the user-data pointer.
///
/// Outside a record only the depth and the matched prefix of the record path are tracked; inside a
/// record a stack of field-trie nodes decides which elements feed which fields.
final class XMLParseState {
    let spec: CompiledSpec
    let rootOnly: Bool
    var ctxt: xmlParserCtxtPtr?

    // Names interned into the parser's dictionary (same shapes as `spec`).
    var steps: [InternedName] = []
    var nodeChildren = NodeLists<(name: InternedName, node: Int)>([])
    var nodeText = NodeLists<Int>([])
    var nodeAttrs = NodeLists<(name: InternedName, field: Int)>([])
    /// Per record-path step: ancestor attribute fields captured when that element starts.
    var ancestorByStep: [[(name: InternedName, field: Int)]] = []
    var ancestorValues: [[UInt8]?] = []
    var hasAncestorFields = false

    // Position outside records.
    var depth = 0
    var matched = 0
    // Inside the current record.
    var inRecord = false
    var relDepth = 0
    var nodeStack: [Int] = []
    /// The text fields of the open nodes (a stack; raw, read per `characters` event).
    private var activeText: UnsafeMutablePointer<Int> = .allocate(capacity: 1)
    private var activeCount = 0
    /// One buffer per field; a raw allocation so the hot text path pays no exclusivity checks.
    let fields: UnsafeMutablePointer<FieldBuffer>

    // The current record's position.
    var recordIndex = 0
    var recordLine = 0
    var recordColumn = 0
    var recordOffset: Int64 = 0

    /// Whether the record's `<` is preceded on its line only by spaces and tabs, and how many
    /// (nil: not such a line start within `lineWindow`).
    var recordIndent: Int?

    // Chunked reading (`XMLChunkSource`); a whole-file read leaves all of it off.
    /// Subtracted from libxml2's line numbers (the line of the replayed context) and added to its
    /// byte offsets (file offset of the chunk minus the replayed bytes).
    var lineShift = 0
    var offsetShift: Int64 = 0
    /// Stop before the first record at a clean line start (`recordIndent`) at or after this offset.
    var stopAt = Int64.max
    var stop: XMLPartStop?
    /// Records not delivered (the sequential re-read skips those already merged).
    var skipRecords = 0
    /// Keep the canonical start tag of the open ancestor on each record-path step (`contextTags`).
    var captureContext = false
    var contextTags: [[UInt8]] = []
    /// Note every name libxml2 newly takes into its dictionary (`newNames`): the dictionary has a
    /// size limit per parse, and chunks must not hide that the whole file would reach it.
    var trackNames = false
    private var dictSize: Int32 = 0
    private var seenNames: Set<UnsafeRawPointer> = []
    var newNames: [[UInt8]] = []

    var body: ((XMLRecordView) throws -> Void)?
    var bodyError: (any Error)?
    var problem: XMLParseProblem?
    var rootName: XMLName?
    var sawElement = false

    /// libxml2's own limit without `XML_PARSE_HUGE` (`xmlParserMaxDepth`); its push parser does
    /// not enforce it in 2.9.14, so the reader does.
    static let maxDepth = 256

    /// How far before a record's `<` its line start is looked for. libxml2's push parser keeps at
    /// least 80 bytes before its parse position buffered (parserInternals.c `xmlParserInputShrink`,
    /// `LINE_LEN`, 2.9.14), so within this window the answer depends only on the file's bytes, not
    /// on how the input was fed — which chunked reading needs.
    static let lineWindow = 64

    init(spec: CompiledSpec, rootOnly: Bool = false) {
        self.spec = spec
        self.rootOnly = rootOnly
        self.fields = .allocate(capacity: max(spec.fieldCount, 1))
        self.fields.initialize(repeating: FieldBuffer(), count: spec.fieldCount)
        self.ancestorValues = Array(repeating: nil, count: spec.fieldCount)
    }

    deinit {
        for i in 0..<spec.fieldCount { fields[i].release() }
        fields.deinitialize(count: spec.fieldCount)
        fields.deallocate()
        nodeChildren.release()
        nodeText.release()
        nodeAttrs.release()
        activeText.deallocate()
    }

    /// Interns every spec name into the context's dictionary so callbacks compare pointers.
    func intern(into ctxt: xmlParserCtxtPtr) {
        let dict = ctxt.pointee.dict
        func lookup(_ bytes: [UInt8]?) -> XMLCharPointer? {
            guard let bytes else { return nil }
            return bytes.withUnsafeBufferPointer { xmlDictLookup(dict, $0.baseAddress, Int32($0.count)) }
        }
        func interned(_ n: SpecName) -> InternedName { InternedName(uri: lookup(n.uri), local: lookup(n.local)) }
        steps = spec.recordSteps.map(interned)
        nodeChildren.release()
        nodeText.release()
        nodeAttrs.release()
        nodeChildren = NodeLists(spec.nodes.map { $0.children.map { (interned($0.name), $0.node) } })
        nodeText = NodeLists(spec.nodes.map(\.textFields))
        nodeAttrs = NodeLists(spec.nodes.map { $0.attrFields.map { (interned($0.name), $0.field) } })
        // Each node is open at most once (the stack follows one path of the trie).
        activeText.deallocate()
        activeText = .allocate(capacity: max(nodeText.totalCount, 1))
        activeCount = 0
        ancestorByStep = Array(repeating: [], count: steps.count)
        for a in spec.ancestorFields { ancestorByStep[a.step].append((interned(a.attr), a.field)) }
        hasAncestorFields = !spec.ancestorFields.isEmpty
        contextTags = Array(repeating: [], count: max(steps.count - 1, 0))
    }

    // MARK: - SAX events

    @inline(__always)
    func startElement(
        local: XMLCharPointer?, prefix: XMLCharPointer?, uri: XMLCharPointer?, namespaceCount: Int,
        namespaces: UnsafeMutablePointer<XMLCharPointer?>?, attributeCount: Int,
        attributes: UnsafeMutablePointer<XMLCharPointer?>?
    ) {
        sawElement = true
        if trackNames {
            noteNames(local, prefix, uri, namespaceCount: namespaceCount, namespaces: namespaces,
                      attributeCount: attributeCount, attributes: attributes)
        }
        if depth + relDepth >= Self.maxDepth {
            tooDeep()
            return
        }
        if inRecord {
            // Only descend into the trie while every open element inside the record matched.
            if nodeStack.count == relDepth + 1, let parent = nodeStack.last {
                for child in nodeChildren[parent] where child.name.matches(local: local, uri: uri) {
                    enterNode(child.node, attributeCount: attributeCount, attributes: attributes)
                    break
                }
            }
            relDepth += 1
            return
        }
        if rootOnly {
            rootName = XMLName(
                namespace: uri.map { String(cString: $0) }, localName: local.map { String(cString: $0) } ?? "")
            if let ctxt { xmlStopParser(ctxt) }
            return
        }
        if matched == depth, depth < steps.count, steps[depth].matches(local: local, uri: uri) {
            if hasAncestorFields {
                for (name, field) in ancestorByStep[depth] {
                    ancestorValues[field] = attributeValue(name, attributeCount: attributeCount, attributes: attributes)
                }
            }
            if captureContext, depth + 1 < steps.count {
                contextTags[depth] = Self.canonicalTag(local, prefix, namespaceCount: namespaceCount, namespaces: namespaces,
                                                       attributeCount: attributeCount, attributes: attributes)
            }
            matched += 1
            if matched == steps.count {
                locateRecord()
                if stopAt != .max, stopHere() { return }
                depth += 1
                beginRecord(attributeCount: attributeCount, attributes: attributes)
                return
            }
        }
        depth += 1
    }

    @inline(__always)
    func endElement() {
        if inRecord {
            if relDepth == 0 {
                closeNodeText(0)
                inRecord = false
                depth -= 1
                matched = depth
                deliver()
                return
            }
            if nodeStack.count == relDepth + 1, let node = nodeStack.popLast() {
                closeNodeText(node)
            }
            relDepth -= 1
            return
        }
        depth -= 1
        if matched > depth { matched = depth }
    }

    @inline(__always)
    func characters(_ ch: XMLCharPointer?, _ len: Int32) {
        guard activeCount > 0, let ch, len > 0 else { return }
        let buffer = UnsafeBufferPointer(start: ch, count: Int(len))
        for k in 0..<activeCount { fields[activeText[k]].append(contentsOf: buffer) }
    }

    // MARK: - Records

    private func beginRecord(attributeCount: Int, attributes: UnsafeMutablePointer<XMLCharPointer?>?) {
        inRecord = true
        relDepth = 0
        recordIndex += 1
        for i in 0..<spec.fieldCount { fields[i].reset() }
        activeCount = 0
        nodeStack.removeAll(keepingCapacity: true)
        if hasAncestorFields {
            for a in spec.ancestorFields {
                if let v = ancestorValues[a.field] {
                    v.withUnsafeBufferPointer { fields[a.field].appendOccurrence($0.baseAddress, $0.baseAddress.map { $0 + v.count }) }
                }
            }
        }
        enterNode(0, attributeCount: attributeCount, attributes: attributes)
    }

    private func enterNode(_ node: Int, attributeCount: Int, attributes: UnsafeMutablePointer<XMLCharPointer?>?) {
        nodeStack.append(node)
        for (name, field) in nodeAttrs[node] {
            guard let attributes else { break }
            for i in 0..<attributeCount where name.matches(local: attributes[5 * i], uri: attributes[5 * i + 2]) {
                fields[field].appendOccurrence(attributes[5 * i + 3], attributes[5 * i + 4])
                break
            }
        }
        for f in nodeText[node] {
            fields[f].openStart = fields[f].count
            activeText[activeCount] = f
            activeCount += 1
        }
    }

    private func closeNodeText(_ node: Int) {
        let text = nodeText[node]
        guard !text.isEmpty else { return }
        for f in text { fields[f].ranges.append(fields[f].openStart..<fields[f].count) }
        activeCount -= text.count
    }

    private func attributeValue(
        _ name: InternedName, attributeCount: Int, attributes: UnsafeMutablePointer<XMLCharPointer?>?
    ) -> [UInt8]? {
        guard let attributes else { return nil }
        for i in 0..<attributeCount where name.matches(local: attributes[5 * i], uri: attributes[5 * i + 2]) {
            guard let start = attributes[5 * i + 3], let end = attributes[5 * i + 4] else { return [] }
            return Array(UnsafeBufferPointer(start: start, count: end - start))
        }
        return nil
    }

    /// Line, column, byte offset and indentation of the record's start tag.
    ///
    /// libxml2 reports the position after the start tag's attributes (at `>`); the start tag is still
    /// in the input buffer, so step back to its `<`. Columns count characters on the line (as libxml2
    /// does); for non-UTF-8 input the byte offset is approximate (the tag length is taken in UTF-8).
    /// A start tag spanning lines gets its column by counting back to the line start, at most
    /// `lineWindow` bytes; a line starting further back gives the count over the window (so the
    /// column depends on the bytes only, never on what libxml2 still had buffered).
    private func locateRecord() {
        guard let ctxt, let input = ctxt.pointee.input, let cur = input.pointee.cur, let base = input.pointee.base else {
            return
        }
        var lt = cur
        while lt > base && lt.pointee != UInt8(ascii: "<") { lt -= 1 }
        var newlines = 0
        var chars = 0
        var p = lt
        while p < cur {
            if p.pointee == 0x0A { newlines += 1 }
            if p.pointee & 0xC0 != 0x80 { chars += 1 }
            p += 1
        }
        recordLine = Int(input.pointee.line) - newlines - lineShift
        // Back to the line start within the window: is the line blank before `<`, and its column.
        let limit = lt - base > Self.lineWindow ? lt - Self.lineWindow : base
        var q = lt
        var column = 1
        var blank = true
        var lineStart = false
        while q > limit {
            let c = (q - 1).pointee
            if c == 0x0A {
                lineStart = true
                break
            }
            if c != 0x20 && c != 0x09 { blank = false }
            q -= 1
            if q.pointee & 0xC0 != 0x80 { column += 1 }
        }
        recordIndent = lineStart && blank ? lt - q : nil
        recordColumn = newlines == 0 ? max(1, Int(input.pointee.col) - chars) : column
        recordOffset = Int64(xmlByteConsumed(ctxt)) - Int64(cur - lt)
        if recordOffset < 0 { recordOffset = 0 }
        recordOffset += offsetShift
    }

    /// At a record's start: whether the chunk ends here (a clean line start at or after `stopAt`);
    /// then the parser stops before the record.
    private func stopHere() -> Bool {
        guard let indent = recordIndent, recordOffset - Int64(indent) >= stopAt else { return false }
        stop = XMLPartStop(lineStart: recordOffset - Int64(indent), line: recordLine, context: contextTags.flatMap { $0 })
        if let ctxt { xmlStopParser(ctxt) }
        return true
    }

    // MARK: - Chunk contexts and names

    /// A start tag written out canonically from what libxml2 parsed: qualified name, namespace
    /// declarations, attributes in order, values escaped so that no line break remains (`&#10;`).
    /// Parsing it gives the same element, namespaces and attribute values again (tested).
    static func canonicalTag(
        _ local: XMLCharPointer?, _ prefix: XMLCharPointer?, namespaceCount: Int, namespaces: UnsafeMutablePointer<XMLCharPointer?>?,
        attributeCount: Int, attributes: UnsafeMutablePointer<XMLCharPointer?>?
    ) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "<")]
        func name(_ prefix: XMLCharPointer?, _ local: XMLCharPointer?) {
            if let prefix {
                out.append(contentsOf: UnsafeBufferPointer(start: prefix, count: strlen(prefix)))
                out.append(UInt8(ascii: ":"))
            }
            if let local { out.append(contentsOf: UnsafeBufferPointer(start: local, count: strlen(local))) }
        }
        func value(_ start: XMLCharPointer?, _ end: XMLCharPointer?) {
            out.append(contentsOf: Array("=\"".utf8))
            if let start, let end, end > start {
                for c in UnsafeBufferPointer(start: start, count: end - start) {
                    switch c {
                    // No `&` case: libxml2 hands an `&` of the value over as `&#38;` (its SAX2
                    // attribute values keep that one reference unexpanded), which reads back as is.
                    case UInt8(ascii: "<"): out.append(contentsOf: Array("&lt;".utf8))
                    case UInt8(ascii: "\""): out.append(contentsOf: Array("&quot;".utf8))
                    case 0x09: out.append(contentsOf: Array("&#9;".utf8))
                    case 0x0A: out.append(contentsOf: Array("&#10;".utf8))
                    case 0x0D: out.append(contentsOf: Array("&#13;".utf8))
                    default: out.append(c)
                    }
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        name(prefix, local)
        if let namespaces {
            for i in 0..<namespaceCount {
                out.append(contentsOf: Array(" xmlns".utf8))
                if let p = namespaces[2 * i] {
                    out.append(UInt8(ascii: ":"))
                    out.append(contentsOf: UnsafeBufferPointer(start: p, count: strlen(p)))
                }
                let uri = namespaces[2 * i + 1]
                value(uri, uri.map { $0 + strlen($0) })
            }
        }
        if let attributes {
            for i in 0..<attributeCount {
                out.append(0x20)
                name(attributes[5 * i + 1], attributes[5 * i])
                value(attributes[5 * i + 3], attributes[5 * i + 4])
            }
        }
        out.append(UInt8(ascii: ">"))
        return out
    }

    /// When libxml2's dictionary grew since the last look, the names of this event not seen yet.
    private func noteNames(
        _ local: XMLCharPointer?, _ prefix: XMLCharPointer?, _ uri: XMLCharPointer?, namespaceCount: Int,
        namespaces: UnsafeMutablePointer<XMLCharPointer?>?, attributeCount: Int, attributes: UnsafeMutablePointer<XMLCharPointer?>?
    ) {
        guard let ctxt else { return }
        let size = xmlDictSize(ctxt.pointee.dict)
        guard size != dictSize else { return }
        dictSize = size
        note(local)
        note(prefix)
        note(uri)
        if let namespaces { for i in 0..<(2 * namespaceCount) { note(namespaces[i]) } }
        if let attributes {
            for i in 0..<attributeCount {
                note(attributes[5 * i])
                note(attributes[5 * i + 1])
                note(attributes[5 * i + 2])
            }
        }
    }

    func processingInstruction(target: XMLCharPointer?) {
        guard trackNames, let ctxt else { return }
        let size = xmlDictSize(ctxt.pointee.dict)
        guard size != dictSize else { return }
        dictSize = size
        note(target)
    }

    private func note(_ name: XMLCharPointer?) {
        guard let name, seenNames.insert(UnsafeRawPointer(name)).inserted else { return }
        newNames.append(Array(UnsafeBufferPointer(start: name, count: strlen(name))))
    }

    private func deliver() {
        guard let body, bodyError == nil, recordIndex > skipRecords else { return }
        do {
            try body(XMLRecordView(state: self))
        } catch {
            bodyError = error
            if let ctxt { xmlStopParser(ctxt) }
        }
    }

    // MARK: - Problems

    func forbidDoctype() {
        if problem == nil {
            let (line, column) = position()
            problem = XMLParseProblem(
                code: "xml.doctype-forbidden", message: "DOCTYPE", line: line, column: column,
                byteOffset: consumed(), xmlError: 0)
        }
        if let ctxt { xmlStopParser(ctxt) }
    }

    private func tooDeep() {
        if problem == nil {
            let (line, column) = position()
            problem = XMLParseProblem(
                code: "xml.malformed",
                message: "Excessive depth in document: more than \(Self.maxDepth) nested elements",
                line: line, column: column, byteOffset: consumed(), xmlError: 0)
        }
        if let ctxt { xmlStopParser(ctxt) }
    }

    func error(_ error: xmlError) {
        // Warnings (e.g. a relative namespace URI) do not stop the parse; errors and fatal errors do.
        guard error.level.rawValue >= XML_ERR_ERROR.rawValue, problem == nil else { return }
        var message = error.message.map { String(cString: $0) } ?? "unknown error"
        while message.last?.isWhitespace == true { message.removeLast() }
        problem = XMLParseProblem(
            code: !sawElement && (error.code == XML_ERR_DOCUMENT_EMPTY.rawValue || error.code == XML_ERR_DOCUMENT_END.rawValue)
                ? "xml.empty" : "xml.malformed",
            message: message, line: error.line > 0 ? Int(error.line) - lineShift : Int(error.line), column: Int(error.int2),
            byteOffset: consumed(), xmlError: error.code)
    }

    private func position() -> (Int, Int) {
        guard let ctxt else { return (0, 0) }
        return (Int(xmlSAX2GetLineNumber(ctxt)) - lineShift, Int(xmlSAX2GetColumnNumber(ctxt)))
    }

    /// Bytes of the file consumed by the parser (chunks: from the file start).
    private func consumed() -> Int64 {
        guard let ctxt else { return 0 }
        return Int64(xmlByteConsumed(ctxt)) + offsetShift
    }
}

// MARK: - C callbacks

/// Runs `body` on the state behind a callback's user data without retain/release traffic (the
/// reader keeps the state alive for the whole parse).
@inline(__always)
private func withState(_ ctx: UnsafeMutableRawPointer?, _ body: (XMLParseState) -> Void) {
    Unmanaged<XMLParseState>.fromOpaque(ctx!)._withUnsafeGuaranteedRef(body)
}

/// A SAX2 handler that builds no tree: elements, text and CDATA go to `XMLParseState`; any DOCTYPE
/// or entity declaration stops the parser; errors arrive through the per-context `serror`.
func makeSAXHandler() -> xmlSAXHandler {
    var sax = xmlSAXHandler()
    sax.initialized = UInt32(XML_SAX2_MAGIC)
    sax.startElementNs = { ctx, localname, prefix, uri, nbNamespaces, namespaces, nbAttributes, _, attributes in
        withState(ctx) {
            $0.startElement(local: localname, prefix: prefix, uri: uri, namespaceCount: Int(nbNamespaces), namespaces: namespaces,
                            attributeCount: Int(nbAttributes), attributes: attributes)
        }
    }
    sax.endElementNs = { ctx, _, _, _ in withState(ctx) { $0.endElement() } }
    sax.characters = { ctx, ch, len in withState(ctx) { $0.characters(ch, len) } }
    sax.cdataBlock = { ctx, ch, len in withState(ctx) { $0.characters(ch, len) } }
    sax.processingInstruction = { ctx, target, _ in withState(ctx) { $0.processingInstruction(target: target) } }
    sax.internalSubset = { ctx, _, _, _ in withState(ctx) { $0.forbidDoctype() } }
    sax.externalSubset = { ctx, _, _, _ in withState(ctx) { $0.forbidDoctype() } }
    sax.entityDecl = { ctx, _, _, _, _, _ in withState(ctx) { $0.forbidDoctype() } }
    sax.serror = { ctx, error in
        guard let error else { return }
        withState(ctx) { $0.error(error.pointee) }
    }
    return sax
}
