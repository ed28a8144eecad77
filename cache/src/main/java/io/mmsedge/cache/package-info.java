/**
 * On-demand content cache: a bounded memory tier (Caffeine) over a crash-safe disk tier,
 * filled write-through from the origin and exposed as a media source to the server session.
 * Filled in by the cache issue.
 */
package io.mmsedge.cache;
