package io.tandem.engine.ingest;

import java.util.regex.Pattern;

/**
 * A request's place in an ordered session ({@code Tandem-Sequence: <session>/<n>}): the requests of one session
 * are appended in the order of {@code n}, from 0, to one partition, so that their arrival order in the log is the
 * order their sender meant (a file's order, even with several requests in flight). Ties in {@code first} and
 * {@code last} then resolve as the file says.
 *
 * @param session 1 to 64 of {@code A-Z a-z 0-9 . _ -}
 * @param n       the request's number in the session, from 0
 */
public record Sequence(String session, long n) {

    private static final Pattern SESSION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    public Sequence {
        if (!SESSION.matcher(session).matches() || n < 0) {
            throw new IllegalArgumentException("expected <session>/<n>: a session of 1 to 64 letters, digits, '.', "
                    + "'_' or '-', and a request number from 0");
        }
    }

    /**
     * Parses {@code <session>/<n>}.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static Sequence parse(String header) {
        int slash = header.lastIndexOf('/');
        if (slash < 0 || !header.substring(slash + 1).matches("\\d{1,18}")) {
            throw new IllegalArgumentException("expected <session>/<n> like f3a9c2/0, got \"" + header + "\"");
        }
        try {
            return new Sequence(header.substring(0, slash), Long.parseLong(header.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() + ", got \"" + header + "\"", e);
        }
    }
}
