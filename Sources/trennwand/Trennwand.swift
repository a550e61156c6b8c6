import ArgumentParser

/// `trennwand`: the command-line front end composing readers, engine, findings and outputs.
@main
struct Trennwand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trennwand",
        abstract: "Datenschutz-Prüfung der Trennung zwischen Jobcenter und Träger.",
        subcommands: [IngestCommand.self, ProfilesCommand.self]
    )
}
