package io.mmsedge.server.media;

/**
 * Resolves the name a player asked for in OpenFile (§2.2.4.21) to content. Files, playlists,
 * cached and upstream (proxied or split) content are all catalogs behind the same server
 * session, so the §3.2 state machine exists once.
 */
public interface MediaCatalog {

    /**
     * Opens content for one session. Called on the session's event loop: implementations
     * must not block for long (file headers are small; remote sources complete later by
     * returning {@link OpenResult.Pending}).
     */
    OpenResult open(OpenRequest request);

    /**
     * The AuthenPackage announced in ReportConnectedEX (§2.2.4.2): "BASIC" or "NTLM" when this
     * catalog may challenge, empty when it never will.
     */
    default String authenPackage() {
        return "";
    }
}
