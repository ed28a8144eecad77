package io.mmsedge.cache;

import io.mmsedge.fixtures.SmallDisk;
import java.nio.file.Path;

/**
 * The disk a disk-fault test puts the cache on: a real 5 MB tmpfs where the test may mount one
 * (root, as here and in CI), else the {@link FullDiskChannels} stand-in, which fails data-file
 * writes as a full disk does. {@link #real()} tells which; cases that need a real file system
 * (space freed by deleting, a read-only remount) assume it.
 */
public final class TestDisk implements AutoCloseable {

    private final SmallDisk disk;
    private final FullDiskChannels standIn;
    private final Path cacheDir;

    private TestDisk(SmallDisk disk, FullDiskChannels standIn, Path cacheDir) {
        this.disk = disk;
        this.standIn = standIn;
        this.cacheDir = cacheDir;
    }

    public static TestDisk open(Path tmp) throws Exception {
        SmallDisk d = SmallDisk.mount(tmp.resolve("tmpfs"), "5m");
        return d != null ? new TestDisk(d, null, d.dir().resolve("cache"))
                : new TestDisk(null, FullDiskChannels.install(), tmp.resolve("cache"));
    }

    /** A mounted tmpfs (else the stand-in channels). */
    public boolean real() {
        return disk != null;
    }

    public Path cacheDir() {
        return cacheDir;
    }

    /** Leaves about {@code bytes} free: ballast on the tmpfs, else a budget of the stand-in channels. */
    public void fillLeaving(long bytes) throws Exception {
        if (disk != null) {
            disk.fillLeaving(bytes);
        } else {
            standIn.leave(bytes);
        }
    }

    /** Room again. */
    public void free() throws Exception {
        if (disk != null) {
            disk.freeBallast();
        } else {
            standIn.free();
        }
    }

    /** Remounts the tmpfs read-only or writable (a real disk only). */
    public void readOnly(boolean ro) throws Exception {
        disk.readOnly(ro);
    }

    @Override
    public void close() throws Exception {
        if (disk != null) {
            disk.close();
        }
        if (standIn != null) {
            standIn.close();
        }
    }
}
