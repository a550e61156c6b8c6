/// Login rate limit: after `failures` failed logins within `window` seconds, further logins for
/// that account name, or from that client address, are refused for `lockout` seconds — even with
/// the right password, and with the same answer as a wrong one. Counted separately per account
/// (guessing one password) and per client address (trying many accounts; a higher limit, since
/// several people may share an address). A successful login clears the account's count.
///
/// Kept in memory: a restart of the server clears it (documented in docs/serve.md). Behind a
/// reverse proxy every client has the proxy's address, so the address limit then acts for all.
package actor LoginThrottle {
    package struct Limits: Sendable, Hashable {
        package var accountFailures: Int
        package var addressFailures: Int
        package var window: Int64
        package var lockout: Int64

        /// 5 failures per account, 20 per address, within 15 minutes → 15 minutes locked.
        package static let standard = Limits(accountFailures: 5, addressFailures: 20, window: 15 * 60, lockout: 15 * 60)

        package init(accountFailures: Int, addressFailures: Int, window: Int64, lockout: Int64) {
            self.accountFailures = accountFailures
            self.addressFailures = addressFailures
            self.window = window
            self.lockout = lockout
        }
    }

    private struct Entry {
        var failures: [Int64] = []
        var lockedUntil: Int64 = 0
    }

    private let limits: Limits
    private var entries: [String: Entry] = [:]

    package init(limits: Limits) { self.limits = limits }

    private static func keys(account: String, address: String?) -> (String, String) {
        ("account:" + account.lowercased(), "address:" + (address ?? "unknown"))
    }

    /// Whether a login for `account` from `address` is refused now.
    package func isLocked(account: String, address: String?, now: Int64) -> Bool {
        let (a, b) = Self.keys(account: account, address: address)
        return (entries[a]?.lockedUntil ?? 0) > now || (entries[b]?.lockedUntil ?? 0) > now
    }

    /// Counts a failed login.
    package func fail(account: String, address: String?, now: Int64) {
        let (a, b) = Self.keys(account: account, address: address)
        count(a, limit: limits.accountFailures, now: now)
        count(b, limit: limits.addressFailures, now: now)
        // Bounded memory: forget entries that no longer matter.
        if entries.count > 10_000 {
            entries = entries.filter { $0.value.lockedUntil > now || ($0.value.failures.last ?? 0) > now - limits.window }
        }
    }

    /// Clears the account's count after a successful login.
    package func succeed(account: String, address: String?) {
        entries["account:" + account.lowercased()] = nil
    }

    private func count(_ key: String, limit: Int, now: Int64) {
        var e = entries[key] ?? Entry()
        e.failures = e.failures.filter { $0 > now - limits.window } + [now]
        if e.failures.count >= limit {
            e.lockedUntil = now + limits.lockout
            e.failures = []
        }
        entries[key] = e
    }
}
