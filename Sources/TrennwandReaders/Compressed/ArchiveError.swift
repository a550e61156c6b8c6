import TrennwandRecords

/// The rejections of compressed inputs: one stable code each, German and English text with
/// byte offsets and sizes only (never a byte of the content).
enum ArchiveError {
    static func corrupt(_ name: String, at offset: Int64, de: String, en: String) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.corrupt",
                   de: "Archiv beschädigt bei Byte \(offset): \(de)", en: "archive corrupt at byte \(offset): \(en)")
    }

    static func truncated(_ name: String, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.truncated",
                   de: "komprimierte Daten enden vorzeitig bei Byte \(offset) (Datei abgeschnitten?)",
                   en: "compressed data ends early at byte \(offset) (file cut off?)")
    }

    static func crc(_ name: String, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.crc",
                   de: "Prüfsumme (CRC-32) der entpackten Daten stimmt nicht (Byte \(offset))",
                   en: "checksum (CRC-32) of the decompressed data does not match (byte \(offset))")
    }

    static func sizeMismatch(_ name: String, at offset: Int64, declared: Int64, actual: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.size-mismatch",
                   de: "entpackte Größe \(actual) Byte, angegeben \(declared) Byte",
                   en: "decompressed size is \(actual) bytes, declared \(declared) bytes")
    }

    static func unsupportedMethod(_ name: String, method: Int, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.unsupported-method",
                   de: "Kompressionsverfahren \(method) wird nicht unterstützt (nur gespeichert 0 und Deflate 8)",
                   en: "compression method \(method) is not supported (only stored 0 and deflate 8)")
    }

    static func encrypted(_ name: String, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.encrypted",
                   de: "Archivmitglied ist verschlüsselt; bitte unverschlüsselt exportieren",
                   en: "archive member is encrypted; please export it unencrypted")
    }

    static func trailingData(_ name: String, at offset: Int64) -> InputError {
        InputError(file: name, byteOffset: offset, code: "archive.trailing-data",
                   de: "nach dem Ende der gzip-Daten folgen ab Byte \(offset) weitere Bytes, die kein gzip sind",
                   en: "bytes that are not gzip follow the end of the gzip data at byte \(offset)")
    }

    static func tooLarge(_ name: String, expanded: Int64, limit: ArchiveLimits, byRatio: Bool) -> InputError {
        if byRatio {
            return InputError(file: name, code: "archive.too-large",
                              de: "entpackt mehr als \(limit.maxRatio):1 (nach \(expanded) Byte); als Dekompressionsbombe abgelehnt",
                              en: "expands by more than \(limit.maxRatio):1 (after \(expanded) bytes); refused as a decompression bomb")
        }
        let size = sizeText(limit.maxExpandedBytes)
        return InputError(file: name, code: "archive.too-large",
                          de: "entpackt über \(size.de); als Dekompressionsbombe abgelehnt",
                          en: "expands beyond \(size.en); refused as a decompression bomb")
    }

    static func memberName(_ name: String, entry: Int, reason: (de: String, en: String)) -> InputError {
        InputError(file: name, code: "archive.member-name",
                   de: "Mitglied Nr. \(entry) hat einen unsicheren Namen (\(reason.de)); Archiv abgelehnt",
                   en: "member no. \(entry) has an unsafe name (\(reason.en)); archive refused")
    }

    static func unsupported(_ name: String, de: String, en: String) -> InputError {
        InputError(file: name, code: "archive.unsupported", de: "Archivformat nicht unterstützt: \(de)",
                   en: "archive format not supported: \(en)")
    }

    static func sizeText(_ bytes: Int64) -> (de: String, en: String) {
        if bytes >= 1 << 30, bytes % (1 << 30) == 0 { return ("\(bytes >> 30) GiB", "\(bytes >> 30) GiB") }
        if bytes >= 1 << 20, bytes % (1 << 20) == 0 { return ("\(bytes >> 20) MiB", "\(bytes >> 20) MiB") }
        return ("\(bytes) Byte", "\(bytes) bytes")
    }
}
