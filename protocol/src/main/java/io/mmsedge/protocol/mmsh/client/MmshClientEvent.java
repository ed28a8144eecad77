package io.mmsedge.protocol.mmsh.client;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportStreamChange;

/** What one MMSH response ([MS-WMSP] §2.2.2, §2.2.3) told the client, in order of arrival. */
public sealed interface MmshClientEvent {

    /**
     * A Describe answer is complete: the ASF file header and what it and the Pragma
     * {@code features} (§2.2.1.4.9) say of the content, as MMS would have reported it.
     *
     * @param clientId the server's client-id (§2.2.1.4.5), -1 when it sent none
     */
    record Described(ReportOpenFile openFile, byte[] header, long clientId, String features) implements MmshClientEvent {
    }

    /** A Play answer's status was 200: data follows. */
    record Playing(long clientId) implements MmshClientEvent {
    }

    /** A request without content (LogStats) was answered 200. */
    record Acknowledged(long clientId) implements MmshClientEvent {
    }

    /** HTTP 3xx with a Location (not yet resolved against the request). */
    record Redirected(int status, String location) implements MmshClientEvent {
    }

    /** HTTP 401: {@code realm} of the Basic challenge ("" when none); {@code ntlm} when only NTLM/Negotiate is offered. */
    record AuthenticationRequired(String realm, boolean ntlm) implements MmshClientEvent {
    }

    /** The request failed: an error status mapped to an HRESULT, or a malformed response. The response is over. */
    record Failed(int hr, String reason) implements MmshClientEvent {
    }

    /** A {@code $D} packet (§2.2.3.3); ownership passes to the receiver. */
    record Packet(DataPacket packet) implements MmshClientEvent {
    }

    /** {@code $E} (§2.2.3.4): hr 0 = the end; 1 = an entry ended and {@code $C} follows. */
    record EndOfStream(int hr) implements MmshClientEvent {
    }

    /** {@code $C} (§2.2.3.2) and the new entry's complete {@code $H} header. */
    record StreamChanged(ReportStreamChange change, byte[] header) implements MmshClientEvent {
    }
}
