package io.mmsedge.server.broadcast;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.Media;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real MMS server on loopback with broadcast points, sharing one event loop group (two loops)
 * between the sources and the sessions, as the distribution does. Every opened broadcast media
 * is recorded so that tests can look at the subscriptions behind real sessions.
 */
final class BroadcastTestServer implements AutoCloseable {

    /**
     * Reads {@code c} until the server closes the connection (what was still in the socket
     * buffers comes first); fails if the server keeps it open past {@code timeout} of silence.
     */
    static void assertServerCloses(io.mmsedge.fixtures.client.MmsTestClient c, java.time.Duration timeout)
            throws java.io.IOException {
        c.setReadTimeout(timeout);
        try {
            while (true) {
                c.next();
            }
        } catch (java.io.EOFException | java.net.SocketException closed) {
            return;
        } catch (java.net.SocketTimeoutException open) {
            org.junit.jupiter.api.Assertions.fail("the server left the connection open: nothing for " + timeout);
        } finally {
            c.close();
        }
    }


    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    final Map<String, LoopedFileSource> sources = new ConcurrentHashMap<>();
    final List<BroadcastMedia> opened = new CopyOnWriteArrayList<>();
    final MmsServer server;

    BroadcastTestServer(ServerSettings settings, Map<String, List<Path>> points, Map<String, BroadcastSettings> limits,
                        double speed) throws InterruptedException {
        for (var e : points.entrySet()) {
            Broadcast b = new Broadcast(e.getKey(), group.next(), limits.getOrDefault(e.getKey(),
                    BroadcastSettings.defaults()), ServerMetrics.NONE);
            sources.put(e.getKey(), new LoopedFileSource(b, e.getValue(), speed, ByteBufAllocator.DEFAULT).start());
        }
        MediaCatalog catalog = request -> {
            LoopedFileSource s = sources.get(request.path());
            if (s == null) {
                return new OpenResult.Failed(Hresults.E_FILE_NOT_FOUND, "no broadcast " + request.path());
            }
            OpenResult r = new BroadcastCatalog(request.path(), s.broadcast()).open(request.withPath(""));
            if (r instanceof OpenResult.Opened o) {
                Media m = o.media();
                opened.add((BroadcastMedia) m);
            }
            return r;
        };
        server = new MmsServer(settings, catalog, ServerMetrics.NONE, group).start(new InetSocketAddress("127.0.0.1", 0));
    }

    static Path av() {
        return Fixtures.media("av.asf");
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    Broadcast broadcast(String name) {
        return sources.get(name).broadcast();
    }

    @Override
    public void close() {
        server.stop(java.time.Duration.ZERO);
        sources.values().forEach(LoopedFileSource::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
