import Foundation
import XCTest

/// `--lang` on the command line wins over `lang:` in audit.yaml (the Samples say `lang: de`).
final class LanguageCLITests: XCTestCase {
    func testCommandLineLanguageWinsOverConfig() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let en = dir.appendingPathComponent("en.html").path, de = dir.appendingPathComponent("de.html").path
        _ = try CLI.run(["scan", "--config", "Samples/audit.yaml", "--lang", "en", "--format", "html=\(en)", "--format", "text=/dev/null"])
        _ = try CLI.run(["scan", "--config", "Samples/audit.yaml", "--format", "html=\(de)", "--format", "text=/dev/null"])
        XCTAssertTrue(try String(contentsOfFile: en, encoding: .utf8).contains("<html lang=\"en\">"))
        XCTAssertTrue(try String(contentsOfFile: de, encoding: .utf8).contains("<html lang=\"de\">"), "without --lang, audit.yaml's lang: de holds")
    }
}
