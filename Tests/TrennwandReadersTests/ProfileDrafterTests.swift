import Foundation
import TrennwandRecords
import TrennwandYAML
import XCTest
@testable import TrennwandReaders

/// `profiles draft`: a draft of every Samples file, with only its open targets filled in from the
/// shipped profile, yields the shipped profile's records; csv-spectrum drafts are valid or say
/// "cannot tell" per column.
final class ProfileDrafterTests: XCTestCase {
    private func sampleFiles() throws -> [String] {
        var files: [String] = []
        for dir in ["", "Stammdaten"] {
            let url = dir.isEmpty ? TestPaths.samples : TestPaths.samples.appendingPathComponent(dir)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
            where name.hasSuffix(".csv") || name.hasSuffix(".xml") {
                files.append(url.appendingPathComponent(name).path)
            }
        }
        return files
    }

    /// Replaces the draft's targets (map entries and constants) by the shipped profile's; a value
    /// the shipped map does not list keeps its own spelling (what `unmapped: keep` does).
    private func fill(_ draft: ProfileDraft, from shipped: SourceProfile) -> ProfileDraft {
        var d = draft
        for i in d.fields.indices {
            let sf = shipped.fields.first { $0.name == d.fields[i].name }
            for j in d.fields[i].map.indices {
                let key = ProfileNormaliser.foldCase(ByteString(d.fields[i].map[j].value)).string
                let word = d.fields[i].map[j].value.lowercased()
                if let sf, sf.type == .bool {
                    // A bool stub's target is the shipped profile's decision: one of its true or false words.
                    if sf.trueWords.contains(where: { $0.lowercased() == word }) { d.fields[i].map[j].target = .value("ja") }
                    if sf.falseWords.contains(where: { $0.lowercased() == word }) { d.fields[i].map[j].target = .value("nein") }
                } else if let t = sf?.valueMap[key] {
                    d.fields[i].map[j].target = t.map { .value($0) } ?? .empty
                } else if d.fields[i].map[j].target == .placeholder {
                    d.fields[i].map[j].target = .value(d.fields[i].map[j].value)
                }
            }
            if case .constant(.placeholder) = d.fields[i].source, case .constant(let v)? = sf?.source {
                d.fields[i].source = .constant(.value(v))
            }
        }
        return d
    }

    private func records(_ file: String, _ profile: SourceProfile) -> (IngestResult, [String]) {
        let (result, records) = ProfileFixtures.ingest(file, profile: profile)
        return (result, records.map { r in
            var out: [UInt8] = []
            RecordJSON.encode(r, into: &out)
            return String(decoding: out, as: UTF8.self)
        })
    }

    func testEverySampleDraftYieldsTheShippedRecordsAfterFillingTargets() throws {
        let files = try sampleFiles()
        XCTAssertGreaterThanOrEqual(files.count, 12)
        var guessed = 0, guessedRight = 0
        for file in files {
            let name = (file as NSString).lastPathComponent
            let shipped = try ProfileFixtures.catalog.detect(file: file)
            let draft = try ProfileDrafter().draft(file: file)
            XCTAssertEqual(draft.kind, shipped.kind, name)
            XCTAssertEqual(draft.format, shipped.format, name)
            if let e = shipped.encoding, draft.format == .csv { XCTAssertEqual(draft.encoding, e, name) }
            for f in draft.fields {
                let sf = shipped.fields.first { $0.name == f.name }
                for e in f.map where e.guessed {
                    guessed += 1
                    if case .value(let t) = e.target,
                       sf?.valueMap[ProfileNormaliser.foldCase(ByteString(e.value)).string] == .some(.some(t)) { guessedRight += 1 }
                }
            }
            let filled = fill(draft, from: shipped)
            XCTAssertFalse(filled.hasPlaceholders, "\(name):\n\(filled.yaml(.en))")
            let profile: SourceProfile
            do { profile = try SourceProfile.parse(yaml: filled.yaml(.de), file: name + ".draft.yaml") } catch {
                XCTFail("\(name): \(error)\n\(filled.yaml(.de))")
                continue
            }
            let (expectedResult, expected) = records(file, shipped)
            let (actualResult, actual) = records(file, profile)
            XCTAssertNil(actualResult.account.fileError, name)
            XCTAssertFalse(expected.isEmpty, name)
            XCTAssertEqual(actualResult.account.rejected, expectedResult.account.rejected, name)
            XCTAssertEqual(actual.count, expected.count, name)
            for (a, e) in zip(actual, expected) where a != e {
                XCTFail("\(name): draft record\n\(a)\nshipped record\n\(e)\n\(filled.yaml(.en))")
                break
            }
        }
        XCTAssertGreaterThan(guessed, 10)
        XCTAssertEqual(guessedRight, guessed, "best guesses that differ from the shipped profiles")
    }

    func testDraftWithOpenTargetsIsRejectedUntilFilled() throws {
        let draft = try ProfileDrafter().draft(file: ProfileFixtures.sample("Traeger-Zugriffe.csv"))
        XCTAssertTrue(draft.hasPlaceholders)
        XCTAssertThrowsError(try SourceProfile.parse(yaml: draft.yaml(.de), file: "draft.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "profile.draft-placeholder", "\(error)")
        }
        // A pattern's open target is refused as well (a string field would otherwise take "???").
        let withPattern = """
        id: p
        title: { de: p, en: p }
        kind: access
        format: csv
        detect: { header: [Zeit, Kennung] }
        fields:
          time: { column: Zeit }
          actor: { column: Kennung, patterns: [{ email_domain: traeger.example, to: "???" }] }
        """
        XCTAssertThrowsError(try SourceProfile.parse(yaml: withPattern, file: "p.yaml")) { error in
            XCTAssertEqual((error as? ConfigError)?.code, "profile.draft-placeholder", "\(error)")
        }
        // German comments by default, English with .en.
        XCTAssertTrue(draft.yaml(.de).contains("sicher"))
        XCTAssertTrue(draft.yaml(.en).contains("certain"))
    }

    /// A synthetic Jobcenter log: German headers, Windows-1252, semicolon, date and time apart.
    func testGermanHeadersWithSplitDateAndTime() throws {
        let text = """
        Datum;Uhrzeit;Kennung;Kundennummer;Vorgang;Fachverfahren;Organisation;Bemerkung\r
        03.02.2025;08:12:05;JC-M-0901;962D009901;Lesen;VerBIS;JC;erste\r
        03.02.2025;08:40:51;JC-M-0901;962D009901;Ändern;VerBIS;JC;zweite\r
        04.02.2025;14:03:00;JC-M-0902;962D009902;Lesen;VerBIS;JC;dritte\r

        """
        let path = ProfileFixtures.temp("draft-split.csv", text, encoding: .windowsCP1252)
        let draft = try ProfileDrafter().draft(file: path)
        XCTAssertEqual(draft.kind, .access)
        XCTAssertEqual(draft.encoding, .windows1252)
        XCTAssertEqual(draft.delimiter, UInt8(ascii: ";"))
        let time = try XCTUnwrap(draft.fields.first { $0.name == "time" })
        guard case .dateTime("Datum", "Uhrzeit") = time.source else { return XCTFail("\(time.source)") }
        XCTAssertEqual(time.dateFormat, "dd.MM.yyyy")
        XCTAssertEqual(time.timeFormat, "HH:mm:ss")
        func source(_ field: String) -> String? {
            if case .single(let c)? = draft.fields.first(where: { $0.name == field })?.source { return c }
            return nil
        }
        XCTAssertEqual(source("actor"), "Kennung")
        XCTAssertEqual(source("subject"), "Kundennummer")
        XCTAssertEqual(source("system"), "Fachverfahren")
        let action = try XCTUnwrap(draft.fields.first { $0.name == "action" })
        XCTAssertEqual(action.map.map(\.target), [.value("read"), .value("update")])
        XCTAssertEqual(draft.fields.first { $0.name == "actor_org" }?.map.map(\.target), [.value("jobcenter")])
        XCTAssertTrue(draft.unassigned.contains { $0.reference == "Bemerkung" && $0.note.en.hasPrefix("cannot tell") })

        // Open: the owner and the Träger of the whole file.
        var filled = draft
        for i in filled.fields.indices {
            if case .constant(.placeholder) = filled.fields[i].source {
                filled.fields[i].source = .constant(.value(filled.fields[i].name == "system_owner" ? "jobcenter" : "Beispielträger"))
            }
        }
        let profile = try SourceProfile.parse(yaml: filled.yaml(.de), file: "draft.yaml")
        let (result, records) = ProfileFixtures.ingest(path, profile: profile)
        XCTAssertNil(result.account.fileError)
        XCTAssertEqual(records.count, 3)
        // 03.02.2025 08:12:05 in Berlin (CET) is 07:12:05 UTC.
        XCTAssertEqual(records.first?["time"], .time(1_738_566_725))
        XCTAssertEqual(records.last?["action"], .string(ByteString("read")))
    }

    func testCSVSpectrumDraftsAreValidOrSayCannotTell() throws {
        let root = TestPaths.testsuites.appendingPathComponent("csv-spectrum/csvs")
        let names = try FileManager.default.contentsOfDirectory(atPath: root.path).filter { $0.hasSuffix(".csv") }.sorted()
        XCTAssertEqual(names.count, 12)
        for name in names {
            let path = root.appendingPathComponent(name).path
            let draft = try ProfileDrafter().draft(file: path)
            let yaml = draft.yaml(.en)
            if (try? SourceProfile.parse(yaml: yaml, file: name)) != nil { continue }
            // Not valid: then every column is accounted for with "cannot tell" or is an open placeholder.
            let mapped = Set(draft.fields.flatMap { f -> [String] in
                switch f.source {
                case .single(let c): return [c]
                case .several(let cs): return cs
                case .dateTime(let d, let t): return [d, t]
                case .constant: return []
                }
            })
            for column in draft.header where !mapped.contains(column) {
                XCTAssertTrue(draft.unassigned.contains { $0.reference == column && $0.note.en.contains("cannot tell") }, "\(name): \(column)")
                XCTAssertTrue(yaml.contains("'\(column)': cannot tell"), "\(name): \(column)\n\(yaml)")
            }
            XCTAssertTrue(draft.hasPlaceholders || draft.kind == nil, name)
        }
    }

    func testXMLDraftFindsRecordElementNamespaceAndAncestorAttribute() throws {
        let draft = try ProfileDrafter().draft(file: ProfileFixtures.sample("Traeger-Dokumentation.xml"))
        XCTAssertEqual(draft.xmlRoot, "{urn:beispiel-traeger:dokumentation:2}Dokumentation")
        XCTAssertEqual(draft.xmlRecord, "/doku:Dokumentation/doku:Teilnehmer/doku:Vermerk")
        XCTAssertEqual(draft.namespaces.map(\.prefix), ["doku"])
        guard case .single("../@nr")? = draft.fields.first(where: { $0.name == "subject" })?.source else {
            return XCTFail(draft.yaml(.en))
        }
    }

    /// Attribute-only records in a default namespace: prefix `ns1`, record element by repetition.
    func testXMLDefaultNamespaceAndAttributeRecords() throws {
        let text = """
        <?xml version="1.0" encoding="UTF-8"?>
        <protokoll xmlns="urn:beispiel:protokoll">
          <eintrag zeit="2025-03-01T10:00:00+01:00" benutzer="TR-M-0901" aktion="anzeigen" teilnehmer="TN-0001" system="Fallakte"/>
          <eintrag zeit="2025-03-01T10:05:00+01:00" benutzer="TR-M-0902" aktion="bearbeiten" teilnehmer="TN-0002" system="Fallakte"/>
        </protokoll>
        """
        let path = ProfileFixtures.temp("draft-ns.xml", text)
        let draft = try ProfileDrafter().draft(file: path)
        XCTAssertEqual(draft.kind, .access)
        XCTAssertEqual(draft.namespaces.map(\.prefix), ["ns1"])
        XCTAssertEqual(draft.xmlRecord, "/ns1:protokoll/ns1:eintrag")
        XCTAssertEqual(draft.fields.first { $0.name == "time" }?.format, "iso8601")
        XCTAssertEqual(draft.fields.first { $0.name == "action" }?.map.map(\.target), [.value("read"), .value("update")])
        var filled = draft
        for i in filled.fields.indices {
            if case .constant(.placeholder) = filled.fields[i].source {
                filled.fields[i].source = .constant(.value(filled.fields[i].name == "system_owner" ? "traeger" : "Beispielträger"))
            }
        }
        let profile = try SourceProfile.parse(yaml: filled.yaml(.en), file: "draft.yaml")
        let (result, records) = ProfileFixtures.ingest(path, profile: profile)
        XCTAssertNil(result.account.fileError)
        XCTAssertEqual(records.map { $0["actor"] }, [.string(ByteString("TR-M-0901")), .string(ByteString("TR-M-0902"))])
    }

    func testDoctypeIsAnInputErrorAndRecordLimitHolds() throws {
        let xml = ProfileFixtures.temp("draft-doctype.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE a [<!ENTITY x \"y\">]>\n<a><b/></a>\n")
        XCTAssertThrowsError(try ProfileDrafter().draft(file: xml)) { XCTAssertTrue($0 is InputError, "\($0)") }
        let draft = try ProfileDrafter(records: 2).draft(file: ProfileFixtures.sample("Traeger-Zugriffe.csv"))
        XCTAssertEqual(draft.recordsRead, 2)
    }

    /// Column names with line breaks (quoted CSV headers, NEL, LS) cannot break out of a comment.
    func testHostileColumnNamesStayInsideCommentsAndScalars() throws {
        let path = ProfileFixtures.temp("draft-hostile.csv", "Angebot,Anbieter,\"Bemerkung\nid: boese\",\"X\u{2028}kind: flow\"\nA,B,C,D\n")
        let draft = try ProfileDrafter().draft(file: path)
        XCTAssertEqual(draft.kind, .offers)
        for language in Language.allCases {
            let yaml = draft.yaml(language)
            let root = try YAMLNode.parse(yaml, file: "draft.yaml")
            XCTAssertEqual(Set(try root.mapping().entries.map(\.key)),
                           ["id", "title", "kind", "format", "encoding", "delimiter", "timezone", "detect", "fields"], yaml)
            XCTAssertEqual(try SourceProfile.parse(yaml: yaml, file: "draft.yaml").id, "draft-hostile")
        }
    }

    func testIDFromFileName() {
        XCTAssertEqual(ProfileDrafter.id(for: "/x/Träger Zugriffe 2025.csv"), "traeger-zugriffe-2025")
        XCTAssertEqual(ProfileDrafter.id(for: "...."), "entwurf")
    }
}
