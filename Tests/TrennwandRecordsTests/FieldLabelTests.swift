import TrennwandRecords
import XCTest

/// Every canonical field and every closed value has a German and an English display label, so a
/// report never shows an internal field name (`approved_by_leitung`) as a label.
final class FieldLabelTests: XCTestCase {
    func testEverySchemaFieldHasBothLabels() {
        for kind in RecordKind.allCases {
            for f in kind.schema.fields {
                XCTAssertNotNil(FieldLabels.field[f.name], "\(kind.rawValue).\(f.name) has no label")
                XCTAssertFalse(f.label.de.isEmpty, "\(kind.rawValue).\(f.name) German label")
                XCTAssertFalse(f.label.en.isEmpty, "\(kind.rawValue).\(f.name) English label")
                XCTAssertFalse(f.label.de.contains("_"), "\(kind.rawValue).\(f.name) German label looks like a field name")
            }
        }
    }

    func testEverySymbolAndBoolValueHasBothLabels() {
        for kind in RecordKind.allCases {
            for f in kind.schema.fields {
                switch f.type {
                case .symbol(let values):
                    for v in values {
                        let l = FieldLabels.label(value: v, field: f.name)
                        XCTAssertNotNil(l, "\(kind.rawValue).\(f.name) value \(v) has no label")
                        XCTAssertFalse(l?.de.isEmpty ?? true)
                        XCTAssertFalse(l?.en.isEmpty ?? true)
                    }
                case .bool:
                    XCTAssertEqual(FieldLabels.label(value: "true", field: f.name)?.de, "ja")
                    XCTAssertEqual(FieldLabels.label(value: "false", field: f.name)?.en, "no")
                default: break
                }
            }
        }
    }

    func testExamplesFromTheIssue() {
        XCTAssertEqual(RecordSchema.access.field("destination_org")?.label.de, "Empfänger-Organisation")
        XCTAssertEqual(RecordSchema.agreements.field("approved_by_leitung")?.label.de, "Zustimmung der Leitung")
        XCTAssertEqual(FieldLabels.label(value: "traeger", field: "actor_org")?.de, "Träger")
        XCTAssertNil(FieldLabels.label(value: "VerBIS", field: "system"), "free values stay as they are")
    }
}
