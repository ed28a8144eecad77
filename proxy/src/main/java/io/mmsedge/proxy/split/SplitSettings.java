package io.mmsedge.proxy.split;

import java.time.Duration;

/**
 * Splitting of broadcasts.
 *
 * @param enabled        split BROADCAST content (one upstream session per URL); false relays it
 *                       per player like on-demand content
 * @param linger         how long the upstream stays open after the last player left
 * @param gracePeriod    how long players are kept while the upstream reconnects
 * @param initialBackoff first reconnect delay; doubles up to {@code maxBackoff}
 * @param maxBackoff     longest delay between reconnect attempts
 */
public record SplitSettings(boolean enabled, Duration linger, Duration gracePeriod, Duration initialBackoff,
                            Duration maxBackoff) {

    public static SplitSettings defaults() {
        return new SplitSettings(true, Duration.ofSeconds(5), Duration.ofSeconds(15), Duration.ofMillis(250),
                Duration.ofSeconds(2));
    }
}
