import XCTest
@testable import TrennwandEngine
import TrennwandRecords

final class ExpressionSQLTests: XCTestCase {
    func sql(_ text: String, _ kind: RecordKind = .access) throws -> String {
        try Fixture.compile(text, kind).sql(dialect: .postgres)
    }

    func testSecondmentOutsidePeriod() throws {
        XCTAssertEqual(try sql(#"actor_org == "jobcenter" and traeger in @leistungsrollen and not exists secondments(person == actor and traeger == traeger) at time"#),
            #"(r.actor_org = 'jobcenter') AND (r.traeger IN ('leistung', 'sachbearbeitung', 'widerspruch')) AND (NOT (EXISTS (SELECT 1 FROM secondments se1 WHERE se1.person = r.actor AND se1.traeger = r.traeger AND (se1."start" IS NULL OR se1."start" <= r."time") AND (se1."end" IS NULL OR r."time" <= se1."end"))))"#)
    }

    func testMatrixAndAgreement() throws {
        XCTAssertEqual(try sql(#"matrix(direction(actor_org, destination_org), category) == "agreement" and not agreement_permits(traeger, "jobcenter->traeger", category) at time"#),
            #"((SELECT m.decision FROM separation_matrix m WHERE m.direction = (CASE WHEN r.actor_org = 'jobcenter' AND r.destination_org = 'traeger' THEN 'jobcenter->traeger' WHEN r.actor_org = 'traeger' AND r.destination_org = 'jobcenter' THEN 'traeger->jobcenter' END) AND (r.category = m.category OR r.category LIKE m.category || '.%') ORDER BY length(m.category) DESC LIMIT 1) = 'agreement') AND (NOT (EXISTS (SELECT 1 FROM agreements ag1 WHERE ag1.traeger = r.traeger AND ag1.approved_by_leitung AND btrim(ag1.legal_basis) <> '' AND (ag1.valid_from IS NULL OR ag1.valid_from <= r."time") AND (ag1.valid_to IS NULL OR r."time" <= ag1.valid_to) AND EXISTS (SELECT 1 FROM unnest(ag1.permitted_flows) AS f(v) WHERE f.v = 'jobcenter->traeger' || ':' || r.category OR 'jobcenter->traeger' || ':' || r.category LIKE f.v || '.%'))))"#)
    }

    func testDocumentationDetectorsAndTime() throws {
        XCTAssertEqual(try sql(#"detects(text, any ["iban", "steuer_id"]) and author_org == "traeger" and (time - "2025-01-01" > 30d or text icontains "50%") and within_schedule(time, "Mo-Fr 08:00-16:30")"#, .documentation),
            // Cost order: field tests, schedule, detectors, then the pass over free text (`icontains`).
            #"(r.author_org = 'traeger') AND (tw_within_schedule(r."time", 'Mo-Fr 08:00-16:30', 'Europe/Berlin')) AND (tw_detects(r.text, ARRAY['iban', 'steuer_id'])) AND (((r."time" - TIMESTAMPTZ '2024-12-31T23:00:00Z') > INTERVAL '2592000 seconds') OR (EXISTS (SELECT 1 FROM unnest(r.text) AS p(v) WHERE p.v ILIKE '%50\%%')))"#)
        XCTAssertEqual(try sql(#"exists consents(participant == subject and categories covers category) at time and staff(person == actor).org == "jobcenter" and hour(time) < 7"#),
            #"(EXTRACT(HOUR FROM (r."time" AT TIME ZONE 'Europe/Berlin')) < 7) AND (EXISTS (SELECT 1 FROM consents co1 WHERE co1.participant = r.subject AND EXISTS (SELECT 1 FROM unnest(co1.categories) AS c(v) WHERE r.category = c.v OR r.category LIKE c.v || '.%') AND (co1.given IS NULL OR co1.given <= r."time") AND (co1.revoked IS NULL OR r."time" <= co1.revoked))) AND ((SELECT st2.org FROM staff st2 WHERE st2.person = r.actor ORDER BY st2.row_no LIMIT 1) = 'jobcenter')"#)
    }

    /// Every construct renders; with TW_EXPR_SQL_DUMP=<file> the WHERE clauses are written out
    /// (one `kind<TAB>sql` per line) so they can be checked with `EXPLAIN` against PostgreSQL.
    func testEveryConstructRenders() throws {
        let cases: [(RecordKind, String)] = [
            (.access, #"actor_org == "jobcenter" and actor != "x" and time >= "2025-03-01" and hour(time) < 7"#),
            (.access, #"actor_role in @leistungsrollen or channel not in ["email", "fax"]"#),
            (.access, #"category within "sozial" and actor istartswith "JC." and system endswith "BIS" and purpose contains "50%_""#),
            (.access, #"lower(system) == "verbis" and weekday(time) >= 6 and date(time) == "2025-03-04""#),
            (.access, #"time - "2025-01-01" > 30d and time + 1h > time"#),
            (.access, #"present(destination) or missing(workstation)"#),
            (.access, #"within_schedule(time, secondments(person == actor at time).schedule)"#),
            (.access, #""leistung" in staff(person == actor).roles and staff(person == actor).org == "jobcenter""#),
            (.access, #"exists participants(participant == subject and counselors contains actor) at time"#),
            (.access, #"exists consents(participant == subject and categories covers category) at time"#),
            (.access, #"matrix(direction(actor_org, destination_org), category) == "forbidden""#),
            (.access, #"not agreement_permits(traeger, direction(actor_org, destination_org), category) at time"#),
            (.access, #"actor in participants(participant == subject).counselors"#),
            (.documentation, #"detects(text, "iban") or detects_category(text, "gesundheit") or text icontains "diagnose""#),
            (.documentation, #"deleted == false and retention_until < time - 30d and attachments contains "x.pdf""#),
            (.documentation, #"not deleted and author contains author_org"#),
            (.flow, #"categories within "gesundheit" and categories covers "beratung.schulden" and not encrypted"#),
        ]
        var dump = ""
        for (kind, text) in cases {
            let sql = try sql(text, kind)
            XCTAssertFalse(sql.isEmpty, text)
            dump += "\(kind.rawValue)\t\(sql)\n"
        }
        if let path = ProcessInfo.processInfo.environment["TW_EXPR_SQL_DUMP"] {
            try dump.write(toFile: path, atomically: true, encoding: .utf8)
        }
    }
}
