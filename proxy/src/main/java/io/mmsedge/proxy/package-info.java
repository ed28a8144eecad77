/**
 * The MMS proxy: the upstream client role (MS-MMSP §3.1), forward and reverse proxying,
 * subscriberName VIA/HOST rewriting (§2.2.4.17), redirects and broadcast splitting.
 * Filled in by the proxy and splitting issues.
 */
package io.mmsedge.proxy;
