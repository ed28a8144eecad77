package io.mmsedge.server.udp;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.RequestPacketListResend;
import io.mmsedge.protocol.mms.codec.DataDatagram;
import io.mmsedge.server.ServerMetrics;
import io.mmsedge.server.net.PrefixBlocks;
import io.mmsedge.server.play.PlayerChannel;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One player's UDP side (MS-MMSP §3.2.5.11.1 with Client-Port set): its Data packets as
 * datagrams to one fixed destination, the window of packets it may ask again, and its limits.
 *
 * <p>The destination is the address of the player's TCP connection and the port of its funnel
 * (§3.2.5.5); nothing else it sends can change that. Every datagram (data, header, packet-pair,
 * resend) is charged to a byte budget of the content rate times {@link UdpSettings#rateFactor()};
 * while it is spent, {@link #isWritable()} is false and the play session waits, as it does for
 * a full socket. Resends also need a token of their own bucket (§5.1: "a limit on how many
 * packets per second it will resend"), which bounds how far they can take the budget into debt. Runs on the session's thread, except
 * {@link #resendRequested}, which arrives on whichever loop's UDP socket the kernel picked.
 */
public final class UdpPlayer {

    private static final Logger log = LoggerFactory.getLogger(UdpPlayer.class);
    /** Datagrams queued before a flush is forced, whatever the caller does. */
    private static final int MAX_BATCH = 64;
    /**
     * Resend requests waiting for the session's thread; more are refused (a flood costs a
     * counter). Each names at most RequestPacketListResend.MAX_PACKETS packets and what is
     * resent is the resend bucket's to bound, so this bounds only the queue. It was 4: a player
     * that lost packets in the preroll's burst asks once per packet that arrives after a gap,
     * several requests within a millisecond, and the fifth was refused while the session's loop
     * was busy sending that burst; the player never asks for those packets again.
     */
    private static final int MAX_PENDING_REQUESTS = 32;
    /** Budget before the content's rate is known (only the funnel exists then): 64 kbit/s. */
    private static final long UNKNOWN_BIT_RATE = 64_000;

    private final UdpTransport transport;
    /** The socket this player's datagrams leave by: its own session loop's, with epoll. */
    private final UdpLane lane;
    private final UdpSettings settings;
    private final int clientId;
    private final InetSocketAddress destination;
    private final PlayerChannel owner;
    private final Runnable resume;
    private final ServerMetrics metrics;
    private final double speed;
    private final ByteBufAllocator alloc;
    private final TokenBucket budget;
    private final TokenBucket resends;
    private ResendWindow window = new ResendWindow(1, 0);
    /** The split's window this player's resends take shared payloads from (attached), or null. */
    private SharedResendWindow shared;
    private int minChunk = DataDatagram.PACKET_PAIR_PAYLOAD;
    private final List<DatagramPacket> batch = new ArrayList<>();
    private long batchBytes;
    private final AtomicInteger pendingRequests = new AtomicInteger();
    private ScheduledFuture<?> resumeTimer;
    /** Queued in its lane's waiting list (set on the session's thread, cleared on the lane's loop). */
    private final java.util.concurrent.atomic.AtomicBoolean waitingForRoom = new java.util.concurrent.atomic.AtomicBoolean();
    private boolean closed;
    private long datagramsSent;
    private long bytesSent;

    UdpPlayer(UdpTransport transport, int clientId, InetSocketAddress destination, PlayerChannel owner,
              Runnable resume, double pacingSpeed, ServerMetrics metrics) {
        this.transport = transport;
        this.lane = transport.laneFor(owner);
        this.settings = transport.settings();
        this.clientId = clientId;
        this.destination = destination;
        this.owner = owner;
        this.resume = resume;
        this.metrics = metrics;
        // Limits are in the pacing's time: content paced 8x faster (tests) may go 8x faster.
        this.speed = pacingSpeed > 0 ? pacingSpeed : 1;
        this.alloc = lane.alloc();
        long now = owner.nanoTime();
        this.budget = new TokenBucket(1, 1, now);
        this.resends = new TokenBucket(1, 1, now);
        limitTo(UNKNOWN_BIT_RATE, DataDatagram.PACKET_PAIR_PAYLOAD, 0);
    }

    public InetSocketAddress destination() {
        return destination;
    }

    int clientId() {
        return clientId;
    }

    /**
     * Sets the limits for content of {@code bitRate} bit/s in packets of {@code packetSize}
     * bytes whose header is {@code headerSize} bytes; the resend window restarts.
     */
    public void limitTo(long bitRate, int packetSize, int headerSize) {
        limitTo(bitRate, packetSize, headerSize, null);
    }

    /**
     * As {@link #limitTo(long, int, int)}, for content whose packets a split keeps in
     * {@code sharedWindow} (null: none): resends take the payloads from there, and this player
     * keeps only their header fields.
     */
    public void limitTo(long bitRate, int packetSize, int headerSize, SharedResendWindow sharedWindow) {
        double bytesPerSecond = Math.max(bitRate, 8_000) / 8.0;
        int chunk = Math.max(packetSize, 64) + DataPacket.HEADER_SIZE;
        minChunk = chunk;
        // The burst holds the preroll a play starts with, the header and the two packet-pair packets.
        // Full at first: the content's rate only becomes known now (open, next playlist entry).
        budget.fill(bytesPerSecond * settings.rateFactor() * speed,
                bytesPerSecond * settings.burstSeconds() + headerSize + 2L * (DataDatagram.PACKET_PAIR_PAYLOAD + 8)
                        + 2L * chunk);
        double packetsPerSecond = bytesPerSecond / chunk * speed;
        double resendRate = Math.max(4, settings.resendShare() * packetsPerSecond);
        resends.fill(resendRate, Math.max(RequestPacketListResend.MAX_PACKETS, resendRate));
        window.clear();
        leaveShared();
        if (sharedWindow != null && !closed && settings.resendSeconds() > 0
                && sharedWindow.attach(settings.resendSeconds())) {
            shared = sharedWindow;
        }
        long windowPackets = (long) Math.ceil(packetsPerSecond * settings.resendSeconds()) + 16;
        window = settings.resendSeconds() == 0 ? new ResendWindow(1, -1)
                : new ResendWindow((int) Math.min(4096, windowPackets), (long) (settings.resendSeconds() * 1e9),
                        shared);
    }

    private void leaveShared() {
        if (shared != null) {
            shared.detach();
            shared = null;
        }
    }

    // ------------------------------------------------------------------ sending (session thread)

    /** A piece of the ASF file header (§3.2.5.8.1); takes ownership of {@code part}. */
    public void sendHeaderPart(int index, int playIncarnation, int afFlags, ByteBuf part) {
        queue(DataDatagram.encode(alloc, index, playIncarnation, afFlags, part));
    }

    /**
     * An ASF data packet (§3.2.5.11.1) with its full 32-bit sequence number, kept for resends;
     * takes ownership of {@code payload}.
     */
    public void sendPacket(int sequence, int locationId, int playIncarnation, int afFlags, ByteBuf payload) {
        if (!closed) {
            // The split's payload is kept once for all its players; a filtered one is this player's own.
            ByteBuf kept = shared != null && shared.holds(locationId, payload) ? null : payload.retainedDuplicate();
            window.put(sequence, locationId, playIncarnation, afFlags, kept, owner.nanoTime());
        }
        // Once per packet per player: the header from this loop's prefix blocks, as over TCP.
        queue(DataDatagram.encode(PrefixBlocks.current().take(DataPacket.HEADER_SIZE), locationId, playIncarnation,
                afFlags, payload));
    }

    /** §3.2.5.8: two packet-pair Data packets of 1,464 random bytes, different from each other. */
    public void sendPacketPair(Random random) {
        for (int i = 0; i < 2; i++) {
            byte[] noise = new byte[DataDatagram.PACKET_PAIR_PAYLOAD];
            random.nextBytes(noise);
            queue(DataDatagram.encode(alloc, DataDatagram.PACKET_PAIR_LOCATION + i, DataPacket.PACKET_PAIR_INCARNATION,
                    DataPacket.AF_PACKET_PAIR, alloc.buffer(noise.length).writeBytes(noise)));
        }
        flush();
    }

    /** A new play request: the sequence may restart (§2.2.2), so older packets can't be asked for. */
    public void newPlayRequest() {
        window.clear();
    }

    private void queue(ByteBuf datagram) {
        if (closed) {
            datagram.release();
            return;
        }
        int n = datagram.readableBytes();
        budget.charge(n, owner.nanoTime());
        batch.add(new DatagramPacket(datagram, destination));
        batchBytes += n;
        if (batch.size() >= MAX_BATCH) {
            flush();
        }
    }

    /** Hands the queued datagrams to the UDP channel in one go (one sendmmsg with epoll). */
    public void flush() {
        if (batch.isEmpty()) {
            return;
        }
        datagramsSent += batch.size();
        bytesSent += batchBytes;
        metrics.udpDatagrams(batch.size(), batchBytes);
        lane.write(batch); // written before it returns on the lane's own loop; copied only for another
        batch.clear();
        batchBytes = 0;
    }

    /**
     * False while the UDP socket is backed up or this player's budget is spent; the session is
     * then resumed when there is room again.
     */
    public boolean isWritable() {
        if (closed) {
            return true;
        }
        if (!lane.isWritable() && lane.waitForRoom(this)) {
            return false; // the transport wakes this player when the socket drains
        }
        long now = owner.nanoTime();
        if (budget.available(now) > 0) {
            return true;
        }
        if (resumeTimer == null) {
            resumeTimer = owner.schedule(() -> {
                resumeTimer = null;
                if (!closed) {
                    resume.run();
                }
            }, Math.max(1, budget.nanosUntil(minChunk, now)), TimeUnit.NANOSECONDS);
        }
        return false;
    }

    /** True if this player was not yet waiting for the socket to drain (it is now). */
    boolean markWaiting() {
        return waitingForRoom.compareAndSet(false, true);
    }

    /** The UDP socket drained: resume sending on the session's thread. */
    void wake() {
        waitingForRoom.set(false);
        owner.execute(() -> {
            if (!closed) {
                resume.run();
            }
        });
    }

    // ------------------------------------------------------------------ resends (§3.2.5.13)

    /** On the loop of the UDP socket it reached: a checked request from this player's own address. */
    void resendRequested(RequestPacketListResend request) {
        if (owner.inEventLoop()) {
            serve(request); // it reached the socket of the session's own loop: no hop
            return;
        }
        if (pendingRequests.incrementAndGet() > MAX_PENDING_REQUESTS) {
            pendingRequests.decrementAndGet();
            metrics.udpResends(request.packets().size(), 0, request.packets().size(), 0);
            return;
        }
        owner.execute(() -> {
            pendingRequests.decrementAndGet();
            serve(request);
        });
    }

    private void serve(RequestPacketListResend request) {
        if (closed) {
            return;
        }
        long now = owner.nanoTime();
        int served = 0;
        int refused = 0;
        int tooOld = 0;
        // Each packet at most once per request, and only packets this player was sent: a request
        // never makes the server send more than it names (no amplification beyond the list).
        Set<Integer> seen = new HashSet<>();
        for (int sequence : request.packets()) {
            if (!seen.add(sequence)) {
                continue;
            }
            int slot = window.find(sequence, now);
            if (slot < 0) {
                tooOld++; // MS-MMSP has no reply for this: the packet is simply not resent
                continue;
            }
            // A resend goes before new packets: charged to the byte budget like any datagram, it
            // holds back the next new packets until repaid, so the player's total stays bounded;
            // how many there are is the resend bucket's to bound.
            if (resends.available(now) < 1) {
                refused++;
                continue;
            }
            ByteBuf datagram = window.datagram(slot, alloc);
            if (datagram == null) {
                tooOld++; // its payload has left the split's shared window
                continue;
            }
            resends.charge(1, now); // there was a token
            queue(datagram);
            served++;
        }
        flush();
        metrics.udpResends(request.packets().size(), served, refused, tooOld);
        if (refused > 0 || tooOld > 0) {
            log.debug("peer={} resend of {} packets: {} served, {} refused by the rate limit, {} too old or never sent",
                    owner.peer(), request.packets().size(), served, refused, tooOld);
        }
    }

    // ------------------------------------------------------------------ the end

    /** Datagrams and bytes sent so far (for the access log). */
    public long datagramsSent() {
        return datagramsSent;
    }

    public long bytesSent() {
        return bytesSent;
    }

    /** Stops: sends what is queued, forgets the window, leaves the transport. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        flush();
        closed = true;
        window.clear();
        leaveShared();
        if (resumeTimer != null) {
            resumeTimer.cancel(false);
            resumeTimer = null;
        }
        transport.unregister(this);
    }
}
