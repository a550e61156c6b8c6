// libFuzzer target: arbitrary bytes through the CSV reader with detected dialect.
// Built only by Fuzz/build.sh (swiftc -sanitize=fuzzer,address); not part of the SwiftPM build.
@testable import TrennwandReaders
import TrennwandRecords

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    // Byte 0 chooses the read block size (records across block borders) and the dialect.
    let knob = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let blockSizes = [CSVReader.defaultBlockSize, 1, 7, 64, 4096]
    let blockSize = blockSizes[Int(knob & 0x07) % blockSizes.count]
    let encodings: [TextEncoding?] = [nil, .utf8, .windows1252, .iso885915]
    let delimiters: [UInt8?] = [nil, UInt8(ascii: ","), UInt8(ascii: ";"), 0x09]
    let dialect = CSVDialect(delimiter: delimiters[Int(knob >> 3 & 0x03)], encoding: encodings[Int(knob >> 5 & 0x03)],
                             hasHeader: knob & 0x80 == 0)
    let reader: CSVReader
    do {
        reader = try CSVReader(bytes: bytes, name: "fuzz.csv", dialect: dialect, blockSize: blockSize)
    } catch is InputError {
        return 0
    } catch {
        fatalError("CSVReader.init threw a non-InputError: \(error)")
    }
    var delivered = 0
    var rejected = 0
    var checksum = 0
    // With a header the field count is known up front; without, the first record sets it.
    let expected = reader.expectedFieldCount
    do {
        try reader.forEachRecord({ row in
            delivered += 1
            precondition(expected == nil || row.count == expected, "delivered a ragged row")
            for i in 0..<row.count {
                let field = row.field(i)
                // Every delivered field is valid UTF-8 (transcoded or checked).
                precondition(firstInvalidUTF8(field.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!, field.count) == field.count,
                             "delivered field is not UTF-8")
                checksum &+= field.count
            }
        }, rejected: { rejection in
            rejected += 1
            precondition(!rejection.reason.code.isEmpty)
        })
    } catch is InputError {
        // csv.record-too-large or a read error: the records before it were delivered.
    } catch {
        fatalError("forEachRecord threw a non-InputError: \(error)")
    }
    precondition(reader.recordCount == delivered + rejected, "accounting: \(reader.recordCount) != \(delivered) + \(rejected)")
    precondition(reader.bytesRead <= Int64(bytes.count))
    _ = checksum
    return 0
}
