package io.mmsedge.fuzz;

import io.mmsedge.protocol.mms.SubscriberName;
import java.nio.charset.StandardCharsets;

/**
 * The Connect subscriberName (MS-MMSP §2.2.4.17), which the edge parses, rewrites with its HOST
 * and VIA tokens, and sends upstream. Properties: parsing never throws; rendering is stable
 * (render(parse(render(parse(s)))) == render(parse(s))), so a name relayed through a chain of
 * edges does not drift; appending a VIA token keeps the others; host-info always yields a
 * port in 1..65535.
 */
public final class SubscriberNameFuzz {

    private SubscriberNameFuzz() {
    }

    public static void fuzzerTestOneInput(byte[] data) {
        Harness.run("subscriber-name", data, SubscriberNameFuzz::check);
    }

    /** Class loading and set-up happen here, outside the per-input timeout. */
    public static void fuzzerInitialize() {
        Harness.warmUp(SubscriberNameFuzz::check);
    }

    static void check(byte[] data) {
        String raw = new String(data, StandardCharsets.UTF_16LE);
        SubscriberName n = SubscriberName.parse(raw);
        String rendered = n.render();
        SubscriberName again = SubscriberName.parse(rendered);
        if (!again.render().equals(rendered)) {
            throw new AssertionError("render is not stable: [" + rendered + "] -> [" + again.render() + "]");
        }
        SubscriberName via = n.withViaAppended("edge.example:1755");
        if (!via.viaContains("edge.example:1755") || via.via().size() < n.via().size()) {
            throw new AssertionError("VIA append lost tokens: " + n.via() + " -> " + via.via());
        }
        for (String hostInfo : new String[] {n.hostParam(), n.hostString(), raw}) {
            SubscriberName.HostPort hp = SubscriberName.parseHostInfo(hostInfo, 1755);
            if (hp != null && (hp.port() < 1 || hp.port() > 65535)) {
                throw new AssertionError("port " + hp.port() + " from [" + hostInfo + "]");
            }
        }
    }
}
