/**
 * The client role of MMSH ([MS-WMSP] §3.1), free of sockets: the Describe and Play requests a
 * Windows Media client sends ({@link io.mmsedge.protocol.mmsh.client.MmshClientRequests}), and
 * a bounded reader of one response ({@link io.mmsedge.protocol.mmsh.client.MmshResponseReader})
 * that turns bytes into typed {@link io.mmsedge.protocol.mmsh.client.MmshClientEvent}s. What
 * mms-edge uses to reach an MMSH origin; the Netty adapter lives in the proxy module.
 */
package io.mmsedge.protocol.mmsh.client;
