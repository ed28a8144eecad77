package io.mmsedge.cache;

/** What tests of other packages (serve) may reach of the store's package-private parts. */
public final class CacheTestAccess {

    private CacheTestAccess() {
    }

    /** A failing disk tier is tried again after {@code nanos} (0: at every write). */
    public static void retryDiskAfter(CacheStore store, long nanos) {
        store.disk().retryAfter(nanos);
    }

    /** Bytes of one slot of {@code item}'s data file (its packet and the slot's header). */
    public static int slotSize(CacheItem item) {
        return item.slotSize();
    }
}
