package io.mmsedge.server.accesslog;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One access-log entry: a value per {@link AccessField}, unescaped, {@code -} where unknown. The
 * W3C line ({@link #w3cLine()}) and the JSON line (the layout, from {@link #values()}) are two
 * renderings of the same record.
 */
public final class AccessRecord {

    private final EnumMap<AccessField, String> values = new EnumMap<>(AccessField.class);

    /** Sets {@code field}; null, "" and a negative number mean unknown. */
    public AccessRecord set(AccessField field, Object value) {
        String s = value == null ? null : value.toString();
        boolean unknown = s == null || s.isEmpty() || value instanceof Number n && n.doubleValue() < 0;
        values.put(field, unknown ? "-" : s);
        return this;
    }

    /** The value of {@code field} as set ({@code -} if never set). */
    public String get(AccessField field) {
        return values.getOrDefault(field, "-");
    }

    /** Every field by its W3C name, in line order. */
    public Map<String, String> values() {
        Map<String, String> m = new LinkedHashMap<>();
        for (AccessField f : AccessField.all()) {
            m.put(f.w3cName(), get(f));
        }
        return m;
    }

    /** The fields in {@code #Fields} order, escaped as WMS does ({@link W3cEscaping}), one space apart. */
    public String w3cLine() {
        StringBuilder sb = new StringBuilder(512);
        for (AccessField f : AccessField.all()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(W3cEscaping.escape(get(f), f.isUrl()));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return w3cLine();
    }
}
