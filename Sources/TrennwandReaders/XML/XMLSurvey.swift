import CTrennwandLibXML2
import Foundation
import TrennwandRecords

/// The element structure of the first part of an unknown XML file, for the profile drafter:
/// every element path with its count, attributes, child elements and sample text values.
///
/// Same safety as `XMLRecordReader` (libxml2 SAX2 push parser, no network, no entities, any
/// DOCTYPE rejected); reads at most `maxBytes` and stops after `maxElements` elements.
package final class XMLSurvey {
    /// One element path, e.g. `/Dokumentation/Teilnehmer/Vermerk`.
    package struct Node {
        package var name: XMLName
        /// The prefix the file uses for the element's namespace (nil: none or default namespace).
        package var prefix: String?
        package var parent: Int?
        package var depth: Int
        package var count = 0
        /// Child element paths in first-seen order.
        package var children: [Int] = []
        /// Attribute local names in first-seen order, with how many elements had them and their values.
        package var attributes: [String] = []
        package var attributeCounts: [String: Int] = [:]
        package var attributeValues: [String: [String]] = [:]
        /// Text of elements without child elements (one value per occurrence).
        package var texts: [String] = []
        package var hasChildElements = false
    }

    package private(set) var nodes: [Node] = []
    package var root: Int? { nodes.isEmpty ? nil : 0 }
    /// Set when the parse stopped at malformed XML or a DOCTYPE.
    package private(set) var problem: String?

    private var index: [String: Int] = [:]
    private var stack: [(node: Int, text: [UInt8], children: Bool)] = []
    private var elements = 0
    private let maxElements: Int
    private let maxValues = 5_000
    fileprivate var ctxt: xmlParserCtxtPtr?

    /// Surveys `path` (plain, gzip or zip member). Throws `InputError` when it cannot be read.
    package init(path: String, maxElements: Int = 200_000, maxBytes: Int = 64 << 20) throws {
        self.maxElements = maxElements
        var stream = try InputFile.openStream(path)
        var sax = xmlSAXHandler()
        sax.initialized = UInt32(XML_SAX2_MAGIC)
        sax.startElementNs = { ctx, local, prefix, uri, _, _, nbAttributes, _, attributes in
            surveyState(ctx)?.start(local: local, prefix: prefix, uri: uri, count: Int(nbAttributes), attributes: attributes)
        }
        sax.endElementNs = { ctx, _, _, _ in surveyState(ctx)?.end() }
        sax.characters = { ctx, ch, len in surveyState(ctx)?.characters(ch, Int(len)) }
        sax.cdataBlock = { ctx, ch, len in surveyState(ctx)?.characters(ch, Int(len)) }
        sax.internalSubset = { ctx, _, _, _ in surveyState(ctx)?.stop("DOCTYPE") }
        sax.externalSubset = { ctx, _, _, _ in surveyState(ctx)?.stop("DOCTYPE") }
        sax.entityDecl = { ctx, _, _, _, _, _ in surveyState(ctx)?.stop("DOCTYPE") }
        sax.serror = { ctx, error in
            guard let error, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            let message = error.pointee.message.map { String(cString: $0) } ?? "?"
            surveyState(ctx)?.stop("\(message.trimmingCharacters(in: .whitespacesAndNewlines)) (line \(error.pointee.line))")
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        var total = 0
        var n = try stream.read(into: buffer)
        guard n > 0 else { return }
        let user = Unmanaged.passUnretained(self).toOpaque()
        // The first bytes go to the constructor so libxml2 can detect the encoding.
        let head = min(n, 4)
        guard let ctxt = xmlCreatePushParserCtxt(&sax, user, buffer.baseAddress!.assumingMemoryBound(to: CChar.self),
                                                 Int32(head), nil) else { return }
        defer { xmlFreeParserCtxt(ctxt) }
        xmlCtxtUseOptions(ctxt, Int32(XML_PARSE_NONET.rawValue))
        self.ctxt = ctxt
        defer { self.ctxt = nil }
        var offset = head
        while n > 0 {
            total += n
            if n > offset {
                xmlParseChunk(ctxt, (buffer.baseAddress! + offset).assumingMemoryBound(to: CChar.self), Int32(n - offset), 0)
            }
            offset = 0
            if problem != nil || elements >= maxElements || total >= maxBytes { return }
            n = try stream.read(into: buffer)
        }
        xmlParseChunk(ctxt, nil, 0, 1)
    }

    /// Relative path of `node` from `ancestor` in profile syntax (`p:A/p:B`), with `prefixOf` naming namespaces.
    package func relativePath(_ node: Int, from ancestor: Int, prefixOf: (String) -> String?) -> String {
        var steps: [String] = []
        var n = node
        while n != ancestor, let p = nodes[n].parent {
            steps.append(step(nodes[n].name, prefixOf: prefixOf))
            n = p
        }
        return steps.reversed().joined(separator: "/")
    }

    /// Absolute path of `node` in profile syntax.
    package func absolutePath(_ node: Int, prefixOf: (String) -> String?) -> String {
        var steps: [String] = []
        var n: Int? = node
        while let i = n {
            steps.append(step(nodes[i].name, prefixOf: prefixOf))
            n = nodes[i].parent
        }
        return "/" + steps.reversed().joined(separator: "/")
    }

    private func step(_ name: XMLName, prefixOf: (String) -> String?) -> String {
        guard let uri = name.namespace, let p = prefixOf(uri) else { return name.localName }
        return "\(p):\(name.localName)"
    }

    // MARK: - SAX callbacks

    fileprivate func stop(_ reason: String) {
        if problem == nil { problem = reason }
        if let ctxt { xmlStopParser(ctxt) }
    }

    fileprivate func start(local: UnsafePointer<xmlChar>?, prefix: UnsafePointer<xmlChar>?, uri: UnsafePointer<xmlChar>?,
                           count: Int, attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
        guard problem == nil, elements < maxElements, let local else { return }
        elements += 1
        let name = XMLName(namespace: uri.map { String(cString: $0) }, localName: String(cString: local))
        let parent = stack.last?.node
        if !stack.isEmpty { stack[stack.count - 1].children = true }
        let key = "\(parent ?? -1)\u{0}\(name.description)"
        let id: Int
        if let known = index[key] {
            id = known
        } else {
            id = nodes.count
            nodes.append(Node(name: name, prefix: prefix.map { String(cString: $0) }, parent: parent, depth: stack.count))
            index[key] = id
            if let parent { nodes[parent].children.append(id) }
        }
        nodes[id].count += 1
        if let parent { nodes[parent].hasChildElements = true }
        if let attributes {
            for a in 0..<count {
                guard let aLocal = attributes[a * 5] else { continue }
                let attrName = String(cString: aLocal)
                let value: String
                if let start = attributes[a * 5 + 3], let end = attributes[a * 5 + 4], end > start {
                    value = String(decoding: UnsafeBufferPointer(start: start, count: end - start), as: UTF8.self)
                } else {
                    value = ""
                }
                if nodes[id].attributeCounts[attrName] == nil { nodes[id].attributes.append(attrName) }
                nodes[id].attributeCounts[attrName, default: 0] += 1
                if nodes[id].attributeValues[attrName, default: []].count < maxValues {
                    nodes[id].attributeValues[attrName, default: []].append(value)
                }
            }
        }
        stack.append((id, [], false))
    }

    fileprivate func end() {
        guard problem == nil, let top = stack.popLast() else { return }
        if !top.children && nodes[top.node].texts.count < maxValues {
            nodes[top.node].texts.append(String(decoding: top.text, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    fileprivate func characters(_ ch: UnsafePointer<xmlChar>?, _ len: Int) {
        guard problem == nil, let ch, len > 0, !stack.isEmpty, stack[stack.count - 1].text.count < 64 * 1024 else { return }
        stack[stack.count - 1].text.append(contentsOf: UnsafeBufferPointer(start: ch, count: len))
    }
}

private func surveyState(_ ctx: UnsafeMutableRawPointer?) -> XMLSurvey? {
    guard let ctx else { return nil }
    return Unmanaged<XMLSurvey>.fromOpaque(ctx).takeUnretainedValue()
}
