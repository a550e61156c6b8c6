// libFuzzer target: arbitrary bytes through the streaming XML record reader.
// Built only by Fuzz/build.sh (swiftc -sanitize=fuzzer,address); not part of the SwiftPM build.
import TrennwandReaders
import TrennwandRecords

private let spec = XMLRecordSpec(
    recordPath: "/d:Dokumentation/d:Teilnehmer/d:Vermerk",
    namespaces: ["d": "urn:beispiel-traeger:dokumentation:2"],
    fieldPaths: ["@id", "d:Datum", "d:Text", "d:Kopf/d:Datum", "d:Kopf/@typ", ".", "../@nr", "@typ"])
private let plainSpec = XMLRecordSpec(recordPath: "/root/r", fieldPaths: ["@id", "a", "a/b", ".", "../@n"])

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    // Byte 0 chooses the chunk size (tags across chunk borders) and the spec.
    let knob = data[0]
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let chunks = [256 * 1024, 1, 3, 17, 4096]
    let chunk = chunks[Int(knob & 0x07) % chunks.count]
    let reader: XMLRecordReader
    do {
        reader = try XMLRecordReader(bytes: bytes, name: "fuzz.xml", spec: knob & 0x08 == 0 ? spec : plainSpec, chunkSize: chunk)
    } catch {
        fatalError("spec rejected: \(error)")
    }
    var delivered = 0
    var rejected = 0
    var lastIndex = 0
    do {
        try reader.forEachRecord({ view in
            delivered += 1
            precondition(view.index > lastIndex, "record indices must increase")
            lastIndex = view.index
            for i in 0..<8 where i < (knob & 0x08 == 0 ? 8 : 5) {
                for v in view.values(i) { _ = v.count }
            }
        }, rejected: { rejection in
            rejected += 1
            precondition(rejection.reason.code == "xml.record-cut")
        })
    } catch let e as InputError {
        precondition(e.rejection.reason.code.hasPrefix("xml.") || e.rejection.reason.code.hasPrefix("input."),
                     "unexpected code \(e.rejection.reason.code)")
    } catch {
        fatalError("forEachRecord threw a non-InputError: \(error)")
    }
    precondition(rejected <= 1, "at most the one record cut by the fatal error is rejected")
    precondition(reader.bytesRead <= Int64(bytes.count))
    return 0
}
