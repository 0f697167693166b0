package io.tandem.server;

import io.tandem.core.SecurityDef;

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
 * @param bind         the address to bind; loopback unless API tokens are set
 * @param port         0 for any free port
 * @param maxBodyBytes the largest ingest body accepted (413 above it)
 * @param security     the config's {@code security:}: with a tokens file, every API request must carry
 *                     {@code Authorization: Bearer <token>} of a token with the scope it needs; required for a
 *                     non-loopback bind address
 * @param allowedHosts the host names, besides the bind address and (on loopback) {@code localhost}, that a
 *                     request's {@code Host} header may name; lower case
 */
public record ServerOptions(String bind, int port, long maxBodyBytes, SecurityDef security,
                            Set<String> allowedHosts) {

    public static final long DEFAULT_MAX_BODY_BYTES = 16L << 20;

    private static final Pattern HOST_NAME = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*"
            + "[a-z0-9])?)*\\.?|\\[[0-9a-f:.]+]");

    public static ServerOptions loopback(int port) {
        return new ServerOptions("127.0.0.1", port, DEFAULT_MAX_BODY_BYTES, SecurityDef.NONE);
    }

    /** Options that accept no host name beyond the bind address and, on loopback, {@code localhost}. */
    public ServerOptions(String bind, int port, long maxBodyBytes, SecurityDef security) {
        this(bind, port, maxBodyBytes, security, Set.of());
    }

    /**
     * @throws IllegalArgumentException when the address does not resolve, or is not loopback and no tokens are set,
     *                                  or an allowed host is not a host name
     */
    public ServerOptions {
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bind: cannot resolve address '" + bind + "'");
        }
        security = security == null ? SecurityDef.NONE : security;
        if (!address.isLoopbackAddress() && security.tokensFile() == null) {
            throw new IllegalArgumentException("bind: '" + bind + "' is not a loopback address; set "
                    + "security.tokens_file in the config (tandem token create --tokens-file FILE --scopes read) "
                    + "to listen on other interfaces");
        }
        if (security.rateLimit() != null && security.tokensFile() == null) {
            throw new IllegalArgumentException("security.rate_limit: limits are per token; set security.tokens_file "
                    + "too");
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

    /** Whether the server answers HTTPS. */
    public boolean tls() {
        return security.tls() != null;
    }

    /** These options, accepting also the given host names in {@code Host} headers. */
    public ServerOptions withAllowedHosts(Collection<String> names) {
        Set<String> all = new TreeSet<>(allowedHosts);
        all.addAll(names);
        return new ServerOptions(bind, port, maxBodyBytes, security, all);
    }
}
