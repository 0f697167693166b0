package io.tandem.server;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where and how the HTTP API listens.
 *
 * @param bind         the address to bind; loopback unless an API token is set
 * @param port         0 for any free port
 * @param maxBodyBytes the largest ingest body accepted (413 above it)
 * @param apiToken     when set, every request must carry {@code Authorization: Bearer <token>}; required for a
 *                     non-loopback bind address
 */
public record ServerOptions(String bind, int port, long maxBodyBytes, String apiToken) {

    public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;

    public static ServerOptions loopback(int port) {
        return new ServerOptions("127.0.0.1", port, DEFAULT_MAX_BODY_BYTES, null);
    }

    /**
     * @throws IllegalArgumentException when the address does not resolve, or is not loopback and no token is set
     */
    public ServerOptions {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bind: cannot resolve address '" + bind + "'");
        }
        if (!address.isLoopbackAddress() && (apiToken == null || apiToken.isBlank())) {
            throw new IllegalArgumentException("bind: '" + bind + "' is not a loopback address; set an API token "
                    + "(--token or TANDEM_API_TOKEN) to listen on other interfaces");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port: expected 0..65535, got " + port);
        }
    }
}
