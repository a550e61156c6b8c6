import Foundation
import Synchronization
import TrennwandRecords
import TrennwandYAML
import XCTest
import Yams

/// `YAMLComposer` against `Yams.compose` (basic resolver), the composer it replaces: the same
/// nodes — structure, texts, styles, resolved tags, marks, serialisation — for every YAML file
/// of the project and a set of edge cases, and Yams' own result for what it leaves undecided.
final class YAMLComposerTests: XCTestCase {
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    func testEveryDataFileComposesAsYams() throws {
        var files: [String] = []
        for dir in ["Rules", "Samples", "docs", "packaging", "Tests/data"] {
            let root = Self.projectRoot + "/" + dir
            let all = FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? []
            files += all.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.map { root + "/" + $0 }
        }
        XCTAssertGreaterThan(files.count, 50, "the project's YAML files")
        for path in files {
            let text = String(decoding: try XCTUnwrap(FileManager.default.contents(atPath: path)), as: UTF8.self)
            try assertComposesAsYams(text, path)
        }
    }

    func testEdgeCasesComposeAsYams() throws {
        let cases = [
            "a: 1\n",
            "- x\n- 'y'\n- \"z\"\n- |\n  lit\n  eral\n- >-\n  fol\n  ded\n",
            "base: &b {de: Hallo, en: Hello}\ncopy: *b\nlist: &l [1, 2]\nagain: *l\ns: &s text\nt: *s\n",
            "n: ~\ne:\nq: ''\nnull_tag: !!null x\nstr_tag: !!str 5\ncustom: !thing v\nnonspecific: ! 7\n",
            "seq_tag: !!seq [a]\nmap_tag: !!map {a: b}\n",
            "\u{FEFF}bom: true\n",
            "crlf: 1\r\nnext: 2\r\n",
            "umlaut: Prüfziffer – „Zitat“\nkey with spaces: v\n\"quoted key\": w\n",
            "nested:\n  deep:\n    - {a: [1, {b: c}]}\n    - - x\n      - y\n",
            "---\ndoc: marked\n...\n",
            "---\n",
            "plain\n",
            "# only a comment, then a value\nv: 1 # trailing\n",
            "big: {" + (0..<40).map { "k\($0): \($0)" }.joined(separator: ", ") + "}\n",
        ]
        for (i, text) in cases.enumerated() { try assertComposesAsYams(text, "case \(i)") }
    }

    func testEmptyDocuments() {
        for text in ["", "\n\n", "# comment only\n"] {
            guard case .empty = YAMLComposer.compose(Array(text.utf8)) else { return XCTFail("\(text.debugDescription): empty expected") }
            XCTAssertNil(try Yams.compose(yaml: text, .basic))
        }
    }

    /// What Yams could answer differently is left to Yams: errors, duplicate key texts (Yams
    /// compares them with their tags: `'1'` and `!!int 1` differ), non-scalar keys, aliases
    /// without anchor, several documents. `YAMLNode.parse` then gives Yams' error or node.
    func testUndecidedCasesAreLeftToYams() throws {
        let cases = [
            "a: 1\na: 2\n",                       // duplicate key: Yams' error
            "a: 1\n!!int a: 2\n",                   // same text, different tag: Yams decides (no error)
            "big: {" + (0..<40).map { "k\($0): \($0)" }.joined(separator: ", ") + ", k7: again}\n",
            "? [a, b]\n: c\n",                      // a key that is not a scalar
            "a: *missing\n",                        // undefined alias
            "a: 1\n---\nb: 2\n",                    // two documents
            "a: [1, 2\nb: 3\n",                     // syntax error
            "a:\n\t- tab\n",                        // scanner error
        ]
        for text in cases {
            guard case .undecided = YAMLComposer.compose(Array(text.utf8)) else { return XCTFail("\(text.debugDescription): undecided expected") }
            let ours = Result { try YAMLNode.parse(text, file: "f.yaml") }
            let theirs = Result { try YAMLNode.composeWithYams(text, file: "f.yaml") }
            switch (ours, theirs) {
            case (.success(let a), .success(let b)):
                XCTAssertEqual(a.node, b.node)
            case (.failure(let a as ConfigError), .failure(let b as ConfigError)):
                XCTAssertEqual(a.code, b.code)
                XCTAssertEqual(a.position, b.position)
                XCTAssertEqual(a.text(.en), b.text(.en))
            default:
                XCTFail("\(text.debugDescription): \(ours) vs \(theirs)")
            }
        }
    }

    /// Composing recurses once per level: beyond `maxDepth` it stops with an error of ours
    /// (libyaml's own limit, 1,000 levels, overflowed a dispatch thread's 512 KiB of stack in a
    /// debug build); up to it, it composes on such a thread, where a scan parses its rule files.
    func testDeepNestingOnASmallStack() {
        let n = YAMLComposer.maxDepth
        let deepest = "x: " + String(repeating: "{a: ", count: n - 2) + "[1]" + String(repeating: "}", count: n - 2) + "\n"
        let tooDeep = "x: " + String(repeating: "[", count: n) + String(repeating: "]", count: n) + "\n"
        let outcomes = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            for text in [deepest, tooDeep, "x: " + String(repeating: "[", count: 990) + String(repeating: "]", count: 990) + "\n"] {
                let label: String
                switch YAMLComposer.compose(Array(text.utf8)) {
                case .node: label = "node"
                case .empty: label = "empty"
                case .undecided: label = "undecided"
                case .tooDeep(let line, let column): label = "too deep at \(line):\(column)"
                }
                outcomes.withLock { $0.append(label) }
            }
            done.signal()
        }
        thread.stackSize = 512 << 10
        thread.start()
        done.wait()
        XCTAssertEqual(outcomes.withLock { $0 }, ["node", "too deep at 1:\(4 + n - 1)", "too deep at 1:\(4 + n - 1)"])
        XCTAssertThrowsError(try YAMLNode.parse(tooDeep, file: "deep.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "yaml.nesting")
            XCTAssertEqual((error as? ConfigError)?.position.description, "deep.yaml:1:\(4 + n - 1)")
        }
    }

    private func assertComposesAsYams(_ text: String, _ label: String, line: UInt = #line) throws {
        let expected = try Yams.compose(yaml: text, .basic)
        guard case .node(let node) = YAMLComposer.compose(Array(text.utf8)) else {
            return XCTFail("\(label): not composed", line: line)
        }
        let reference = try XCTUnwrap(expected, label, line: line)
        assertSame(node, reference, "\(label) /", line: line)
        XCTAssertEqual(node, reference, label, line: line)
        XCTAssertEqual(try Yams.serialize(node: node), try Yams.serialize(node: reference), label, line: line)
    }

    private func assertSame(_ a: Node, _ b: Node, _ path: String, line: UInt) {
        XCTAssertEqual(a.mark?.line, b.mark?.line, "\(path) line", line: line)
        XCTAssertEqual(a.mark?.column, b.mark?.column, "\(path) column", line: line)
        XCTAssertEqual(a.tag.description, b.tag.description, "\(path) resolved tag", line: line)
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)):
            XCTAssertEqual(x.string, y.string, path, line: line)
            XCTAssertEqual(x.style, y.style, "\(path) style", line: line)
            XCTAssertEqual(x.tag.description == Tag.Name.null.rawValue, y.tag.description == Tag.Name.null.rawValue, "\(path) null tag", line: line)
        case (.mapping(let x), .mapping(let y)):
            XCTAssertEqual(x.style, y.style, "\(path) style", line: line)
            XCTAssertEqual(x.count, y.count, "\(path) size", line: line)
            for ((ka, va), (kb, vb)) in zip(x, y) {
                assertSame(ka, kb, "\(path) key", line: line)
                assertSame(va, vb, "\(path)\(ka.string ?? "?")/", line: line)
            }
        case (.sequence(let x), .sequence(let y)):
            XCTAssertEqual(x.style, y.style, "\(path) style", line: line)
            XCTAssertEqual(x.count, y.count, "\(path) size", line: line)
            for (i, (p, q)) in zip(x, y).enumerated() { assertSame(p, q, "\(path)\(i)/", line: line) }
        default:
            XCTFail("\(path): \(a) vs \(b)", line: line)
        }
    }
}
