// libFuzzer target: arbitrary bytes through the JSON Lines reader as a file, read whole and in chunks.
// Built only by Fuzz/build.sh (swiftc -sanitize=fuzzer,address); not part of the SwiftPM build.
#if canImport(Glibc)
import Glibc
#endif
import TrennwandReaders
import TrennwandRecords

private let profile: SourceProfile = {
    do {
        return try SourceProfile.parse(yaml: """
            id: fuzz-jsonl
            title: { de: Fuzz, en: Fuzz }
            kind: documentation
            format: jsonl
            detect: { keys: [id] }
            fields:
              record_id: id
              time: { path: ts, default: "2025-01-01" }
              author: user.name
              text: { paths: [msg, _source.event.text, "a\\\\.b"] }
              attachments: tags
              deleted: gone
            """, file: "fuzz.yaml")
    } catch { fatalError("profile: \(error)") }
}()
private let catalog = try! ProfileCatalog(profiles: [profile])
private let path = "/tmp/trennwand-fuzz-jsonl-\(getpid()).jsonl"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    // Byte 0 chooses the chunk size (lines across chunk borders).
    let chunks = [1, 7, 64, 4096]
    let chunkBytes = chunks[Int(data[0]) % chunks.count]
    guard let f = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    _ = fwrite(data + 1, 1, size - 1, f)
    fclose(f)

    let whole = Ingest.run(file: path, profile: profile, catalog: catalog) { _ in }
    let a = whole.account
    precondition(a.isBalanced, "read must equal normalised + rejected")
    for r in a.rejections {
        precondition(r.reason.code.hasPrefix("jsonl.") || r.reason.code.hasPrefix("profile."), "unexpected code \(r.reason.code)")
        precondition(r.locator.line >= 1 && r.locator.index >= 1)
    }
    if let e = a.fileError {
        precondition(e.reason.code.hasPrefix("input.") || e.reason.code.hasPrefix("profile."), "unexpected file error \(e.reason.code)")
        return 0
    }
    // Chunked reading accounts for the same records.
    guard let source = Ingest.chunkSource(path: path, profile: profile),
          let normaliser = try? source.normaliser(profile: profile),
          let starts = try? source.boundaries(chunkBytes: chunkBytes) else { return 0 }
    var read = 0, rejected = 0, expected = source.dataStart
    for (k, start) in starts.enumerated() {
        precondition(start == expected, "chunks start where the previous one ended")
        let end = k + 1 < starts.count ? starts[k + 1] : Int64.max
        let outcome = Ingest.runChunk(source, normaliser: normaliser, start: start, end: end) { _ in }
        precondition(outcome.account.fileError == nil)
        read += outcome.account.read
        rejected += outcome.account.rejected
        expected = outcome.end
    }
    precondition(read == a.read && rejected == a.rejected, "chunked \(read)/\(rejected) vs whole \(a.read)/\(a.rejected)")
    return 0
}
