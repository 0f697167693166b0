package io.tandem.core;

import java.nio.file.Path;

/**
 * Who may use the HTTP API ({@code security:} in the config). Paths are resolved against the config file's folder.
 *
 * @param tokensFile the file of API tokens ({@code tandem token create} writes it), or null for an API without
 *                   tokens, which only a loopback address may serve
 * @param tls        the certificate and key to serve HTTPS with, or null for plain HTTP
 * @param rateLimit  the requests each token may make, or null for no limit
 */
public record SecurityDef(Path tokensFile, Tls tls, RateLimit rateLimit) {

    /** No tokens, no TLS, no limits: the default, for a server on loopback. */
    public static final SecurityDef NONE = new SecurityDef(null, null, null);

    /** With tokens from this file, and neither TLS nor limits. */
    public static SecurityDef tokens(Path file) {
        return new SecurityDef(file, null, null);
    }

    /**
     * A PEM certificate chain and its private key ({@code security.tls}).
     *
     * @param certFile the certificate, then any intermediates, PEM encoded
     * @param keyFile  the private key, PEM encoded, unencrypted (PKCS#8 or PKCS#1)
     */
    public record Tls(Path certFile, Path keyFile) {
    }

    /**
     * A token bucket per API token ({@code security.rate_limit}): {@code burst} requests at once, refilled at
     * {@code requestsPerSecond}; a request beyond it is answered 429 with {@code Retry-After}.
     */
    public record RateLimit(double requestsPerSecond, long burst) {
    }
}
