package io.tandem.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Where and how the HTTP API listens.
 *
 * @param bind         the address to bind; loopback unless an API token is set
 * @param port         0 for any free port
 * @param maxBodyBytes the largest ingest body accepted (413 above it)
 * @param apiToken     when set, every API request must carry {@code Authorization: Bearer <token>}; required for a
 *                     non-loopback bind address
 * @param allowedHosts the host names, besides the bind address and (on loopback) {@code localhost}, that a
 *                     request's {@code Host} header may name; lower case
 */
public record ServerOptions(String bind, int port, long maxBodyBytes, String apiToken, Set<String> allowedHosts) {

    public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;

    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*"
            + "[a-z0-9])?)*\\.?|\\[[0-9a-f:.]+]");

    public static ServerOptions loopback(int port) {
        return new ServerOptions("127.0.0.1", port, DEFAULT_MAX_BODY_BYTES, null);
    }

    /** Options that accept no host name beyond the bind address and, on loopback, {@code localhost}. */
    public ServerOptions(String bind, int port, long maxBodyBytes, String apiToken) {
        this(bind, port, maxBodyBytes, apiToken, Set.of());
    }

    /**
     * @throws IllegalArgumentException when the address does not resolve, or is not loopback and no token is set,
     *                                  or an allowed host is not a host name
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
        Set<String> hosts = new TreeSet<>();
        for (String h : allowedHosts) {
            String name = h == null ? "" : h.trim().toLowerCase(Locale.ROOT);
            if (!HOST_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("allowed-host: expected a host name like tandem.example.com "
                        + "(no scheme, port or path), got \"" + h + "\"");
            }
            hosts.add(name.endsWith(".") ? name.substring(0, name.length() - 1) : name);
        }
        allowedHosts = Set.copyOf(hosts);
    }

    /** These options, accepting also the given host names in {@code Host} headers. */
    public ServerOptions withAllowedHosts(Collection<String> names) {
        Set<String> all = new TreeSet<>(allowedHosts);
        all.addAll(names);
        return new ServerOptions(bind, port, maxBodyBytes, apiToken, all);
    }
}
