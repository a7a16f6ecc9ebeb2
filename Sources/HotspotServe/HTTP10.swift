import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// HTTP/1.0 without keep-alive: the connection closes after the response (RFC 1945; ApacheBench and other HTTP/1.0
/// clients read to the close). Hummingbird's HTTP/1 channel sees requests as version-less HTTP types and keeps every
/// connection open unless the request says `Connection: close`; this wrapper says it for such HTTP/1.0 requests,
/// before the conversion, and is otherwise Hummingbird's `HTTP1Channel`.
struct HTTP1ClosingChannel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value
    let inner: HTTP1Channel

    static func builder() -> HTTPServerBuilder {
        HTTPServerBuilder { responder in HTTP1ClosingChannel(inner: HTTP1Channel(responder: responder)) }
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        inner.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let ops = channel.pipeline.syncOperations
            let anchor: any ChannelHandler
            if let p = try? ops.handler(type: HTTPServerPipelineHandler.self) { anchor = p } else {
                anchor = try ops.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            }
            try ops.addHandler(HTTP10CloseHandler(), position: .after(anchor))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Marks an HTTP/1.0 request that did not ask for keep-alive with `Connection: close`.
final class HTTP10CloseHandler: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var part = unwrapInboundIn(data)
        if case .head(var head) = part, head.version == .http1_0, !head.isKeepAlive {
            head.headers.replaceOrAdd(name: "connection", value: "close")
            part = .head(head)
        }
        context.fireChannelRead(wrapInboundOut(part))
    }
}
