package io.tandem.server;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.tandem.core.SecurityDef;
import io.tandem.server.auth.Scope;
import io.tandem.server.auth.Tokens;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * What every request passes before its handler, so that a web page the user visits cannot drive the server.
 *
 * <ol>
 *   <li><b>Host.</b> The {@code Host} header must name this server: the bind address, {@code localhost} and every
 *       loopback address when bound to loopback, any IP address when bound to all interfaces ({@code 0.0.0.0}),
 *       or a name given in {@link ServerOptions#allowedHosts()}. A page whose own name was re-pointed at 127.0.0.1
 *       (DNS rebinding) sends its own name and is refused with 403.</li>
 *   <li><b>Origin.</b> A POST, PUT, PATCH or DELETE that carries an {@code Origin} (browsers send one) must come
 *       from this server's own origin: {@code http://} or {@code https://} and the request's {@code Host}. Any
 *       other, {@code null} included, is refused with 403 naming it, so a cross-site form or {@code fetch} cannot
 *       ingest, run batches or reports. Clients that send no {@code Origin} (curl, the CLI) pass.</li>
 *   <li><b>Token.</b> With a tokens file ({@code security.tokens_file}), the API ({@code /v1/...} and
 *       {@code /metrics}) needs {@code Authorization: Bearer <token>} of one of its tokens (401 otherwise), with the
 *       scope the request needs (403 otherwise): {@code ingest} for {@code POST /v1/streams/{stream}/events},
 *       {@code read} for every {@code GET}, {@code HEAD} and {@code POST /v1/sql}, {@code admin} for the rest; admin
 *       may do everything. The server-sent event streams ({@code /v1/views/{view}/live}, {@code /v1/alerts/live},
 *       {@code /v1/analyses/live}) take the token also as the query parameter {@value #TOKEN_PARAM}, because a
 *       browser's {@code EventSource} cannot set headers. The dashboard's static files hold no data and need no
 *       token; everything they show comes from the API.</li>
 *   <li><b>Rate.</b> With {@code security.rate_limit}, each token has a bucket of requests; a request beyond it is
 *       answered 429 with {@code Retry-After}.</li>
 * </ol>
 */
final class RequestGuard {

    static final String TOKEN_PARAM = "access_token";

    private static final Set<HandlerType> STATE_CHANGING = Set.of(HandlerType.POST, HandlerType.PUT,
            HandlerType.PATCH, HandlerType.DELETE);
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"
            + "(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern STREAM_PATH =
            Pattern.compile("/v1/views/[^/]+/live|/v1/alerts/live|/v1/analyses/live");

    private final Set<String> names = new TreeSet<>();
    private final InetAddress bind;
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";
    private static final Pattern INGEST_PATH = Pattern.compile("/v1/streams/[^/]+/events/?");

    /** The server's tokens, or null when the API is open (loopback only). */
    private final Tokens tokens;
    private final SecurityDef.RateLimit rateLimit;
    private final boolean tls;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    RequestGuard(ServerOptions options) {
        try {
            this.bind = InetAddress.getByName(options.bind());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("bind: cannot resolve address '" + options.bind() + "'", e);
        }
        names.add(options.bind().toLowerCase(Locale.ROOT));
        if (bind.isLoopbackAddress() || bind.isAnyLocalAddress()) {
            names.add("localhost");
        }
        names.addAll(options.allowedHosts());
        SecurityDef security = options.security();
        this.tokens = security.tokensFile() == null ? null : Tokens.open(security.tokensFile());
        this.rateLimit = security.rateLimit();
        this.tls = security.tls() != null;
    }

    void check(Context ctx) {
        securityHeaders(ctx);
        checkHost(ctx);
        checkOrigin(ctx);
        checkToken(ctx);
    }

    /**
     * Headers that keep a browser from running anything the dashboard did not ship: no inline script or style, no
     * framing, no sniffing of content types, no referrer sent elsewhere; and, over HTTPS, HTTPS only from then on.
     */
    private void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cross-Origin-Opener-Policy", "same-origin");
        if (tls) {
            ctx.header("Strict-Transport-Security", "max-age=31536000");
        }
    }

    private void checkHost(Context ctx) {
        String header = ctx.header("Host");
        if (header == null || allowed(hostOf(header))) {
            return;
        }
        throw new TandemServer.ApiException(HttpStatus.FORBIDDEN, "Host '" + header + "' is not a name of this "
                + "server (it answers to " + String.join(", ", accepted()) + "); start it with --allowed-host "
                + "NAME to accept another name");
    }

    /** The host part of a {@code Host} header, lower case, without port or trailing dot; IPv6 in brackets. */
    private static String hostOf(String header) {
        String h = header.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private boolean allowed(String host) {
        if (names.contains(host)) {
            return true;
        }
        InetAddress literal = literal(host);
        return literal != null && (bind.isAnyLocalAddress() || literal.equals(bind)
                || bind.isLoopbackAddress() && literal.isLoopbackAddress());
    }

    /** The address an IP literal names, or null for anything else (no name is ever looked up). */
    private static InetAddress literal(String host) {
        if (!IPV4.matcher(host).matches() && !(host.startsWith("[") && host.endsWith("]"))) {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (UnknownHostException notALiteral) {
            return null;
        }
    }

    private List<String> accepted() {
        List<String> list = new ArrayList<>(names);
        if (bind.isAnyLocalAddress()) {
            list.add("any IP address");
        } else if (bind.isLoopbackAddress()) {
            list.add("127.0.0.1");
            list.add("[::1]");
        }
        return list.stream().distinct().toList();
    }

    private static void checkOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (origin == null || !STATE_CHANGING.contains(ctx.method()) || sameOrigin(origin, ctx.header("Host"))) {
            return;
        }
        throw new TandemServer.ApiException(HttpStatus.FORBIDDEN, "cross-origin request refused: Origin '" + origin
                + "' is not this server's origin (http://" + ctx.header("Host") + "); a " + ctx.method()
                + " must come from the dashboard of this server or from a client that sends no Origin");
    }

    private static boolean sameOrigin(String origin, String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = new URI(origin.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && uri.getRawAuthority() != null
                    && uri.getRawAuthority().equalsIgnoreCase(host.trim())
                    && (uri.getRawPath() == null || uri.getRawPath().isEmpty());
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private void checkToken(Context ctx) {
        if (tokens == null || !isApi(ctx.path())) {
            return;
        }
        String given = ctx.header("Authorization");
        String secret = null;
        if (given != null && given.regionMatches(true, 0, "Bearer ", 0, 7)) {
            secret = given.substring(7); // the scheme is case-insensitive (RFC 7235), the token is not
        } else if (given == null && ctx.method() == HandlerType.GET && STREAM_PATH.matcher(ctx.path()).matches()) {
            secret = ctx.queryParam(TOKEN_PARAM);
        }
        Tokens.Token token = tokens.verify(secret).orElse(null);
        if (token == null) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new TandemServer.ApiException(HttpStatus.UNAUTHORIZED, secret == null
                    ? "missing API token (Authorization: Bearer ...)"
                    : "unknown API token (Authorization: Bearer ...): it is not in the server's tokens file");
        }
        Scope needed = scopeOf(ctx.method(), ctx.path());
        if (!needed.grantedBy(token.scopes())) {
            throw new TandemServer.ApiException(HttpStatus.FORBIDDEN, "token '" + token.name() + "' lacks the scope '"
                    + needed.configName() + "' that " + ctx.method() + " " + ctx.path() + " needs (it has "
                    + Scope.names(token.scopes()) + ")");
        }
        checkRate(ctx, token);
    }

    private void checkRate(Context ctx, Tokens.Token token) {
        if (rateLimit == null) {
            return;
        }
        Bucket bucket = buckets.computeIfAbsent(token.name(), name -> Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(rateLimit.burst())
                        .refillGreedy(1, Duration.ofNanos(Math.max(1, (long) (1e9 / rateLimit.requestsPerSecond()))))
                        .build())
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999) / 1_000_000_000);
            ctx.header("Retry-After", Long.toString(seconds));
            throw new TandemServer.ApiException(HttpStatus.TOO_MANY_REQUESTS, "token '" + token.name()
                    + "' is over its rate limit of " + rateLimit.requestsPerSecond() + " requests per second (burst "
                    + rateLimit.burst() + "); retry in " + seconds + " s");
        }
    }

    /** The scope a request needs. */
    static Scope scopeOf(HandlerType method, String path) {
        String p = path.toLowerCase(Locale.ROOT);
        if (method == HandlerType.GET || method == HandlerType.HEAD
                || method == HandlerType.POST && (p.equals("/v1/sql") || p.equals("/v1/sql/"))) {
            return Scope.READ;
        }
        if (method == HandlerType.POST && INGEST_PATH.matcher(p).matches()) {
            return Scope.INGEST;
        }
        return Scope.ADMIN;
    }

    /** The API, and anything that could be routed to it (with a trailing slash, say). */
    private static boolean isApi(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.startsWith("/v1") || p.startsWith("/metrics");
    }
}
