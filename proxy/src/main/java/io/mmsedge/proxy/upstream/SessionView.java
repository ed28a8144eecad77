package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.message.ReportOpenFile;

/**
 * What an {@link UpstreamSession} shows to other threads' getters: an immutable snapshot that
 * its event loop replaces (opened, header changed, ended).
 */
record SessionView(ReportOpenFile openFile, byte[] header, boolean challenged, boolean ended) {

    static final SessionView NONE = new SessionView(null, null, false, false);

    static SessionView opened(ReportOpenFile openFile, byte[] header, boolean challenged) {
        return new SessionView(openFile, header, challenged, false);
    }

    SessionView withHeader(byte[] h) {
        return new SessionView(openFile, h, challenged, ended);
    }

    SessionView asEnded() {
        return new SessionView(openFile, header, challenged, true);
    }
}
