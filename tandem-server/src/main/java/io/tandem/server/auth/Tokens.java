package io.tandem.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

/**
 * The API tokens of a server, kept in a file that holds only their SHA-256 hashes: one JSON object a line,
 * {@code {"name": "ci", "scopes": ["ingest", "read"], "sha256": "...", "created": "2026-12-03T11:40:00Z"}}.
 *
 * <p>A token is {@value #PREFIX} and 43 characters of base64url: 256 random bits, so a plain hash suffices (no
 * password stretching) and the file reveals nothing that opens the server. A presented token is hashed and compared
 * with every stored hash in constant time ({@link MessageDigest#isEqual}), without stopping at a match.
 *
 * <p>The server reads the file again when it changes: a new token works at once, a revoked one stops working within
 * {@value #RECHECK_MS} ms. A file that no longer parses keeps the tokens read before, with a warning.
 */
public final class Tokens {

    /** How every token starts, so that secret scanners recognise one. */
    public static final String PREFIX = "tdm_";

    static final long RECHECK_MS = 1_000;

    private static final Logger LOG = LoggerFactory.getLogger(Tokens.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Longer than any token this class makes: what is longer is refused before hashing. */
    private static final int MAX_TOKEN_CHARS = 256;

    private final Path file;
    private final LongSupplier clock;
    private volatile Snapshot snapshot;
    private volatile long checkedAtMs;

    private Tokens(Path file, LongSupplier clock, Snapshot snapshot) {
        this.file = file;
        this.clock = clock;
        this.snapshot = snapshot;
        this.checkedAtMs = clock.getAsLong();
    }

    /** One token as the file describes it. */
    public record Token(String name, Set<Scope> scopes, Instant created) {
    }

    /** What {@link #create} made: the token itself, shown once, and its entry. */
    public record Created(String secret, Token token) {
    }

    /**
     * Opens the tokens of a server.
     *
     * @throws IllegalArgumentException when the file does not exist or a line of it is not a token, naming the file
     *                                  and the line
     */
    public static Tokens open(Path file) {
        return new Tokens(file, System::currentTimeMillis, Snapshot.read(file));
    }

    /** The token this secret is, if it is one of the file's. */
    public Optional<Token> verify(String secret) {
        if (secret == null || secret.length() > MAX_TOKEN_CHARS) {
            return Optional.empty();
        }
        byte[] hash = sha256(secret);
        refreshIfDue(false);
        Optional<Token> found = snapshot.find(hash);
        if (found.isEmpty()) {
            refreshIfDue(true);
            found = snapshot.find(hash);
        }
        return found;
    }

    /** The number of tokens now in force. */
    public int size() {
        return snapshot.entries.size();
    }

    /**
     * Adds a token to the file (creating it, readable by its owner only), and returns the token, which is shown
     * nowhere else.
     *
     * @throws IllegalArgumentException when the name is not a name or is taken, or no scope is given
     * @throws IOException              when the file cannot be read or written
     */
    public static Created create(Path file, String name, Set<Scope> scopes) throws IOException {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("name: expected letters, digits, '_', '.' or '-' (at most 64, "
                    + "starting with a letter or digit), got '" + name + "'");
        }
        if (scopes.isEmpty()) {
            throw new IllegalArgumentException("scopes: give at least one of read, ingest, admin");
        }
        byte[] random = new byte[32];
        RANDOM.nextBytes(random);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        Token token = new Token(name, EnumSet.copyOf(scopes), Instant.now().truncatedTo(ChronoUnit.SECONDS));
        update(file, entries -> {
            if (entries.stream().anyMatch(e -> e.token.name().equals(name))) {
                throw new IllegalArgumentException("name: a token named '" + name + "' exists already in " + file
                        + " (revoke it first, or choose another name)");
            }
            entries.add(new Entry(token, sha256(secret)));
        });
        return new Created(secret, token);
    }

    /** The tokens in the file, without their hashes. */
    public static List<Token> list(Path file) {
        return Snapshot.read(file).entries.stream().map(Entry::token).toList();
    }

    /**
     * Removes the token of this name from the file.
     *
     * @return whether there was one
     */
    public static boolean revoke(Path file, String name) throws IOException {
        boolean[] removed = new boolean[1];
        update(file, entries -> removed[0] = entries.removeIf(e -> e.token.name().equals(name)));
        return removed[0];
    }

    private void refreshIfDue(boolean changedOnly) {
        long now = clock.getAsLong();
        if (!changedOnly && now - checkedAtMs < RECHECK_MS) {
            return;
        }
        checkedAtMs = now;
        Object stamp = Snapshot.stamp(file);
        if (Objects.equals(stamp, snapshot.stamp)) {
            return;
        }
        try {
            snapshot = Snapshot.read(file);
            LOG.info("read {} API tokens from {}", snapshot.entries.size(), file);
        } catch (IllegalArgumentException e) {
            LOG.warn("keeping the API tokens read before: {}", e.getMessage());
            snapshot = new Snapshot(snapshot.entries, stamp);
        }
    }

    /** Rewrites the file under a lock, through a temporary file moved over it. */
    private static void update(Path file, Consumer<List<Entry>> change) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path lock = dir.resolve(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            List<Entry> entries = Files.exists(file) ? new ArrayList<>(Snapshot.read(file).entries) : new ArrayList<>();
            change.accept(entries);
            StringBuilder text = new StringBuilder();
            for (Entry e : entries) {
                text.append(e.json()).append('\n');
            }
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                out.write(StandardCharsets.UTF_8.encode(text.toString()));
                out.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static byte[] sha256(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private record Entry(Token token, byte[] hash) {

        String json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("name", token.name());
            token.scopes().stream().sorted().forEach(s -> n.withArray("scopes").add(s.configName()));
            n.put("sha256", HexFormat.of().formatHex(hash));
            n.put("created", token.created().toString());
            return n.toString();
        }

        static Entry parse(String line, String where) {
            try {
                JsonNode n = JSON.readTree(line);
                String name = n.path("name").asText(null);
                String hex = n.path("sha256").asText("");
                if (name == null || !NAME.matcher(name).matches() || !n.path("scopes").isArray()
                        || !hex.matches("[0-9a-f]{64}")) {
                    throw new IllegalArgumentException("expected {\"name\", \"scopes\", \"sha256\", \"created\"}");
                }
                Set<Scope> scopes = EnumSet.noneOf(Scope.class);
                n.path("scopes").forEach(s -> scopes.addAll(Scope.parseList(s.asText())));
                Instant created = Instant.parse(n.path("created").asText("1970-01-01T00:00:00Z"));
                return new Entry(new Token(name, scopes, created), HexFormat.of().parseHex(hex));
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException(where + ": not a token: " + e.getMessage(), e);
            }
        }
    }

    /** The tokens as read at one moment, with what identified the file's version then. */
    private record Snapshot(List<Entry> entries, Object stamp) {

        Optional<Token> find(byte[] hash) {
            Token found = null;
            for (Entry e : entries) {
                if (MessageDigest.isEqual(e.hash, hash) && found == null) {
                    found = e.token;
                }
            }
            return Optional.ofNullable(found);
        }

        static Snapshot read(Path file) {
            Object stamp = stamp(file);
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException("security.tokens_file: no such file: " + file + " (create a "
                        + "token with: tandem token create --tokens-file " + file + " --scopes read)");
            } catch (IOException e) {
                throw new IllegalArgumentException("security.tokens_file: cannot read " + file + ": " + e, e);
            }
            List<Entry> entries = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                if (!lines.get(i).isBlank()) {
                    entries.add(Entry.parse(lines.get(i), file + " line " + (i + 1)));
                }
            }
            return new Snapshot(List.copyOf(entries), stamp);
        }

        /** The file's identity, size and modification time, or null when it cannot be read. */
        static Object stamp(Path file) {
            try {
                BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
                return List.of(String.valueOf(a.fileKey()), a.size(), a.lastModifiedTime().toMillis(),
                        a.lastModifiedTime().toInstant().getNano());
            } catch (IOException e) {
                return null;
            }
        }
    }
}
