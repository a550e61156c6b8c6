import CTrennwandVectorscan
import Dispatch
import Foundation
import Synchronization
import TrennwandRecords

/// One detector match in a text: which detector, in which piece (text field), which bytes.
public struct DetectorHit: Sendable, Hashable {
    /// Index of the detector in `DetectorSet.detectors`.
    public var detector: Int
    /// Index of the text piece (several text fields per record) the hit is in.
    public var piece: Int
    /// Byte range within that piece. Identifiers: the identifier with its inner spaces.
    /// Keywords: the whole word (or phrase) the term was found in, for masking.
    public var range: Range<Int>

    public init(detector: Int, piece: Int, range: Range<Int>) {
        self.detector = detector
        self.piece = piece
        self.range = range
    }
}

/// What a detector is: an identifier with validation, or a keyword list of a data category.
public struct DetectorInfo: Sendable, Hashable {
    public enum Kind: String, Sendable { case identifier, keywords }
    /// Name used in rule conditions: `steuer_id`, `iban`, `rv_nummer`, `kvnr`, `ausweis`,
    /// `kundennummer`, `bg_nummer`, and one per keyword list (its file name: `gesundheit`,
    /// `sanktion`, …).
    public var name: String
    public var kind: Kind
    /// Taxonomy category the detector reveals, e.g. `kennung.steuer_id` or `gesundheit.gutachten`.
    public var category: String
    public var title: Localized

    public init(name: String, kind: Kind, category: String, title: Localized) {
        self.name = name
        self.kind = kind
        self.category = category
        self.title = title
    }
}

/// The detectors of one text field kind, matched in one pass: all results of one record.
public struct DetectionResult: Sendable {
    /// Validated hits, ordered by piece, then start, then detector.
    public var hits: [DetectorHit]
    /// Bit i set when detector i has at least one (validated) hit.
    public var mask: [UInt64]

    public init(hits: [DetectorHit], detectorCount: Int) {
        self.hits = hits
        self.mask = Array(repeating: 0, count: (detectorCount + 63) / 64)
        for h in hits { mask[h.detector >> 6] |= 1 << UInt64(h.detector & 63) }
    }

    @inline(__always)
    public func fired(_ detector: Int) -> Bool {
        mask[detector >> 6] & (1 << UInt64(detector & 63)) != 0
    }
}

/// All detectors (identifier validators and keyword lists) compiled into Vectorscan block-mode
/// databases, then validation (check digits, word boundaries, context words, exclusions).
/// Keyword terms are one database scanned over every text piece. Identifier candidates are a
/// second one, scanned only over the runs of the text an `IdentifierPrefilter` finds (the
/// candidate patterns have no literal, so Vectorscan would step through every byte of prose:
/// identifier detection over the 256 MB bench export 0.52 s → see docs/performance.md).
/// Context words of identifiers live in a third database that is scanned only for a piece in
/// which a candidate needing context has passed its check: most pieces never need it.
///
/// Thread safety: the set is immutable and shareable; scanning needs per-thread scratch space,
/// so each thread calls `makeScanner()` once. `scan(_:)` is a convenience that borrows a scanner
/// from a small lock-protected pool.
public final class DetectorSet: @unchecked Sendable {
    /// Identifiers first (in `detectors.yaml` order), then keyword lists sorted by name.
    public let detectors: [DetectorInfo]

    /// What a Vectorscan pattern id stands for.
    enum Role {
        case keyword(detector: Int, left: Bool, right: Bool)
        case identifier(detector: Int)
        case context(detector: Int, left: Bool, right: Bool)
    }

    struct IdentifierRuntime {
        var check: IdentifierCheck
        var contextRequired: Bool
        var windowBefore: Int
        var windowAfter: Int
    }

    let roles: [Role]
    /// Roles of the context database's patterns (all `.context`).
    let contextRoles: [Role]
    let contextDatabase: OpaquePointer?
    /// Per detector: identifier settings (nil for keyword lists).
    let identifierRuntime: [IdentifierRuntime?]
    /// Per detector: exclude entries (keyword lists).
    let excludes: [[ExcludeEntry]]
    /// Identifier candidate patterns (pattern ids index `roles`); nil without identifiers.
    let identifierDatabase: OpaquePointer?
    /// Where identifier candidates can lie; nil: scan the whole text for them.
    let prefilter: IdentifierPrefilter?
    /// Keyword terms (pattern ids index `roles`), compiled without start-of-match tracking; nil
    /// without keyword lists.
    let keywordDatabase: OpaquePointer?
    /// Per pattern id (`roles`): the byte length of its matches, `spanningStart` for a keyword
    /// term whose matches vary in length (its start found from its end with `spanningAtoms`),
    /// `reportedStart` for a pattern compiled with start-of-match tracking (identifiers). Held as
    /// a buffer: the match callback reads it without retaining an array.
    let matchLengths: UnsafeBufferPointer<Int32>
    /// Per pattern id: the atoms of a keyword term whose matches vary in length, else nil.
    let spanningAtoms: [[KeywordAtom]?]
    static let reportedStart: Int32 = -1
    static let spanningStart: Int32 = -2
    /// Number of Vectorscan patterns in the database.
    public let patternCount: Int
    /// Candidate expression (Vectorscan syntax) per identifier detector name, for comparisons.
    public let identifierPatterns: [(name: String, pattern: String)]
    /// Per database (context, identifier, keyword; nil: none): compiled now or loaded from the cache.
    package let origins: [DetectorDatabaseCache.Origin?]

    private let poolLock = NSLock()
    private var pool: [DetectorScanner] = []

    /// Loads `listsDirectory/*.yaml` (keyword lists) and `detectors.yaml` from its parent
    /// directory (the `Rules` directory), and compiles everything.
    public convenience init(listsDirectory: String) throws {
        let rules = (listsDirectory as NSString).deletingLastPathComponent
        try self.init(detectorsFile: (rules as NSString).appendingPathComponent("detectors.yaml"),
                      listsDirectory: listsDirectory)
    }

    /// Loads `rulesDirectory/detectors.yaml` and `rulesDirectory/lists/*.yaml`; compiled databases
    /// are taken from and kept in `cache` when given.
    public convenience init(rulesDirectory: String, cache: DetectorDatabaseCache? = nil) throws {
        try self.init(detectorsFile: (rulesDirectory as NSString).appendingPathComponent("detectors.yaml"),
                      listsDirectory: (rulesDirectory as NSString).appendingPathComponent("lists"), cache: cache)
    }

    /// Loads the identifier configuration (`detectorsFile`, nil for none) and all `*.yaml` list files
    /// in `listsDirectory` (nil for none). Errors are `ConfigError`s with file:line:column.
    public convenience init(detectorsFile: String?, listsDirectory: String?, cache: DetectorDatabaseCache? = nil) throws {
        try self.init(detectorsFile: detectorsFile, listsDirectory: listsDirectory, prefilter: true, cache: cache)
    }

    /// `prefilter: false` scans whole texts for identifier candidates, `startTracking: true` has
    /// Vectorscan report every keyword match's start (tests compare both ways).
    init(detectorsFile: String?, listsDirectory: String?, prefilter usePrefilter: Bool, startTracking: Bool = false,
         cache: DetectorDatabaseCache? = nil) throws {
        var infos: [DetectorInfo] = []
        var roles: [Role] = []
        var identifierPatterns = PatternList()
        var keywordPatterns = PatternList()
        var runtime: [IdentifierRuntime?] = []
        var excludes: [[ExcludeEntry]] = []
        var idPatterns: [(name: String, pattern: String)] = []
        var contextRoles: [Role] = []
        var contextPatterns = PatternList()
        // Parallel to `roles`: how each pattern's start is known (`matchLengths`, `spanningAtoms`).
        var lengths: [Int32] = []
        var spanning: [[KeywordAtom]?] = []
        let caseless = UInt32(HS_FLAG_CASELESS), som = UInt32(HS_FLAG_SOM_LEFTMOST)

        if let detectorsFile {
            for id in try IdentifierConfig.loadAll(path: detectorsFile) {
                let d = infos.count
                infos.append(DetectorInfo(name: id.name, kind: .identifier, category: "kennung.\(id.name)", title: id.title))
                runtime.append(IdentifierRuntime(check: id.check, contextRequired: id.contextRequired,
                                                 windowBefore: id.windowBefore, windowAfter: id.windowAfter))
                excludes.append([])
                idPatterns.append((id.name, id.pattern))
                identifierPatterns.append(id.pattern, flags: som, id: roles.count, position: id.patternPosition)
                roles.append(.identifier(detector: d))
                lengths.append(Self.reportedStart)
                spanning.append(nil)
                for c in id.context {
                    contextPatterns.append(c.expression, flags: caseless | som, id: contextRoles.count, position: c.position)
                    contextRoles.append(.context(detector: d, left: c.leftBoundary, right: c.rightBoundary))
                }
            }
        }
        if let listsDirectory {
            let files: [String]
            do {
                files = try FileManager.default.contentsOfDirectory(atPath: listsDirectory)
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
            } catch {
                throw ConfigError(SourcePosition(file: listsDirectory, line: 1, column: 1), code: "detectors.lists",
                                  de: "Listenverzeichnis kann nicht gelesen werden", en: "lists directory cannot be read")
            }
            for file in files {
                let list = try KeywordList.load(path: (listsDirectory as NSString).appendingPathComponent(file))
                if let clash = infos.firstIndex(where: { $0.name == list.name }) {
                    throw ConfigError(SourcePosition(file: file, line: 1, column: 1), code: "detectors.name",
                                      de: "Name „\(list.name)“ schon vergeben (Detektor \(clash))",
                                      en: "name '\(list.name)' already used (detector \(clash))")
                }
                let d = infos.count
                infos.append(DetectorInfo(name: list.name, kind: .keywords, category: list.category, title: list.title))
                runtime.append(nil)
                excludes.append(list.excludes)
                for t in list.terms {
                    // Without start-of-match tracking (libhs 7.5 → 6.3 % of a one-thread XML scan's samples):
                    // a match's start is its end minus the term's length, or for a term whose
                    // matches vary in length (a space, `ß`) found from its end (`KeywordAtom`).
                    keywordPatterns.append(t.expression, flags: startTracking ? caseless | som : caseless, id: roles.count,
                                           position: t.position)
                    lengths.append(startTracking ? Self.reportedStart : Int32(t.fixedLength ?? Int(Self.spanningStart)))
                    spanning.append(startTracking || t.fixedLength != nil ? nil : t.atoms)
                    roles.append(.keyword(detector: d, left: t.leftBoundary, right: t.rightBoundary))
                }
            }
        }
        guard !identifierPatterns.expressions.isEmpty || !keywordPatterns.expressions.isEmpty else {
            throw ConfigError(SourcePosition(file: listsDirectory ?? detectorsFile ?? "-", line: 1, column: 1),
                              code: "detectors.empty", de: "keine Detektoren konfiguriert", en: "no detectors configured")
        }
        self.detectors = infos
        self.roles = roles
        precondition(lengths.count == roles.count && spanning.count == roles.count)
        let fixed = UnsafeMutableBufferPointer<Int32>.allocate(capacity: lengths.count)
        _ = fixed.initialize(from: lengths)
        self.matchLengths = UnsafeBufferPointer(fixed)
        self.spanningAtoms = spanning
        self.identifierRuntime = runtime
        self.excludes = excludes
        self.patternCount = identifierPatterns.expressions.count + keywordPatterns.expressions.count
            + contextPatterns.expressions.count
        self.prefilter = usePrefilter
            ? IdentifierPrefilter(patterns: identifierPatterns.expressions, flags: identifierPatterns.flags) : nil
        self.identifierPatterns = idPatterns
        self.contextRoles = contextRoles
        // The databases are compiled side by side (Vectorscan's compiler is reentrant): the
        // compile is most of a scan's start, while nothing else runs yet (docs/executor.md), unless
        // the cache has them (DetectorDatabaseCache). Errors are reported in the order context,
        // identifier, keyword patterns.
        let lists = [contextPatterns, identifierPatterns, keywordPatterns]
        let results = Mutex<[Result<CompiledDatabase, any Error>?]>(Array(repeating: nil, count: lists.count))
        DispatchQueue.concurrentPerform(iterations: lists.count) { k in
            guard !lists[k].expressions.isEmpty else { return }
            let r = Result { try Self.database(lists[k], cache: cache) }
            results.withLock { $0[k] = r }
        }
        var databases: [OpaquePointer?] = []
        var origins: [DetectorDatabaseCache.Origin?] = []
        var failure: (any Error)?
        for r in results.withLock({ $0 }) {
            switch r {
            case .success(let db)?: databases.append(db.pointer); origins.append(db.origin)
            case .failure(let error)?: databases.append(nil); origins.append(nil); failure = failure ?? error
            case nil: databases.append(nil); origins.append(nil)
            }
        }
        self.origins = origins
        if let failure {
            databases.compactMap { $0 }.forEach { hs_free_database($0) }
            throw failure
        }
        contextDatabase = databases[0]
        identifierDatabase = databases[1]
        keywordDatabase = databases[2]
    }

    /// Patterns of one database: expression, flags, the id reported for it, where it was written.
    private struct PatternList: Sendable {
        var expressions: [String] = []
        var flags: [UInt32] = []
        var ids: [UInt32] = []
        var positions: [SourcePosition] = []

        mutating func append(_ expression: String, flags: UInt32, id: Int, position: SourcePosition) {
            expressions.append(expression)
            self.flags.append(flags)
            ids.append(UInt32(id))
            positions.append(position)
        }
    }

    /// A compiled database handed from the compiling thread (nothing else refers to it yet).
    private struct CompiledDatabase: @unchecked Sendable {
        let pointer: OpaquePointer
        let origin: DetectorDatabaseCache.Origin
    }

    /// The database of `list`: from `cache` when it holds one compiled from exactly these
    /// patterns, else compiled (and stored there).
    private static func database(_ list: PatternList, cache: DetectorDatabaseCache?) throws -> CompiledDatabase {
        guard let cache else { return CompiledDatabase(pointer: try compile(list), origin: .compiled) }
        let key = DetectorDatabaseCache.key(expressions: list.expressions, flags: list.flags, ids: list.ids)
        if let db = cache.load(key: key) { return CompiledDatabase(pointer: db, origin: .cached) }
        let db = try compile(list)
        cache.store(db, key: key)
        return CompiledDatabase(pointer: db, origin: .compiled)
    }

    private static func compile(_ list: PatternList) throws -> OpaquePointer {
        let (expressions, flags, ids, positions) = (list.expressions, list.flags, list.ids, list.positions)
        let cStrings = expressions.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        var db: OpaquePointer?
        var err: UnsafeMutablePointer<hs_compile_error_t>?
        let rc = cStrings.map { UnsafePointer($0) }.withUnsafeBufferPointer { exprs in
            hs_compile_multi(exprs.baseAddress, flags, ids, UInt32(expressions.count), UInt32(HS_MODE_BLOCK), nil, &db, &err)
        }
        guard rc == HS_SUCCESS, let db else {
            let message = err.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "error \(rc)"
            let index = Int(err?.pointee.expression ?? -1)
            if let err { hs_free_compile_error(err) }
            let position = index >= 0 && index < positions.count
                ? positions[index] : positions.first ?? SourcePosition(file: "-", line: 1, column: 1)
            let expr = index >= 0 && index < expressions.count ? expressions[index] : ""
            throw ConfigError(position, code: "detectors.compile",
                              de: "Muster „\(expr)“ nicht übersetzbar: \(message)",
                              en: "pattern '\(expr)' cannot be compiled: \(message)")
        }
        return db
    }

    deinit {
        matchLengths.deallocate()
        if let identifierDatabase { hs_free_database(identifierDatabase) }
        if let keywordDatabase { hs_free_database(keywordDatabase) }
        if let contextDatabase { hs_free_database(contextDatabase) }
    }

    public func index(of name: String) -> Int? { detectors.firstIndex { $0.name == name } }

    /// A scanner with its own scratch space, for use on one thread at a time.
    public func makeScanner() -> DetectorScanner { DetectorScanner(set: self) }

    /// Scans every piece and returns the validated hits. Thread-safe; borrows a pooled scanner.
    public func scan(_ pieces: [ByteString]) -> DetectionResult {
        poolLock.lock()
        let scanner = pool.popLast() ?? makeScanner()
        poolLock.unlock()
        let result = scanner.scan(pieces)
        poolLock.lock()
        if pool.count < 16 { pool.append(scanner) }
        poolLock.unlock()
        return result
    }
}

/// Raw matches of one `hs_scan` call.
final class MatchSink {
    var ids: [UInt32] = []
    var froms: [Int] = []
    var tos: [Int] = []
    /// Added to reported offsets: where the scanned bytes start in the piece.
    var base = 0
    /// Per pattern id: how a match's start is known (`DetectorSet.matchLengths`); empty for a
    /// database whose patterns all report their start (context words).
    var matchLengths = UnsafeBufferPointer<Int32>(start: nil, count: 0)
    /// Whether a match was added whose start is still to be found (`spanningStart`; `from` is -1).
    var startsPending = false
    func reset() {
        ids.removeAll(keepingCapacity: true)
        froms.removeAll(keepingCapacity: true)
        tos.removeAll(keepingCapacity: true)
        startsPending = false
    }
}

private let onMatch: match_event_handler = { id, from, to, _, context in
    // Borrowed: taking the sink retained and released it for every match.
    Unmanaged<MatchSink>.fromOpaque(context!)._withUnsafeGuaranteedRef { sink in
        sink.ids.append(id)
        let i = Int(id)
        let length = i < sink.matchLengths.count ? Int(sink.matchLengths[i]) : Int(DetectorSet.reportedStart)
        if length >= 0 {
            sink.froms.append(sink.base + Int(to) - length)
        } else if length == Int(DetectorSet.spanningStart) {
            sink.froms.append(-1)
            sink.startsPending = true
        } else {
            sink.froms.append(sink.base + Int(from))
        }
        sink.tos.append(sink.base + Int(to))
    }
    return 0
}

/// Scans texts with a `DetectorSet` on one thread: owns the Vectorscan scratch space (freed on
/// deinit). Not `Sendable`: make one per thread with `DetectorSet.makeScanner()`.
public final class DetectorScanner {
    public let set: DetectorSet
    private var scratch: OpaquePointer?
    private let sink = MatchSink()
    private let contextSink = MatchSink()
    /// The hits of `fire(pieces:_:into:)`, kept between calls for their storage.
    private var hitScratch: [DetectorHit] = []
    /// This scanner's copies of the set's tables that validation reads per piece and hit: the
    /// set is shared by every scan worker's scanner, and reading its arrays retained them on
    /// cache lines the workers contended for. Trivial values in buffers: read without retaining.
    private let roles: UnsafeMutableBufferPointer<DetectorSet.Role>
    private let runtime: UnsafeMutableBufferPointer<DetectorSet.IdentifierRuntime?>
    /// Per detector: whether its list has exclude entries (the entries are read from the set, rarely).
    private let hasExcludes: UnsafeMutableBufferPointer<Bool>

    init(set: DetectorSet) {
        self.set = set
        sink.matchLengths = set.matchLengths
        roles = .allocate(capacity: set.roles.count)
        _ = roles.initialize(from: set.roles)
        runtime = .allocate(capacity: set.identifierRuntime.count)
        _ = runtime.initialize(from: set.identifierRuntime)
        hasExcludes = .allocate(capacity: set.excludes.count)
        _ = hasExcludes.initialize(from: set.excludes.map { !$0.isEmpty })
        // One scratch space serves all databases (each call grows it if needed).
        for db in [set.identifierDatabase, set.keywordDatabase, set.contextDatabase].compactMap({ $0 }) {
            let rc = hs_alloc_scratch(db, &scratch)
            precondition(rc == HS_SUCCESS, "hs_alloc_scratch failed: \(rc)")
        }
    }

    deinit {
        hs_free_scratch(scratch)
        roles.deallocate()
        runtime.deallocate()
        hasExcludes.deallocate()
    }

    /// Scans every piece (one `hs_scan` each) and returns the validated hits.
    public func scan(_ pieces: [ByteString]) -> DetectionResult {
        var hits: [DetectorHit] = []
        for (p, piece) in pieces.enumerated() {
            piece.withUnsafeBytes { scanPiece($0.assumingMemoryBound(to: UInt8.self), piece: p, into: &hits) }
        }
        return DetectionResult(hits: hits, detectorCount: set.detectors.count)
    }

    /// Sets in `mask` the bit of every detector with a validated hit in one of `count` pieces
    /// (`piece(i)`): the mask of `scan(_:)` over the same pieces, without copying each piece into
    /// a `ByteString` or making a result (the batch executor scans every text of a batch; those
    /// allocations were a third of its detector time on the XML bench export). `mask` is cleared first.
    package func fire(pieces count: Int, _ piece: (Int) -> UnsafeRawBufferPointer, into mask: UnsafeMutableBufferPointer<UInt64>) {
        mask.update(repeating: 0)
        hitScratch.removeAll(keepingCapacity: true)
        for p in 0..<count {
            let bytes = piece(p)
            guard let base = bytes.baseAddress else { continue }
            scanPiece(UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: bytes.count), piece: p, into: &hitScratch)
        }
        for h in hitScratch { mask[h.detector >> 6] |= 1 << UInt64(h.detector & 63) }
    }

    /// Scans one buffer; hits are appended with `piece` as their piece index.
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, piece: Int = 0) -> [DetectorHit] {
        var hits: [DetectorHit] = []
        scanPiece(bytes, piece: piece, into: &hits)
        return hits
    }

    private func scanPiece(_ b: UnsafeBufferPointer<UInt8>, piece: Int, into hits: inout [DetectorHit]) {
        guard b.count > 0 else { return }
        sink.reset()
        if let db = set.identifierDatabase {
            if let prefilter = set.prefilter {
                prefilter.forEachRun(in: b) { run(db, over: UnsafeBufferPointer(rebasing: b[$0]), base: $0.lowerBound, into: sink) }
            } else {
                run(db, over: b, base: 0, into: sink)
            }
        }
        if let db = set.keywordDatabase {
            run(db, over: b, base: 0, into: sink)
            if sink.startsPending { findStarts(b) }
        }
        if sink.ids.isEmpty { return }
        validate(b, piece: piece, into: &hits)
    }

    /// Appends the matches in `b`, which starts at `base` in the piece, to `sink`.
    private func run(_ database: OpaquePointer, over b: UnsafeBufferPointer<UInt8>, base offsetInPiece: Int, into sink: MatchSink) {
        guard let base = b.baseAddress else { return }
        let ctx = Unmanaged.passUnretained(sink).toOpaque()
        var offset = 0
        sink.base = offsetInPiece
        // hs_scan takes a 32-bit length; split larger pieces (matches across the cut are lost).
        while offset < b.count {
            let len = min(b.count - offset, Int(UInt32.max))
            let rc = base.advanced(by: offset).withMemoryRebound(to: CChar.self, capacity: len) {
                hs_scan(database, $0, UInt32(len), 0, scratch, onMatch, ctx)
            }
            precondition(rc == HS_SUCCESS, "hs_scan failed: \(rc)")
            offset += len
            sink.base = offsetInPiece + offset
        }
    }

    /// The starts of the keyword matches reported by their end alone (terms whose matches vary in
    /// length). Every such end has a match (Vectorscan found it); one whose start is not found
    /// would be a disagreement with Vectorscan's reading of the expression, dropped (and a failure
    /// in tests, which compare with start-of-match tracking).
    private func findStarts(_ b: UnsafeBufferPointer<UInt8>) {
        sink.startsPending = false
        var k = 0
        while k < sink.ids.count {
            if sink.froms[k] < 0 {
                if let atoms = set.spanningAtoms[Int(sink.ids[k])], let start = KeywordAtom.start(of: atoms, in: b, end: sink.tos[k]) {
                    sink.froms[k] = start
                } else {
                    assertionFailure("keyword match without a start at \(sink.tos[k])")
                    sink.ids.remove(at: k)
                    sink.froms.remove(at: k)
                    sink.tos.remove(at: k)
                    continue
                }
            }
            k += 1
        }
    }

    /// Context-word matches of the piece (second database), computed when first needed.
    private func contexts(_ b: UnsafeBufferPointer<UInt8>) -> [(detector: Int, range: Range<Int>)] {
        guard let db = set.contextDatabase else { return [] }
        contextSink.reset()
        run(db, over: b, base: 0, into: contextSink)
        var out: [(detector: Int, range: Range<Int>)] = []
        for k in contextSink.ids.indices {
            if case .context(let d, let l, let r) = set.contextRoles[Int(contextSink.ids[k])],
               boundaryOK(b, contextSink.froms[k], contextSink.tos[k], left: l, right: r) {
                out.append((d, contextSink.froms[k]..<contextSink.tos[k]))
            }
        }
        return out
    }

    private func boundaryOK(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, left: Bool, right: Bool) -> Bool {
        if left && TextBytes.wordCharBefore(from, in: b) { return false }
        if right && TextBytes.wordCharAt(to, in: b) { return false }
        return true
    }

    private func validate(_ b: UnsafeBufferPointer<UInt8>, piece: Int, into hits: inout [DetectorHit]) {
        var contexts: [(detector: Int, range: Range<Int>)]?
        var found: [DetectorHit] = []
        var seen: Set<DetectorHit> = []
        for k in sink.ids.indices {
            let from = sink.froms[k], to = sink.tos[k]
            switch roles[Int(sink.ids[k])] {
            case .context:
                continue
            case .keyword(let d, let l, let r):
                guard boundaryOK(b, from, to, left: l, right: r) else { continue }
                let span = TextBytes.enclosingWord(from..<to, in: b)
                if hasExcludes[d], isExcluded(b, span, set.excludes[d]) { continue }
                let hit = DetectorHit(detector: d, piece: piece, range: span)
                if seen.insert(hit).inserted { found.append(hit) }
            case .identifier(let d):
                let rt = runtime[d]!
                // Leftmost start first; if that fails, later starts at a word boundary (a longer
                // run of candidate characters may hide the identifier, e.g. "AB12 DE89 …").
                var start = from
                while start < to - 1 {
                    if !TextBytes.wordCharBefore(start, in: b), !TextBytes.wordCharAt(to, in: b),
                       rt.check.validate(UnsafeBufferPointer(rebasing: b[start..<to])),
                       !rt.contextRequired || hasContext(d, start..<to, rt, contexts ?? {
                           let c = self.contexts(b)
                           contexts = c
                           return c
                       }()) {
                        let hit = DetectorHit(detector: d, piece: piece, range: start..<to)
                        if seen.insert(hit).inserted { found.append(hit) }
                        break
                    }
                    // Bounded retries: configurable patterns may match long runs.
                    guard to - from <= 64 else { break }
                    start += 1
                    while start < to - 1, TextBytes.wordCharBefore(start, in: b) { start += 1 }
                }
            }
        }
        // Drop identifier hits inside a longer hit of the same detector (IBAN tail groups).
        found.sort { ($0.range.lowerBound, $0.detector, -$0.range.upperBound) < ($1.range.lowerBound, $1.detector, -$1.range.upperBound) }
        var maxEnd: [Int: Int] = [:]
        for h in found {
            if runtime[h.detector] != nil, let e = maxEnd[h.detector], h.range.upperBound <= e { continue }
            maxEnd[h.detector] = max(maxEnd[h.detector] ?? 0, h.range.upperBound)
            hits.append(h)
        }
    }

    private func hasContext(_ d: Int, _ r: Range<Int>, _ rt: DetectorSet.IdentifierRuntime,
                            _ contexts: [(detector: Int, range: Range<Int>)]) -> Bool {
        for c in contexts where c.detector == d {
            if c.range.upperBound <= r.lowerBound && c.range.upperBound + rt.windowBefore >= r.lowerBound { return true }
            if c.range.lowerBound >= r.upperBound && c.range.lowerBound <= r.upperBound + rt.windowAfter { return true }
        }
        return false
    }

    private func isExcluded(_ b: UnsafeBufferPointer<UInt8>, _ span: Range<Int>, _ excludes: [ExcludeEntry]) -> Bool {
        let word = TextBytes.fold(b[span])
        for e in excludes {
            if e.prefix ? word.starts(with: e.folded) : word == e.folded { return true }
        }
        return false
    }
}
