package io.mmsedge.protocol.mms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.mmsedge.protocol.asf.AsfFile;
import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportConnectedFunnel;
import io.mmsedge.protocol.mms.message.ReportFunnelInfo;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportReadBlock;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Drives an {@link MmsClientProtocol} as a scripted server would, without sockets. */
final class ClientScript {

    static final String PEER = "origin.test:1755";
    static final String FUNNEL = "\\\\10.0.0.7\\TCP\\40000";
    static final String SUBSCRIBER = "NSPlayer/9.0.0.2980; {3300AD50-2C39-46C0-AE0A-60A1B9F20D02}";
    static final int FILE_ID = 7;
    static final int PACKET_SIZE = 3200;

    final MmsClientProtocol protocol;

    ClientScript(String path, String credentials) {
        protocol = new MmsClientProtocol(new ClientConfig(PEER, SUBSCRIBER, path, credentials, 65535));
    }

    /** The ASF file header of a committed fixture (test-fixtures/media). */
    static byte[] header(String fixture) {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolve("test-fixtures").resolve("media").resolve(fixture);
            if (Files.isRegularFile(candidate)) {
                try (AsfFile f = AsfFile.open(candidate)) {
                    return f.header().fileHeader();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("fixture " + fixture + " not found above " + dir);
    }

    static ReportConnectedEx connectedEx(int hr, String serverVersion) {
        return new ReportConnectedEx(hr, io.mmsedge.protocol.mms.MmsConstants.PACKET_PAIR_OFF, ReportConnectedEx.MAC_TO_VIEWER_PROTOCOL_REVISION,
                ReportConnectedEx.VIEWER_TO_MAC_PROTOCOL_REVISION, 0.0, 1, 1, 65536, 0x00989680, serverVersion, null,
                null, null);
    }

    static ReportFunnelInfo funnelInfo(int playIncarnation) {
        return new ReportFunnelInfo(0, playIncarnation, 0, 1, 0, 42, 0, 1, 0, 0, new byte[0]);
    }

    static ReportOpenFile openFile(int hr, int headerSize) {
        return new ReportOpenFile(hr, 1, FILE_ID, 0, 0, 0, 10.0, 0, PACKET_SIZE, 100, 128000, headerSize);
    }

    /** Connect → ... → ConnectFunnel → OpenFile, checking each request; the actions of the OpenFile step. */
    List<ClientAction> handshake(String serverVersion) {
        List<ClientAction> a = protocol.connected(FUNNEL);
        assertEquals(ClientMessages.connect(SUBSCRIBER), sent(a, 0));
        assertEquals(new io.mmsedge.protocol.mms.message.FunnelInfo(io.mmsedge.protocol.mms.MmsConstants.PACKET_PAIR_OFF),
                sent(protocol.onMessage(connectedEx(0, serverVersion)), 0));
        assertEquals(ClientMessages.connectFunnel(FUNNEL),
                sent(protocol.onMessage(funnelInfo(io.mmsedge.protocol.mms.MmsConstants.PACKET_PAIR_OFF)), 0));
        return protocol.onMessage(new ReportConnectedFunnel(0, 0, 0, FUNNEL));
    }

    /** Handshake, open and header read of {@code header}: READY. */
    ClientAction.Opened open(String serverVersion, byte[] header) {
        handshake(serverVersion);
        assertEquals(ClientMessages.readHeader(FILE_ID, 1), sent(protocol.onMessage(openFile(0, header.length)), 0));
        assertEquals(List.of(new ClientAction.ArmTimer("the ASF file header")),
                protocol.onMessage(new ReportReadBlock(0, 1, 0)));
        List<ClientAction> last = feedHeader(header, 1, 1000);
        return only(last, ClientAction.Opened.class);
    }

    /** Header Data packets of {@code chunk} bytes each; the actions of the last one. */
    List<ClientAction> feedHeader(byte[] header, int incarnation, int chunk) {
        List<ClientAction> last = List.of();
        int location = 0;
        for (int off = 0; off < header.length; off += chunk) {
            int n = Math.min(chunk, header.length - off);
            int af = off + n == header.length ? DataPacket.AF_HEADER_LAST : DataPacket.AF_HEADER_PART;
            last = data(location++, incarnation, af, java.util.Arrays.copyOfRange(header, off, off + n));
        }
        return last;
    }

    /** One Data packet through the protocol; released afterwards (as the adapter would unless passed on). */
    List<ClientAction> data(int locationId, int incarnation, int afFlags, byte[] payload) {
        DataPacket p = new DataPacket(locationId, incarnation, afFlags, Unpooled.wrappedBuffer(payload));
        try {
            return protocol.onData(p);
        } finally {
            p.release();
        }
    }

    static MmsMessage sent(List<ClientAction> actions, int index) {
        List<MmsMessage> sends = new ArrayList<>();
        for (ClientAction a : actions) {
            if (a instanceof ClientAction.Send s) {
                sends.add(s.message());
            }
        }
        if (sends.size() <= index) {
            fail("no message #" + index + " sent in " + actions);
        }
        return sends.get(index);
    }

    static <T extends ClientAction> T only(List<ClientAction> actions, Class<T> type) {
        T found = null;
        for (ClientAction a : actions) {
            if (type.isInstance(a)) {
                if (found != null) {
                    fail("two " + type.getSimpleName() + " in " + actions);
                }
                found = type.cast(a);
            }
        }
        if (found == null) {
            fail("no " + type.getSimpleName() + " in " + actions);
        }
        return found;
    }

    static ClientAction.Failed failed(List<ClientAction> actions, int hr) {
        ClientAction.Failed f = only(actions, ClientAction.Failed.class);
        assertEquals(hr, f.hr(), f.reason());
        return assertInstanceOf(ClientAction.Failed.class, f);
    }
}
