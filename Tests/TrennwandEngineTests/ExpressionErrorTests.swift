import XCTest
@testable import TrennwandEngine
import TrennwandRecords

/// Every compile error names the exact `file:line:column` of the offending token.
final class ExpressionErrorTests: XCTestCase {
    func testBadSymbolNamesAllowedValues() throws {
        assertCompileError(#"actor_org == "jobcentre""#, code: "expr.bad-symbol", column: 14)
        do {
            _ = try Fixture.compile(#"actor_org == "jobcentre""#)
        } catch let e as ConfigError {
            XCTAssertTrue(e.message.en.contains("jobcenter, traeger, other"), e.message.en)
            XCTAssertTrue(e.message.de.contains("erlaubt"), e.message.de)
        }
        assertCompileError(#"action in ["read", "lesen"]"#, code: "expr.bad-symbol", column: 20)
        assertCompileError(#"staff(person == actor).org == "jc""#, code: "expr.bad-symbol", column: 31)
    }

    func testUnknownFieldsWithSuggestions() throws {
        assertCompileError(#"actr == "x""#, code: "expr.unknown-field", column: 1)
        assertCompileError(#"actor == "x" and destinaton_org == "traeger""#, code: "expr.unknown-field", column: 18)
        assertCompileError(#"deleted == true"#, code: "expr.unknown-field", column: 1)
        assertCompileError(#"staff(persn == actor).org == "jobcenter""#, code: "expr.unknown-field", column: 7)
        assertCompileError(#"staff(person == actor).orgg == "jobcenter""#, code: "expr.unknown-field", column: 24)
        do {
            _ = try Fixture.compile(#"actr == "x""#)
        } catch let e as ConfigError {
            XCTAssertTrue(e.message.en.contains("did you mean: actor"), e.message.en)
            XCTAssertTrue(e.message.de.contains("meinten Sie: actor"), e.message.de)
        }
    }

    func testUnknownNamesOfPolicyData() {
        assertCompileError(#"category within "sozil""#, code: "expr.unknown-category", column: 17)
        assertCompileError(#"category == "gesundhiet""#, code: "expr.unknown-category", column: 13)
        assertCompileError(#"actor_role in @leistungsrolen"#, code: "expr.unknown-list", column: 15)
        assertCompileError(#"detects(text, "steuerid")"#, code: "expr.unknown-detector", column: 15, kind: .documentation)
        assertCompileError(#"detects(text, any ["iban", "stuer_id"])"#, code: "expr.unknown-detector", column: 28, kind: .documentation)
        assertCompileError(#"detects_category(text, "gesund")"#, code: "expr.unknown-category", column: 24, kind: .documentation)
        assertCompileError(#"exists staf(person == actor)"#, code: "expr.unknown-table", column: 8)
        assertCompileError(#"foo(actor)"#, code: "expr.unknown-function", column: 1)
        assertCompileError(#"matrix("jobcenter->jobcenter", category) == "allowed""#, code: "expr.bad-direction", column: 8)
        assertCompileError(#"matrix("jobcenter->traeger", category) == "erlaubt""#, code: "expr.bad-symbol", column: 43)
        assertCompileError(#"within_schedule(time, "Mo-Fr 08:00-16:70")"#, code: "expr.bad-schedule", column: 36)
        assertCompileError(#"within_schedule(time, "Mo-Fx 08:00-16:00")"#, code: "expr.bad-schedule", column: 27)
    }

    func testTypeErrors() {
        assertCompileError(#"detects(author, "iban")"#, code: "expr.type", column: 9, kind: .documentation)
        assertCompileError(#"time > 5"#, code: "expr.type", column: 6)
        assertCompileError(#"hour(actor) == 3"#, code: "expr.type", column: 6)
        assertCompileError(#"actor"#, code: "expr.type", column: 1)
        assertCompileError(#"actor == "a" and system"#, code: "expr.type", column: 18)
        assertCompileError(#"staff(person == actor)"#, code: "expr.type", column: 1)
        assertCompileError(#"exists staff(person == actor) at time"#, code: "expr.type", column: 34)
        assertCompileError(#"agreement_permits(traeger, "jobcenter->traeger", category)"#, code: "expr.type", column: 1)
        assertCompileError(#"actor_org < "jobcenter""#, code: "expr.type", column: 11)
        assertCompileError(#"time - actor > 1d"#, code: "expr.type", column: 6)
        assertCompileError(#"actor in actor"#, code: "expr.type", column: 10)
        assertCompileError(#"time > "04.03.2025""#, code: "expr.type", column: 8)
        assertCompileError(#"present("x")"#, code: "expr.type", column: 9)
        assertCompileError(#"category within category"#, code: "expr.type", column: 17)
        assertCompileError(#"actor in [1, 2]"#, code: "expr.type", column: 11)
        assertCompileError(#"hour(time) == "10""#, code: "expr.type", column: 12)
        assertCompileError(#"hour(time) at time == 3"#, code: "expr.type", column: 15)
    }

    func testSyntaxErrors() {
        assertCompileError(#"actor_org == "#, code: "expr.syntax", column: 14)
        assertCompileError(#"actor_org = "jobcenter""#, code: "expr.syntax", column: 11)
        assertCompileError(#"(actor == "x""#, code: "expr.syntax", column: 14)
        assertCompileError(#"actor == "x"#, code: "expr.syntax", column: 10)
        assertCompileError(#"30x > 1d"#, code: "expr.syntax", column: 1)
        assertCompileError(#"actor == "a" and"#, code: "expr.syntax", column: 17)
        assertCompileError(#"actor $ 3"#, code: "expr.syntax", column: 7)
        assertCompileError(#"actor == "a" actor"#, code: "expr.syntax", column: 14)
        assertCompileError(#""#, code: "expr.syntax", column: 1)
        assertCompileError(#"actor == "ä" and ä"#, code: "expr.syntax", column: 18)
    }

    func testMultiLineConditionTextPositions() {
        assertCompileError("actor == \"x\"\n  and actr == \"y\"", code: "expr.unknown-field", line: 2, column: 7)
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 500) + "actor == \"x\"" + String(repeating: ")", count: 500)
        assertCompileError(deep, code: "expr.syntax", column: 101)
        let nots = String(repeating: "not ", count: 200) + "actor == \"x\""
        assertCompileError(nots, code: "expr.syntax", column: 401)
    }
}

/// Regression: fuzz-expression found 1,233 nested `[` overflowing the parser's stack. Every kind of
/// nesting now ends in a positioned "nested too deeply" error.
final class ExpressionNestingTests: XCTestCase {
    func testDeepNestingIsAnErrorNotAStackOverflow() {
        let cases = [
            String(repeating: "[", count: 1233),                                   // the fuzz crash input
            String(repeating: "(", count: 5000) + "true" + String(repeating: ")", count: 5000),
            String(repeating: "not ", count: 5000) + "true",
            "actor in " + String(repeating: "[", count: 3000) + "\"a\"" + String(repeating: "]", count: 3000),
            String(repeating: "lower(", count: 3000) + "actor" + String(repeating: ")", count: 3000) + " == \"a\"",
            String(repeating: "any ", count: 3000) + "[\"a\"]",
        ]
        for text in cases {
            XCTAssertThrowsError(try Fixture.compile(text), String(text.prefix(20))) { error in
                let e = error as? ConfigError
                XCTAssertNotNil(e)
                XCTAssertTrue(e?.message.en.contains("nested too deeply") ?? false, e?.message.en ?? "\(error)")
                XCTAssertEqual(e?.position.line, 1)
            }
        }
        // Reasonable nesting still compiles.
        XCTAssertNoThrow(try Fixture.compile(String(repeating: "(", count: 20) + "actor == \"a\"" + String(repeating: ")", count: 20)))
    }
}

/// Regression: fuzz-expression found an arithmetic overflow trap in a duration literal. Huge
/// literals are syntax errors; overflowing timestamp arithmetic is unknown, never a crash.
final class ExpressionOverflowTests: XCTestCase {
    func testHugeDurationLiteralIsASyntaxError() {
        XCTAssertThrowsError(try Fixture.compile("time > time + 888888888888888888h")) { error in
            XCTAssertEqual((error as? ConfigError)?.code.hasPrefix("expr."), true, "\(error)")
        }
    }

    func testOverflowingTimeArithmeticIsUnknown() throws {
        let fields: [String: Value] = ["time": .time(Int64.max - 10), "actor": .string("a"), "system": .string("VerBIS"),
                                       "action": .string("read")]
        XCTAssertEqual(try Fixture.eval("time + 15250284452471w > time", fields), .unknown)
        XCTAssertEqual(try Fixture.eval("time - 1d < time", ["time": .time(0), "actor": .string("a"),
                                                             "system": .string("VerBIS"), "action": .string("read")]), .true)
    }
}
