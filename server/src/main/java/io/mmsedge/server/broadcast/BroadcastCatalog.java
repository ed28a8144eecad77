package io.mmsedge.server.broadcast;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.server.media.MediaCatalog;
import io.mmsedge.server.media.OpenRequest;
import io.mmsedge.server.media.OpenResult;

/** A broadcast publishing point: the point's own name (no further path) opens the live stream. */
public final class BroadcastCatalog implements MediaCatalog {

    private final String publishingPoint;
    private final Broadcast broadcast;

    public BroadcastCatalog(String publishingPoint, Broadcast broadcast) {
        this.publishingPoint = publishingPoint;
        this.broadcast = broadcast;
    }

    public Broadcast broadcast() {
        return broadcast;
    }

    @Override
    public OpenResult open(OpenRequest request) {
        if (!request.path().isEmpty()) {
            return new OpenResult.Failed(Hresults.E_FILE_NOT_FOUND,
                    "broadcast '" + publishingPoint + "' has no item '" + request.path() + "'");
        }
        BroadcastMedia media = broadcast.open(publishingPoint, request.eventLoop());
        if (media == null) {
            return new OpenResult.Failed(Hresults.E_FAIL, "broadcast '" + publishingPoint + "' has not started");
        }
        return new OpenResult.Opened(media);
    }
}
