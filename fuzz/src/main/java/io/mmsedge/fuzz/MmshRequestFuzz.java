package io.mmsedge.fuzz;

import io.mmsedge.protocol.mmsh.LogStats;
import io.mmsedge.protocol.mmsh.MmshBadRequest;
import io.mmsedge.protocol.mmsh.MmshRequest;
import io.mmsedge.server.mmsh.MmshSettings;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;

/**
 * MMSH requests as a player sends them (MS-WMSP §2.2.2), through the same bounded HTTP decoder
 * settings as the front end, then the request classifier and Pragma parser (§2.2.1.4), and for
 * LogStats the body parser. Properties: bad input ends in a decoder failure or
 * {@link MmshBadRequest} (a 400), nothing else; parsed Pragma values stay inside their bounds.
 */
public final class MmshRequestFuzz {

    private static final MmshSettings SETTINGS = MmshSettings.defaults();

    private MmshRequestFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("mmsh-request", data, MmshRequestFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(MmshRequestFuzz::check);
    }

    public static void fuzzerTearDown() {
        Harness.finalLeakCheck("mmsh-request");
    }

    static void check(byte[] data) {
        EmbeddedChannel ch = new EmbeddedChannel(
                new HttpRequestDecoder(SETTINGS.maxInitialLine(), SETTINGS.maxHeaderSize(), 8192),
                new HttpObjectAggregator(SETTINGS.maxBodySize()));
        try {
            ch.writeInbound(Unpooled.wrappedBuffer(data));
            Object o;
            while ((o = ch.readInbound()) != null) {
                try {
                    if (o instanceof FullHttpRequest r && r.decoderResult().isSuccess()) {
                        request(r);
                    }
                } finally {
                    ReferenceCountUtil.release(o);
                }
            }
        } finally {
            try {
                ch.finishAndReleaseAll();
            } catch (io.netty.handler.codec.PrematureChannelClosureException expected) {
                // The peer closed in the middle of a request: the front end closes the connection.
            }
        }
    }

    private static void request(FullHttpRequest r) {
        MmshRequest m;
        try {
            m = MmshRequest.of(r.method().name(), r.uri(), r.headers().getAll(HttpHeaderNames.PRAGMA),
                    r.headers().get(HttpHeaderNames.USER_AGENT), r.headers().get(HttpHeaderNames.CONTENT_TYPE));
        } catch (MmshBadRequest e) {
            return;
        }
        if (m.pragmas().streamSwitchEntries().size() > io.mmsedge.protocol.mmsh.PragmaParser.MAX_SWITCH_ENTRIES) {
            throw new AssertionError(m.pragmas().streamSwitchEntries().size() + " stream-switch entries");
        }
        if (m.kind() == MmshRequest.Kind.LOG_STATS) {
            LogStats.parse(r.content().toString(StandardCharsets.UTF_8)).toLogString();
        }
    }
}
