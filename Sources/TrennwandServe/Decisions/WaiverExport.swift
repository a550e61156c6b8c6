import Foundation
import TrennwandFindings
import TrennwandRecords
import TrennwandState

/// Decisions on record to and from the waiver file `scan --waivers` reads (docs/waivers.md).
///
/// Export: one narrow waiver per decision in force (fingerprint, decision, reason, approver =
/// the deciding account, owner = assignee, created = the day of the decision, expires as
/// recorded; `reported_on`/`authority_reference` for Art. 33), written by the same
/// `WaiverFile.entryText` as `trennwand waive`, and parsed back before it is handed out.
/// Decisions whose expiry has passed are left out (a scan would only warn about them).
///
/// Import: every waiver of a file that names a fingerprint becomes a decision (origin `import`);
/// a waiver without `decision:` (files from before decisions existed) counts as accepted risk;
/// waivers matching by field criteria only cannot name one finding and are skipped, as are
/// waivers equal to the decision already in force (a re-import changes nothing).
package enum WaiverExport {
    package struct Export: Sendable {
        package var text: String
        package var entries: Int
        package var skippedExpired: Int
    }

    package static func text(_ decisions: [ReviewDecision], now: Int64) throws -> Export {
        var text = WaiverFile.header
        var entries = 0
        var skipped = 0
        let zone = ZoneConverter(identifier: WaiverSet.dateZone)
        for d in decisions {
            if case .success(let end) = WaiverTime.parse(d.expires, endOfDay: true, zone: zone), end <= now {
                skipped += 1
                continue
            }
            let draft = WaiverFile.Draft(rule: d.ruleID, fingerprint: d.fingerprint, reason: d.reason, approver: d.decidedBy,
                                         until: d.expires, ticket: d.ticket, decision: d.kind, owner: d.assignee,
                                         reportedOn: d.reportedOn, authorityReference: d.authorityReference,
                                         comment: ["Entscheidung #\(d.id) im Prüfarbeitsplatz / decision #\(d.id) in the review workspace"])
            text += WaiverFile.entryText(draft, now: d.decidedAt, expires: d.expires)
            entries += 1
        }
        // Never hand out a file the scan would refuse.
        _ = try WaiverSet.parse(text, file: "trennwand-waivers.yaml")
        return Export(text: text, entries: entries, skippedExpired: skipped)
    }

    package struct Import: Sendable {
        package var decisions: [ReviewDecision]
        /// Waivers without a fingerprint (by position), not imported.
        package var withoutFingerprint: [SourcePosition]
        /// Waivers equal to the decision in force.
        package var unchanged: Int
    }

    /// The decisions a waiver set adds, given those in force.
    package static func decisions(from set: WaiverSet, current: [ReviewDecision], at now: Int64) -> Import {
        let inForce = Dictionary(current.map { ($0.fingerprint, $0) }, uniquingKeysWith: { a, _ in a })
        var out = Import(decisions: [], withoutFingerprint: [], unchanged: 0)
        for w in set.waivers {
            guard let fp = w.fingerprint else {
                out.withoutFingerprint.append(w.position)
                continue
            }
            let expires = WaiverTime.berlinDate(w.expires - 1)
            let d = ReviewDecision(fingerprint: fp, ruleID: w.rule, kind: w.decision ?? .acceptedRisk, reason: w.reason,
                                   assignee: w.owner, expires: expires, reportedOn: w.reportedOn.map { WaiverTime.berlinDate($0) },
                                   authorityReference: w.authorityReference, ticket: w.ticket, decidedBy: w.approver,
                                   decidedAt: now, origin: .import)
            if let c = inForce[fp], c.kind == d.kind, c.reason == d.reason, c.expires == d.expires, c.assignee == d.assignee,
               c.decidedBy == d.decidedBy {
                out.unchanged += 1
                continue
            }
            out.decisions.append(d)
        }
        return out
    }
}
