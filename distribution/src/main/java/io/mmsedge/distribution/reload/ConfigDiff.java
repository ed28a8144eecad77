package io.mmsedge.distribution.reload;

import io.mmsedge.distribution.config.EdgeConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The keys in which two configurations differ, spelled as in the file ({@code edge.cache.size}),
 * and which of them a reload applies to a running edge ({@link #live}). Sections are compared
 * key by key; a list (the reverse rules, the publishing points) or a section present on one side
 * only counts as one changed key.
 */
final class ConfigDiff {

    /**
     * The keys a reload applies while the edge runs, each with the keys below it. Every other key
     * keeps its running value until a restart (the reply and the log list them).
     */
    static final List<String> LIVE = List.of(
            "server.bind", "server.port", "server.http", "server.limits", "publishingPoints",
            "edge.bind", "edge.port", "edge.http", "edge.reverse", "edge.forward", "edge.followRedirects",
            "edge.maxRedirectHops", "edge.maxSessions", "edge.redirects", "edge.connectTimeoutSeconds",
            "edge.firstDataTimeoutSeconds", "edge.stallTimeoutSeconds", "edge.instanceId", "edge.localNames",
            "edge.upstreamProxy", "edge.cache.size", "accessLog", "server.access", "edge.access");

    private ConfigDiff() {
    }

    /** The keys whose values differ between {@code a} and {@code b}, in the records' order. */
    static List<String> keys(EdgeConfig a, EdgeConfig b) {
        List<String> out = new ArrayList<>();
        diff("", a, b, out);
        return out;
    }

    /**
     * True when a reload applies {@code key}: a live key, of a listener this edge runs (the
     * publishing points need the origin listener, the edge's keys the edge listener).
     */
    static boolean live(String key, boolean origin, boolean edge) {
        if (key.startsWith("publishingPoints") && !origin || key.startsWith("edge") && !edge) {
            return false;
        }
        return LIVE.stream().anyMatch(l -> key.equals(l) || key.startsWith(l + ".") || key.startsWith(l + "["));
    }

    private static void diff(String path, Object a, Object b, List<String> out) {
        if (Objects.equals(a, b)) {
            return;
        }
        if (a instanceof Record ra && b instanceof Record rb && a.getClass() == b.getClass()) {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                diff(path.isEmpty() ? c.getName() : path + "." + c.getName(), read(ra, c), read(rb, c), out);
            }
        } else {
            out.add(path);
        }
    }

    private static Object read(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("configuration record " + r.getClass().getName() + " unreadable", e);
        }
    }
}
