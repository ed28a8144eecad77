package io.mmsedge.cache.serve;

import java.util.concurrent.CompletionStage;

/**
 * Opens new upstream data sessions for one item's content. Implementations check that the
 * origin still serves the content the item holds (same fingerprint) and fail otherwise, so a
 * fill never mixes two versions of a file.
 */
@FunctionalInterface
public interface Filler {
    CompletionStage<FillSource> open();

    /**
     * Opens a session to resume a fill whose session lost its origin mid-stream: at another
     * origin, failing when there is none to go to (then the fill ends with its loss). By default
     * the same as {@link #open()}.
     */
    default CompletionStage<FillSource> resume() {
        return open();
    }
}
