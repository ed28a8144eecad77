package io.mmsedge.server.media;

import io.mmsedge.protocol.content.ContentInfo;

/**
 * On-demand media made of one or more ASF files: one file, or a server-side playlist whose
 * entries follow one another with EndOfStream hr 1 + ReportStreamChange (§3.2.4.1–3.2.4.2).
 * Entries are opened lazily, one at a time.
 */
public final class FileMedia implements Media {

    /** Opens an entry by index; lets playlists open files only when they are reached. */
    @FunctionalInterface
    public interface EntryOpener {
        AsfFileEntry open(int index) throws java.io.IOException;
    }

    private final String publishingPoint;
    private final int entryCount;
    private final EntryOpener opener;
    private int index;
    private AsfFileEntry current;

    public FileMedia(String publishingPoint, AsfFileEntry first, int entryCount, EntryOpener opener) {
        this.publishingPoint = publishingPoint;
        this.current = first;
        this.entryCount = entryCount;
        this.opener = opener;
    }

    public static FileMedia single(String publishingPoint, AsfFileEntry entry) {
        return new FileMedia(publishingPoint, entry, 1, i -> {
            throw new IllegalStateException("single entry");
        });
    }

    @Override
    public String publishingPoint() {
        return publishingPoint;
    }

    @Override
    public ContentInfo info() {
        return current.info();
    }

    /** The file behind the current entry (for logs). */
    public AsfFileEntry currentEntry() {
        return current;
    }

    @Override
    public PacketCursor play(long startPacket, double rate) {
        return new FileCursor(current, startPacket, rate);
    }

    @Override
    public long packetForTime(long ms) {
        return current.packetForTime(ms);
    }

    @Override
    public long packetForByteOffset(long asfOffset) {
        return current.packetForByteOffset(asfOffset);
    }

    @Override
    public boolean hasNextEntry() {
        return index + 1 < entryCount;
    }

    /** Opens the entry's file to read its header, and closes it again. Each cursor reads its own buffers. */
    @Override
    public ContentInfo upcomingEntry(int ahead) {
        if (ahead < 1 || index + ahead >= entryCount) {
            return null;
        }
        try (AsfFileEntry e = opener.open(index + ahead)) {
            return e.info();
        } catch (java.io.IOException | RuntimeException e) {
            return null; // reached, it fails as nextEntry() reports it
        }
    }

    @Override
    public boolean nextEntry() {
        if (!hasNextEntry()) {
            return false;
        }
        AsfFileEntry next;
        try {
            next = opener.open(index + 1);
        } catch (java.io.IOException | RuntimeException e) {
            throw new MediaReadException("cannot open playlist entry " + (index + 2) + " of " + publishingPoint
                    + ": " + e.getMessage(), e);
        }
        current.close();
        current = next;
        index++;
        return true;
    }

    @Override
    public void close() {
        current.close();
    }
}
