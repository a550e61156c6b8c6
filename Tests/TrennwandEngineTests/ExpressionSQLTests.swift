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
            #"(r.author_org = 'traeger') AND ((EXISTS (SELECT 1 FROM unnest(r.text) AS p(v) WHERE p.v ILIKE '%50\%%')) OR ((r."time" - TIMESTAMPTZ '2024-12-31T23:00:00Z') > INTERVAL '2592000 seconds')) AND (tw_within_schedule(r."time", 'Mo-Fr 08:00-16:30', 'Europe/Berlin')) AND (tw_detects(r.text, ARRAY['iban', 'steuer_id']))"#)
        XCTAssertEqual(try sql(#"exists consents(participant == subject and categories covers category) at time and staff(person == actor).org == "jobcenter" and hour(time) < 7"#),
            #"(EXTRACT(HOUR FROM (r."time" AT TIME ZONE 'Europe/Berlin')) < 7) AND (EXISTS (SELECT 1 FROM consents co1 WHERE co1.participant = r.subject AND EXISTS (SELECT 1 FROM unnest(co1.categories) AS c(v) WHERE r.category = c.v OR r.category LIKE c.v || '.%') AND (co1.given IS NULL OR co1.given <= r."time") AND (co1.revoked IS NULL OR r."time" <= co1.revoked))) AND ((SELECT st2.org FROM staff st2 WHERE st2.person = r.actor ORDER BY st2.row_no LIMIT 1) = 'jobcenter')"#)
    }
}
