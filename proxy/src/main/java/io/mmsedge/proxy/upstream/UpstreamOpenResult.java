package io.mmsedge.proxy.upstream;

import io.mmsedge.protocol.mms.Hresults;
import io.mmsedge.protocol.mms.message.ReportOpenFile;

/** Outcome of {@link UpstreamSession#open}. Every result but {@link Opened} leaves no connection behind. */
public sealed interface UpstreamOpenResult {

    /**
     * The content is open and its ASF file header was read; the session is READY and owned by
     * the caller, who must {@link Upstream#close() close} it.
     */
    record Opened(Upstream session, ReportOpenFile openFile, byte[] header) implements UpstreamOpenResult {
    }

    /**
     * Connect failure, error hr in a reply, timeout, or malformed reply. {@code hr} is the
     * server's HRESULT when it sent one, otherwise one of NS_E_NOCONNECTION (connection
     * refused/lost), NS_E_CANNOTCONNECT (timeout) or NS_E_PROTOCOL_MISMATCH (malformed reply)
     * from {@link io.mmsedge.protocol.mms.Hresults}.
     */
    record Failed(int hr, String reason) implements UpstreamOpenResult {
    }

    /**
     * LinkMacToViewerReportRedirect received before ReportOpenFile (§2.2.4.9, §3.1.5.7): not
     * followed here; the caller decides. type 1: {@code location} is a new URL; type 2: use
     * the proxy in {@code location}, or connect directly when it is empty.
     */
    record Redirected(int type, String location) implements UpstreamOpenResult {
    }

    /**
     * SecurityChallenge (§2.2.4.14) and no credentials, credentials rejected, or an NTLM
     * challenge (only Basic is answered). {@code realm} is the Basic realm ("" when absent or NTLM).
     */
    record AuthenticationRequired(String realm, boolean ntlm) implements UpstreamOpenResult {
    }
}
