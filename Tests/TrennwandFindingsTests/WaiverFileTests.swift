import Foundation
import TrennwandFindings
import TrennwandRecords
import XCTest

final class WaiverFileTests: XCTestCase {
    let fp = "00112233445566778899aabbccddeeff"
    let now = epoch("2025-03-10T23:30:00Z")  // already 2025-03-11 in Berlin

    var draft: WaiverFile.Draft {
        WaiverFile.Draft(rule: "tw105", fingerprint: fp.uppercased(), reason: "Testdaten: \"Muster\"\nzweite Zeile",
                         approver: "DSB Jobcenter (K. Beispiel)", until: "2025-06-30")
    }

    /// Hand-written text with comments, odd spacing and no final newline.
    let existing = """
        # Ausnahmen für das Pilotprojekt — bitte nur per Review ändern
        - rule: TW201   # Gesundheitsdaten
          match:
            file: "exports/doku-*.xml"
            record_id: DOK-7
          reason:   'Altbestand, Löschung beauftragt'
          approver: Datenschutzbeauftragte Träger
          created: 2025-02-01
          expires: 2025-04-30T12:00:00+02:00
        """

    func testAppendKeepsExistingTextByteForByteAndLoads() throws {
        let text = try WaiverFile.appending(draft, to: existing, file: "w.yaml", now: now)
        XCTAssertTrue(text.utf8.starts(with: existing.utf8))
        XCTAssertEqual(Array(text.utf8)[existing.utf8.count], 0x0A, "a newline is added before the entry")
        let set = try WaiverSet.parse(text, file: "w.yaml")
        XCTAssertEqual(set.waivers.count, 2)
        let w = set.waivers[1]
        XCTAssertEqual(w.rule, "TW105")
        XCTAssertEqual(w.fingerprint, fp)
        XCTAssertEqual(w.reason, "Testdaten: \"Muster\"\nzweite Zeile")
        XCTAssertEqual(w.approver, "DSB Jobcenter (K. Beispiel)")
        XCTAssertEqual(w.created, epoch("2025-03-11T00:00:00+01:00"), "created = today in Berlin")
        XCTAssertEqual(w.expires, epoch("2025-07-01T00:00:00+02:00"))
        XCTAssertEqual(set.waivers[0].reason, "Altbestand, Löschung beauftragt")
    }

    func testEntryTextIsReviewable() {
        let expected = #"""

            - rule: TW105
              fingerprint: 00112233445566778899aabbccddeeff
              reason: "Testdaten: \"Muster\"\nzweite Zeile"
              approver: "DSB Jobcenter (K. Beispiel)"
              created: 2025-03-11
              expires: 2025-06-30

            """#
        XCTAssertEqual(WaiverFile.entryText(draft, now: now, expires: "2025-06-30"), expected)
    }

    func testAppendToFileOnDisk() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-waive-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("trennwand-waivers.yaml").path

        // Missing file: created with the header.
        try WaiverFile.append(draft, path: path, now: now)
        let first = try XCTUnwrap(FileManager.default.contents(atPath: path))
        XCTAssertTrue(String(decoding: first, as: UTF8.self).hasPrefix(WaiverFile.header))
        XCTAssertEqual(try WaiverSet.load(path: path).waivers.count, 1)

        // Second append: the first bytes stay exactly as they were.
        var second = draft
        second.fingerprint = "ffeeddccbbaa99887766554433221100"
        second.until = "2025-04-01T08:00:00Z"
        let added = try WaiverFile.append(second, path: path, now: now)
        let after = try XCTUnwrap(FileManager.default.contents(atPath: path))
        XCTAssertEqual(after.prefix(first.count), first)
        XCTAssertEqual(String(decoding: after.dropFirst(first.count), as: UTF8.self), added)
        let set = try WaiverSet.load(path: path)
        XCTAssertEqual(set.waivers.map(\.fingerprint), [fp, "ffeeddccbbaa99887766554433221100"])
        XCTAssertEqual(set.waivers[1].position.line, set.waivers[0].position.line + 7, "header, blank line, 6 keys")
    }

    func testRefusesPastOrZonelessUntilAndBadInput() throws {
        func problem(_ change: (inout WaiverFile.Draft) -> Void) -> String? {
            var d = draft
            change(&d)
            do {
                _ = try WaiverFile.appending(d, to: nil, file: "w.yaml", now: now)
                return nil
            } catch let p as WaiverFile.Problem {
                return p.code
            } catch {
                return "\(error)"
            }
        }
        XCTAssertNil(problem { _ in })
        XCTAssertEqual(problem { $0.until = "2025-03-09" }, "waive.until-past")
        XCTAssertEqual(problem { $0.until = "2025-03-10" }, "waive.until-past", "today in Berlin already ended at 23:00Z")
        XCTAssertNil(problem { $0.until = "2025-03-11" }, "today in Berlin is still valid")
        XCTAssertEqual(problem { $0.until = "2025-06-30T18:00:00" }, "waive.until")
        XCTAssertNil(problem { $0.until = "30.06.2025" }, "a German date is a date like 2025-06-30")
        XCTAssertEqual(problem { $0.until = "31.06.2025" }, "waive.until", "no 31 June")
        XCTAssertEqual(problem { $0.reason = "  " }, "waive.empty")
        XCTAssertEqual(problem { $0.approver = "" }, "waive.empty")
        XCTAssertEqual(problem { $0.rule = "105" }, "waive.rule")
        XCTAssertEqual(problem { $0.fingerprint = "not-hex" }, "waive.fingerprint")
    }

    func testUntilWithinTheValidityLimitAndDefaultsToIt() throws {
        func problem(_ until: String?, limits: WaiverLimits = WaiverLimits(), known: Set<String>? = nil) -> String? {
            var d = draft
            d.until = until
            do {
                _ = try WaiverFile.appending(d, to: nil, file: "w.yaml", now: now, limits: limits, knownRules: known)
                return nil
            } catch let p as WaiverFile.Problem {
                return p.code
            } catch {
                return "\(error)"
            }
        }
        // Today in Berlin is 2025-03-11: at most through 2026-03-11.
        XCTAssertNil(problem("2026-03-11"))
        XCTAssertEqual(problem("2026-03-12"), "waive.until-too-late")
        XCTAssertEqual(problem("9999-12-31"), "waive.until-too-late")
        XCTAssertEqual(problem("2025-06-30", limits: WaiverLimits(maxValidityMonths: 3)), "waive.until-too-late")
        XCTAssertNil(problem("2025-06-11", limits: WaiverLimits(maxValidityMonths: 3)))
        XCTAssertEqual(problem("2025-06-30", known: ["TW201"]), "waive.unknown-rule")
        XCTAssertNil(problem("2025-06-30", known: ["TW105"]))
        // Without --until: the latest allowed date, and the file loads under the same limits.
        var d = draft
        d.until = nil
        let text = try WaiverFile.appending(d, to: nil, file: "w.yaml", now: now)
        XCTAssertTrue(text.contains("  expires: 2026-03-11\n"), text)
        XCTAssertTrue(text.contains("  created: 2025-03-11\n"), text)
        XCTAssertEqual(try WaiverSet.parse(text, file: "w.yaml", clock: now).waivers[0].expires, epoch("2026-03-12T00:00:00+01:00"))
    }

    func testRefusesToAppendToBrokenFile() {
        XCTAssertThrowsError(try WaiverFile.appending(draft, to: "- rule: TW105\n  reason: x\n", file: "w.yaml", now: now)) { error in
            XCTAssertNotNil(error as? ConfigError)
        }
    }
}
