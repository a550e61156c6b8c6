// libFuzzer target: records through the shipped source profiles (CSV reader or XML reader, then
// ProfileNormaliser: timestamps, numbers, yes/no, value maps, splitting). Byte 0 picks the sample
// format (a sample's header line is put in front of the rest for CSV; XML gets the bytes as they are).
// Reads Samples/ and Rules/profiles/ relative to the working directory (Fuzz/run.sh: project root).
// Built only by Fuzz/build.sh (swiftc -sanitize=fuzzer,address); not part of the SwiftPM build.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TrennwandReaders
import TrennwandRecords

private struct Format {
    var profile: SourceProfile
    var header: [UInt8]  // CSV: the sample's first line including its line end; XML: empty
}

private let formats: [Format] = {
    do {
        let catalog = try ProfileCatalog(directories: ["Rules/profiles"])
        let files = ["Samples/Traeger-Zugriffe.csv", "Samples/Jobcenter-Zugriffe.csv", "Samples/Plattform-Datenfluesse.csv",
                     "Samples/Traeger-Dokumentation.xml"]
            + ["Abordnungen", "Angebote", "Einwilligungen", "Mitarbeitende", "Teilnehmende", "Vereinbarungen"]
            .map { "Samples/Stammdaten/\($0).csv" }
        return try files.map { file in
            let profile = try catalog.detect(file: file)
            guard profile.format == .csv else { return Format(profile: profile, header: []) }
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: file)))
            let end = (bytes.firstIndex(of: 0x0A) ?? bytes.count - 1) + 1
            return Format(profile: profile, header: Array(bytes[..<end]))
        }
    } catch {
        fatalError("fuzz-normalise must run from the project root: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let format = formats[Int(data[0]) % formats.count]
    let body = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    var normalised = 0
    var rejected = 0
    func take(_ outcome: NormaliseOutcome) {
        switch outcome {
        case .record(let r):
            normalised += 1
            precondition(r.kind == format.profile.kind)
        case .rejected(let rejection):
            rejected += 1
            precondition(rejection.reason.code.hasPrefix("profile."), "unexpected code \(rejection.reason.code)")
        }
    }
    do {
        switch format.profile.format {
        case .csv:
            let reader = try CSVReader(bytes: format.header + body, name: "fuzz.csv",
                                       dialect: CSVDialect(delimiter: format.profile.delimiter, encoding: format.profile.encoding))
            let normaliser = try ProfileNormaliser(profile: format.profile, header: reader.header, file: "fuzz.csv")
            var readerRejected = 0
            do {
                try reader.forEachRecord({ take(normaliser.normalise($0)) }, rejected: { _ in readerRejected += 1 })
            } catch is InputError {}
            precondition(reader.recordCount == normalised + rejected + readerRejected, "accounting")
        case .xml:
            let normaliser = try ProfileNormaliser(profile: format.profile, file: "fuzz.xml")
            let reader = try XMLRecordReader(bytes: body, name: "fuzz.xml", spec: normaliser.xmlSpec, chunkSize: 4096)
            do {
                try reader.forEachRecord({ take(normaliser.normalise($0)) }, rejected: { _ in })
            } catch is InputError {}
        case .jsonl:
            return 0  // no JSON Lines sample among the shipped profiles; fuzz-jsonl covers the format
        }
    } catch is InputError {
        // Header broken by the input (CSV with an open quote in the header line and so on).
    } catch {
        fatalError("unexpected error: \(error)")
    }
    return 0
}
