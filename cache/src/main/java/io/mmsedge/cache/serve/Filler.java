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
}
