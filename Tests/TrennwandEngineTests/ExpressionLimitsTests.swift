import Foundation
import XCTest
@testable import TrennwandEngine
import TrennwandRecords
import TrennwandYAML

/// Carries a result from a helper thread.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}

/// Long `and`/`or` chains and big lists (issue #12, B7): no recursion as deep as a chain is long in
/// parser, checker, compiler, evaluator, SQL rendering or deallocation, and hard limits with
/// positioned errors. Evaluation runs on a thread with a 512 KiB stack (workers have 1 MiB), so a
/// recursion proportional to the chain would crash the test run instead of passing.
final class ExpressionLimitsTests: XCTestCase {
    /// `system == "X1" or system == "X2" or …` with `n` terms.
    static func orChain(_ n: Int, field: String = "system", prefix: String = "X") -> String {
        var s = ""
        s.reserveCapacity(n * 24)
        for i in 1...n {
            if i > 1 { s += " or " }
            s += "\(field) == \"\(prefix)\(i)\""
        }
        return s
    }

    /// Runs `body` on a thread with a small stack and waits for it.
    static func onSmallStack<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let t = Thread {
            box.result = Result { try body() }
            done.signal()
        }
        t.stackSize = 512 << 10
        t.start()
        done.wait()
        return try box.result!.get()
    }

    static func evaluate(_ c: CompiledCondition, _ fields: [String: Value], kind: RecordKind = .access) -> Tri {
        let ctx = EvalContext(environment: Fixture.env(kind))!
        ctx.reset(record: Fixture.record(kind, fields))
        return c.evaluate(ctx)
    }

    static let big = ExprLimits(maxSourceBytes: 64 << 20, maxNodes: 10_000_000, maxListElements: 10_000_000,
                                maxPatterns: 1_000_000, maxDepth: 100)

    static func compileUnlimited(_ text: String) throws -> CompiledCondition {
        try CompiledCondition.compile(text, origin: Fixture.origin, environment: Fixture.env(.access), limits: big)
    }

    // MARK: chains evaluate correctly

    /// The largest `or` chain the standard limits admit (40,000 comparisons, 160,000 nodes, ~880 KB):
    /// only the last term matches, so every operand is evaluated; missing field → unknown.
    func testFortyThousandTermOrChainWithinLimits() throws {
        let text = Self.orChain(40_000)
        XCTAssertLessThan(text.utf8.count, ExprLimits.standard.maxSourceBytes)
        let start = Date()
        let c = try Fixture.compile(text)
        let results = try Self.onSmallStack {
            [Self.evaluate(c, ["system": Fixture.s("X40000")]), Self.evaluate(c, ["system": Fixture.s("X1")]),
             Self.evaluate(c, ["system": Fixture.s("X40001")]), Self.evaluate(c, ["actor": Fixture.s("a")])]
        }
        XCTAssertEqual(results, [.true, .true, .false, .unknown])
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    }

    /// 100,000 and 200,000 terms (the sizes of the report) compile and evaluate correctly when the
    /// limits are lifted: the structure, not the limit, keeps the stack bounded.
    func testChainsOfTheReportedSizesWithoutLimits() throws {
        for n in [100_000, 200_000] {
            let c = try Self.compileUnlimited(Self.orChain(n))
            let r = try Self.onSmallStack {
                (Self.evaluate(c, ["system": Fixture.s("X\(n)")]), Self.evaluate(c, ["system": Fixture.s("Y")]))
            }
            XCTAssertEqual(r.0, .true, "\(n)")
            XCTAssertEqual(r.1, .false, "\(n)")
        }
    }

    func testHundredThousandTermOrChainIsRefusedWithPosition() throws {
        let text = Self.orChain(100_000)
        XCTAssertGreaterThan(text.utf8.count, ExprLimits.standard.maxSourceBytes)
        assertCompileError(text, code: "expr.too-long", column: 1)
        // Compact terms fit into 1 MiB, then the node limit stops them at the first token past it.
        var compact = "system == \"a\""
        for _ in 0..<55_000 { compact += " or system == \"a\"" }
        XCTAssertLessThan(compact.utf8.count, ExprLimits.standard.maxSourceBytes)
        do {
            _ = try Fixture.compile(compact)
            XCTFail("expected expr.too-many-nodes")
        } catch let e as ConfigError {
            XCTAssertEqual(e.code, "expr.too-many-nodes", e.text(.en))
            XCTAssertEqual(e.position.line, 1)
            XCTAssertGreaterThan(e.position.column, 100_000)
            XCTAssertFalse(e.message.de.isEmpty || e.message.en.isEmpty)
        }
    }

    /// The first term is the only one that can be false: an `and` over 1,000 terms, true only when
    /// every term holds; unknown when a term's field is missing (three-valued, as a flat chain).
    func testThousandTermAndChain() throws {
        var text = "actor != \"nobody\""
        for i in 1..<1_000 { text += " and system != \"X\(i)\"" }
        let c = try Fixture.compile(text)
        let r = try Self.onSmallStack {
            [Self.evaluate(c, ["actor": Fixture.s("a"), "system": Fixture.s("Y")]),
             Self.evaluate(c, ["actor": Fixture.s("a"), "system": Fixture.s("X999")]),
             Self.evaluate(c, ["actor": Fixture.s("a")]),
             Self.evaluate(c, ["actor": Fixture.s("nobody")])]
        }
        XCTAssertEqual(r, [.true, .false, .unknown, .false])
    }

    /// Chains below, at and above the closure-chain run length give the Kleene result of a flat
    /// evaluation for random mixes of true, false and unknown operands.
    func testBalancedChainsKeepThreeValuedSemantics() throws {
        // Operand i tests `|i|` in `purpose` (even i) or `destination` (odd i); a missing field
        // makes its operands unknown.
        let fields = ["purpose", "destination"]
        var rng = SystemRandomNumberGenerator()
        for n in [1, 2, 7, 8, 9, 16, 17, 33, 100] {
            for op in ["and", "or"] {
                let text = (0..<n).map { "\(fields[$0 % 2]) contains \"|\($0)|\"" }.joined(separator: " \(op) ")
                let c = try Fixture.compile(text)
                for _ in 0..<60 {
                    var values: [String: String] = [:]
                    for f in fields where Int.random(in: 0..<5, using: &rng) > 0 { values[f] = "" }
                    var truth: [Tri] = []
                    for i in 0..<n {
                        let f = fields[i % 2]
                        guard values[f] != nil else { truth.append(.unknown); continue }
                        let yes = Bool.random(using: &rng)
                        if yes { values[f]! += "|\(i)|" }
                        truth.append(Tri(yes))
                    }
                    let expected = truth.dropFirst().reduce(truth[0]) { op == "and" ? $0 && $1 : $0 || $1 }
                    let record = values.mapValues { Fixture.s($0) }
                    XCTAssertEqual(Self.evaluate(c, record), expected, "\(op) n=\(n) \(values)")
                }
            }
        }
    }

    /// Short-circuit order: operands after the deciding one are not evaluated, so the gaps they
    /// would record stay absent — in a balanced chain as in a short one.
    func testShortCircuitSkipsLaterOperandsInLongChains() throws {
        // Lookups cost more than field tests, so they are ordered last; `system == "A"` decides first.
        var text = "staff(person == actor).org == \"jobcenter\""
        for i in 0..<50 { text += " or system == \"A\(i)\"" }
        let c = try Fixture.compile(text)
        let ctx = EvalContext(environment: Fixture.env())!
        ctx.reset(record: Fixture.record(.access, ["actor": Fixture.s("unknown.person"), "system": Fixture.s("A49")]))
        let decided = c.evaluateWithGaps(ctx)
        XCTAssertEqual(decided.result, .true)
        XCTAssertTrue(decided.gaps.isEmpty, "lookup evaluated although an earlier operand decided")
        ctx.reset(record: Fixture.record(.access, ["actor": Fixture.s("unknown.person"), "system": Fixture.s("B")]))
        let undecided = c.evaluateWithGaps(ctx)
        XCTAssertEqual(undecided.result, .unknown)
        XCTAssertEqual(undecided.gaps.count, 1)
    }

    /// Deeply mixed chains: 100 levels of brackets alternating `and`/`or`, each level a chain.
    func testDeeplyMixedChains() throws {
        func nested(_ depth: Int, matchAt last: Int) -> String {
            var s = "system == \"L\(last)\""
            for level in stride(from: depth - 1, through: 0, by: -1) {
                let op = level % 2 == 0 ? "or" : "and"
                let filler = op == "or" ? (0..<20).map { "system == \"F\(level)-\($0)\"" } : (0..<20).map { _ in "actor != \"nobody\"" }
                s = filler.joined(separator: " \(op) ") + " \(op) (" + s + ")"
            }
            return s
        }
        let text = nested(99, matchAt: 99)
        // Compiled on a small stack too, as a scan worker does (1 MiB): the compiler runs on a
        // thread of its own (62 levels of parser recursion overflowed a worker's stack).
        let r = try Self.onSmallStack {
            let c = try Fixture.compile(text)
            return [Self.evaluate(c, ["system": Fixture.s("L99"), "actor": Fixture.s("a")]),
             Self.evaluate(c, ["system": Fixture.s("F0-3"), "actor": Fixture.s("a")]),
             Self.evaluate(c, ["system": Fixture.s("Z"), "actor": Fixture.s("a")])]
        }
        XCTAssertEqual(r, [.true, .true, .false])
        assertCompileError(String(repeating: "(", count: 101) + "true" + String(repeating: ")", count: 101),
                           code: "expr.syntax", column: 101)
    }

    // MARK: lists and other limits

    /// A 100,000-element list literal (the limit): the record matching only the last element.
    func testHundredThousandElementList() throws {
        let items = (1...100_000).map { "\"\($0)\"" }.joined(separator: ",")
        let text = "system in [" + items + "]"
        XCTAssertLessThan(text.utf8.count, ExprLimits.standard.maxSourceBytes)
        let c = try Fixture.compile(text)
        let r = try Self.onSmallStack {
            [Self.evaluate(c, ["system": Fixture.s("100000")]), Self.evaluate(c, ["system": Fixture.s("100001")])]
        }
        XCTAssertEqual(r, [.true, .false])
        let over = "system in [" + items + ",\"x\"]"
        assertCompileError(over, code: "expr.list-too-long", column: 12 + items.utf8.count + 1)
    }

    func testPatternLimit() throws {
        let ok = (0..<1_000).map { "actor contains \"p\($0)\"" }.joined(separator: " or ")
        XCTAssertNoThrow(try Fixture.compile(ok))
        let over = ok + " or actor startswith \"q\""
        assertCompileError(over, code: "expr.too-many-patterns", column: ok.utf8.count + 11)
    }

    /// `+`/`-` and `.field` chains nest: each link is a level, so they stop at the depth limit.
    func testArithmeticChainsCountAsNesting() throws {
        let ok = "time + " + Array(repeating: "1d", count: 99).joined(separator: " + ") + " > now()"
        XCTAssertNoThrow(try Fixture.compile(ok))
        let long = "time + " + Array(repeating: "1d", count: 20_000).joined(separator: " + ") + " > now()"
        do {
            _ = try Fixture.compile(long)
            XCTFail("expected expr.syntax (nesting)")
        } catch let e as ConfigError {
            XCTAssertEqual(e.code, "expr.syntax")
            XCTAssertTrue(e.message.en.contains("nested too deeply"), e.message.en)
        }
        let members = "staff(person == actor)" + String(repeating: ".org", count: 20_000) + " == \"x\""
        XCTAssertThrowsError(try Fixture.compile(members))
    }

    /// The length limit is checked from the YAML node before any per-byte table is built, and is
    /// named at the condition's start in the rule file.
    func testTooLongConditionFromRuleFile() throws {
        let cond = Self.orChain(60_000)
        let yaml = "condition: " + cond + "\n"
        let node = try YAMLNode.parse(yaml, file: "rules/TW998.yml")
        let c = try node.mapping().required("condition")
        do {
            _ = try CompiledCondition.compile(c, fileText: yaml, environment: Fixture.env())
            XCTFail("expected expr.too-long")
        } catch let e as ConfigError {
            XCTAssertEqual(e.code, "expr.too-long")
            XCTAssertEqual(e.position.description, "rules/TW998.yml:1:12")
        }
    }
}
