package io.mmsedge.distribution.config;

import io.mmsedge.distribution.config.Check.ByteSize;
import io.mmsedge.distribution.config.Check.CrossChecked;
import io.mmsedge.distribution.config.Check.Format;
import io.mmsedge.distribution.config.Check.Matches;
import io.mmsedge.distribution.config.Check.NotEmpty;
import io.mmsedge.distribution.config.Check.Problem;
import io.mmsedge.distribution.config.Check.Range;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * Enforces the {@link Check} constraints declared on the configuration records, depth first: a
 * section's own keys and subsections before its {@link CrossChecked} rule. The first break stops
 * with a {@link ConfigException} naming the key as the file spells it ({@code edge.reverse[0].origins}).
 */
final class ConfigValidator {

    private ConfigValidator() {
    }

    static void validate(Record config, String source) throws ConfigException {
        Problem p = section(config, "");
        if (p != null) {
            throw new ConfigException(source + ": key '" + p.key() + "': " + p.message());
        }
    }

    private static Problem section(Record r, String path) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            String key = join(path, c.getName());
            Object value = read(r, c);
            NotEmpty required = c.getAnnotation(NotEmpty.class);
            Problem p = value != null ? component(c, key, value, false)
                    : required != null ? Problem.at(key, required.message()) : null;
            if (p != null) {
                return p;
            }
        }
        if (r instanceof CrossChecked checked) {
            Problem p = checked.problem();
            if (p != null) {
                return Problem.at(join(path, p.key()), p.message());
            }
        }
        return null;
    }

    /** {@code element}: one entry of the component's list, to which list-level constraints do not apply. */
    private static Problem component(RecordComponent c, String key, Object value, boolean element) {
        if (value instanceof Record sub) {
            return section(sub, key);
        }
        NotEmpty notEmpty = c.getAnnotation(NotEmpty.class);
        if (notEmpty != null && !element && (value instanceof String s ? s.isBlank() : ((List<?>) value).isEmpty())) {
            return Problem.at(key, notEmpty.message());
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                String at = key + "[" + i + "]";
                Object e = list.get(i);
                Problem p = e == null ? Problem.at(at, "empty entry") : component(c, at, e, true);
                if (p != null) {
                    return p;
                }
            }
            return null;
        }
        if (value instanceof Number n) {
            return range(c.getAnnotation(Range.class), key, n);
        }
        return value instanceof String s ? string(c, key, s) : null;
    }

    private static Problem range(Range range, String key, Number n) {
        double v = n.doubleValue();
        if (range == null || (v >= range.min() && v <= range.max())) {
            return null;
        }
        String bounds = range.max() == Double.MAX_VALUE ? "must be >= " + number(range.min())
                : "must be between " + number(range.min()) + " and " + number(range.max());
        return Problem.at(key, bounds + (range.note().isEmpty() ? "" : " (" + range.note() + ")") + ", got " + n);
    }

    private static Problem string(RecordComponent c, String key, String s) {
        Matches matches = c.getAnnotation(Matches.class);
        if (matches != null && !s.matches(matches.regex())) {
            return Problem.at(key, matches.message() + ", got '" + s + "'");
        }
        try {
            Format format = c.getAnnotation(Format.class);
            if (format != null) {
                format.value().check(s);
            }
            ByteSize size = c.getAnnotation(ByteSize.class);
            if (size != null && ConfigLoader.parseByteSize(s) < size.min()) {
                return Problem.at(key, "at least " + size.minText() + ", got '" + s + "'");
            }
        } catch (IllegalArgumentException e) {
            return Problem.at(key, e.getMessage());
        }
        return null;
    }

    private static String number(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static String join(String path, String key) {
        if (key.isEmpty()) {
            return path;
        }
        return path.isEmpty() || key.startsWith("[") ? path + key : path + "." + key;
    }

    private static Object read(Record r, RecordComponent c) {
        try {
            return c.getAccessor().invoke(r);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("configuration record " + r.getClass().getName() + " unreadable", e);
        }
    }
}
