/// Character encodings of exports. German legacy exports are often Windows-1252.
public enum TextEncoding: String, Sendable, CaseIterable, Codable {
    case utf8 = "utf-8"
    case windows1252 = "windows-1252"
    case iso885915 = "iso-8859-15"
}
