package io.mmsedge.server.mmsh;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.ServerSettings;
import io.mmsedge.server.media.AsfFileEntry;
import io.mmsedge.server.media.DirectoryCatalog;
import io.mmsedge.server.media.FileMedia;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenResult;
import io.mmsedge.server.net.MmsServer;
import io.netty.buffer.ByteBufAllocator;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/**
 * A real server on loopback serving the fixtures over MMS/TCP and MMSH on its MMS port and over
 * MMSH on an HTTP port; plus a playlist "plist" (audio.asf, av.asf) and "vip/…", which needs
 * Basic credentials alice:secret.
 */
final class MmshOrigin implements AutoCloseable {

    static final String REALM = "vip";
    static final String CREDENTIALS = "Basic " + Base64.getEncoder().encodeToString(
            "alice:secret".getBytes(StandardCharsets.US_ASCII));

    final MmsServer server;

    MmshOrigin(ServerSettings settings) throws InterruptedException {
        this(settings, null);
    }

    MmshOrigin(ServerSettings settings, MediaCatalog override) throws InterruptedException {
        this(settings, override, MmshSettings.defaults());
    }

    MmshOrigin(ServerSettings settings, MediaCatalog override, MmshSettings mmsh) throws InterruptedException {
        DirectoryCatalog dir = new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT);
        List<Path> playlist = List.of(Fixtures.media("audio.asf"), Fixtures.media("av.asf"));
        MediaCatalog catalog = override != null ? override : request -> {
            if (request.path().equals("plist")) {
                try {
                    AsfFileEntry first = AsfFileEntry.open(playlist.get(0), ContentInfo.ATTR_PLAYLIST,
                            ByteBufAllocator.DEFAULT);
                    return new OpenResult.Opened(new FileMedia("plist", first, playlist.size(),
                            i -> AsfFileEntry.open(playlist.get(i), ContentInfo.ATTR_PLAYLIST,
                                    ByteBufAllocator.DEFAULT)));
                } catch (Exception e) {
                    return new OpenResult.Failed(Hresults.E_FAIL, e.toString());
                }
            }
            if (request.path().startsWith("vip/")) {
                if (!CREDENTIALS.equals(request.credentials())) {
                    return new OpenResult.AuthenticationRequired(REALM);
                }
                return dir.open(request.withPath(request.path().substring(4)));
            }
            return dir.open(request);
        };
        server = new MmsServer(settings, catalog, ServerMetrics.NONE, null).withMmsh(mmsh)
                .start(new InetSocketAddress("127.0.0.1", 0))
                .startHttp(new InetSocketAddress("127.0.0.1", 0));
    }

    static MmshOrigin fast() throws InterruptedException {
        return new MmshOrigin(ServerSettings.defaults().withPacingSpeed(0));
    }

    InetSocketAddress mms() {
        return server.localAddress();
    }

    InetSocketAddress http() {
        return server.httpAddress();
    }

    @Override
    public void close() {
        server.close();
    }
}
