import Foundation

extension PseudonymKey {
    /// A public name of the key: `K-` + 16 hex digits of HMAC(key, "trennwand-key-id/v1").
    ///
    /// Written into SARIF and JSON Lines so a baseline made with another key (every fingerprint
    /// differs) is recognised and warned about. It reveals nothing about the key: it is a keyed
    /// MAC of a constant, like a key check value.
    /// (Hex digits by table: `String(format:)` set up Foundation's formatting on the first call,
    /// ~1 ms of every scan's report.)
    public var keyID: String {
        "K-" + hex(mac([Array("trennwand-key-id/v1".utf8)]).prefix(8))
    }
}
