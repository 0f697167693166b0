package io.tandem.core;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What each swappable part runs on: the log ({@code log:}), the real-time store ({@code store:}) and the batch
 * engine ({@code batch.engine}). The defaults are the embedded ones: a file log, the in-memory store and DuckDB;
 * {@link io.tandem.core.config.ConfigKeys} lists every kind and the settings each takes.
 *
 * @param log   the kind of every stream's log
 * @param store the kind of the real-time store
 * @param batch the batch engine
 */
public record DeploymentDef(ComponentDef log, ComponentDef store, ComponentDef batch) {

    /** A Spark master URL: local mode with one, N or all cores, a standalone cluster, YARN or Kubernetes. */
    private static final Pattern SPARK_MASTER = Pattern.compile(
            "local|local\\[([1-9][0-9]{0,5}|\\*)]|spark://[^\\s,/:]+:([0-9]{1,5})|yarn|k8s://\\S+");

    /**
     * What is wrong with one setting's value, or null when nothing is: {@code store.url} must be a
     * {@code redis://} or {@code rediss://} URL with a host, {@code store.key_prefix} non-empty and without spaces,
     * {@code batch.master} a Spark master URL: {@code local}, {@code local[N]}, {@code local[*]},
     * {@code spark://host:port}, {@code yarn} or {@code k8s://...}.
     *
     * @param part the part ({@code log}, {@code store}, {@code batch})
     */
    public static String problem(String part, String key, String value) {
        if (part.equals("store") && key.equals("url")) {
            try {
                URI uri = new URI(value);
                if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
                    return "expected a redis:// or rediss:// URL like redis://127.0.0.1:6379, got \"" + value + "\"";
                }
                if (uri.getHost() == null) {
                    return "expected a URL with a host, like redis://127.0.0.1:6379, got \"" + value + "\"";
                }
                if (uri.getPort() > 65_535) {
                    return "port " + uri.getPort() + " is out of range (1 to 65535) in \"" + value + "\"";
                }
            } catch (URISyntaxException e) {
                return "not a URL: \"" + value + "\" (" + e.getReason() + ")";
            }
        }
        if (part.equals("log")) {
            return kafkaProblem(key, value);
        }
        if (part.equals("batch") && key.equals("master")) {
            return sparkMasterProblem(value);
        }
        if (part.equals("store") && key.equals("key_prefix") && (value.isEmpty() || value.matches(".*\\s.*"))) {
            return "expected a non-empty prefix without spaces, like \"tandem:\", got \"" + value + "\"";
        }
        return null;
    }

    /**
     * {@code log.bootstrap_servers} is a comma-separated list of {@code host:port}, {@code log.topic_prefix} holds
     * only the characters Kafka allows in a topic name, {@code log.replication_factor} is 1 to 32767.
     */
    private static String kafkaProblem(String key, String value) {
        switch (key) {
            case "bootstrap_servers" -> {
                for (String server : value.split(",", -1)) {
                    String s = server.strip();
                    int colon = s.lastIndexOf(':');
                    if (colon <= 0 || !s.substring(colon + 1).matches("\\d{1,5}")) {
                        return "expected host:port[,host:port...] like 127.0.0.1:9092, got \"" + value + "\"";
                    }
                    int port = Integer.parseInt(s.substring(colon + 1));
                    if (port < 1 || port > 65_535) {
                        return "port " + port + " is out of range (1 to 65535) in \"" + value + "\"";
                    }
                }
                return null;
            }
            case "topic_prefix" -> {
                return value.matches("[a-zA-Z0-9._-]{0,200}") ? null : "expected at most 200 of the characters "
                        + "Kafka allows in a topic name (letters, digits, '.', '_', '-'), got \"" + value + "\"";
            }
            case "replication_factor" -> {
                return value.matches("\\d{1,5}") && Integer.parseInt(value) >= 1 && Integer.parseInt(value) <= 32_767
                        ? null : "expected a replication factor from 1 to 32767, got \"" + value + "\"";
            }
            default -> {
                return null;
            }
        }
    }

    private static String sparkMasterProblem(String value) {
        Matcher m = SPARK_MASTER.matcher(value);
        if (!m.matches()) {
            return "expected a Spark master (local, local[N], local[*], spark://host:port, yarn, "
                    + "k8s://https://host:port), got \"" + value + "\"";
        }
        if (m.group(2) != null && (Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65_535)) {
            return "port " + m.group(2) + " is out of range (1 to 65535) in \"" + value + "\"";
        }
        return null;
    }

    /** The embedded parts: {@code file}, {@code memory} and {@code duckdb}. */
    public static DeploymentDef embedded() {
        return new DeploymentDef(ComponentDef.of("file"), ComponentDef.of("memory"), ComponentDef.of("duckdb"));
    }
}
