package io.mmsedge.proxy.relay;

import io.mmsedge.cache.Fingerprint;
import io.mmsedge.protocol.content.ContentInfo;
import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.proxy.origin.OriginFailover;
import io.mmsedge.proxy.upstream.Upstream;
import io.mmsedge.proxy.upstream.UpstreamOpenResult;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mid-stream failover of a relay (issue #13 §2): when the origin is lost while the player plays
 * on-demand content at normal rate, the content is opened at the route's next origin that is up
 * and, if its fingerprint (file id, size, packet count, header) is the one the player is
 * playing, played on from the packet after the last one relayed. The new request starts a
 * lead-in earlier, sent accelerated, and the packets up to the last one relayed are dropped: an
 * origin drops each stream's payloads after a StartPlaying until its next key frame
 * (§3.2.5.10), which the lead-in puts before the packets the player still needs.
 *
 * <p>Touched on the upstream sessions' event loop only (a new session opens on the lost one's).
 */
final class RelayResume {

    private static final Logger log = LoggerFactory.getLogger(RelayResume.class);
    /** Resumes per relay, at most. */
    static final int MAX_RESUMES = 3;
    /** Lead-in in seconds of content: past one key-frame interval of most encodings. */
    private static final int LEAD_IN_SECONDS = 10;
    /** How much faster than the content the lead-in is asked for. */
    private static final int LEAD_IN_SPEED = 8;

    private final String name;
    private final OriginFailover failover;
    private final Fingerprint fingerprint;
    private final ContentInfo info;
    private int resumes;
    /** The last LocationId relayed to the player in the current play request; -1 = none yet. */
    private long last = -1;
    /** Packets up to this LocationId are the lead-in of a resumed request: dropped. */
    private long dropThrough = -1;
    /** True while the player plays at normal rate (a resume replays that, not fast forward). */
    private boolean normalPlay;

    RelayResume(String name, OriginFailover failover, byte[] header, ContentInfo info) {
        this.name = name;
        this.failover = failover;
        this.info = info;
        this.fingerprint = Fingerprint.of(header, info.packetCount());
    }

    /** A play request went upstream. */
    void playing(boolean normalRate) {
        normalPlay = normalRate;
        last = -1;
        dropThrough = -1;
    }

    /** Whether the packet at {@code locationId} is relayed (false: the lead-in of a resume). */
    boolean relay(long locationId) {
        if (locationId <= dropThrough) {
            return false;
        }
        last = locationId;
        return true;
    }

    /**
     * The upstream was lost: try to resume. True when a resume started; {@code resumed} then gets
     * the new session (or null and the reason it could not be resumed, for the player's end).
     */
    boolean tryResume(Upstream lost, String reason, BiConsumer<Upstream, String> resumed) {
        int attributes = info.attributes();
        boolean singleOnDemand = (attributes & (ContentInfo.ATTR_BROADCAST | ContentInfo.ATTR_PLAYLIST)) == 0
                && info.packetCount() > 0;
        if (!normalPlay || last < 0 || !singleOnDemand || resumes >= MAX_RESUMES) {
            return false;
        }
        resumes++;
        long from = last + 1;
        log.warn("{}: origin {} lost ({}): resuming at packet {} elsewhere", name,
                failover.current().origin().hostPort(), reason, from);
        failover.reopenElsewhere(lost.eventLoop()).whenComplete((r, err) -> lost.eventLoop().execute(() -> {
            if (err != null || !(r instanceof UpstreamOpenResult.Opened o)) {
                resumed.accept(null, reason + "; not resumed: " + (err != null ? err.getMessage()
                        : r instanceof UpstreamOpenResult.Failed f ? f.reason() : String.valueOf(r)));
                return;
            }
            Upstream next = o.session();
            if (!fingerprint.equals(Fingerprint.of(o.header(), o.openFile().filePacketCount()))) {
                next.close();
                resumed.accept(null, reason + "; not resumed: the content at origin "
                        + failover.current().origin().hostPort() + " differs from what the player is playing");
                return;
            }
            long packetsPerSecond = info.packetSize() <= 0 ? 0 : info.bitRate() / 8 / info.packetSize();
            long start = Math.max(0, from - Math.max(64, LEAD_IN_SECONDS * packetsPerSecond));
            dropThrough = from - 1;
            resumed.accept(next, null);
            long accelBitRate = Math.min(info.bitRate() * LEAD_IN_SPEED, 0xFFFF_FFFFL);
            next.startPlaying(Double.MAX_VALUE, -1, (int) start, 0, accelBitRate, LEAD_IN_SECONDS * 1000L)
                    .whenComplete((hr, e) -> {
                        if (e != null || Hresults.failed(hr)) {
                            resumed.accept(null, reason + "; the next origin refused to resume: "
                                    + (e != null ? e.getMessage() : "hr=" + Hresults.hex(hr)));
                        }
                    });
            log.info("{}: resumed at origin {} from packet {} (lead-in from {})", name,
                    failover.current().origin().hostPort(), from, start);
        }));
        return true;
    }
}
