import Hummingbird
import NIOCore

/// The request context: the client's address (for the login rate limit), nothing else; the
/// session is looked up per request by `ServeApp.guarded`.
package struct ServeContext: RequestContext {
    package var coreContext: CoreRequestContextStorage
    /// IP address of the peer, nil when unknown (tests).
    package let clientAddress: String?

    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }
}
