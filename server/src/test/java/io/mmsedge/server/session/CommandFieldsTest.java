package io.mmsedge.server.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.LogCapture;
import io.mmsedge.fixtures.client.MmsTestClient;
import io.mmsedge.protocol.mms.codec.MmsFrameEncoder;
import io.mmsedge.protocol.mms.message.Connect;
import io.mmsedge.protocol.mms.message.ReadBlock;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportReadBlock;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue #17, finding 7: a TcpMessageHeader's chunkCount (MS-MMSP §2.2.3) and a ReadBlock's
 * openFileId (§2.2.4.26) are validated; a command failing either closes the connection with one
 * warning naming the field, while both forms of chunkCount real senders use still work.
 */
class CommandFieldsTest {

    private static final Connect CONNECT = new Connect(0xF0F0F0EF, 0x0004000B, 0x0003001C,
            MmsTestClient.DEFAULT_SUBSCRIBER);

    /** {@code m} in its own frame, with chunkCount (offset 16) set to {@code chunkCount}. */
    private static byte[] frame(io.mmsedge.protocol.mms.message.MmsMessage m, int seq, java.util.function.IntUnaryOperator
            chunkCount) {
        ByteBuf f = MmsFrameEncoder.encodeFrame(ByteBufAllocator.DEFAULT, seq, 0, m);
        try {
            f.setIntLE(16, chunkCount.applyAsInt(f.getIntLE(8))); // chunkCount from messageLength
            return ByteBufUtil.getBytes(f);
        } finally {
            f.release();
        }
    }

    @Test
    void aChunkCountThatNoSenderWritesIsRefusedWithOneWarningNamingIt() throws Exception {
        try (TestOrigin origin = TestOrigin.fast(); LogCapture logs = LogCapture.begin();
             MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(5))) {
            c.sendRaw(frame(CONNECT, 0, len -> 7));
            c.setReadTimeout(Duration.ofSeconds(2));
            assertTrue(c.closedByServer(), "the connection closes");
            String line = logs.await(1000, "peer=/127.0.0.1:" + c.localPort(), "field=chunkCount");
            assertNotNull(line, "a warning naming chunkCount: " + logs.lines());
            assertTrue(line.contains("chunkCount 7"), line);
            assertEquals(1, logs.lines().stream().filter(l -> l.contains(":" + c.localPort())).count(),
                    "one warning: " + logs.lines());
        }
    }

    @Test
    void bothChunkCountsInUseAreAccepted() throws Exception {
        try (TestOrigin origin = TestOrigin.fast()) {
            // Players write messageLength / 8; MS-MMSP §2.2.3's text says the whole command's size / 8.
            for (java.util.function.IntUnaryOperator count : java.util.List.<java.util.function.IntUnaryOperator>of(
                    len -> len / 8, len -> (len + 16) / 8)) {
                try (MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(5))) {
                    c.sendRaw(frame(CONNECT, 0, count));
                    assertEquals(0, c.expect(ReportConnectedEx.class).hr());
                }
            }
        }
    }

    @Test
    void aReadBlockForAnotherFileIsRefusedWithOneWarningNamingOpenFileId() throws Exception {
        try (TestOrigin origin = TestOrigin.fast(); LogCapture logs = LogCapture.begin();
             MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(5))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, c.open("av.asf").hr());
            c.send(new ReadBlock(0x41414141, 0, 0, 0x8000, 0xFFFFFFFF, 0, 0.0, 3600.0, 2, 0));
            c.setReadTimeout(Duration.ofSeconds(2));
            assertTrue(c.closedByServer(), "the connection closes without a header");
            String line = logs.await(1000, "peer=/127.0.0.1:" + c.localPort(), "message=ReadBlock",
                    "field=openFileId");
            assertNotNull(line, "a warning naming openFileId: " + logs.lines());
            assertTrue(line.contains("1094795585"), line);
            assertEquals(1, logs.lines().stream().filter(l -> l.contains("field=openFileId")).count());
        }
    }

    @Test
    void theReadBlockPlayersSendStillGetsTheHeader() throws Exception {
        try (TestOrigin origin = TestOrigin.fast();
             MmsTestClient c = MmsTestClient.connect(origin.address(), Duration.ofSeconds(5))) {
            c.handshake(MmsTestClient.DEFAULT_SUBSCRIBER);
            assertEquals(0, c.open("av.asf").hr());
            c.send(new ReadBlock(1, 0, 0, 0x8000, 0xFFFFFFFF, 0, 0.0, 3600.0, 2, 0));
            assertEquals(0, c.expect(ReportReadBlock.class).hr());
            assertTrue(c.collectHeader(2).length > 0);
        }
    }
}
