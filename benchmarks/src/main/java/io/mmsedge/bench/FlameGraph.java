package io.mmsedge.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns async-profiler's collapsed stacks ({@code frame;frame;frame count} per line) into an SVG
 * flame graph and prints the frames that cost most: by self time (where the CPU was) and by
 * total time (what it was for). The split benchmark profiles the edge with async-profiler's
 * agent, which writes one format per run; the collapsed one keeps every sample and this draws it,
 * so that a clean machine needs nothing but the JDK and the Maven dependency.
 *
 * <p>Usage: {@code FlameGraph STACKS.collapsed OUT.svg [top-N] [title]}
 */
public final class FlameGraph {

    private static final int WIDTH = 1600;
    private static final int ROW = 16;

    /** A frame in the merged call tree. */
    private static final class Node {
        final String name;
        final Map<String, Node> children = new LinkedHashMap<>();
        long total;

        Node(String name) {
            this.name = name;
        }

        Node child(String n) {
            return children.computeIfAbsent(n, Node::new);
        }
    }

    private FlameGraph() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: FlameGraph STACKS.collapsed OUT.svg [top-N] [title]");
            System.exit(2);
        }
        int top = args.length > 2 ? Integer.parseInt(args[2]) : 15;
        String title = args.length > 3 ? args[3] : "mms-edge CPU";
        Node root = new Node("all");
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> inclusive = new HashMap<>();
        for (String line : Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8)) {
            int sp = line.lastIndexOf(' ');
            if (sp <= 0) {
                continue;
            }
            long n = Long.parseLong(line.substring(sp + 1).trim());
            String[] frames = line.substring(0, sp).split(";");
            root.total += n;
            Node at = root;
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (String f : frames) {
                at = at.child(f);
                at.total += n;
                if (seen.add(f)) {
                    inclusive.merge(f, n, Long::sum); // a recursive frame counts once per sample
                }
            }
            self.merge(frames[frames.length - 1], n, Long::sum);
        }
        print(System.out, "self", self, root.total, top);
        print(System.out, "total", inclusive, root.total, top);
        try (Writer w = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8)) {
            int depth = depth(root);
            int height = (depth + 2) * ROW + 10;
            w.write("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + WIDTH + "\" height=\"" + height
                    + "\" font-family=\"monospace\" font-size=\"11\">\n");
            w.write("<text x=\"4\" y=\"14\">" + esc(title) + " (" + root.total + " samples)</text>\n");
            draw(w, root, 0, WIDTH, height - ROW - 4, root.total);
            w.write("</svg>\n");
        }
    }

    private static void print(PrintStream out, String kind, Map<String, Long> counts, long all, int top) {
        out.printf("top %d frames by %s time (%% of %d samples):%n", top, kind, all);
        List<Map.Entry<String, Long>> sorted = new ArrayList<>(counts.entrySet());
        sorted.sort(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()));
        for (Map.Entry<String, Long> e : sorted.subList(0, Math.min(top, sorted.size()))) {
            out.printf("  %5.1f%%  %s%n", 100.0 * e.getValue() / all, e.getKey());
        }
    }

    private static int depth(Node n) {
        int d = 0;
        for (Node c : n.children.values()) {
            d = Math.max(d, depth(c));
        }
        return d + 1;
    }

    /** Draws {@code n} at [x, x+w) on row y, its children above it (a classic bottom-up flame graph). */
    private static void draw(Writer w, Node n, double x, double width, int y, long all) throws IOException {
        if (width < 0.5) {
            return; // too narrow to see; its samples still count in its parent
        }
        double pct = 100.0 * n.total / all;
        int hue = 10 + Math.abs(n.name.hashCode() % 40);
        w.write(String.format("<g><title>%s (%d samples, %.2f%%)</title><rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" "
                + "height=\"%d\" fill=\"hsl(%d,90%%,60%%)\" stroke=\"white\" stroke-width=\"0.3\"/>",
                esc(n.name), n.total, pct, x, y, width, ROW - 1, hue));
        int chars = (int) (width / 7);
        if (chars > 3) {
            String label = n.name.length() > chars ? n.name.substring(0, chars - 2) + ".." : n.name;
            w.write(String.format("<text x=\"%.1f\" y=\"%d\">%s</text>", x + 2, y + ROW - 4, esc(label)));
        }
        w.write("</g>\n");
        double cx = x;
        for (Node c : n.children.values()) {
            double cw = width * c.total / n.total;
            draw(w, c, cx, cw, y - ROW, all);
            cx += cw;
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
