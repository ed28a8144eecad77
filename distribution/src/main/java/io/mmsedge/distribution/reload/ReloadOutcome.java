package io.mmsedge.distribution.reload;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a reload did, for the log and {@code POST /admin/reload}'s reply.
 *
 * @param result        what happened
 * @param source        the configuration read (its file), or null
 * @param errors        why it was refused, by key (the messages of a start with that file)
 * @param applied       the keys that changed and now apply to new sessions
 * @param restartNeeded the keys that differ from the running configuration but only change at a
 *                      restart; they keep their running values
 */
public record ReloadOutcome(Result result, String source, List<KeyError> errors, List<String> applied,
                            List<String> restartNeeded) {

    /** How a reload ended. */
    public enum Result {
        /** The configuration was valid and is the running one now (perhaps with nothing changed). */
        RELOADED(200),
        /** The configuration was invalid, or could not be applied: the running one stays. */
        REFUSED(422),
        /** There is nothing to reload (no --config file), or the edge is draining. */
        NOT_RELOADABLE(409);

        private final int httpStatus;

        Result(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }
    }

    /** One reason for a refusal: the key (null when the file as a whole is at fault) and the message. */
    public record KeyError(String key, String message) {
        private static final Pattern KEY = Pattern.compile("key '([^']*)'");

        /** From a ConfigException's message, which names the key as {@code key 'a.b[0]'} when it knows it. */
        static KeyError of(String message) {
            Matcher m = KEY.matcher(message);
            return new KeyError(m.find() ? m.group(1) : null, message);
        }
    }

    public ReloadOutcome {
        errors = List.copyOf(errors);
        applied = List.copyOf(applied);
        restartNeeded = List.copyOf(restartNeeded);
    }

    static ReloadOutcome refused(String source, List<String> messages) {
        return new ReloadOutcome(Result.REFUSED, source, messages.stream().map(KeyError::of).toList(), List.of(),
                List.of());
    }

    static ReloadOutcome notReloadable(String source, String why) {
        return new ReloadOutcome(Result.NOT_RELOADABLE, source, List.of(new KeyError(null, why)), List.of(), List.of());
    }

    public boolean reloaded() {
        return result == Result.RELOADED;
    }

    /** The reply's body. */
    public String json() {
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("reloaded", reloaded()).put("result", result.name());
        if (source != null) {
            root.put("source", source);
        }
        var errs = root.putArray("errors");
        for (KeyError e : errors) {
            ObjectNode n = errs.addObject();
            if (e.key() != null) {
                n.put("key", e.key());
            }
            n.put("message", e.message());
        }
        applied.forEach(root.putArray("applied")::add);
        restartNeeded.forEach(root.putArray("restartNeeded")::add);
        return root.toPrettyString();
    }
}
