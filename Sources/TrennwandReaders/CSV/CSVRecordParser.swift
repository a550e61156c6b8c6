// The CSV parser core: a small state machine that parses exactly one record from a byte buffer,
// starting at any offset. It neither reads files nor owns the read buffer, so the streaming reader,
// the in-memory reader and (later) parallel chunk workers share it.

/// One parsed field: `start >= 0` is an offset into the read buffer, `start < 0` encodes the
/// scratch offset `-(start + 1)` (field was unescaped or transcoded).
struct CSVFieldRef {
    var start: Int
    var count: Int
}

/// Result of parsing one record.
enum CSVParseOutcome {
    /// A complete record; `next` is the offset after its line end, `lineBreaks` the number of
    /// physical line ends consumed (inside quotes and the terminating one).
    case record(next: Int, lineBreaks: Int)
    /// The record runs past the end of the buffered bytes: read more and parse it again.
    case needMore
    /// An opening quote that is never closed before end of input.
    case unterminatedQuote
}

@usableFromInline let asciiLF: UInt8 = 0x0A
@usableFromInline let asciiCR: UInt8 = 0x0D
@usableFromInline let asciiQuote: UInt8 = 0x22
private let lowBytes: UInt64 = 0x0101_0101_0101_0101
private let highBytes: UInt64 = 0x8080_8080_8080_8080

/// A word with one byte value in every lane, for SWAR comparison.
@inline(__always)
func splat(_ b: UInt8) -> UInt64 { UInt64(b) &* lowBytes }

/// High bit set in the lane of every zero byte; the lowest set bit is always exact.
@inline(__always)
private func zeroLanes(_ x: UInt64) -> UInt64 { (x &- lowBytes) & ~x & highBytes }

/// Finds the first byte equal to `a`, `b` or `c` in `[from, end)`, 8 bytes at a time.
/// Returns its offset (or `end`) and the OR of the high bits of all bytes before it
/// (non-zero when the span holds non-ASCII bytes).
@inline(__always)
func scanSpecial(
    _ base: UnsafeRawPointer, _ from: Int, _ end: Int,
    _ a: UInt8, _ b: UInt8, _ c: UInt8, _ wa: UInt64, _ wb: UInt64, _ wc: UInt64
) -> (stop: Int, high: UInt64) {
    var i = from
    var high: UInt64 = 0
    while i &+ 8 <= end {
        let w = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        let m = zeroLanes(w ^ wa) | zeroLanes(w ^ wb) | zeroLanes(w ^ wc)
        if m != 0 {
            let k = m.trailingZeroBitCount &>> 3
            if k > 0 { high |= w & (~UInt64(0) &>> UInt64(64 &- 8 &* k)) & highBytes }
            return (i &+ k, high)
        }
        high |= w & highBytes
        i &+= 8
    }
    while i < end {
        let x = base.load(fromByteOffset: i, as: UInt8.self)
        if x == a || x == b || x == c { return (i, high) }
        high |= UInt64(x & 0x80)
        i &+= 1
    }
    return (end, high)
}

/// Parser state that survives between records: delimiter, encoding mode, field table, scratch.
///
/// A value type held in a local variable during the hot loop, so that no class-property
/// exclusivity checks or ARC traffic happen per byte or per field. The heap pointers are owned by
/// `CSVReader`, which frees them.
struct CSVRecordParser {
    var delimiter: UInt8
    var delimiterWord: UInt64
    /// Transcoding table for bytes 0x80–0xFF (packed UTF-8: bytes in the low 24 bits, length in the
    /// top byte); nil means the input is UTF-8 and non-ASCII fields are validated instead.
    var transcode: UnsafePointer<UInt32>?

    var fields: UnsafeMutablePointer<CSVFieldRef>
    var fieldCapacity: Int
    var fieldCount = 0
    var scratch: UnsafeMutableRawPointer
    var scratchCapacity: Int
    var scratchCount = 0
    /// Index of the first field with invalid UTF-8 in the last record, or -1.
    var invalidUTF8Field = -1

    init(delimiter: UInt8) {
        self.delimiter = delimiter
        self.delimiterWord = splat(delimiter)
        self.transcode = nil
        fieldCapacity = 64
        fields = .allocate(capacity: fieldCapacity)
        scratchCapacity = 4096
        scratch = .allocate(byteCount: scratchCapacity, alignment: 16)
    }

    func deallocate() {
        fields.deallocate()
        scratch.deallocate()
    }

    mutating func setDelimiter(_ d: UInt8) {
        delimiter = d
        delimiterWord = splat(d)
    }

    @inline(__always)
    mutating func reserveScratch(_ extra: Int) {
        let needed = scratchCount &+ extra
        if needed <= scratchCapacity { return }
        var cap = scratchCapacity &* 2
        while cap < needed { cap &*= 2 }
        let fresh = UnsafeMutableRawPointer.allocate(byteCount: cap, alignment: 16)
        fresh.copyMemory(from: scratch, byteCount: scratchCount)
        scratch.deallocate()
        scratch = fresh
        scratchCapacity = cap
    }

    @inline(__always)
    mutating func appendScratch(_ src: UnsafeRawPointer, _ n: Int) {
        if n == 0 { return }
        reserveScratch(n)
        (scratch + scratchCount).copyMemory(from: src, byteCount: n)
        scratchCount &+= n
    }

    @inline(__always)
    mutating func appendField(_ ref: CSVFieldRef) {
        if fieldCount == fieldCapacity {
            let cap = fieldCapacity &* 2
            let fresh = UnsafeMutablePointer<CSVFieldRef>.allocate(capacity: cap)
            fresh.update(from: fields, count: fieldCount)
            fields.deallocate()
            fields = fresh
            fieldCapacity = cap
        }
        fields[fieldCount] = ref
        fieldCount &+= 1
    }

    /// Validates or transcodes a field that contains non-ASCII bytes.
    @inline(never)
    mutating func finishNonASCII(_ ref: CSVFieldRef, base: UnsafeRawPointer) -> CSVFieldRef {
        if let table = transcode {
            reserveScratch(ref.count &* 3)  // before taking pointers: the scratch may move
            let src: UnsafeRawPointer = ref.start >= 0
                ? base + ref.start : UnsafeRawPointer(scratch + (-ref.start &- 1))
            let out = scratch + scratchCount
            let written = transcodeToUTF8(src, ref.count, into: out, table: table)
            let result = CSVFieldRef(start: -scratchCount &- 1, count: written)
            scratchCount &+= written
            return result
        }
        let src: UnsafeRawPointer = ref.start >= 0
            ? base + ref.start : UnsafeRawPointer(scratch + (-ref.start &- 1))
        if invalidUTF8Field < 0 && firstInvalidUTF8(src, ref.count) != ref.count {
            invalidUTF8Field = fieldCount
        }
        return ref
    }

    /// Parses one record starting at `start` in `base[0..<end]`. `eof`: no bytes follow `end`.
    /// The caller must not call this at `end` (nothing left) nor on a blank line.
    mutating func parseRecord(base: UnsafeRawPointer, from start: Int, end: Int, eof: Bool) -> CSVParseOutcome {
        fieldCount = 0
        scratchCount = 0
        invalidUTF8Field = -1
        let delim = delimiter
        let dw = delimiterWord
        let lfW = splat(asciiLF), crW = splat(asciiCR), quoteW = splat(asciiQuote)
        var p = start
        var lineBreaks = 0
        while true {
            var ref: CSVFieldRef
            var high: UInt64
            if p < end && base.load(fromByteOffset: p, as: UInt8.self) == asciiQuote {
                // Quoted field: content up to the closing quote; `""` is one quote.
                var q = p &+ 1
                var segment = q
                var scratchStart = -1
                high = 0
                while true {
                    let (stop, h) = scanSpecial(base, q, end, asciiQuote, asciiLF, asciiCR, quoteW, lfW, crW)
                    high |= h
                    if stop &+ 1 >= end {
                        if stop >= end || !eof {
                            return eof ? .unterminatedQuote : .needMore
                        }
                    }
                    let b = base.load(fromByteOffset: stop, as: UInt8.self)
                    if b == asciiLF {
                        lineBreaks &+= 1
                        q = stop &+ 1
                        continue
                    }
                    if b == asciiCR {
                        if stop &+ 1 >= end { return .unterminatedQuote }  // eof here
                        if base.load(fromByteOffset: stop &+ 1, as: UInt8.self) != asciiLF { lineBreaks &+= 1 }
                        q = stop &+ 1
                        continue
                    }
                    // A quote: escaped (`""`) or closing.
                    if stop &+ 1 < end && base.load(fromByteOffset: stop &+ 1, as: UInt8.self) == asciiQuote {
                        if scratchStart < 0 { scratchStart = scratchCount }
                        appendScratch(base + segment, stop &+ 1 &- segment)
                        q = stop &+ 2
                        segment = q
                        continue
                    }
                    p = stop &+ 1
                    if p < end {
                        let after = base.load(fromByteOffset: p, as: UInt8.self)
                        if after != delim && after != asciiLF && after != asciiCR {
                            // Not RFC 4180 (`"ab"cd`): keep the stray bytes as content, like most readers.
                            if scratchStart < 0 { scratchStart = scratchCount }
                            appendScratch(base + segment, stop &- segment)
                            let (stop2, h2) = scanSpecial(base, p, end, delim, asciiLF, asciiCR, dw, lfW, crW)
                            if stop2 >= end && !eof { return .needMore }
                            high |= h2
                            appendScratch(base + p, stop2 &- p)
                            p = stop2
                            segment = stop
                        }
                    }
                    if scratchStart >= 0 {
                        appendScratch(base + segment, stop &- segment)
                        ref = CSVFieldRef(start: -scratchStart &- 1, count: scratchCount &- scratchStart)
                    } else {
                        ref = CSVFieldRef(start: segment, count: stop &- segment)
                    }
                    break
                }
            } else {
                // Unquoted field: up to delimiter or line end; quotes inside are literal.
                let (stop, h) = scanSpecial(base, p, end, delim, asciiLF, asciiCR, dw, lfW, crW)
                if stop >= end && !eof { return .needMore }
                ref = CSVFieldRef(start: p, count: stop &- p)
                high = h
                p = stop
            }
            if high != 0 { ref = finishNonASCII(ref, base: base) }
            appendField(ref)

            if p >= end { return .record(next: p, lineBreaks: lineBreaks) }  // eof: last record unterminated
            let b = base.load(fromByteOffset: p, as: UInt8.self)
            if b == delim {
                p &+= 1
                continue
            }
            if b == asciiLF { return .record(next: p &+ 1, lineBreaks: lineBreaks &+ 1) }
            // CR: CRLF or a lone CR.
            if p &+ 1 < end {
                let crlf = base.load(fromByteOffset: p &+ 1, as: UInt8.self) == asciiLF
                return .record(next: p &+ (crlf ? 2 : 1), lineBreaks: lineBreaks &+ 1)
            }
            return eof ? .record(next: p &+ 1, lineBreaks: lineBreaks &+ 1) : .needMore
        }
    }
}
