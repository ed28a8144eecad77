package io.mmsedge.server.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The Bucket4j-backed bucket across the rates the UDP limits use, beyond what ResendWindowTest
 * covers: Bucket4j refills at most one token a nanosecond, so fast byte budgets (a content paced
 * 8x, a high bit rate) and slow fractional resend rates must both keep their figures. Hand clock.
 */
class TokenBucketTest {

    private static final long S = 1_000_000_000L;

    @Test
    void aFastByteBudgetKeepsItsRateAndDebt() {
        TokenBucket b = new TokenBucket(50e6, 100e6, 0); // 50 MB/s, 100 MB of burst
        assertEquals(100e6, b.available(0), 1e-6);
        b.charge(100e6 + 1000, 0);
        assertEquals(-1000, b.available(0), 1e-6);
        assertEquals(40_000, b.nanosUntil(1000, 0), 100, "2,000 bytes at 50 MB/s");
        assertEquals(50e6 - 1000, b.available(S), 1, "a second later");
        b.fill(2e9, 1e9); // above Bucket4j's one token a nanosecond: capped there, not refused
        assertTrue(b.available(S) > 0);
    }

    @Test
    void aSlowFractionalRateKeepsItsPrecisionAndDebtSurvivesNewLimits() {
        TokenBucket b = new TokenBucket(0.5, 1, 0);
        assertTrue(b.tryTake(1, 0));
        assertFalse(b.tryTake(1, 0));
        assertEquals(0.5, b.available(S), 1e-3, "half a token a second");
        assertEquals(S, b.nanosUntil(1, S), 2_000_000);
        b.charge(2.5, S); // 0.5 - 2.5 = -2
        b.fill(4, 32);
        assertEquals(30, b.available(S), 1e-3, "full less the debt");
    }
}
