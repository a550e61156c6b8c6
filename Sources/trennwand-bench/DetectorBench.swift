// `trennwand-bench detectors`: throughput of the full DetectorSet scan over ~100 MB of synthetic
// German notes, next to ripgrep counting the same identifier candidate patterns.
import Foundation
import TrennwandEngine
import TrennwandRecords

enum DetectorBench {
    static let sentences = [
        "Frau %N kam pünktlich zum Beratungsgespräch und berichtete über ihre Bewerbungen.",
        "Herr %N hat am Bewerbungstraining teilgenommen und wirkte motiviert.",
        "Gemeinsam wurde der Lebenslauf überarbeitet; die Zeugnisse fehlen noch.",
        "Die Kinderbetreuung ist ab Montag geklärt, die Kita hat einen Platz zugesagt.",
        "Wir haben über Praktikumsstellen im Einzelhandel und in der Pflege gesprochen.",
        "Der Teilnehmer äußerte Interesse an einer Umschulung zum Fachlagerist.",
        "Nächster Termin in zwei Wochen, Hausaufgabe: drei Bewerbungen schreiben.",
        "Die Übergabe an die Kollegin erfolgt nach Rücksprache mit der Projektleitung.",
        "Telefonat mit dem Arbeitgeber, Vorstellungsgespräch am Donnerstag um 10 Uhr.",
        "Sie möchte ihre Deutschkenntnisse verbessern und sucht einen B2-Kurs.",
        "Gespräch über Zeitmanagement, Pünktlichkeit und Erreichbarkeit per Telefon.",
        "Er berichtete von Schulden und einer drohenden Kontopfändung.",
        "Laut Leistungsbescheid wurden die Kosten der Unterkunft gekürzt.",
        "Eine Sanktion wegen Meldeversäumnis steht im Raum.",
        "Das ärztliche Gutachten liegt dem Jobcenter vor.",
        "Die Potenzialanalyse aus VerBIS wurde besprochen.",
        "Sie ist seit drei Wochen arbeitsunfähig geschrieben.",
        "Die Bedarfsgemeinschaft besteht aus drei Personen.",
        "Herr %N nimmt an der Suchtberatung teil.",
    ]
    static let names = ["Schmidt", "Müller", "Yılmaz", "Özdemir", "Weber", "Nowak", "Becker", "Krüger", "Hoffmann", "Şahin"]
    static let plants = [
        "Steuer-ID 36 574 261 809", "IBAN DE89 3704 0044 0532 0130 00", "RV-Nr. 15 070649 C103",
        "KVNR K220645122", "Ausweisnummer LZ6311T475", "Kd.-Nr. 123A456789", "BG-Nr. 12345BG1234567",
        "Tel. 0176 23456789", "Rechnung 36574261890", "Vorgang 123A456789",
    ]

    static func generate(megabytes: Int) -> [[UInt8]] {
        var rng = SplitMix(state: 42)
        var notes: [[UInt8]] = []
        var total = 0
        let target = megabytes * 1_000_000
        while total < target {
            var note = "Vermerk \(notes.count): "
            for _ in 0..<Int.random(in: 4...14, using: &rng) {
                let i = Int.random(in: 0..<100, using: &rng)
                // Mostly harmless sentences; data-category sentences in ~8 %.
                let s = i < 92 ? sentences[i % 11] : sentences[11 + (i - 92) % 8]
                note += s.replacingOccurrences(of: "%N", with: names.randomElement(using: &rng)!) + " "
            }
            if Int.random(in: 0..<10, using: &rng) == 0 { note += plants.randomElement(using: &rng)! + "." }
            let bytes = Array(note.utf8)
            total += bytes.count + 1
            notes.append(bytes)
        }
        return notes
    }

    static func run(rulesDirectory: String, megabytes: Int) throws {
        let set = try DetectorSet(rulesDirectory: rulesDirectory)
        print("detectors: \(set.detectors.count) (\(set.patternCount) Vectorscan patterns)")
        let notes = generate(megabytes: megabytes)
        let bytes = notes.reduce(0) { $0 + $1.count + 1 }
        let mb = Double(bytes) / 1_000_000
        print(String(format: "text: %.1f MB, %d notes", mb, notes.count))

        let scanner = set.makeScanner()
        var hits = 0
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for note in notes {
                note.withUnsafeBufferPointer { hits += scanner.scan($0).count }
            }
        }
        let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
        print(String(format: "DetectorSet scan: %.3f s, %.0f MB/s, %d hits, %.0f hits/s", seconds, mb / seconds, hits, Double(hits) / seconds))

        // Breakdown: identifiers only, keyword lists only.
        let rules = rulesDirectory as NSString
        for (label, part) in [
            ("identifiers only", try DetectorSet(detectorsFile: rules.appendingPathComponent("detectors.yaml"), listsDirectory: nil)),
            ("keyword lists only", try DetectorSet(detectorsFile: nil, listsDirectory: rules.appendingPathComponent("lists"))),
        ] {
            let s = part.makeScanner()
            var n = 0
            let t = clock.measure { for note in notes { note.withUnsafeBufferPointer { n += s.scan($0).count } } }
            let sec = Double(t.components.attoseconds) / 1e18 + Double(t.components.seconds)
            print(String(format: "  %@ (%d patterns): %.0f MB/s, %d hits", label, part.patternCount, mb / sec, n))
        }

        // ripgrep over the same text as one file, with the identifier candidate patterns.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("trennwand-bench-detectors.txt")
        var blob = [UInt8]()
        blob.reserveCapacity(bytes)
        for note in notes { blob += note; blob.append(0x0A) }
        try Data(blob).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let rgArgs = ["-c"] + set.identifierPatterns.flatMap { ["-e", $0.pattern] } + [file.path]
        let rg = Process()
        rg.executableURL = URL(fileURLWithPath: "/usr/bin/rg")
        rg.arguments = rgArgs
        let pipe = Pipe()
        rg.standardOutput = pipe
        var output = ""
        let rgElapsed = try clock.measure {
            try rg.run()
            output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            rg.waitUntilExit()
        }
        let rgSeconds = Double(rgElapsed.components.attoseconds) / 1e18 + Double(rgElapsed.components.seconds)
        print(String(format: "rg -c (%d identifier patterns): %.3f s, %.0f MB/s, %@ matching lines",
                     set.identifierPatterns.count, rgSeconds, mb / rgSeconds,
                     output.trimmingCharacters(in: .whitespacesAndNewlines)))
        print(String(format: "ratio DetectorSet / rg: %.2f", (mb / seconds) / (mb / rgSeconds)))
    }
}
