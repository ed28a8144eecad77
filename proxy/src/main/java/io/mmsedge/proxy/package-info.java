/**
 * The MMS proxy: the upstream client role (MS-MMSP §3.1), forward and reverse proxying,
 * subscriberName VIA/HOST rewriting (§2.2.4.17), redirects and broadcast splitting.
 *
 * <p>{@link io.mmsedge.proxy.ProxyCatalog} is the edge's catalog, a facade over: {@code route}
 * (which origins serve a request; pure), {@code origin} (connecting, failover, upstream
 * redirects, name resolution), {@code split} (one upstream session per broadcast), {@code cache}
 * (on-demand content served from and filled into the cache), {@code relay} (one upstream
 * session per player) and {@code upstream} (the §3.1 client session itself).
 */
package io.mmsedge.proxy;
