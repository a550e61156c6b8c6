// libFuzzer target: arbitrary text as a rule condition through lexer, parser, type checker and
// compiler against the shipped policy data (Rules/). Every failure must be a ConfigError with a
// position inside the fuzz input; a condition that compiles is evaluated once on an empty record.
// Built only by Fuzz/build.sh (swiftc -sanitize=fuzzer,address); not part of the SwiftPM build.
import Foundation
import TrennwandEngine
import TrennwandRecords

let policy: PolicyData = {
    let rules = ProcessInfo.processInfo.environment["TRENNWAND_RULES"] ?? "Rules"
    do { return try PolicyData.load(rulesDirectory: rules) } catch { fatalError("fuzz setup: cannot load \(rules): \(error)") }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    // Lines as the condition's positions count them: every LF byte ends one, CRLF included (a
    // split on the Character "\n" missed CRLF, which Swift reads as one grapheme, and called a
    // position on the last line of a CRLF input "outside the input").
    let lines = UnsafeBufferPointer(start: data, count: size).reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    for kind in [RecordKind.access, .documentation] {
        let env = policy.environment(kind: kind, reference: .empty, now: 1_767_225_600)
        do {
            let c = try CompiledCondition.compile(text, origin: SourcePosition(file: "fuzz.cond", line: 1, column: 1),
                                                  environment: env)
            let ctx = EvalContext(environment: env)!
            ctx.reset(record: Record(kind: kind, locator: Locator(file: "fuzz", line: 1, byteOffset: 0, index: 1)))
            _ = c.evaluate(ctx)
        } catch let e as ConfigError {
            precondition(e.position.file == "fuzz.cond" && e.position.line >= 1 && e.position.line <= lines + 1,
                         "error outside the input: \(e.position)")
        } catch {
            preconditionFailure("unexpected error type: \(error)")
        }
    }
    return 0
}
