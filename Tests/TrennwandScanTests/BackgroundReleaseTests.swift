import Foundation
import XCTest
@testable import TrennwandScan

/// What a finished scan hands to `BackgroundRelease` is freed, and not on the handing thread.
final class BackgroundReleaseTests: XCTestCase {
    private final class Tracked: @unchecked Sendable {
        let freed: XCTestExpectation
        let caller: pthread_t
        nonisolated(unsafe) static var freedOnCaller: Bool?

        init(_ freed: XCTestExpectation) {
            self.freed = freed
            self.caller = pthread_self()
        }

        deinit {
            Self.freedOnCaller = pthread_equal(caller, pthread_self()) != 0
            freed.fulfill()
        }
    }

    func testObjectsAreFreedOnAnotherThread() {
        let freed = expectation(description: "freed")
        let object = Tracked(freed)
        BackgroundRelease.drop([consume object])
        wait(for: [freed], timeout: 10)
        XCTAssertEqual(Tracked.freedOnCaller, false)
    }
}
