package io.tandem.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.tandem.core.config.ConfigLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A whole split deployment on one machine, every process bound to 127.0.0.1 and every file in one folder: a
 * single-node KRaft Kafka broker (the Maven artifacts' {@code kafka.Kafka}), a {@code redis-server}, N hot-path
 * workers, the batch node and one serving node; the batch and serving nodes share {@code <dir>/shared} (the
 * lake, the batch views, the reports). What was started is listed in
 * {@code <dir>/cluster.json} (role, pid, address, start time, log file), so that {@link #down} stops exactly those
 * processes and no other that later took a pid.
 */
final class LocalCluster {

    static final String STATE = "cluster.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Duration READY = Duration.ofSeconds(180);
    private static final Duration STOP = Duration.ofSeconds(30);

    private final Path dir;
    private int partitions;

    LocalCluster(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** One started process, as {@code cluster.json} lists it. */
    record Proc(String role, String name, long pid, String address, String url, Instant started, Path log) {

        ObjectNode json() {
            ObjectNode n = JSON.createObjectNode();
            n.put("role", role).put("name", name).put("pid", pid).put("address", address).put("url", url)
                    .put("started", started == null ? null : started.toString()).put("log", log.toString());
            return n;
        }

        static Proc of(JsonNode n) {
            return new Proc(n.get("role").asText(), n.get("name").asText(), n.get("pid").asLong(),
                    n.get("address").isNull() ? null : n.get("address").asText(),
                    n.get("url").isNull() ? null : n.get("url").asText(),
                    n.get("started").isNull() ? null : Instant.parse(n.get("started").asText()),
                    Path.of(n.get("log").asText()));
        }

        /** The process, when it is still the one started (a pid can be reused). */
        Optional<ProcessHandle> handle() {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(h -> started == null
                    || h.info().startInstant().map(started::equals).orElse(true));
        }
    }

    /** The processes {@code cluster.json} lists, in start order; empty when there is none. */
    List<Proc> processes() throws IOException {
        Path state = dir.resolve(STATE);
        if (!Files.exists(state)) {
            return List.of();
        }
        List<Proc> out = new ArrayList<>();
        JSON.readTree(state.toFile()).get("processes").forEach(n -> out.add(Proc.of(n)));
        return out;
    }

    /**
     * Starts the cluster and returns once every process answers; on any failure stops what it started.
     *
     * @param out told each process as it answers
     */
    List<Proc> up(Path config, int workers, int partitions, java.io.PrintWriter out) throws IOException {
        if (processes().stream().anyMatch(p -> p.handle().isPresent())) {
            throw new IllegalStateException("a cluster is already running in " + dir + "; stop it first with "
                    + "tandem-cluster down --dir " + dir);
        }
        Files.createDirectories(dir.resolve("logs"));
        int kafkaPort = freePort();
        int controllerPort = freePort();
        int redisPort = freePort();
        Path tandemYaml = deploymentConfig(config, kafkaPort, redisPort);
        List<Proc> started = new ArrayList<>();
        try {
            started.add(startKafka(kafkaPort, controllerPort));
            save(started);
            awaitKafka(kafkaPort, started.get(0));
            out.println("kafka   127.0.0.1:" + kafkaPort);
            out.flush();
            started.add(startRedis(redisPort));
            save(started);
            awaitRedis(redisPort, started.get(1));
            out.println("redis   redis://127.0.0.1:" + redisPort);
            out.flush();
            List<Proc> nodes = new ArrayList<>();
            for (int i = 1; i <= workers; i++) {
                nodes.add(startTandem("worker", "worker-" + i, tandemYaml, partitions, List.of()));
            }
            this.partitions = partitions;
            Path shared = dir.resolve("shared");
            Proc batch = startTandem("batch", "batch", tandemYaml, partitions, List.of("--shared-dir",
                    shared.toString()));
            nodes.add(batch);
            nodes.add(startTandem("serving", "serving", tandemYaml, partitions, List.of("--shared-dir",
                    shared.toString(), "--batch-url", batch.url())));
            started.addAll(nodes);
            save(started);
            for (Proc p : nodes) {
                awaitHttp(p);
                out.printf("%-8s%s%n", p.role(), p.url());
                out.flush();
            }
            return started;
        } catch (IOException | RuntimeException e) {
            stop(started);
            Files.deleteIfExists(dir.resolve(STATE));
            throw e;
        }
    }

    /**
     * Starts {@code count} more workers of the cluster {@link #up} started, and returns them once they answer.
     */
    List<Proc> addWorkers(int count) throws IOException {
        List<Proc> all = new ArrayList<>(processes());
        long existing = all.stream().filter(p -> p.role().equals("worker")).count();
        List<Proc> added = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            added.add(startTandem("worker", "worker-" + (existing + i), dir.resolve("tandem.yaml"), partitions,
                    List.of()));
        }
        all.addAll(added);
        save(all);
        added.forEach(LocalCluster::awaitHttp);
        return added;
    }

    /**
     * Starts again a worker, the batch node or the serving node of the cluster {@link #up} started, once it has
     * exited (a {@code kill -9}, say): the same role, data directory and port. Returns it once it answers.
     */
    Proc restart(String name) throws IOException {
        List<Proc> all = new ArrayList<>(processes());
        int i = 0;
        while (i < all.size() && !all.get(i).name().equals(name)) {
            i++;
        }
        if (i == all.size()) {
            throw new IllegalArgumentException("no process named " + name + " in " + dir.resolve(STATE));
        }
        Proc old = all.get(i);
        if (old.handle().isPresent()) {
            throw new IllegalStateException(name + " still runs (pid " + old.pid() + ")");
        }
        String shared = dir.resolve("shared").toString();
        List<String> more = switch (old.role()) {
            case "worker" -> List.of();
            case "batch" -> List.of("--shared-dir", shared);
            case "serving" -> List.of("--shared-dir", shared, "--batch-url", all.stream()
                    .filter(p -> p.role().equals("batch")).findFirst().orElseThrow().url());
            default -> throw new IllegalArgumentException(name + ": only a worker, the batch node or the serving node "
                    + "restarts, not " + old.role());
        };
        int port = Integer.parseInt(old.address().substring(old.address().lastIndexOf(':') + 1));
        Proc started = startTandem(old.role(), name, dir.resolve("tandem.yaml"), partitions, port, more);
        all.set(i, started);
        save(all);
        awaitHttp(started);
        return started;
    }

    /** Stops every listed process that is still the one started, last started first; forgets the list. */
    List<Proc> down() throws IOException {
        List<Proc> listed = processes();
        stop(listed);
        Files.deleteIfExists(dir.resolve(STATE));
        return listed;
    }

    private static void stop(List<Proc> procs) {
        for (int i = procs.size() - 1; i >= 0; i--) {
            procs.get(i).handle().ifPresent(h -> {
                h.destroy();
                try {
                    h.onExit().get(STOP.toSeconds(), TimeUnit.SECONDS);
                } catch (Exception e) {
                    h.destroyForcibly();
                }
            });
        }
    }

    /** The user's config with {@code log:} and {@code store:} on this cluster's broker and Redis. */
    private Path deploymentConfig(Path config, int kafkaPort, int redisPort) throws IOException {
        ConfigLoader.load(config);
        JsonNode root = YAML.readTree(Files.readString(config, StandardCharsets.UTF_8));
        if (!(root instanceof ObjectNode tree)) {
            throw new IllegalArgumentException(config + ": expected a mapping at the top");
        }
        tree.putObject("log").put("kind", "kafka").put("bootstrap_servers", "127.0.0.1:" + kafkaPort);
        tree.putObject("store").put("kind", "redis").put("url", "redis://127.0.0.1:" + redisPort);
        Path out = dir.resolve("tandem.yaml");
        Files.writeString(out, "# " + config.toAbsolutePath() + " with the log and the store of the cluster in "
                + dir + "\n" + YAML.writeValueAsString(tree), StandardCharsets.UTF_8);
        ConfigLoader.load(out);
        return out;
    }

    private Proc startKafka(int port, int controllerPort) throws IOException {
        Path home = dir.resolve("kafka");
        Files.createDirectories(home);
        Path properties = home.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.bootstrap.servers=127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                "log.dirs=" + home.resolve("data"),
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "transaction.state.log.num.partitions=4",
                "group.initial.rebalance.delay.ms=0",
                "") , StandardCharsets.UTF_8);
        Path log = dir.resolve("logs").resolve("kafka.log");
        List<String> format = java(brokerClasspath(), "-Xmx512m", "kafka.tools.StorageTool", "format", "-t",
                Uuid.randomUuid().toString(), "-c", properties.toString(), "--standalone");
        Process formatting = new ProcessBuilder(format).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!formatting.waitFor(120, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
                throw new IllegalStateException("formatting the Kafka storage failed; see " + log + ":\n" + tail(log));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while formatting the Kafka storage", e);
        }
        return spawn("kafka", "kafka", "127.0.0.1:" + port, null, log,
                java(brokerClasspath(), "-Xmx1g", "kafka.Kafka", properties.toString()));
    }

    private Proc startRedis(int port) throws IOException {
        Path home = dir.resolve("redis");
        Files.createDirectories(home);
        return spawn("redis", "redis", "127.0.0.1:" + port, null, dir.resolve("logs").resolve("redis.log"),
                List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir",
                        home.toString(), "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""));
    }

    private Proc startTandem(String role, String name, Path config, int partitions, List<String> more)
            throws IOException {
        return startTandem(role, name, config, partitions, freePort(), more);
    }

    private Proc startTandem(String role, String name, Path config, int partitions, int port, List<String> more)
            throws IOException {
        List<String> command = java(System.getProperty("java.class.path"), role.equals("worker") ? "-Xmx1g"
                : "-Xmx3g", Main.class.getName(), "serve", "--role", role, "--config", config.toString(),
                "--data-dir", dir.resolve(name).toString(), "--port", Integer.toString(port), "--partitions",
                Integer.toString(partitions));
        command.addAll(more);
        return spawn(role, name, "127.0.0.1:" + port, "http://127.0.0.1:" + port,
                dir.resolve("logs").resolve(name + ".log"), command);
    }

    private static List<String> java(String classpath, String heap, String mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, heap, "-cp", classpath, mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The broker's classpath: in a build, the broker's jars beside {@code tandem.jar} ({@code kafka-broker/}),
     * then this JVM's; in the tests, this JVM's, which holds them already.
     */
    private static String brokerClasspath() {
        String own = System.getProperty("java.class.path");
        Path first = Path.of(own.split(File.pathSeparator)[0]).toAbsolutePath();
        Path broker = first.getParent().resolve("kafka-broker");
        return Files.isDirectory(broker) ? broker + File.separator + "*" + File.pathSeparator + own : own;
    }

    private static Proc spawn(String role, String name, String address, String url, Path log, List<String> command)
            throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        return new Proc(role, name, p.pid(), address, url, p.info().startInstant().orElse(null), log);
    }

    private void save(List<Proc> procs) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.put("dir", dir.toString());
        ArrayNode list = root.putArray("processes");
        procs.forEach(p -> list.add(p.json()));
        Path temp = dir.resolve(STATE + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), root);
        Files.move(temp, dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitKafka(int port, Proc proc) {
        String bootstrap = "127.0.0.1:" + port;
        long deadline = System.nanoTime() + READY.toNanos();
        while (true) {
            alive(proc);
            if (!accepts(port)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka did not listen on " + bootstrap + " within " + READY
                            + "; see " + proc.log());
                }
                pause();
                continue;
            }
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000,
                    AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
                if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
                    return;
                }
            } catch (Exception e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Kafka did not answer at " + bootstrap + " within " + READY
                            + "; see " + proc.log(), e);
                }
            }
            pause();
        }
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void awaitRedis(int port, Proc proc) {
        long deadline = System.nanoTime() + READY.toNanos();
        while (true) {
            alive(proc);
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                OutputStream o = s.getOutputStream();
                o.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                o.flush();
                InputStream in = s.getInputStream();
                byte[] reply = in.readNBytes(7);
                if (new String(reply, StandardCharsets.US_ASCII).startsWith("+PONG")) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("redis-server did not answer on port " + port + "; see "
                            + proc.log(), e);
                }
            }
            pause();
        }
    }

    private static void awaitHttp(Proc proc) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY.toNanos();
        while (true) {
            alive(proc);
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(proc.url() + "/v1/status"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(proc.name() + " did not answer at " + proc.url() + " within "
                            + READY + "; see " + proc.log(), e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + proc.name(), e);
            }
            pause();
        }
    }

    private static void alive(Proc proc) {
        if (proc.handle().isEmpty()) {
            throw new IllegalStateException(proc.name() + " exited; the end of " + proc.log() + ":\n"
                    + tail(proc.log()));
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
