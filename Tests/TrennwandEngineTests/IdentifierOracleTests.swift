import Foundation
import XCTest
@testable import TrennwandEngine

/// Differential tests against python-stdnum (`stdnum.de.idnr.is_valid`, `stdnum.iban.is_valid`).
final class IdentifierOracleTests: XCTestCase {
    static let count = 100_000

    /// Deterministic generator, so a mismatch can be reproduced.
    typealias RNG = TestRNG

    static func digits(_ n: Int, _ rng: inout RNG) -> String {
        String((0..<n).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
    }

    static func steuerIDInputs() -> [String] {
        var rng = RNG(state: 0x1D)
        var out: [String] = ["", " ", "0", "36574261809", "11234567890", "11123456786", "36574261890", "36554266806",
                             "1111234567 8", "36 574 261 809", "36-574-261-809", "36.574.261.809", "36/574/261/809",
                             "36,574,261,809", " 36574261809 ", "\u{00A0}36574261809", "36–574–261–809", "3657426180a",
                             "+36574261809", "36574261809\t", "36_574_261_809"]
        while out.count < count {
            var body: String
            switch Int.random(in: 0..<10, using: &rng) {
            case 0...4: // structurally valid prefix: 10 digits, one repeated 2 or 3 times
                var pool = Array("0123456789").shuffled(using: &rng)
                let rep = pool.removeFirst()
                var ds = Array(pool.prefix(Int.random(in: 0...1, using: &rng) == 0 ? 8 : 7))
                ds += Array(repeating: rep, count: 10 - ds.count)
                ds.shuffle(using: &rng)
                body = String(ds)
                if Int.random(in: 0..<4, using: &rng) > 0, ds[0] == "0" { body = "1" + body.dropFirst() }
            case 5: body = "1" + digits(9, &rng)
            case 6: body = digits(10, &rng)
            case 7: body = String(repeating: String(Int.random(in: 1...9, using: &rng)), count: 4) + digits(6, &rng)
            default: body = String(Int.random(in: 1...9, using: &rng)) + digits(Int.random(in: 7...11, using: &rng), &rng)
            }
            var s = body
            if body.count == 10, Int.random(in: 0..<4, using: &rng) > 0,
               let c = IdentifierValidator.mod11_10CheckDigit(Array(body.utf8)) {
                s.append(Character(Unicode.Scalar(c)))
            } else if body.count == 10 {
                s += String(Int.random(in: 0...9, using: &rng))
            }
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: s = Self.spaced(s, &rng)
            case 1: s = " " + s + " "
            case 2: s = s.replacingOccurrences(of: "5", with: "-")
            default: break
            }
            out.append(s)
        }
        return out
    }

    static func spaced(_ s: String, _ rng: inout RNG) -> String {
        let seps = [" ", "-", ".", "/", ",", "  ", ":"]
        var r = ""
        for (i, c) in s.enumerated() {
            if i > 0, Int.random(in: 0..<4, using: &rng) == 0 { r += seps.randomElement(using: &rng)! }
            r.append(c)
        }
        return r
    }

    /// Countries without a stdnum national module beyond the registry check, plus DE and ME.
    static let countries = ["DE", "DE", "DE", "DE", "AT", "FR", "GB", "NL", "CH", "IT", "PL", "LU", "ME", "MU", "BR", "SC"]

    static func ibanInputs() -> [String] {
        var rng = RNG(state: 0x1BA)
        var out: [String] = ["", "DE", "DE89", "DE89370400440532013000", "DE89 3704 0044 0532 0130 00",
                             "DE88370400440532013000", "de89370400440532013000", "DE89-3704-0044-0532-0130-00",
                             "DE89.3704.0044.0532.0130.00", "XX89370400440532013000", "DE8937040044053201300A",
                             "1", "97", "DE89370400440532013000 ", "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32",
                             "NL91ABNA0417164300", "ME25505000012345678951", "AT611904300234573201"]
        let alnum = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        while out.count < count {
            let cc = countries.randomElement(using: &rng)!
            let len = IdentifierValidator.ibanLength(country: cc)! - 4
            let structure = IdentifierValidator.ibanPatterns[UInt16(cc.utf8.first!) << 8 | UInt16(cc.utf8.last!)]!
            var bban = ""
            for (n, cls) in structure {
                for _ in 0..<n {
                    switch cls {
                    case UInt8(ascii: "n"): bban += String(Int.random(in: 0...9, using: &rng))
                    case UInt8(ascii: "a"): bban.append(alnum[Int.random(in: 10..<36, using: &rng)])
                    default: bban.append(alnum.randomElement(using: &rng)!)
                    }
                }
            }
            precondition(bban.count == len)
            var check = IdentifierValidator.ibanCheckDigits(country: cc, bban: bban)!
            var s = cc + check + bban
            switch Int.random(in: 0..<12, using: &rng) {
            case 0: check = String(format: "%02d", Int.random(in: 0...99, using: &rng)); s = cc + check + bban
            case 1: s.removeLast()
            case 2: s += String(Int.random(in: 0...9, using: &rng))
            case 3: s = s.lowercased()
            case 4: s = stride(from: 0, to: s.count, by: 4).map { i in
                    String(s.dropFirst(i).prefix(4)) }.joined(separator: " ")
            case 5: s = spaced(s, &rng)
            case 6: // swap two adjacent characters (typical typo)
                var a = Array(s); let i = Int.random(in: 4..<(a.count - 1), using: &rng); a.swapAt(i, i + 1); s = String(a)
            case 7: // letter in a numeric position
                var a = Array(s); a[Int.random(in: 4..<a.count, using: &rng)] = "A"; s = String(a)
            default: break
            }
            out.append(s)
        }
        return out
    }

    static func ensureStdnum() throws -> Bool {
        func run(_ args: [String]) -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["python3"] + args
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            guard (try? p.run()) != nil else { return -1 }
            p.waitUntilExit()
            return p.terminationStatus
        }
        if run(["-c", "import stdnum"]) == 0 { return true }
        _ = run(["-m", "pip", "install", "-q", "python-stdnum"])
        return run(["-c", "import stdnum"]) == 0
    }

    /// Runs the oracle once over all inputs; returns one Bool per input.
    static func oracle(_ inputs: [(kind: String, value: String)]) throws -> [Bool] {
        let dir = FileManager.default.temporaryDirectory
        let file = dir.appendingPathComponent("trennwand-oracle-\(ProcessInfo.processInfo.processIdentifier).txt")
        defer { try? FileManager.default.removeItem(at: file) }
        try inputs.map { "\($0.kind)\t\($0.value)\n" }.joined().write(to: file, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", TestPaths.projectRoot.appendingPathComponent("Tests/oracles/stdnum_oracle.py").path, file.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map { $0 == "1" }
    }

    func testAgreesWithStdnum() throws {
        guard try Self.ensureStdnum() else { throw XCTSkip("python-stdnum not installable") }
        let ids = Self.steuerIDInputs(), ibans = Self.ibanInputs()
        let inputs = ids.map { ("idnr", $0) } + ibans.map { ("iban", $0) }
        let expected = try Self.oracle(inputs)
        XCTAssertEqual(expected.count, inputs.count)
        var mismatches: [String] = []
        var validCount = ["idnr": 0, "iban": 0]
        for (i, (kind, value)) in inputs.enumerated() where i < expected.count {
            let bytes = Array(value.utf8)
            let ours = kind == "idnr" ? IdentifierValidator.isValidSteuerID(bytes) : IdentifierValidator.isValidIBAN(bytes)
            if expected[i] { validCount[kind, default: 0] += 1 }
            if ours != expected[i] { mismatches.append("\(kind) '\(value)': stdnum \(expected[i]), ours \(ours)") }
        }
        print("oracle: \(ids.count) Steuer-ID inputs (\(validCount["idnr"]!) valid), \(ibans.count) IBAN inputs (\(validCount["iban"]!) valid), \(mismatches.count) mismatches")
        XCTAssertTrue(mismatches.isEmpty, mismatches.prefix(20).joined(separator: "\n"))
        XCTAssertGreaterThan(validCount["idnr"]!, Self.count / 5)
        XCTAssertGreaterThan(validCount["iban"]!, Self.count / 5)
    }
}
