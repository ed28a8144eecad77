package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.message.ReportStreamChange;
import io.netty.buffer.ByteBufUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Records every upstream event in order; copies packet payloads and releases the packets. */
public final class RecordingListener implements UpstreamListener {

    /** One received Data packet, copied. */
    public record Packet(int locationId, int playIncarnation, int afFlags, byte[] payload) {
    }

    /** One event: "data", "eos", "change" or "failure". */
    public record Event(String kind, int hr, Packet packet, ReportStreamChange change, byte[] header, String reason) {
    }

    public final List<Event> events = new CopyOnWriteArrayList<>();
    public final AtomicInteger failures = new AtomicInteger();
    public final CompletableFuture<Integer> endOfStream = new CompletableFuture<>();
    public final CompletableFuture<String> failure = new CompletableFuture<>();
    public final CountDownLatch firstPacket = new CountDownLatch(1);
    volatile Thread callbackThread;

    @Override
    public void onDataPacket(DataPacket packet) {
        callbackThread = Thread.currentThread();
        try {
            events.add(new Event("data", 0, new Packet(packet.locationId(), packet.playIncarnation(), packet.afFlags(),
                    ByteBufUtil.getBytes(packet.content())), null, null, null));
        } finally {
            packet.release();
        }
        firstPacket.countDown();
    }

    @Override
    public void onEndOfStream(int hr) {
        events.add(new Event("eos", hr, null, null, null, null));
        if (hr != 1) {
            endOfStream.complete(hr);
        }
    }

    @Override
    public void onStreamChange(ReportStreamChange change, byte[] header) {
        events.add(new Event("change", 0, null, change, header, null));
    }

    @Override
    public void onFailure(int hr, String reason) {
        failures.incrementAndGet();
        events.add(new Event("failure", hr, null, null, null, reason));
        failure.complete(String.format("0x%08X %s", hr, reason));
    }

    public List<Packet> packets() {
        List<Packet> out = new ArrayList<>();
        for (Event e : events) {
            if (e.packet() != null) {
                out.add(e.packet());
            }
        }
        return out;
    }

    public boolean awaitFirstPacket(long seconds) throws InterruptedException {
        return firstPacket.await(seconds, TimeUnit.SECONDS);
    }
}
