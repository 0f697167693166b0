package io.tandem.server;

import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
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
 *   <li><b>Token.</b> With an API token, the API ({@code /v1/...} and {@code /metrics}) needs
 *       {@code Authorization: Bearer <token>} (401 otherwise). The server-sent event streams
 *       ({@code /v1/views/{view}/live}, {@code /v1/alerts/live}, {@code /v1/analyses/live}) take it also as the
 *       query parameter {@value #TOKEN_PARAM}, because a browser's {@code EventSource} cannot set headers. The
 *       dashboard's static files hold no data and need no token.</li>
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
    private final byte[] expectedAuthorization;

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
        this.expectedAuthorization = options.apiToken() == null ? null
                : ("Bearer " + options.apiToken()).getBytes(StandardCharsets.UTF_8);
    }

    void check(Context ctx) {
        checkHost(ctx);
        checkOrigin(ctx);
        checkToken(ctx);
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
        if (expectedAuthorization == null || !isApi(ctx.path())) {
            return;
        }
        String given = ctx.header("Authorization");
        if (given != null && given.regionMatches(true, 0, "Bearer ", 0, 7)) {
            given = "Bearer " + given.substring(7); // the scheme is case-insensitive (RFC 7235), the token is not
        }
        if (given == null && ctx.method() == HandlerType.GET && STREAM_PATH.matcher(ctx.path()).matches()
                && ctx.queryParam(TOKEN_PARAM) != null) {
            given = "Bearer " + ctx.queryParam(TOKEN_PARAM);
        }
        if (given == null || !MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new TandemServer.ApiException(HttpStatus.UNAUTHORIZED, "missing or wrong API token "
                    + "(Authorization: Bearer ...)");
        }
    }

    /** The API, and anything that could be routed to it (with a trailing slash, say). */
    private static boolean isApi(String path) {
        String p = path.toLowerCase(Locale.ROOT);
        return p.startsWith("/v1") || p.startsWith("/metrics");
    }
}
