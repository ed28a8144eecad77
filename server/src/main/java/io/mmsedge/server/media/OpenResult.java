package io.mmsedge.server.media;

import java.util.concurrent.CompletionStage;

/** Outcome of {@link MediaCatalog#open}. */
public sealed interface OpenResult {

    /** The content is open; the session owns it and closes it. */
    record Opened(Media media) implements OpenResult {
    }

    /** The content can't be served: ReportOpenFile carries {@code hr}; reason goes to the log. */
    record Failed(int hr, String reason) implements OpenResult {
    }

    /**
     * Send LinkMacToViewerReportRedirect (§2.2.4.9) and close the session (§3.2.5.6).
     * type 1: another URL; type 2: another proxy ({@code location} empty = connect directly).
     */
    record Redirect(int type, String location, String reason) implements OpenResult {
        public static final int TYPE_URL = 0x0001;
        public static final int TYPE_PROXY = 0x0002;
    }

    /** Credentials are needed: send a Basic SecurityChallenge with this realm (§2.2.4.14). */
    record AuthenticationRequired(String realm) implements OpenResult {
    }

    /** Completes later (e.g. an upstream session is being opened); completes with another result. */
    record Pending(CompletionStage<OpenResult> result) implements OpenResult {
    }
}
