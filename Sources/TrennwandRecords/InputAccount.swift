/// Accounting for one input file: every record read is normalised or rejected.
///
/// Invariant: `read == normalised + rejected`. A file that cannot be read at all (unreadable,
/// malformed beyond recovery, no matching profile) carries a `fileError`; a file that breaks off
/// in the middle keeps the records read before the break and carries the error too.
package struct InputAccount: Sendable, Codable {
    package var file: String
    package var profile: String?
    package var read: Int = 0
    package var normalised: Int = 0
    package var rejected: Int = 0
    /// Rejections in file order; at most `detailLimit` are kept, all are counted in `rejectedByReason`.
    package var rejections: [Rejection] = []
    package var rejectedByReason: [String: Int] = [:]
    package var fileError: Rejection?
    package var bytes: Int64 = 0

    package static let detailLimit = 10_000

    package init(file: String, profile: String? = nil) {
        self.file = file
        self.profile = profile
    }

    package var isBalanced: Bool { read == normalised + rejected }

    package mutating func countNormalised() {
        read += 1
        normalised += 1
    }

    package mutating func reject(_ rejection: Rejection) {
        read += 1
        rejected += 1
        rejectedByReason[rejection.reason.code, default: 0] += 1
        if rejections.count < Self.detailLimit { rejections.append(rejection) }
    }
}
