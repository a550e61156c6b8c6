import Foundation

/// Frees what a finished scan no longer needs on a thread of its own.
///
/// Tearing down a scan's planning and evaluation state (reference tables and their indexes,
/// rule packs, lookup memos, the batch engine's columns) took 5–7 ms on the merging thread of a
/// 256 MB XML scan, between the last merged unit and the report (issue 20, twelfth stop); the
/// report does not need any of it. The objects are handed over whole (`consume` at the call) so
/// that the last reference, and with it every deinit, is dropped on the releasing thread.
/// Nothing in these deinits is observable (memory and Vectorscan scratch space only); a process
/// that exits first simply never frees them.
final class BackgroundRelease: @unchecked Sendable {
    private var objects: [Any]

    private init(_ objects: [Any]) { self.objects = objects }

    /// Drops `objects` on a new detached thread.
    static func drop(_ objects: [Any]) {
        let parcel = BackgroundRelease(objects)
        Thread.detachNewThread { parcel.objects.removeAll() }
    }
}
