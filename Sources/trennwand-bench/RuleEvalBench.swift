import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandRecords

/// `trennwand-bench rules`: rule-evaluation cost per record for 10 and 100 rules on generated
/// access records (compiled closures, lookups into generated reference tables, no I/O).
enum RuleEvalBench {
    /// Condition templates in the style of the shipped access rules; `{n}` varies per copy.
    static let templates = [
        #"system_owner == "jobcenter" and action in ["export", "send", "download", "print"] and destination_org == "traeger""#,
        #"actor_org == "traeger" and system_owner == "jobcenter" and action != "login""#,
        #"network == "traeger" and system_owner == "jobcenter" and not exists secondments(person == actor) at time"#,
        #"exists secondments(person == actor) and not exists secondments(person == actor and traeger == traeger) at time"#,
        #"present(subject) and not exists participants(customer_number == subject) at time and actor_role == "Rolle{n}""#,
        #"action == "decide" and exists participants(customer_number == subject and counselors contains actor) at time"#,
        #"exists secondments(person == actor) at time and not within_schedule(time, secondments(person == actor).schedule)"#,
        #"present(category) and category within "sozial" and channel in ["E-Mail", "USB", "Kanal{n}"]"#,
        #"system_owner == "jobcenter" and present(category) and matrix("jobcenter->traeger", category) == "forbidden" and destination_org == "traeger""#,
        #"hour(time) >= 20 or hour(time) < 6 or weekday(time) >= 6 and actor == "JC-M-{n}""#,
    ]

    static func run(rulesDirectory: String, records count: Int) throws {
        let policy = try PolicyData.load(rulesDirectory: rulesDirectory)
        let reference = makeReference()
        let records = makeRecords(count)
        print("Rule evaluation on \(count) generated access records (release build, 1 thread)")
        print("rules | ns/record | records/s | findings")
        for n in [10, 100] {
            let conditions = try (0..<n).map { i -> CompiledCondition in
                let text = templates[i % templates.count].replacingOccurrences(of: "{n}", with: String(i))
                return try CompiledCondition.compile(text, origin: SourcePosition(file: "bench", line: 1, column: 1),
                                                     environment: policy.environment(kind: .access, reference: reference, now: 0))
            }
            let ctx = EvalContext(environment: policy.environment(kind: .access, reference: reference))!
            var fired = 0
            // Warm-up pass, then the measured pass.
            for pass in 0..<2 {
                let start = DispatchTime.now().uptimeNanoseconds
                fired = 0
                for r in records {
                    ctx.reset(record: r)
                    for c in conditions where c.evaluate(ctx) == .true { fired += 1 }
                }
                let ns = Double(DispatchTime.now().uptimeNanoseconds - start)
                if pass == 1 {
                    let perRecord = ns / Double(records.count)
                    print(String(format: "%5d | %9.0f | %9.0f | %d", n, perRecord, 1e9 / perRecord, fired))
                }
            }
        }
    }

    static func makeReference() -> ReferenceTables {
        var secondments: [Record] = []
        var participants: [Record] = []
        for i in 0..<200 {
            var s = Record(kind: .secondments, locator: Locator(file: "gen", line: i, byteOffset: 0, index: i))
            s["person"] = .string(ByteString("JC-M-\(i)"))
            s["traeger"] = .string("TR-A")
            s["start"] = .time(1_735_689_600)
            s["end"] = .time(1_767_225_599)
            s["schedule"] = .string("Mo-Do 08:00-16:00")
            secondments.append(s)
        }
        for i in 0..<5_000 {
            var p = Record(kind: .participants, locator: Locator(file: "gen", line: i, byteOffset: 0, index: i))
            p["participant"] = .string(ByteString("TN-\(i)"))
            p["customer_number"] = .string(ByteString("962D\(100_000 + i)"))
            p["traeger"] = .string("TR-A")
            p["counselors"] = .list([ByteString("JC-M-\(i % 300)")])
            p["start"] = .time(1_735_689_600)
            participants.append(p)
        }
        return ReferenceTables([.secondments: secondments, .participants: participants])
    }

    static func makeRecords(_ n: Int) -> [Record] {
        var rng = SystemRandomNumberGenerator()
        let actions = ["read", "search", "update", "export", "send", "decide", "print"]
        let cats = ["vermittlung", "sozial.leistung", "teilnahme", "stamm", "gesundheit"]
        return (0..<n).map { i in
            var r = Record(kind: .access, locator: Locator(file: "gen", line: i + 2, byteOffset: 0, index: i + 1))
            r["time"] = .time(1_735_689_600 + Int64(i) * 37)
            r["actor"] = .string(ByteString("JC-M-\(Int.random(in: 0..<400, using: &rng))"))
            r["actor_org"] = .string(i % 50 == 0 ? "traeger" : "jobcenter")
            r["actor_role"] = .string("Integrationsfachkraft")
            r["system"] = .string("VerBIS")
            r["system_owner"] = .string("jobcenter")
            r["action"] = .string(ByteString(actions[Int.random(in: 0..<actions.count, using: &rng)]))
            r["subject"] = .string(ByteString("962D\(100_000 + Int.random(in: 0..<8_000, using: &rng))"))
            r["category"] = .string(ByteString(cats[i % cats.count]))
            r["network"] = .string(i % 7 == 0 ? "traeger" : "jobcenter")
            r["destination_org"] = .string(i % 11 == 0 ? "traeger" : "jobcenter")
            r["channel"] = .string("E-Mail")
            r["traeger"] = .string("TR-A")
            return r
        }
    }
}
