// libFuzzer target: arbitrary text through the source-profile YAML parser and, when a profile
// loads, through the normaliser setup. Every failure must be a ConfigError naming file:line:column.
// Built only by Fuzz/build.sh (swiftc -sanitize=fuzzer,address); not part of the SwiftPM build.
import TrennwandReaders
import TrennwandRecords

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let profile: SourceProfile
    do {
        profile = try SourceProfile.parse(yaml: text, file: "fuzz.yaml")
    } catch let e as ConfigError {
        precondition(e.position.file == "fuzz.yaml" && e.position.line >= 0, "error without position: \(e)")
        return 0
    } catch {
        // Errors of the YAML layer itself (Yams scanner/parser) are accepted too, but never a crash.
        return 0
    }
    do {
        switch profile.format {
        case .xml:
            let normaliser = try ProfileNormaliser(profile: profile, file: "fuzz.xml")
            try normaliser.xmlSpec.validate()
        case .csv:
            // The header names the profile's own detect columns: compiles every column source.
            _ = try? ProfileNormaliser(profile: profile, header: profile.detectHeader, file: "fuzz.csv")
        case .jsonl:
            _ = try ProfileNormaliser(profile: profile, file: "fuzz.jsonl")
        }
    } catch {
        return 0
    }
    return 0
}
