#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An operating-system error number in our words, German and English.
///
/// One table for every layer (inputs, key, outputs, state, waiver files): a raw `strerror` text is
/// English only and sometimes stale or misleading (a leftover errno showed "Inappropriate ioctl for
/// device" for a directory). Numbers without an entry show as `Systemfehler N` / `system error N`.
public enum SystemErrorText {
    public static func describe(_ code: Int32) -> Localized {
        switch code {
        case ENOENT: return Localized(de: "Datei oder Verzeichnis nicht gefunden", en: "no such file or directory")
        case EACCES, EPERM: return Localized(de: "Zugriff verweigert", en: "permission denied")
        case EISDIR: return Localized(de: "ist ein Verzeichnis, keine Datei", en: "is a directory, not a file")
        case ENOTDIR: return Localized(de: "ein Teil des Pfades ist kein Verzeichnis", en: "a part of the path is not a directory")
        case ELOOP: return Localized(de: "symbolische Verknüpfung an dieser Stelle (oder zu viele)", en: "symbolic link in this place (or too many)")
        case EMFILE, ENFILE: return Localized(de: "zu viele offene Dateien", en: "too many open files")
        case EIO: return Localized(de: "Ein-/Ausgabefehler des Geräts", en: "device I/O error")
        case ENAMETOOLONG: return Localized(de: "Dateiname zu lang", en: "file name too long")
        case EROFS: return Localized(de: "Dateisystem nur lesbar", en: "read-only file system")
        case ENOSPC, EDQUOT: return Localized(de: "Datenträger voll oder Kontingent erschöpft", en: "disk full or quota exceeded")
        case EFBIG: return Localized(de: "Datei zu groß (Größengrenze)", en: "file too large (size limit)")
        case EPIPE: return Localized(de: "Empfänger hat die Ausgabe geschlossen", en: "the reader closed the output")
        case EBADF: return Localized(de: "Deskriptor ist geschlossen", en: "the descriptor is closed")
        case EEXIST: return Localized(de: "existiert bereits", en: "already exists")
        case EAGAIN: return Localized(de: "vorübergehend nicht verfügbar", en: "temporarily unavailable")
        case ENXIO, ENODEV: return Localized(de: "Gerät nicht vorhanden", en: "no such device")
        default: return Localized(de: "Systemfehler \(code)", en: "system error \(code)")
        }
    }
}
