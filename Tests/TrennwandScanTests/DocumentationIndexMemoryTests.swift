#if canImport(Glibc)
import Foundation
import Glibc
import TrennwandEngine
import TrennwandRecords
import XCTest
@testable import TrennwandScan

/// The documentation index stays small per entry: the number behind "entries per GB" in
/// docs/performance.md. `TRENNWAND_INDEX_ENTRIES=1000000` measures the documented size.
final class DocumentationIndexMemoryTests: XCTestCase {
    /// Resident set size in bytes (/proc/self/statm; `mallinfo2` would be exact, but <malloc.h> is not
    /// part of Swift's Glibc module). Memory freed by earlier tests and reused makes the number
    /// smaller: the documented figure is measured with this test run alone (`--filter`).
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    func testIndexCostsFewHundredBytesPerEntry() {
        let n = ProcessInfo.processInfo.environment["TRENNWAND_INDEX_ENTRIES"].flatMap(Int.init) ?? 100_000
        let file = "Traeger-Dokumentation.xml"
        let idSlot = RecordKind.documentation.schema.slot("record_id")!
        let before = Self.residentBytes()
        var rows: [Record] = []
        for i in 0..<n {
            // As read from an export: every value its own allocation, text and all.
            var r = Record(kind: .documentation, locator: Locator(file: file, line: i + 3, byteOffset: Int64(i) * 900, index: i,
                                                                  recordID: "V-\(1_000_000 + i)"))
            r["record_id"] = .string(ByteString("V-\(1_000_000 + i)"))
            r["subject"] = .string(ByteString("TN-2025-\(10_000 + i % 50_000)"))
            r["author"] = .string(ByteString("TR-M-\(1000 + i % 200)"))
            r["author_org"] = .string("traeger")
            r["doc_type"] = .string(ByteString("Folgegespräch"))
            r["visibility"] = .string("team")
            r["team"] = .string(ByteString("Beratungsteam \(["Nord", "Süd", "Mitte"][i % 3])"))
            r["text"] = .list([ByteString(String(repeating: "Vermerk über ein Beratungsgespräch. ", count: 20))])
            rows.append(DocumentationIndex.entry(of: r))
        }
        let tables = ReferenceTables([.documentation: rows])
        rows = []
        let index = tables.index(.documentation, column: idSlot)
        let perEntry = (Self.residentBytes() - before) / n
        XCTAssertEqual(index.candidates(ByteString("V-\(1_000_000 + n - 1)")).count, 1)
        print("documentation index: \(n) entries, \(perEntry) bytes per entry, \(1_073_741_824 / max(perEntry, 1)) entries per GiB")
        // Bound, not the measurement: the text must never be kept, the index stays below 1 KB per entry.
        XCTAssertLessThan(perEntry, 1_000)
    }
}
#endif
