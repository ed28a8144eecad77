package io.mmsedge.server.mmsh;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/** Where an ASX metafile's entry points: the content over MMSH here, then over MMS/TCP. */
final class AsxLinks {

    private AsxLinks() {
    }

    /**
     * The content over MMSH on this port, then over MMS/TCP on the MMS port (if there is one),
     * named by the host the player asked for (the Host header without its port), else by the
     * address it reached.
     */
    static List<String> urls(String hostHeader, InetSocketAddress local, int mmsPort, String path) {
        String host = hostHeader == null ? "" : hostHeader;
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                : host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
        if (name.isEmpty()) {
            name = local.getAddress().getHostAddress();
        }
        List<String> urls = new ArrayList<>();
        urls.add("mmsh://" + name + ":" + local.getPort() + "/" + path);
        if (mmsPort > 0) {
            urls.add("mms://" + name + ":" + mmsPort + "/" + path);
        }
        return urls;
    }
}
