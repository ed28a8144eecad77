package io.mmsedge.protocol.mms.client;

import io.mmsedge.protocol.mms.DataPacket;
import io.mmsedge.protocol.mms.message.MmsMessage;
import io.mmsedge.protocol.mms.message.ReportConnectedEx;
import io.mmsedge.protocol.mms.message.ReportOpenFile;
import io.mmsedge.protocol.mms.message.ReportStreamChange;

/**
 * What {@link MmsClientProtocol} asks its I/O adapter to do, in order: send a message, run or
 * stop the reply timer, or raise an event. The adapter performs them in list order; once the
 * protocol is {@link MmsClientProtocol#closed() closed} (an event callback may close it), the
 * remaining {@link Send} and {@link ArmTimer} actions of that list are dropped.
 */
public sealed interface ClientAction {

    /** Send {@code message} to the server. */
    record Send(MmsMessage message) implements ClientAction {
    }

    /**
     * (Re)start the reply timer: if nothing cancels or re-arms it within the reply timeout, the
     * adapter calls {@link MmsClientProtocol#fail} with "no {@code waitingFor} ...".
     */
    record ArmTimer(String waitingFor) implements ClientAction {
    }

    /** Stop the reply timer. */
    record CancelTimer() implements ClientAction {
    }

    /** Handshake done and no path configured: the caller opens with {@link MmsClientProtocol#openFile}. */
    record FunnelConnected(ReportConnectedEx connectedEx) implements ClientAction {
    }

    /** The content is open and its ASF file header complete (§3.1.5.9 – §3.1.5.12): READY to play. */
    record Opened(ReportOpenFile openFile, byte[] header) implements ClientAction {
    }

    /** ReportRedirect before ReportOpenFile (§3.1.5.7): the session is closed; the caller decides. */
    record Redirected(int type, String location) implements ClientAction {
    }

    /** SecurityChallenge not answered (§3.1.5.8): no or rejected credentials, or NTLM. The session is closed. */
    record AuthenticationRequired(String realm, boolean ntlm) implements ClientAction {
    }

    /** The session failed and is closed: close the connection, report {@code hr} once. */
    record Failed(int hr, String reason) implements ClientAction {
    }

    /** A media Data packet of the current play request; ownership stays with the adapter's caller. */
    record Packet(DataPacket packet) implements ClientAction {
    }

    /** ReportEndOfStream of the current play request (§3.1.5.18); hr 1 = a StreamChange follows. */
    record EndOfStream(int hr) implements ClientAction {
    }

    /** ReportStreamChange and the new entry's complete header (§3.1.5.19); packets follow. */
    record StreamChanged(ReportStreamChange change, byte[] header) implements ClientAction {
    }

    /** The pending play request ended with {@code hr} (its reply, its StreamSwitch's failure). */
    record PlayDone(int hr) implements ClientAction {
    }

    /** A play request refused at once with {@code hr}; a pending one (if any) is not affected. */
    record PlayRefused(int hr) implements ClientAction {
    }

    /** Every stop request waiting ends with {@code hr} (the EndOfStream answering StopPlaying). */
    record StopDone(int hr) implements ClientAction {
    }
}
