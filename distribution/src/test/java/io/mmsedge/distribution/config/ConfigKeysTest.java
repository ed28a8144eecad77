package io.mmsedge.distribution.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * conf/mms-edge.yaml documents every key the configuration accepts, and nothing else: the keys
 * it spells (commented-out ones included) are the {@link JsonProperty} names of {@link EdgeConfig}'s
 * records. List entries add no index: {@code edge.reverse.origins}, {@code publishingPoints.queueBytes}.
 */
class ConfigKeysTest {

    /** An (uncommented) YAML line of a key: indentation, an optional list dash, the key, its value. */
    private static final Pattern KEY_LINE = Pattern.compile("^( *)(- +)?([A-Za-z][A-Za-z0-9]*):(?: +(.*))?$");
    /** A list entry that is a flow mapping: "- {a: 1, b: 2}". */
    private static final Pattern FLOW_ENTRY = Pattern.compile("^( *)- +(\\{.*)$");
    /** A key inside a flow mapping: {a: 1, b: 2}. */
    private static final Pattern FLOW_KEY = Pattern.compile("[{,] *([A-Za-z][A-Za-z0-9]*):");

    @Test
    void theShippedConfigurationDocumentsExactlyTheAcceptedKeys() throws IOException {
        Set<String> documented = documentedKeys(Files.readAllLines(
                Path.of(System.getProperty("mmsedge.rootDir", "..")).resolve("conf/mms-edge.yaml")));
        Set<String> accepted = new TreeSet<>();
        acceptedKeys(EdgeConfig.class, "", accepted);
        Set<String> undocumented = new TreeSet<>(accepted);
        undocumented.removeAll(documented);
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(accepted);
        assertEquals(Set.of(), undocumented, "keys accepted but not documented in conf/mms-edge.yaml");
        assertEquals(Set.of(), unknown, "keys documented in conf/mms-edge.yaml but not accepted");
    }

    @Test
    void theKeyReaderSeesCommentedKeysListsAndFlowMappings() {
        Set<String> keys = documentedKeys(List.of(
                "# Some prose: not a key, nor is this one: x",
                "a:                 # a section",
                "  b: 1",
                "  # c: 2           # commented out",
                "  list:",
                "    - d: 3",
                "      e: 4",
                "  # more:",
                "  #   - {f: 1, g: \"h: i\"}",
                "z: 5"));
        assertEquals(new TreeSet<>(Set.of("a", "a.b", "a.c", "a.list", "a.list.d", "a.list.e", "a.more", "a.more.f",
                "a.more.g", "z")), keys);
        Set<String> accepted = new TreeSet<>();
        acceptedKeys(EdgeConfig.class, "", accepted);
        assertTrue(accepted.containsAll(Set.of("edge.split.queueBytes", "edge.split.maxLagSeconds",
                "publishingPoints.type", "publishingPoints.auth.usersFile", "edge.redirects.whenBusy")), accepted.toString());
    }

    /**
     * The keys of YAML lines, commented out or not, as dotted paths from their indentation. A line
     * of prose that reads like "word: ..." would count as a key (and fail the comparison).
     */
    static Set<String> documentedKeys(List<String> lines) {
        Set<String> keys = new TreeSet<>();
        Deque<Integer> columns = new ArrayDeque<>(); // the column of each open key, innermost first
        Deque<String> paths = new ArrayDeque<>();
        for (String raw : lines) {
            // "  # key: value" is the key "key" at column 2, as if uncommented.
            String line = raw.replaceFirst("^( *)# ?", "$1");
            Matcher entry = FLOW_ENTRY.matcher(line);
            Matcher m = KEY_LINE.matcher(line);
            if (entry.matches()) { // "- {a: 1, b: 2}": keys of the list's key
                close(columns, paths, entry.group(1).length());
                flowKeys(entry.group(2), paths.peek(), keys);
            } else if (m.matches()) {
                close(columns, paths, m.group(1).length() + (m.group(2) == null ? 0 : m.group(2).length()));
                String path = paths.isEmpty() ? m.group(3) : paths.peek() + "." + m.group(3);
                keys.add(path);
                columns.push(m.group(1).length() + (m.group(2) == null ? 0 : m.group(2).length()));
                paths.push(path);
                if (m.group(4) != null && m.group(4).startsWith("{")) {
                    flowKeys(m.group(4), path, keys);
                }
            }
        }
        return keys;
    }

    /** Ends the keys at or right of {@code column}: a line there is their sibling or an outer key. */
    private static void close(Deque<Integer> columns, Deque<String> paths, int column) {
        while (!columns.isEmpty() && columns.peek() >= column) {
            columns.pop();
            paths.pop();
        }
    }

    private static void flowKeys(String flow, String parent, Set<String> keys) {
        Matcher f = FLOW_KEY.matcher(flow.substring(0, flow.indexOf('}') + 1));
        while (f.find()) {
            keys.add(parent + "." + f.group(1));
        }
    }

    /** The @JsonProperty names of a record, recursively through records, lists and the point subtypes. */
    static void acceptedKeys(Class<?> type, String prefix, Set<String> keys) {
        if (type.isInterface()) {
            JsonSubTypes subtypes = type.getAnnotation(JsonSubTypes.class);
            keys.add(prefix + "." + EdgeConfig.PublishingPointConfig.TYPE);
            for (JsonSubTypes.Type t : subtypes.value()) {
                acceptedKeys(t.value(), prefix, keys);
            }
            return;
        }
        for (RecordComponent c : type.getRecordComponents()) {
            JsonProperty p = c.getAnnotation(JsonProperty.class);
            if (p == null) {
                p = c.getAccessor().getAnnotation(JsonProperty.class);
            }
            String key = prefix.isEmpty() ? p.value() : prefix + "." + p.value();
            keys.add(key);
            Type t = c.getGenericType();
            if (t instanceof ParameterizedType pt && c.getType() == List.class) {
                t = pt.getActualTypeArguments()[0];
            }
            if (t instanceof Class<?> k && (k.isRecord() || k.isAnnotationPresent(JsonSubTypes.class))) {
                acceptedKeys(k, key, keys);
            }
        }
    }
}
