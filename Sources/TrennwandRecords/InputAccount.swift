/// Accounting for one input file: every record read is normalised or rejected.
///
/// Invariant: `read == normalised + rejected`. A file that cannot be read at all (unreadable,
/// malformed beyond recovery, no matching profile) carries a `fileError`; a file that breaks off
/// in the middle keeps the records read before the break and carries the error too.
public struct InputAccount: Sendable, Codable {
    public var file: String
    public var profile: String?
    public var read: Int = 0
    public var normalised: Int = 0
    public var rejected: Int = 0
    /// Rejections in file order; at most `detailLimit` are kept, all are counted in `rejectedByReason`.
    public var rejections: [Rejection] = []
    public var rejectedByReason: [String: Int] = [:]
    public var fileError: Rejection?
    public var bytes: Int64 = 0

    public static let detailLimit = 10_000

    public init(file: String, profile: String? = nil) {
        self.file = file
        self.profile = profile
    }

    public var isBalanced: Bool { read == normalised + rejected }

    public mutating func countNormalised(_ n: Int = 1) {
        read += n
        normalised += n
    }

    public mutating func reject(_ rejection: Rejection) {
        read += 1
        rejected += 1
        rejectedByReason[rejection.reason.code, default: 0] += 1
        if rejections.count < Self.detailLimit { rejections.append(rejection) }
    }
}
