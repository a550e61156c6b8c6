import Foundation
import XCTest
import TrennwandRecords
@testable import TrennwandEngine

/// Compiled detector databases kept between runs: used only when made from exactly the same
/// patterns and intact, never an error, and a scan finds the same with and without them.
final class DetectorDatabaseCacheTests: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "tw-hscache-" + UUID().uuidString
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Notes with identifiers, context words and keyword terms of every database.
    static let notes = [
        "Steuer-ID 36 574 261 809, IBAN DE89 3704 0044 0532 0130 00, Kd.-Nr. 123A456789.",
        "Gutachten des ärztlichen Dienstes liegt vor; Suchtberatung vereinbart. Rentenversicherungsnummer 15 070649 C103.",
        "Artikelnummer LZ6311T475 im Katalog, nichts Besonderes. Versichertennummer K220645122.",
    ]

    func hits(_ set: DetectorSet) -> [[DetectorHit]] {
        Self.notes.map { set.scan([ByteString(Array($0.utf8))]).hits }
    }

    func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".db") }.sorted()
    }

    func testSecondLoadComesFromTheCacheAndFindsTheSame() throws {
        let cache = DetectorDatabaseCache(directory: directory)
        let plain = try DetectorSet(rulesDirectory: TestPaths.rules.path)
        let first = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        XCTAssertEqual(first.origins, [.compiled, .compiled, .compiled])
        XCTAssertEqual(try files().count, 3)
        let second = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        XCTAssertEqual(second.origins, [.cached, .cached, .cached])
        XCTAssertFalse(hits(plain).allSatisfy(\.isEmpty))
        XCTAssertEqual(hits(second), hits(plain))
        XCTAssertEqual(hits(first), hits(plain))
        let mode = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: directory)[.posixPermissions] as? Int)
        XCTAssertEqual(mode & 0o777, 0o700)
    }

    func testDamagedOrTruncatedFilesAreCompiledAgainAndRewritten() throws {
        let cache = DetectorDatabaseCache(directory: directory)
        let plain = try DetectorSet(rulesDirectory: TestPaths.rules.path)
        _ = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        for (k, name) in try files().enumerated() {
            let path = directory + "/" + name
            var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
            switch k {
            case 0: bytes = bytes.prefix(bytes.count / 2)                 // truncated database
            case 1: bytes[bytes.count - 200] ^= 0xFF; bytes[bytes.count / 2] ^= 0x5A  // damaged database
            default: bytes = bytes.prefix(20)                             // truncated key
            }
            try bytes.write(to: URL(fileURLWithPath: path))
            chmod(path, 0o600)
        }
        let again = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        XCTAssertEqual(again.origins, [.compiled, .compiled, .compiled])
        XCTAssertEqual(hits(again), hits(plain))
        let afterRepair = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        XCTAssertEqual(afterRepair.origins, [.cached, .cached, .cached])
        XCTAssertEqual(hits(afterRepair), hits(plain))
    }

    /// A file whose stored patterns differ is not used, even under the name of the wanted key.
    func testAnotherPatternListsFileIsNotUsed() throws {
        let cache = DetectorDatabaseCache(directory: directory)
        let keyA = DetectorDatabaseCache.key(expressions: ["abc", "d[0-9]+"], flags: [0, 0], ids: [0, 1])
        let keyB = DetectorDatabaseCache.key(expressions: ["abc", "d[0-9]+"], flags: [0, 0], ids: [0, 2])
        XCTAssertNotEqual(cache.path(for: keyA), cache.path(for: keyB))
        let set = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        _ = set
        let stored = try XCTUnwrap(files().first)
        // Some database stored under its own key; moved to the name of keyA it must not load as keyA.
        try FileManager.default.moveItem(atPath: directory + "/" + stored, toPath: cache.path(for: keyA))
        XCTAssertNil(cache.load(key: keyA))
        XCTAssertNil(cache.load(key: keyB))
    }

    func testFilesOthersCanWriteAreNotRead() throws {
        let cache = DetectorDatabaseCache(directory: directory)
        _ = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        for name in try files() { XCTAssertEqual(chmod(directory + "/" + name, 0o664), 0) }
        let again = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        XCTAssertEqual(again.origins, [.compiled, .compiled, .compiled])
    }

    func testUnwritableCacheIsNoError() throws {
        // A regular file where the directory should be: nothing can be created below it.
        try Data("x".utf8).write(to: URL(fileURLWithPath: directory))
        let cache = DetectorDatabaseCache(directory: directory + "/sub")
        let set = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        XCTAssertEqual(set.origins, [.compiled, .compiled, .compiled])
        XCTAssertEqual(hits(set), hits(try DetectorSet(rulesDirectory: TestPaths.rules.path)))
        try FileManager.default.removeItem(atPath: directory)
    }

    /// A use refreshes a file's modification time; files unused for 30 days and temporary files
    /// older than an hour go when a database is written; other files stay.
    func testUnusedFilesArePruned() throws {
        let cache = DetectorDatabaseCache(directory: directory)
        _ = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        let stored = try files()
        XCTAssertEqual(stored.count, 3)
        func setAge(_ name: String, days: Double) {
            let date = Date(timeIntervalSinceNow: -days * 86_400)
            XCTAssertNoThrow(try FileManager.default.setAttributes([.modificationDate: date], ofItemAtPath: directory + "/" + name))
        }
        func age(_ name: String) throws -> TimeInterval {
            let date = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.modificationDate] as? Date)
            return -date.timeIntervalSinceNow
        }
        for name in stored { setAge(name, days: 40) }
        // Loading uses them: fresh again, nothing pruned.
        let again = try DetectorSet(rulesDirectory: TestPaths.rules.path, cache: cache)
        XCTAssertEqual(again.origins, [.cached, .cached, .cached])
        for name in stored { XCTAssertLessThan(try age(name), 3_600, name) }
        // An old database, an old and a young temporary file, and a file of another name.
        for (name, days) in [("vectorscan-0123456789abcdef.db", 31.0), ("vectorscan-1.db.77.5.tmp", 0.1),
                             ("vectorscan-2.db.78.6.tmp", 0.01), ("notes.txt", 400.0)] {
            XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data("x".utf8)))
            setAge(name, days: days)
        }
        setAge(stored[0], days: 29)
        // Any store prunes (the database stored is one of the set's, under another key).
        cache.store(try XCTUnwrap(again.keywordDatabase), key: DetectorDatabaseCache.key(expressions: ["other"], flags: [0], ids: [0]))
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory))
        XCTAssertFalse(left.contains("vectorscan-0123456789abcdef.db"))
        XCTAssertFalse(left.contains("vectorscan-1.db.77.5.tmp"))
        XCTAssertTrue(left.contains("vectorscan-2.db.78.6.tmp"))
        XCTAssertTrue(left.contains("notes.txt"))
        XCTAssertTrue(Set(stored).isSubset(of: left), "used within 30 days: kept")
        XCTAssertEqual(left.filter { $0.hasSuffix(".db") }.count, 4)
    }

    func testStandardLocation() {
        XCTAssertNil(DetectorDatabaseCache.standard(environment: ["TRENNWAND_CACHE_DIR": "off", "HOME": "/home/a"]))
        XCTAssertEqual(DetectorDatabaseCache.standard(environment: ["TRENNWAND_CACHE_DIR": "/x", "CACHE_DIRECTORY": "/c"])?.directory, "/x")
        XCTAssertEqual(DetectorDatabaseCache.standard(environment: ["CACHE_DIRECTORY": "/var/cache/trennwand:/var/cache/b",
                                                                   "HOME": "/home/a"])?.directory, "/var/cache/trennwand")
        XCTAssertEqual(DetectorDatabaseCache.standard(environment: ["XDG_CACHE_HOME": "/xdg", "HOME": "/home/a"])?.directory, "/xdg/trennwand")
        XCTAssertEqual(DetectorDatabaseCache.standard(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/home/a"])?.directory,
                       "/home/a/.cache/trennwand")
        XCTAssertNil(DetectorDatabaseCache.standard(environment: [:]))
    }
}
