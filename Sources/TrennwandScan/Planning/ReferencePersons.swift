import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// The persons of the reference tables of a scan's inputs (`reference:` of audit.yaml), as the
/// directory `trennwand serve` answers an approved re-identification from (issue #18 item 5).
/// Reads the tables exactly as a scan does (same profile choice, same reader), so the ids are
/// the bytes the scan pseudonymised.
package enum ReferencePersons {
    /// Every value of a `person` field of every reference table among `inputs`, keyed by its
    /// pseudonym; the accounts of the tables read (their errors are the caller's to report).
    package static func directory(_ inputs: [ScanInput], catalog: ProfileCatalog,
                                  pseudonymizer: Pseudonymizer) -> (directory: PersonDirectory, accounts: [InputAccount]) {
        var directory = PersonDirectory()
        var accounts: [InputAccount] = []
        for input in inputs {
            // An input without a usable profile is skipped here: its kind is unknown, and the scan
            // itself accounts it with its file error (InputPlan); a reference table read with
            // errors is in `accounts`.
            guard let profile = try? UnitReader.profile(for: input, catalog: catalog), !profile.kind.isEvaluated else { continue }
            let fields = profile.kind.schema.fields.enumerated().filter { $0.element.disclosure == .person }
            accounts.append(UnitReader.readWhole(path: input.path, profile: profile, catalog: catalog) { record in
                for (slot, spec) in fields {
                    for id in record.values[slot].strings where !id.bytes.isEmpty {
                        directory.add(id, table: profile.kind.rawValue, field: spec.name, pseudonymizer: pseudonymizer)
                    }
                }
            })
        }
        return (directory, accounts)
    }
}
