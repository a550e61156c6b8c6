import Foundation
import TrennwandReaders

/// `trennwand-bench csv [--mb N]`: CSV reader throughput next to `wc -l` on the same file.
///
/// Generates a synthetic `;`-separated Windows-1252 access log with German headers (12 columns,
/// some quoted fields with `;` and `""`, umlauts in some rows; synthetic values only), then times
/// `wc -l` and the reader (counting records and touching every field). Best of three runs each,
/// warm page cache.
enum CSVReaderBench {
    static func run(megabytes: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-bench-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("access.csv").path
        let size = try generate(path: path, bytes: megabytes << 20)
        let mb = Double(size) / 1_000_000
        print("file: \(path) (\(String(format: "%.1f", mb)) MB)")

        var wcBest = Double.infinity
        var wcLines = ""
        for _ in 0..<3 {
            let (seconds, output) = try time { try runWC(path) }
            wcBest = min(wcBest, seconds)
            wcLines = output
        }
        var readerBest = Double.infinity
        var records = 0
        var rejected = 0
        var checksum = 0
        for _ in 0..<3 {
            let (seconds, result) = try time { try readAll(path) }
            readerBest = min(readerBest, seconds)
            (records, rejected, checksum) = result
        }
        print("wc -l        : \(String(format: "%8.1f", mb / wcBest)) MB/s  (\(wcLines) lines, \(String(format: "%.3f", wcBest)) s)")
        print("CSVReader    : \(String(format: "%8.1f", mb / readerBest)) MB/s  (\(records) records, \(rejected) rejected, checksum \(checksum), \(String(format: "%.3f", readerBest)) s)")
        print("reader / wc  : \(String(format: "%.2f", wcBest / readerBest))")
    }

    private static func time<T>(_ work: () throws -> T) rethrows -> (Double, T) {
        let clock = ContinuousClock()
        var result: T?
        let elapsed = try clock.measure { result = try work() }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return (seconds, result!)
    }

    private static func runWC(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/wc")
        process.arguments = ["-l", path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: " ").first.map(String.init) ?? "?"
    }

    private static func readAll(_ path: String) throws -> (Int, Int, Int) {
        let reader = try CSVReader(path: path)
        var records = 0
        var rejected = 0
        var checksum = 0
        try reader.forEachRecord({ row in
            records &+= 1
            for i in 0..<row.count {
                let field = row.field(i)
                checksum &+= field.count
                if let first = field.first { checksum ^= Int(first) }
            }
        }, rejected: { _ in rejected &+= 1 })
        return (records, rejected, checksum)
    }

    /// Writes about `bytes` bytes of synthetic log; returns the exact size.
    private static func generate(path: String, bytes target: Int) throws -> Int {
        guard let file = fopen(path, "wb") else { throw CocoaError(.fileWriteUnknown) }
        defer { fclose(file) }
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        // cp1252: ß = 0xDF, ä = 0xE4, ü = 0xFC, Ö = 0xD6
        out += Array("Zeitpunkt;Benutzerkennung;Organisation;Rolle;System;Aktion;Kunden-Nr.;Datenkategorie;Arbeitsplatz;Netz;Zweck;Bemerkung\r\n".utf8)
        let systems = ["VerBIS", "ALLEGRO", "eAkte", "zPDV", "coSach", "TraegerDoku"].map { Array($0.utf8) }
        let actions = ["Lesen", "Suchen", "Anlegen", "Aendern", "Export", "Drucken"].map { Array($0.utf8) }
        let categories = ["sozial.leistung", "stamm", "vermittlung", "beratung", "teilnahme", "kennung"].map { Array($0.utf8) }
        let roles = ["Fallmanagement", "Arbeitsvermittlung", "Leistung", "Coaching"].map { Array($0.utf8) }
        let remarks: [[UInt8]] = [
            [], Array("ok".utf8),
            Array("\"R".utf8) + [0xFC] + Array("ckfrage; Termin verschoben\"".utf8),
            Array("\"Gespr".utf8) + [0xE4] + Array("ch \"\"intern\"\" Ma".utf8) + [0xDF] + Array("nahme\"".utf8),
            Array("Bewerbungsunterlagen gepr".utf8) + [0xFC] + Array("ft".utf8),
        ]
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: state >> 33)
        }
        func digits(_ value: Int, _ width: Int) {
            var v = value
            var tmp = [UInt8](repeating: 0x30, count: width)
            for k in stride(from: width - 1, through: 0, by: -1) {
                tmp[k] = UInt8(0x30 + v % 10)
                v /= 10
            }
            out += tmp
        }
        var written = 0
        var second = 0
        while written < target {
            second += 1 + next() % 5
            out += Array("2024-".utf8); digits(1 + (second / 2_592_000) % 12, 2); out.append(0x2D)
            digits(1 + (second / 86_400) % 28, 2); out.append(0x54); digits((second / 3600) % 24, 2)
            out.append(0x3A); digits((second / 60) % 60, 2); out.append(0x3A); digits(second % 60, 2)
            out.append(0x3B)
            let jobcenter = next() % 3 != 0
            out += Array((jobcenter ? "jc-ma" : "tr-ma").utf8); digits(next() % 5000, 4); out.append(0x3B)
            out += Array((jobcenter ? "jobcenter" : "traeger").utf8); out.append(0x3B)
            out += roles[next() % roles.count]; out.append(0x3B)
            out += systems[next() % systems.count]; out.append(0x3B)
            out += actions[next() % actions.count]; out.append(0x3B)
            out.append(0x4B); digits(next() % 1_000_000, 7); out.append(0x3B)
            out += categories[next() % categories.count]; out.append(0x3B)
            out += Array("WS-".utf8); out += Array((jobcenter ? "JC-" : "TR-").utf8); digits(next() % 1000, 4); out.append(0x3B)
            out += Array((next() % 10 == 0 ? "extern" : (jobcenter ? "jobcenter" : "traeger")).utf8); out.append(0x3B)
            out += Array((next() % 2 == 0 ? "Beratung" : "\"Leistung; Pruefung\"").utf8); out.append(0x3B)
            out += remarks[next() % remarks.count]
            out += [0x0D, 0x0A]
            if out.count >= (1 << 20) - 512 {
                written += out.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
                out.removeAll(keepingCapacity: true)
            }
        }
        written += out.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        return written
    }
}
