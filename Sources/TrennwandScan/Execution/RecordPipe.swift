import Foundation
import TrennwandEngine
import TrennwandFindings
import TrennwandReaders
import TrennwandRecords

/// Reading and rule evaluation of one file pipelined: `Ingest.run` on its own thread hands
/// records over in batches (at most a few batches ahead), `body` runs on the calling thread.
enum RecordPipe {
    static let batchSize = 256

    static func run(path: String, profile: SourceProfile, catalog: ProfileCatalog, body: (Record) -> Void) -> InputAccount {
        let pipe = Pipe(capacity: 4)
        let producer = Thread {
            var batch: [Record] = []
            batch.reserveCapacity(batchSize)
            let account = UnitReader.readWhole(path: path, profile: profile, catalog: catalog) { record in
                batch.append(record)
                if batch.count == batchSize {
                    pipe.put(batch)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { pipe.put(batch) }
            pipe.finish(account)
        }
        producer.stackSize = 1 << 20
        producer.start()
        while let batch = pipe.take() {
            for record in batch { body(record) }
        }
        return pipe.account!
    }

    final class Pipe: @unchecked Sendable {
        private let condition = NSCondition()
        private var batches: [[Record]] = []
        private let capacity: Int
        private(set) var account: InputAccount?

        init(capacity: Int) { self.capacity = capacity }

        func put(_ batch: [Record]) {
            condition.lock()
            while batches.count >= capacity { condition.wait() }
            batches.append(batch)
            condition.broadcast()
            condition.unlock()
        }

        func finish(_ account: InputAccount) {
            condition.lock()
            self.account = account
            condition.broadcast()
            condition.unlock()
        }

        func take() -> [Record]? {
            condition.lock()
            defer { condition.unlock() }
            while batches.isEmpty && account == nil { condition.wait() }
            if batches.isEmpty { return nil }
            let b = batches.removeFirst()
            condition.broadcast()
            return b
        }
    }
}
