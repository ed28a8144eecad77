package io.mmsedge.proxy.upstream;

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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;

/**
 * Our real origin (the mms-edge server role) on loopback serving the fixtures plus a 2-entry
 * playlist "plist" (audio.asf, av.asf). Every OpenRequest the origin's sessions make is
 * recorded, so tests see what the origin parsed from our client's messages.
 */
public final class Origin implements AutoCloseable {

    public static final List<String> PLAYLIST = List.of("audio.asf", "av.asf");

    final MmsServer server;
    public final List<OpenRequest> requests = new CopyOnWriteArrayList<>();

    public Origin(ServerSettings settings, UnaryOperator<MediaCatalog> wrap) throws InterruptedException {
        DirectoryCatalog dir = new DirectoryCatalog("/", Fixtures.mediaDir(), ByteBufAllocator.DEFAULT);
        MediaCatalog files = request -> {
            if (request.path().equals("plist")) {
                try {
                    List<Path> entries = PLAYLIST.stream().map(Fixtures::media).toList();
                    AsfFileEntry first = AsfFileEntry.open(entries.get(0), ContentInfo.ATTR_PLAYLIST,
                            ByteBufAllocator.DEFAULT);
                    return new OpenResult.Opened(new FileMedia("plist", first, entries.size(),
                            i -> AsfFileEntry.open(entries.get(i), ContentInfo.ATTR_PLAYLIST, ByteBufAllocator.DEFAULT)));
                } catch (Exception e) {
                    return new OpenResult.Failed(Hresults.E_FAIL, e.toString());
                }
            }
            return dir.open(request);
        };
        MediaCatalog inner = wrap == null ? files : wrap.apply(files);
        MediaCatalog recording = new MediaCatalog() {
            @Override
            public OpenResult open(OpenRequest request) {
                requests.add(request);
                return inner.open(request);
            }

            @Override
            public String authenPackage() {
                return inner.authenPackage();
            }
        };
        server = new MmsServer(settings, recording, ServerMetrics.NONE, null).start(new InetSocketAddress("127.0.0.1", 0));
    }

    public static Origin fast() throws InterruptedException {
        return new Origin(ServerSettings.defaults().withPacingSpeed(0), null);
    }

    public InetSocketAddress address() {
        return server.localAddress();
    }

    /** host-info of this origin as the client puts it in subscriberName. */
    public String hostPort() {
        return "127.0.0.1:" + address().getPort();
    }

    public OpenRequest lastRequest() {
        return requests.get(requests.size() - 1);
    }

    @Override
    public void close() {
        server.close();
    }
}
