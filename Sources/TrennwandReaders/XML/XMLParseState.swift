import CTrennwandLibXML2
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
struct FieldBuffer {
    var bytes: [UInt8] = []
    var ranges: [Range<Int>] = []
    var openStart = 0

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        ranges.removeAll(keepingCapacity: true)
    }

    mutating func appendOccurrence(_ start: UnsafePointer<xmlChar>?, _ end: UnsafePointer<xmlChar>?) {
        let lower = bytes.count
        if let start, let end, end > start {
            bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: end - start))
        }
        ranges.append(lower..<bytes.count)
    }
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
    var nodeChildren: [[(name: InternedName, node: Int)]] = []
    var nodeText: [[Int]] = []
    var nodeAttrs: [[(name: InternedName, field: Int)]] = []
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
    var activeText: [Int] = []
    var fields: [FieldBuffer]

    // The current record's position.
    var recordIndex = 0
    var recordLine = 0
    var recordColumn = 0
    var recordOffset: Int64 = 0

    var body: ((XMLRecordView) throws -> Void)?
    var bodyError: (any Error)?
    var problem: XMLParseProblem?
    var rootName: XMLName?
    var sawElement = false

    /// libxml2's own limit without `XML_PARSE_HUGE` (`xmlParserMaxDepth`); its push parser does
    /// not enforce it in 2.9.14, so the reader does.
    static let maxDepth = 256

    init(spec: CompiledSpec, rootOnly: Bool = false) {
        self.spec = spec
        self.rootOnly = rootOnly
        self.fields = Array(repeating: FieldBuffer(), count: spec.fieldCount)
        self.ancestorValues = Array(repeating: nil, count: spec.fieldCount)
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
        nodeChildren = spec.nodes.map { $0.children.map { (interned($0.name), $0.node) } }
        nodeText = spec.nodes.map(\.textFields)
        nodeAttrs = spec.nodes.map { $0.attrFields.map { (interned($0.name), $0.field) } }
        ancestorByStep = Array(repeating: [], count: steps.count)
        for a in spec.ancestorFields { ancestorByStep[a.step].append((interned(a.attr), a.field)) }
        hasAncestorFields = !spec.ancestorFields.isEmpty
    }

    // MARK: - SAX events

    @inline(__always)
    func startElement(
        local: XMLCharPointer?, uri: XMLCharPointer?, attributeCount: Int,
        attributes: UnsafeMutablePointer<XMLCharPointer?>?
    ) {
        sawElement = true
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
            matched += 1
            if matched == steps.count {
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
        guard !activeText.isEmpty, let ch, len > 0 else { return }
        let buffer = UnsafeBufferPointer(start: ch, count: Int(len))
        for f in activeText { fields[f].bytes.append(contentsOf: buffer) }
    }

    // MARK: - Records

    private func beginRecord(attributeCount: Int, attributes: UnsafeMutablePointer<XMLCharPointer?>?) {
        inRecord = true
        relDepth = 0
        recordIndex += 1
        for i in fields.indices { fields[i].reset() }
        activeText.removeAll(keepingCapacity: true)
        nodeStack.removeAll(keepingCapacity: true)
        locateRecord()
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
            fields[f].openStart = fields[f].bytes.count
            activeText.append(f)
        }
    }

    private func closeNodeText(_ node: Int) {
        let text = nodeText[node]
        guard !text.isEmpty else { return }
        for f in text { fields[f].ranges.append(fields[f].openStart..<fields[f].bytes.count) }
        activeText.removeLast(text.count)
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

    /// Line, column and byte offset of the record's start tag.
    ///
    /// libxml2 reports the position after the start tag's attributes (at `>`); the start tag is still
    /// in the input buffer, so step back to its `<`. Columns count characters on the line (as libxml2
    /// does); for non-UTF-8 input the byte offset is approximate (the tag length is taken in UTF-8).
    private func locateRecord() {
        guard let ctxt, let input = ctxt.pointee.input, let cur = input.pointee.cur, let base = input.pointee.base else {
            return
        }
        var lt = cur
        while lt > base && lt.pointee != UInt8(ascii: "<") { lt -= 1 }
        var newlines = 0
        var chars = 0
        var p = lt
        var lastNewline: XMLCharPointer?
        while p < cur {
            if p.pointee == 0x0A { newlines += 1; lastNewline = p }
            if p.pointee & 0xC0 != 0x80 { chars += 1 }
            p += 1
        }
        _ = lastNewline
        recordLine = Int(input.pointee.line) - newlines
        if newlines == 0 {
            recordColumn = max(1, Int(input.pointee.col) - chars)
        } else {
            // Count the characters from the previous newline (if still buffered) to the `<`.
            var q = lt
            var column = 1
            while q > base && (q - 1).pointee != 0x0A {
                q -= 1
                if q.pointee & 0xC0 != 0x80 { column += 1 }
            }
            recordColumn = column
        }
        recordOffset = Int64(xmlByteConsumed(ctxt)) - Int64(cur - lt)
        if recordOffset < 0 { recordOffset = 0 }
    }

    private func deliver() {
        guard let body, bodyError == nil else { return }
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
                byteOffset: ctxt.map { Int64(xmlByteConsumed($0)) } ?? 0, xmlError: 0)
        }
        if let ctxt { xmlStopParser(ctxt) }
    }

    private func tooDeep() {
        if problem == nil {
            let (line, column) = position()
            problem = XMLParseProblem(
                code: "xml.malformed",
                message: "Excessive depth in document: more than \(Self.maxDepth) nested elements",
                line: line, column: column, byteOffset: ctxt.map { Int64(xmlByteConsumed($0)) } ?? 0, xmlError: 0)
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
            message: message, line: Int(error.line), column: Int(error.int2),
            byteOffset: ctxt.map { Int64(xmlByteConsumed($0)) } ?? 0, xmlError: error.code)
    }

    private func position() -> (Int, Int) {
        guard let ctxt else { return (0, 0) }
        return (Int(xmlSAX2GetLineNumber(ctxt)), Int(xmlSAX2GetColumnNumber(ctxt)))
    }
}

// MARK: - C callbacks

@inline(__always)
private func state(_ ctx: UnsafeMutableRawPointer?) -> XMLParseState {
    Unmanaged<XMLParseState>.fromOpaque(ctx!).takeUnretainedValue()
}

/// A SAX2 handler that builds no tree: elements, text and CDATA go to `XMLParseState`; any DOCTYPE
/// or entity declaration stops the parser; errors arrive through the per-context `serror`.
func makeSAXHandler() -> xmlSAXHandler {
    var sax = xmlSAXHandler()
    sax.initialized = UInt32(XML_SAX2_MAGIC)
    sax.startElementNs = { ctx, localname, _, uri, _, _, nbAttributes, _, attributes in
        state(ctx).startElement(
            local: localname, uri: uri, attributeCount: Int(nbAttributes), attributes: attributes)
    }
    sax.endElementNs = { ctx, _, _, _ in state(ctx).endElement() }
    sax.characters = { ctx, ch, len in state(ctx).characters(ch, len) }
    sax.cdataBlock = { ctx, ch, len in state(ctx).characters(ch, len) }
    sax.internalSubset = { ctx, _, _, _ in state(ctx).forbidDoctype() }
    sax.externalSubset = { ctx, _, _, _ in state(ctx).forbidDoctype() }
    sax.entityDecl = { ctx, _, _, _, _, _ in state(ctx).forbidDoctype() }
    sax.serror = { ctx, error in
        guard let error else { return }
        state(ctx).error(error.pointee)
    }
    return sax
}
