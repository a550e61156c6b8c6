import TrennwandRecords
import XCTest
@testable import TrennwandFindings

/// Only the named tags carry meaning; everything else stays a free string.
final class RuleTagTests: XCTestCase {
    func descriptor(_ tags: [String]) -> RuleDescriptor {
        RuleDescriptor(id: "TW999", title: Localized(de: "t", en: "t"), description: Localized(de: "d", en: "d"), severity: .high,
                       norms: [], rationale: Localized(de: "r", en: "r"), remediation: Localized(de: "m", en: "m"),
                       tags: tags, findingClass: .violation, source: "")
    }

    func testBreachAndArt33MarkABreachOtherTagsDoNot() {
        XCTAssertTrue(descriptor(["uebermittlung", "breach"]).isTaggedBreach)
        XCTAssertTrue(descriptor(["art33"]).isTaggedBreach)
        XCTAssertFalse(descriptor(["gate", "plattform"]).isTaggedBreach)
        XCTAssertFalse(descriptor(["Breach", "breaches", "art. 33"]).isTaggedBreach, "tags compare exactly, as before")
        XCTAssertTrue(descriptor(["gap"]).has(.gap))
        XCTAssertEqual(descriptor(["free", "breach"]).tags, ["free", "breach"], "free tags are kept as written")
    }
}
