import TrennwandRecords

/// The merging side of one chunked file: where the next chunk must start (offset and parser
/// context), the global line and record index there, and whether a chunk's result stands.
///
/// A chunk read from a candidate start is speculative. Its result stands when it started where
/// the previous chunk really ended, from the same parser context; otherwise the chunk is read
/// again from there (`reread`). A chunk that ends in a file error of a format whose messages may
/// depend on state from before the chunk (XML), a re-read whose parser did not reproduce the
/// given context, or chunks whose parsers took in more distinct names than `nameBudget` end the
/// chain: the rest of the file is read by one sequential parser from the file start, skipping the
/// records already merged (`sequentialRest`), so that file's result is exactly a sequential read's.
package struct ChunkChain {
    package enum Verdict: Equatable {
        /// The chunk's result stands.
        case accept
        /// Read the chunk again from `start` with `context`, then ask again (`reread: true`).
        case reread(start: Int64, context: ChunkContext?)
        /// Read the rest of the file sequentially from its start without the first `skipping`
        /// records; its lines and indices are already global (`endWithSequentialRest`).
        case sequentialRest(skipping: Int)
    }

    package let source: any ChunkSource
    package private(set) var expectedStart: Int64
    package private(set) var expectedContext: ChunkContext?
    /// Global line number of the next chunk's first line, and records before it.
    package private(set) var line: Int
    package private(set) var index = 0
    /// A file error or the sequential rest ended the file: later chunks are ignored.
    package private(set) var finished = false
    private var names: Set<[UInt8]> = []
    private var nameBytes = 0

    package init(source: any ChunkSource) {
        self.source = source
        expectedStart = source.dataStart
        line = source.firstLine
    }

    /// What to do with a chunk read from `start` (`reread`: as told by `.reread`).
    package func verdict(start: Int64, outcome: ChunkOutcome, reread: Bool = false) -> Verdict {
        if start != expectedStart || outcome.startContext != expectedContext {
            // A re-read starts where told; if its parser still disagrees about the context, the
            // context could not be replayed faithfully: read sequentially instead.
            return reread ? .sequentialRest(skipping: index) : .reread(start: expectedStart, context: expectedContext)
        }
        if outcome.account.fileError != nil && source.errorsNeedSequentialRead { return .sequentialRest(skipping: index) }
        if let budget = source.nameBudget {
            var added = 0
            for name in outcome.names where !names.contains(name) { added += name.count }
            if nameBytes + added > budget { return .sequentialRest(skipping: index) }
        }
        return .accept
    }

    /// Takes an accepted chunk's outcome; returns the offsets that make its lines and indices
    /// global. A file error ends the file.
    package mutating func absorb(_ outcome: ChunkOutcome) -> (lineOffset: Int, indexOffset: Int) {
        let offsets = (line - 1, index)
        if source.nameBudget != nil {
            for name in outcome.names where names.insert(name).inserted { nameBytes += name.count }
        }
        expectedStart = outcome.end
        expectedContext = outcome.endContext
        line += outcome.lineBreaks
        index += outcome.records
        if outcome.account.fileError != nil { finished = true }
        return offsets
    }

    /// The sequential rest was read (its lines and indices are global): the file ends with it.
    package mutating func endWithSequentialRest() {
        finished = true
    }
}
