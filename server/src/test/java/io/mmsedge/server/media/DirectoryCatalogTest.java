package io.mmsedge.server.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mmsedge.fixtures.Fixtures;
import io.mmsedge.protocol.mms.Hresults;
import io.netty.buffer.ByteBufAllocator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Path handling on the origin (issue #17, "Path handling" and finding 7): names that try to
 * leave the media directory are refused, and so is a symbolic link inside it that points out
 * of it, unless the operator allows that.
 */
class DirectoryCatalogTest {

    @TempDir
    Path tmp;
    private Path media;

    @BeforeEach
    void layout() throws Exception {
        media = Files.createDirectories(tmp.resolve("media"));
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.copy(Fixtures.media("av.asf"), media.resolve("av.asf"));
        Files.copy(Fixtures.media("audio.asf"), outside.resolve("secret.asf"));
        Files.createDirectories(media.resolve("sub"));
        Files.createSymbolicLink(media.resolve("sub/alias.asf"), media.resolve("av.asf"));
        Files.createSymbolicLink(media.resolve("escape.asf"), outside.resolve("secret.asf"));
        Files.createSymbolicLink(media.resolve("elsewhere"), outside);
    }

    private static void assertOpens(DirectoryCatalog c, String name) {
        OpenResult r = c.openRelative(name);
        OpenResult.Opened o = assertInstanceOf(OpenResult.Opened.class, r, () -> name + ": " + r);
        o.media().close();
    }

    private static void assertDenied(DirectoryCatalog c, String name, String why) {
        OpenResult r = c.openRelative(name);
        OpenResult.Failed f = assertInstanceOf(OpenResult.Failed.class, r, () -> name + " must be refused: " + r);
        assertEquals(Hresults.E_ACCESS_DENIED, f.hr(), () -> name + ": " + f);
        assertTrue(f.reason().contains(why), () -> name + ": " + f.reason());
    }

    @Test
    void aLinkThatStaysInsideServesAndOneThatLeadsOutIsRefusedByDefault() {
        DirectoryCatalog c = new DirectoryCatalog("/", media, ByteBufAllocator.DEFAULT);
        assertOpens(c, "av.asf");
        assertOpens(c, "sub/alias.asf");
        assertDenied(c, "escape.asf", "symbolic link");
        assertDenied(c, "elsewhere/secret.asf", "symbolic link");
    }

    @Test
    void followSymlinksServesLinkedContentOnPurpose() {
        DirectoryCatalog c = new DirectoryCatalog("/", media, true, ByteBufAllocator.DEFAULT);
        assertOpens(c, "escape.asf");
        assertOpens(c, "elsewhere/secret.asf");
    }

    @Test
    void traversalInEveryFormIsRefused() {
        DirectoryCatalog c = new DirectoryCatalog("/", media, true, ByteBufAllocator.DEFAULT);
        String secret = tmp.resolve("outside/secret.asf").toString();
        for (String bad : List.of("../outside/secret.asf", "..\\outside\\secret.asf", "sub/../../outside/secret.asf",
                "./av.asf", "sub//alias.asf", "C:\\outside\\secret.asf", "av.asf\0.txt", "..")) {
            assertDenied(c, bad, "not a file name below the publishing point");
        }
        // An absolute path is a name below the root like any other ("/tmp/..." is "tmp/..."): not found.
        OpenResult r = c.openRelative(secret);
        assertEquals(Hresults.E_FILE_NOT_FOUND, assertInstanceOf(OpenResult.Failed.class, r, r::toString).hr());
        // A leading '/' (as players send the URL's path) is the same name, not an absolute path.
        assertOpens(c, "/av.asf");
    }
}
