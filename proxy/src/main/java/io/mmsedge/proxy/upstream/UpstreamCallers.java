package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.DataPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who waits on an {@link UpstreamSession}: its listener, at most one play request, and the stop
 * requests waiting for the same StopPlaying. Confined to the session's event loop, but for
 * {@link #requestClose()}, which any thread may call: from then on no listener event is delivered.
 * Public so that the MMSH adapter ({@code upstream.mmsh}) shares it with {@link UpstreamSession}.
 */
public final class UpstreamCallers {

    private static final Logger log = LoggerFactory.getLogger(UpstreamSession.class);

    private final String peer;
    private final AtomicBoolean closeRequested = new AtomicBoolean();
    private final List<CompletableFuture<Integer>> stops = new ArrayList<>(1);
    private UpstreamListener listener;
    private CompletableFuture<Integer> play;

    public UpstreamCallers(String peer) {
        this.peer = peer;
    }

    public void setListener(UpstreamListener l) {
        listener = l;
    }

    public void requestClose() {
        closeRequested.set(true);
    }

    public boolean closeRequested() {
        return closeRequested.get();
    }

    /** Hands {@code p} to the listener; false (the caller keeps it) when there is none or the session closes. */
    public boolean deliver(DataPacket p) {
        UpstreamListener l = listener;
        if (l == null || closeRequested.get()) {
            return false;
        }
        try {
            l.onDataPacket(p);
        } catch (RuntimeException e) {
            log.warn("upstream {}: listener onDataPacket threw", peer, e);
        }
        return true;
    }

    public void notifyListener(Consumer<UpstreamListener> event) {
        UpstreamListener l = listener;
        if (l == null || closeRequested.get()) {
            return;
        }
        try {
            event.accept(l);
        } catch (RuntimeException e) {
            log.warn("upstream {}: listener threw", peer, e);
        }
    }

    public void setPlay(CompletableFuture<Integer> f) {
        play = f;
    }

    public void addStop(CompletableFuture<Integer> f) {
        stops.add(f);
    }

    public void completePlay(int hr) {
        CompletableFuture<Integer> f = play;
        play = null;
        if (f != null) {
            f.complete(hr);
        }
    }

    public void completeStops(int hr) {
        List<CompletableFuture<Integer>> waiting = new ArrayList<>(stops);
        stops.clear();
        for (CompletableFuture<Integer> f : waiting) {
            f.complete(hr);
        }
    }

    public void completeAll(int hr) {
        completePlay(hr);
        completeStops(hr);
    }
}
