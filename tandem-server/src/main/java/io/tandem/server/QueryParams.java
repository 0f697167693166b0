package io.tandem.server;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.tandem.core.time.Timestamps;

import java.util.List;

/** The query parameters of the list endpoints; a bad one is a 400 that names it and its value. */
final class QueryParams {

    private QueryParams() {
    }

    /** Refuses a parameter not in {@code known}, and one given more than once. */
    static void only(Context ctx, List<String> known) {
        ctx.queryParamMap().forEach((name, values) -> {
            if (!known.contains(name)) {
                throw bad("unknown parameter '" + name + "' (" + (known.isEmpty() ? "this endpoint takes none"
                        : "parameters: " + String.join(", ", known)) + ")");
            }
            if (values.size() != 1) {
                throw bad(name + ": given " + values.size() + " times, expected once");
            }
        });
    }

    /** An instant, ISO-8601 or epoch ms, as epoch ms; {@code absent} when not given. */
    static long time(Context ctx, String name, long absent) {
        String v = ctx.queryParam(name);
        if (v == null) {
            return absent;
        }
        try {
            return Timestamps.parse(v);
        } catch (IllegalArgumentException e) {
            throw bad(name + ": " + e.getMessage());
        }
    }

    /** {@code limit}, a whole number from 1 to {@code max}; {@code absent} when not given. */
    static int limit(Context ctx, int absent, int max) {
        String v = ctx.queryParam("limit");
        if (v == null) {
            return absent;
        }
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = 0;
        }
        if (n < 1 || n > max) {
            throw bad("limit: expected a whole number from 1 to " + max + ", got \"" + v + "\"");
        }
        return n;
    }

    static TandemServer.ApiException bad(String message) {
        return new TandemServer.ApiException(HttpStatus.BAD_REQUEST, message);
    }
}
