package io.mmsedge.server.mmsh;

import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.net.WriteWindows;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MMSH front end of a server: installs the HTTP codec, bounded as {@link MmshSettings}
 * says, and an {@link MmshHandler} on a connection, and keeps the server's sessions by
 * client-id. One per listener set (the MMS port and the HTTP port share it, so a Stop may
 * arrive on either).
 */
public final class MmshFrontEnd {

    private static final Logger log = LoggerFactory.getLogger(MmshFrontEnd.class);

    private final ServerSettings settings;
    private final MmshSettings mmsh;
    private final MediaCatalog catalog;
    private final ServerMetrics metrics;
    private final WriteWindows windows;
    private final IntSupplier mmsPort;
    private final MmshSessions sessions = new MmshSessions();

    /**
     * @param mmsPort the MMS/TCP port ASX metafiles name (used when {@code mmsh.mmsPort()} is 0)
     */
    public MmshFrontEnd(ServerSettings settings, MmshSettings mmsh, MediaCatalog catalog, ServerMetrics metrics,
                        WriteWindows windows, IntSupplier mmsPort) {
        this.settings = settings;
        this.mmsh = mmsh;
        this.catalog = catalog;
        this.metrics = metrics;
        this.windows = windows;
        this.mmsPort = () -> mmsh.mmsPort() > 0 ? mmsh.mmsPort() : mmsPort.getAsInt();
    }

    public MmshSettings settings() {
        return mmsh;
    }

    /** Adds the MMSH handlers at the end of {@code p}. */
    public void install(ChannelPipeline p) {
        p.addLast("http-codec", new HttpServerCodec(mmsh.maxInitialLine(), mmsh.maxHeaderSize(), 8192));
        p.addLast("http-continue", new HttpServerExpectContinueHandler());
        p.addLast("http-aggregator", new HttpObjectAggregator(mmsh.maxBodySize(), true) {
            @Override
            protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
                log.warn("peer={} request=\"{}\" reason=\"body larger than {} bytes\": 413, closing",
                        ctx.channel().remoteAddress(), oversized instanceof io.netty.handler.codec.http.HttpRequest r
                                ? r.method() + " " + r.uri() : "?", mmsh.maxBodySize());
                metrics.error("mmsh_bad_request");
                super.handleOversizedMessage(ctx, oversized);
            }
        });
        p.addLast("mmsh", new MmshHandler(settings, catalog, metrics, sessions, windows, mmsPort,
                mmsh.sniffTimeout()));
    }

    /** Sessions with a client-id now (Describe or Play in progress). */
    public int sessionCount() {
        return sessions.size();
    }
}
