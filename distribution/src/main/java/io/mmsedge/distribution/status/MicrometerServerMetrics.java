package io.mmsedge.distribution.status;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.session.SessionState;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link ServerMetrics} on Micrometer. Meter names (Prometheus form):
 * {@code mmsedge_sessions{state}}, {@code mmsedge_pp_sessions{publishing_point}},
 * {@code mmsedge_pp_sessions_opened_total}, {@code mmsedge_pp_bytes_sent_total},
 * {@code mmsedge_data_packets_sent_total{kind}}, {@code mmsedge_errors_total{reason}};
 * broadcasts (publishing points and the edge's splits, {@code broadcast="split:<url>"}):
 * {@code mmsedge_broadcast_subscribers{broadcast}}, {@code mmsedge_broadcast_dropped_packets_total}
 * (packets slow players skipped to catch up), {@code mmsedge_broadcast_lag_disconnects_total};
 * MMS over UDP: {@code mmsedge_udp_sessions}, {@code mmsedge_udp_datagrams_sent_total},
 * {@code mmsedge_udp_bytes_sent_total}, {@code mmsedge_udp_resend_packets_total{outcome}} (asked,
 * served, refused by the rate limit, too_old), {@code mmsedge_udp_dropped_datagrams_total{reason}}.
 */
public final class MicrometerServerMetrics implements ServerMetrics {

    private final MeterRegistry registry;
    private final Map<SessionState, AtomicInteger> byState = new EnumMap<>(SessionState.class);
    private final Map<String, AtomicInteger> activeByPoint = new ConcurrentHashMap<>();
    private final Map<String, Counter> bytesByPoint = new ConcurrentHashMap<>();
    private final Map<String, Counter> errors = new ConcurrentHashMap<>();
    private final Map<String, BroadcastMeters> broadcasts = new ConcurrentHashMap<>();
    private final Counter headerPackets;
    private final Counter mediaPackets;
    private final AtomicInteger udpSessions = new AtomicInteger();
    private final Counter udpDatagrams;
    private final Counter udpBytes;
    private final Counter[] udpResends = new Counter[4];
    private final Map<String, Counter> udpDropped = new ConcurrentHashMap<>();

    public MicrometerServerMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (SessionState s : SessionState.values()) {
            if (s == SessionState.CLOSED) {
                continue;
            }
            AtomicInteger n = new AtomicInteger();
            byState.put(s, n);
            Gauge.builder("mmsedge.sessions", n, AtomicInteger::get)
                    .description("MMS sessions by state").tag("state", s.name()).register(registry);
        }
        headerPackets = Counter.builder("mmsedge.data.packets.sent").tag("kind", "header")
                .description("Data packets written").register(registry);
        mediaPackets = Counter.builder("mmsedge.data.packets.sent").tag("kind", "media")
                .description("Data packets written").register(registry);
        Gauge.builder("mmsedge.udp.sessions", udpSessions, AtomicInteger::get)
                .description("Sessions taking their Data packets over UDP").register(registry);
        udpDatagrams = Counter.builder("mmsedge.udp.datagrams.sent").description("Data datagrams sent")
                .register(registry);
        udpBytes = Counter.builder("mmsedge.udp.bytes.sent").description("Bytes of Data datagrams sent")
                .register(registry);
        String[] outcomes = {"asked", "served", "refused", "too_old"};
        for (int i = 0; i < outcomes.length; i++) {
            udpResends[i] = Counter.builder("mmsedge.udp.resend.packets").tag("outcome", outcomes[i])
                    .description("Packets named by RequestPacketListResend, by what became of them")
                    .register(registry);
        }
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Current number of sessions in a state. */
    public int sessions(SessionState s) {
        AtomicInteger n = byState.get(s);
        return n == null ? 0 : n.get();
    }

    public Map<String, Integer> activeByPublishingPoint() {
        Map<String, Integer> out = new java.util.TreeMap<>();
        activeByPoint.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void udpSessions(int delta) {
        udpSessions.addAndGet(delta);
    }

    @Override
    public void udpDatagrams(int datagrams, long bytes) {
        udpDatagrams.increment(datagrams);
        udpBytes.increment(bytes);
    }

    @Override
    public void udpResends(int asked, int served, int refused, int tooOld) {
        udpResends[0].increment(asked);
        udpResends[1].increment(served);
        udpResends[2].increment(refused);
        udpResends[3].increment(tooOld);
    }

    @Override
    public void udpDropped(String reason) {
        udpDropped.computeIfAbsent(reason, r -> Counter.builder("mmsedge.udp.dropped.datagrams").tag("reason", r)
                .description("Datagrams received on the UDP port and dropped").register(registry)).increment();
    }

    @Override
    public void stateChanged(SessionState from, SessionState to) {
        if (from != null && from != SessionState.CLOSED) {
            byState.get(from).decrementAndGet();
        }
        if (to != null && to != SessionState.CLOSED) {
            byState.get(to).incrementAndGet();
        }
    }

    @Override
    public void sessionOpened(String pp) {
        activeByPoint.computeIfAbsent(pp, k -> {
            AtomicInteger n = new AtomicInteger();
            Gauge.builder("mmsedge.pp.sessions", n, AtomicInteger::get).tag("publishing_point", k)
                    .description("Open sessions per publishing point").register(registry);
            return n;
        }).incrementAndGet();
        Counter.builder("mmsedge.pp.sessions.opened").tag("publishing_point", pp)
                .description("Sessions opened per publishing point").register(registry).increment();
    }

    @Override
    public void sessionClosed(String pp) {
        AtomicInteger n = activeByPoint.get(pp);
        if (n != null) {
            n.decrementAndGet();
        }
    }

    /** The point's byte counter resolved once: sessions call this per open, then count per packet. */
    @Override
    public PacketCounter packetCounter(String pp) {
        Counter bytesSent = bytesByPoint.computeIfAbsent(pp, k -> Counter.builder("mmsedge.pp.bytes.sent")
                .baseUnit("bytes").tag("publishing_point", k)
                .description("Bytes of Data packets sent per publishing point").register(registry));
        return (packets, bytes, header) -> {
            (header ? headerPackets : mediaPackets).increment(packets);
            bytesSent.increment(bytes);
        };
    }

    @Override
    public void error(String reason) {
        errors.computeIfAbsent(reason, r -> Counter.builder("mmsedge.errors").tag("reason", r)
                .description("Refusals and failures by reason").register(registry)).increment();
    }

    /**
     * The meters of one broadcast. An edge's splits come and go with the URLs players ask for,
     * so they are removed once the broadcast closed and its last subscriber left.
     */
    private final class BroadcastMeters {
        final AtomicInteger subscribers = new AtomicInteger();
        final Gauge gauge;
        final Counter dropped;
        final Counter lagDisconnects;
        boolean closed;

        BroadcastMeters(String b) {
            gauge = Gauge.builder("mmsedge.broadcast.subscribers", subscribers, AtomicInteger::get).tag("broadcast", b)
                    .description("Players subscribed to a broadcast").register(registry);
            dropped = Counter.builder("mmsedge.broadcast.dropped.packets").tag("broadcast", b)
                    .description("Packets slow players skipped to catch up with the live point").register(registry);
            lagDisconnects = Counter.builder("mmsedge.broadcast.lag.disconnects").tag("broadcast", b)
                    .description("Players disconnected for lagging too far behind the live point").register(registry);
        }

        /** This, or null once removed (closed, nobody left). */
        BroadcastMeters removeIfDone() {
            if (closed && subscribers.get() <= 0) {
                registry.remove(gauge);
                registry.remove(dropped);
                registry.remove(lagDisconnects);
                return null;
            }
            return this;
        }
    }

    @Override
    public void broadcastSubscribers(String broadcast, int delta) {
        broadcasts.compute(broadcast, (b, m) -> {
            if (m == null && delta <= 0) {
                return null; // a player leaving a broadcast whose meters are gone already
            }
            if (m == null) {
                m = new BroadcastMeters(b);
            }
            m.subscribers.addAndGet(delta);
            return m.removeIfDone();
        });
    }

    @Override
    public void broadcastDropped(String broadcast, long packets) {
        broadcasts.computeIfAbsent(broadcast, BroadcastMeters::new).dropped.increment(packets);
    }

    @Override
    public void broadcastLagDisconnect(String broadcast) {
        broadcasts.computeIfAbsent(broadcast, BroadcastMeters::new).lagDisconnects.increment();
    }

    @Override
    public void broadcastClosed(String broadcast) {
        broadcasts.computeIfPresent(broadcast, (b, m) -> {
            m.closed = true;
            return m.removeIfDone();
        });
    }
}
