import XCTest
import TrennwandFindings
import TrennwandRecords
import TrennwandState
@testable import TrennwandServe

/// The trail's stored `key=value` details read as sentences, German and English; unknown shapes as stored.
final class TrailDetailTests: XCTestCase {
    /// 04.01.2025 10:00 Berlin (09:00 UTC) and the Art. 33 deadline 72 hours later.
    let detected: Int64 = 1_735_981_200
    var deadline: Int64 { detected + 72 * 3600 }

    func text(_ action: AuditAction, _ detail: String, _ l: Language) -> String {
        TrailDetail.html(action: action.rawValue, detail: detail, l)
    }

    func testReidentificationRequestApprovalRefusalAndView() {
        let req = "request=3 pseudonym=P-c1ad9e reason=Verdacht auf Missbrauch, Az. 12/2025"
        XCTAssertEqual(text(.reidentificationRequested, req, .de),
                       "Aufdeckung von <code>P-c1ad9e</code> beantragt (Antrag 3): Begründung „Verdacht auf Missbrauch, Az. 12/2025“")
        XCTAssertEqual(text(.reidentificationRequested, req, .en),
                       "Re-identification of <code>P-c1ad9e</code> requested (request 3): reason “Verdacht auf Missbrauch, Az. 12/2025”")
        let ok = "request=3 pseudonym=P-c1ad9e expires=\(deadline) note=einmalig"
        XCTAssertEqual(text(.reidentificationApproved, ok, .de),
                       "Aufdeckung von <code>P-c1ad9e</code> genehmigt (Antrag 3), einsehbar bis 07.01.2025 10:00: Vermerk „einmalig“")
        XCTAssertEqual(text(.reidentificationApproved, ok, .en),
                       "Re-identification of <code>P-c1ad9e</code> approved (request 3), visible until 07.01.2025 10:00: note “einmalig”")
        XCTAssertEqual(text(.reidentificationRefused, "request=4 pseudonym=P-00ff note=", .de),
                       "Aufdeckung von <code>P-00ff</code> abgelehnt (Antrag 4)")
        XCTAssertEqual(text(.reidentificationRefused, "request=4 pseudonym=P-00ff note=kein Anlass", .en),
                       "Re-identification of <code>P-00ff</code> refused (request 4): note “kein Anlass”")
        XCTAssertEqual(text(.rawDataViewed, "request=3 pseudonym=P-c1ad9e found=1", .de),
                       "Identität zu <code>P-c1ad9e</code> angezeigt (Antrag 3; 1 Eintrag im Personenverzeichnis)")
        XCTAssertEqual(text(.rawDataViewed, "request=3 pseudonym=P-c1ad9e found=0", .en),
                       "Identity of <code>P-c1ad9e</code> shown (request 3; no entry in the person directory)")
    }

    func testEscalationOpenedAndClosed() {
        let opened = "rule=TW107 detected=\(detected) deadline=\(deadline)"
        XCTAssertEqual(text(.escalationOpened, opened, .de),
                       "Nach Art. 33 eskaliert (Regel TW107): Meldefrist bis 07.01.2025 10:00 (erkannt 04.01.2025 10:00)")
        XCTAssertEqual(text(.escalationOpened, opened, .en),
                       "Escalated under Art. 33 (rule TW107): notification deadline 07.01.2025 10:00 (detected 04.01.2025 10:00)")
        XCTAssertEqual(text(.escalationClosed, "outcome=reported note=decision 12", .de),
                       "Art.-33-Eskalation geschlossen: gemeldet (Entscheidung 12)")
        XCTAssertEqual(text(.escalationClosed, "outcome=reported note=decision 12", .en), "Art. 33 escalation closed: reported (decision 12)")
        let late = "outcome=no_risk late_by_seconds=\(3 * 3600 + 5 * 60) note=verschlüsselt, note=kein Schlüssel"
        XCTAssertEqual(text(.escalationClosed, late, .de),
                       "Art.-33-Eskalation geschlossen, 3 h 5 min nach Ablauf der Frist: kein Risiko für die Betroffenen (Art. 33 Abs. 1), Begründung „verschlüsselt, note=kein Schlüssel“")
        XCTAssertEqual(text(.escalationClosed, "outcome=no_risk note=verschlüsselt", .en),
                       "Art. 33 escalation closed: no risk to the persons concerned (Art. 33(1)), reason “verschlüsselt”")
    }

    func testDecisionsRecordedImportedAndExported() {
        let d = "kind=accepted_risk rule=TW106 expires=2027-03-04 assignee=Team Personal authority_reference=LDA 1-2 reason=bis Umstellung reason=x"
        XCTAssertEqual(text(.decision, d, .de),
                       "Entscheidung „\(WaiverDecision.acceptedRisk.label.de)“ zu Regel TW106, gültig bis 04.03.2027, zuständig: Team Personal, Aktenzeichen der Aufsichtsbehörde LDA 1-2: Begründung „bis Umstellung reason=x“")
        XCTAssertEqual(text(.decision, "kind=false_positive rule=TW101 expires=2027-03-04 reason=Testkonto", .en),
                       "Decision “\(WaiverDecision.falsePositive.label.en)” on rule TW101, valid until 2027-03-04: reason “Testkonto”")
        // The approver follows the free-text reason; a reason that itself says ` approver=` keeps it.
        let imported = "kind=mitigated rule=TW101 expires=2027-01-31 reason=Sperre approver=Y approver=dsb-mueller"
        XCTAssertEqual(text(.decisionImported, imported, .de),
                       "Aus Ausnahmedatei importiert: Entscheidung „\(WaiverDecision.mitigated.label.de)“ zu Regel TW101, gültig bis 31.01.2027: Begründung „Sperre approver=Y“ (genehmigt von dsb-mueller)")
        XCTAssertEqual(text(.decisionImported, imported, .en),
                       "Imported from a waiver file: decision “\(WaiverDecision.mitigated.label.en)” on rule TW101, valid until 2027-01-31: reason “Sperre approver=Y” (approved by dsb-mueller)")
        // A waiver file may give the expiry as a date-time with zone: shown as written.
        XCTAssertTrue(text(.decisionImported, "kind=mitigated rule=TW101 expires=2027-01-31T00:00:00+01:00 reason=r approver=a", .de)
            .contains("gültig bis 2027-01-31T00:00:00+01:00: Begründung „r“ (genehmigt von a)"))
        XCTAssertEqual(text(.decisionsExported, "entries=1 skipped_expired=0", .de), "1 Entscheidung als Ausnahmedatei exportiert")
        XCTAssertEqual(text(.decisionsExported, "entries=5 skipped_expired=2 out=/tmp/w.yaml", .en),
                       "5 decisions exported as a waiver file, 2 expired left out to <code>/tmp/w.yaml</code>")
    }

    func testAccountEvents() {
        XCTAssertEqual(text(.accountCreated, "role=dpo", .de), "Konto angelegt mit der Rolle \(ReviewRole.dpo.label.de)")
        XCTAssertEqual(text(.accountCreated, "role=admin via=init-admin", .en),
                       "Account created with the role \(ReviewRole.admin.label.en) (via serve --init-admin)")
        XCTAssertEqual(text(.accountSetupIssued, "via=init-admin", .de), "Einrichtungslink ausgegeben (über serve --init-admin)")
        XCTAssertEqual(text(.accountSetupIssued, "", .en), "Setup link issued")
        XCTAssertEqual(text(.login, "", .de), "Angemeldet")
        XCTAssertEqual(text(.logout, "", .en), "Logged out")
        XCTAssertEqual(text(.passwordSet, "", .de), "Passwort festgelegt")
        XCTAssertEqual(text(.accountDisabled, "", .en), "Account disabled")
        XCTAssertEqual(text(.loginFailed, "wrong name or password", .de), "Anmeldung fehlgeschlagen: Name oder Passwort falsch")
        XCTAssertTrue(text(.loginFailed, "locked", .en).hasPrefix("Login refused: too many failed attempts"))
    }

    func testEveryActionReadsAsASentenceInBothLanguages() {
        let samples: [AuditAction: String] = [
            .accountCreated: "role=reader", .decision: "kind=mitigated rule=TW1 expires=2027-01-01 reason=r",
            .decisionImported: "kind=mitigated rule=TW1 expires=2027-01-01 reason=r approver=a",
            .decisionsExported: "entries=0 skipped_expired=0", .rawDataViewed: "request=1 pseudonym=P-1 found=2",
            .escalationOpened: "rule=TW1 detected=0 deadline=259200", .escalationClosed: "outcome=no_risk note=n",
            .reidentificationRequested: "request=1 pseudonym=P-1 reason=r", .reidentificationApproved: "request=1 pseudonym=P-1 expires=9 note=",
            .reidentificationRefused: "request=1 pseudonym=P-1 note=n", .loginFailed: "locked",
        ]
        for a in AuditAction.allCases {
            let detail = samples[a] ?? ""
            XCTAssertNotNil(TrailDetail.parse(action: a.rawValue, detail: detail), a.rawValue)
            let de = text(a, detail, .de), en = text(a, detail, .en)
            XCTAssertNotEqual(de, en, a.rawValue)
            for s in [de, en] { XCTAssertFalse(s.contains("=") || s.contains("_"), "\(a.rawValue): \(s)") }
        }
    }

    func testUnknownShapesShowTheStoredTextWithTheActionLabel() {
        // A key the writer never wrote, a missing key, a non-number where a number belongs, an unknown kind, an unknown action.
        XCTAssertNil(TrailDetail.parse(action: "decision", detail: "kind=mitigated reason=row 3"))
        XCTAssertEqual(text(.decision, "kind=mitigated reason=row 3", .de), "Entscheidung – kind=mitigated reason=row 3")
        XCTAssertEqual(text(.decision, "kind=mitigated rule=TW1 expires=2027-03-04 reason=r", .de).hasPrefix("Entscheidung „"), true)
        XCTAssertEqual(text(.escalationOpened, "rule=TW107 detected=gestern deadline=1", .en), "escalated under Art. 33 – rule=TW107 detected=gestern deadline=1")
        XCTAssertEqual(text(.decision, "kind=vielleicht rule=TW1 expires=2027-03-04 reason=r", .de),
                       "Entscheidung – kind=vielleicht rule=TW1 expires=04.03.2027 reason=r")
        XCTAssertEqual(text(.login, "from=10.0.0.1", .en), "login – from=10.0.0.1")
        XCTAssertEqual(TrailDetail.html(action: "future_action", detail: "x=1", .de), "future_action – x=1")
        XCTAssertEqual(TrailDetail.html(action: "future_action", detail: "", .en), "future_action")
    }

    func testStoredValuesAreEscaped() {
        let s = text(.reidentificationRequested, "request=1 pseudonym=P-<b> reason=<script>alert(1)</script> & \"x\"", .de)
        XCTAssertEqual(s, "Aufdeckung von <code>P-&lt;b&gt;</code> beantragt (Antrag 1): Begründung „&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;“")
        XCTAssertFalse(text(.decision, "kind=<i> reason=<i>", .en).contains("<i>"))
        XCTAssertFalse(text(.accountCreated, "role=dpo via=<img>", .de).contains("<img>"))
    }
}
