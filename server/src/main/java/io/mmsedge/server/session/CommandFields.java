package io.mmsedge.server.session;

import io.mmsedge.protocol.mms.MmsCommand;
import io.mmsedge.protocol.mms.MmsConstants;
import io.mmsedge.protocol.mms.message.ReadBlock;

/**
 * Fields of a well-framed command that the decoder cannot judge but a server can (issue #17,
 * finding 7): a command that fails one is refused like a malformed one, with one warning naming
 * the field, and the connection closes.
 */
public final class CommandFields {

    /** The message, the field and why it is refused. */
    public record Invalid(String messageName, String field, String reason) {
    }

    private CommandFields() {
    }

    /** What is wrong with {@code cmd}, or null. */
    public static Invalid check(MmsCommand cmd) {
        String chunkCount = cmd.header().chunkCountProblem();
        if (chunkCount != null) {
            return new Invalid("TcpMessageHeader", "chunkCount", chunkCount);
        }
        // §2.2.4.26: openFileId is ReportOpenFile's, which is always OPEN_FILE_ID here (FFmpeg,
        // MPlayer and VLC send 1 whatever they got, see MmsReplies).
        if (cmd.message() instanceof ReadBlock r && r.openFileId() != MmsConstants.OPEN_FILE_ID) {
            return new Invalid("ReadBlock", "openFileId", "openFileId " + Integer.toUnsignedString(r.openFileId())
                    + " is not the open file's " + MmsConstants.OPEN_FILE_ID);
        }
        return null;
    }
}
