package io.mmsedge.distribution.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import java.nio.file.Path;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.impl.Log4jLogEvent;
import org.apache.logging.log4j.core.layout.PatternLayout;
import org.apache.logging.log4j.message.ParameterizedMessage;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * The shipped log layout (conf/log4j2.xml) against log injection (issue #17, finding 3): a
 * player's token, path or Host token holding CR/LF became a forged line of its own, in the
 * edge's log and, through the edge, in the origin's. Every message is logged through this
 * layout, so one escape covers every log statement that carries network text.
 */
class ShippedLogConfigTest {

    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F-\\x9F\\u2028\\u2029]");

    private static String shippedPattern() throws Exception {
        Path file = Fixtures.root().resolve("conf/log4j2.xml");
        var dbf = DocumentBuilderFactory.newInstance();
        dbf.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Element layout = (Element) dbf.newDocumentBuilder().parse(file.toFile())
                .getElementsByTagName("PatternLayout").item(0);
        return layout.getAttribute("pattern");
    }

    private static String format(String template, Object... args) throws Exception {
        PatternLayout layout = PatternLayout.newBuilder().withPattern(shippedPattern()).build();
        LogEvent e = Log4jLogEvent.newBuilder().setLoggerName("io.mmsedge.server.session.ServerSession")
                .setLevel(Level.INFO).setMessage(new ParameterizedMessage(template, args)).build();
        return layout.toSerializable(e);
    }

    @Test
    void aForgedLineInAPlayersTokenStaysOnTheRealLine() throws Exception {
        String token = "NSPlayer/9.0\r\n2026-12-07T00:00:00.000Z INFO  [main] access - peer=10.0.0.1 event=admin-login";
        String out = format("peer={} client=\"{}\" event=open", "/192.0.2.7:50000", token);
        assertEquals(1, out.split("\n", -1).length - 1, "exactly one line: " + out);
        assertTrue(out.endsWith(System.lineSeparator()), out);
        assertTrue(out.contains("NSPlayer/9.0\\r\\n2026-12-07"), "CR/LF are shown escaped: " + out);
        assertTrue(out.contains("event=open"), "the rest of the real line is kept: " + out);
    }

    @Test
    void otherControlCharactersCannotReachTheOperatorsTerminal() throws Exception {
        String path = "av.asf\u001b[2J\u001b]0;pwned\u0007\u0000\u0085\u2028x";
        String out = format("peer={} path={} event=open-failed", "/192.0.2.7:50000", path);
        String line = out.substring(0, out.length() - System.lineSeparator().length());
        assertFalse(CONTROL.matcher(line).find(), "no control character left: " + line.chars()
                .filter(c -> c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x2028).boxed().toList());
        assertTrue(line.contains("path=av.asf?[2J?]0;pwned???" + "?x event=open-failed"), line);
    }

    @Test
    void ordinaryLinesAreUnchanged() throws Exception {
        String out = format("peer={} path={} event=open pp=/ client=\"{}\"", "/127.0.0.1:41756", "av.asf",
                "NSPlayer/7.0.0.1956; {7AF7E960-F1B0-4E72-8BAB-52745F4D5F46}\tx");
        assertTrue(out.contains("ServerSession - peer=/127.0.0.1:41756 path=av.asf event=open pp=/ "
                + "client=\"NSPlayer/7.0.0.1956; {7AF7E960-F1B0-4E72-8BAB-52745F4D5F46}\tx\""), out);
    }
}
