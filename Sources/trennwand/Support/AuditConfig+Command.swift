import TrennwandRecords
import TrennwandScan

extension AuditConfig {
    /// The `--config` of a command: defaults without one (the waiver file `trennwand-waivers.yaml`
    /// of the working directory when it exists); a bad file is printed with its position and code
    /// and ends the command with exit 2.
    static func loadForCommand(_ path: String?) throws -> AuditConfig {
        guard let path else { return AuditConfig.withoutFile() }
        do { return try load(path: path) } catch let e as ConfigError {
            printError(UI.t("Konfigurationsfehler: ", "configuration error: ") + e.text(UI.language) + " [\(e.code)]")
            throw Exit.configuration
        }
    }
}
