package io.mmsedge.server.session;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.media.FileMedia;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/** A real MMS server on loopback serving the fixtures, plus a playlist "plist" (audio.asf, av.asf). */
final class TestOrigin implements AutoCloseable {

    final MmsServer server;

    TestOrigin(ServerSettings settings) throws InterruptedException {
        DirectoryCatalog dir = new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT);
        List<Path> playlist = List.of(Fixtures.media("audio.asf"), Fixtures.media("av.asf"));
        MediaCatalog catalog = request -> {
            if (request.path().equals("plist")) {
                try {
                    AsfFileEntry first = AsfFileEntry.open(playlist.get(0), ContentInfo.ATTR_PLAYLIST,
                            ByteBufAllocator.DEFAULT);
                    return new OpenResult.Opened(new FileMedia("plist", first, playlist.size(),
                            i -> AsfFileEntry.open(playlist.get(i), ContentInfo.ATTR_PLAYLIST, ByteBufAllocator.DEFAULT)));
                } catch (Exception e) {
                    return new OpenResult.Failed(Hresults.E_FAIL, e.toString());
                }
            }
            return dir.open(request);
        };
        server = new MmsServer(settings, catalog, ServerMetrics.NONE, null).start(new InetSocketAddress("127.0.0.1", 0));
    }

    static TestOrigin fast() throws InterruptedException {
        return new TestOrigin(ServerSettings.defaults().withPacingSpeed(0));
    }

    InetSocketAddress address() {
        return server.localAddress();
    }

    @Override
    public void close() {
        server.close();
    }
}
