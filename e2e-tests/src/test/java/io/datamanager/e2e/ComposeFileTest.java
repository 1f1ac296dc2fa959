package io.datamanager.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * No Docker engine runs where the tests run, so docker-compose.yaml is checked against the repository instead:
 * the environment it gives each service is what that module reads, health checks ask the port the module
 * listens on, mounted files and Dockerfiles exist, versions in .env are the build's, and no secret is written
 * into it.
 */
class ComposeFileTest {
    private static final Path HOME = Path.of(System.getProperty("dmtest.home")).toAbsolutePath().normalize();
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[-?])?([^}]*)}");
    private static final Pattern PROPERTY_EXPRESSION = Pattern.compile("\\$\\{([A-Z0-9_]+)(?::([^}]*))?}");
    private static final Pattern HEALTH_PORT = Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\d+)");
    private static final Pattern SECRET = Pattern.compile(".*(PASSWORD|TOKEN|TOKENS|KEY|SECRET)$");
    private static Map<String, Map<String, Object>> services;
    private static Properties env;
    private static String compose;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        compose = Files.readString(HOME.resolve("docker-compose.yaml"));
        Map<String, Object> file = new Yaml().load(compose);
        services = (Map<String, Map<String, Object>>) file.get("services");
        env = new Properties();
        env.load(new StringReader(Files.readString(HOME.resolve(".env"))));
    }

    @Test
    void everyServiceHasAHealthCheckARestartPolicyAndWaitsForHealthyDependencies() {
        assertThat(services).containsKeys("postgres", "kafka", "redis", "capture", "streams-app", "history-sink", "notify-gateway");
        services.forEach((name, service) -> {
            assertThat(map(service, "healthcheck")).as(name + " healthcheck").containsKey("test").containsKey("interval");
            assertThat(service.get("restart")).as(name + " restart").isIn("unless-stopped", "always");
            map(service, "depends_on").forEach((dependency, how) -> {
                assertThat(services).as(name + " depends on a service").containsKey(dependency);
                assertThat(map(Map.of("x", how), "x")).as(name + " waits for " + dependency).containsEntry("condition", "service_healthy");
            });
        });
    }

    @Test
    void everyVariableComesFromDotEnvHasADefaultOrIsRequiredAndSecretsAreAlwaysRequired() {
        Matcher m = VARIABLE.matcher(compose);
        while (m.find()) {
            String name = m.group(1);
            boolean handled = env.containsKey(name) || ":-".equals(m.group(2)) || ":?".equals(m.group(2));
            assertThat(handled).as("${" + name + "} is in .env, has a default, or is required").isTrue();
            if (SECRET.matcher(name).matches()) {
                assertThat(m.group(2)).as(name + " is a secret: required, never defaulted").isEqualTo(":?");
                assertThat(env).as(name + " is a secret: not in .env").doesNotContainKey(name);
            }
        }
        services.forEach((name, service) -> map(service, "environment").forEach((key, value) -> {
            if (SECRET.matcher(key).matches()) {
                assertThat(String.valueOf(value)).as(name + "'s " + key + " comes from a required variable").matches("\\$\\{[A-Z0-9_]+:\\?[^}]*}");
            }
        }));
    }

    @Test
    void dotEnvVersionsAreTheBuildsVersions() throws IOException {
        String pom = Files.readString(HOME.resolve("pom.xml"));
        assertThat(env.getProperty("DEBEZIUM_VERSION")).isEqualTo(property(pom, "debezium.version"));
        assertThat(env.getProperty("KAFKA_VERSION")).isEqualTo(property(pom, "kafka.version"));
        assertThat(env.getProperty("DM_VERSION")).isEqualTo(tag(pom, "version"));
        assertThat(property(pom, "zonky.postgres.version")).startsWith(env.getProperty("POSTGRES_VERSION") + ".");
        assertThat(env.getProperty("TEMURIN_VERSION")).startsWith(property(pom, "maven.compiler.release") + "-");
        assertThat(Base64.getUrlDecoder().decode(env.getProperty("KAFKA_CLUSTER_ID"))).as("a KRaft cluster id is a base64 UUID").hasSize(16);
    }

    @Test
    void eachServiceIsGivenOnlyVariablesItsModuleReads() throws IOException {
        for (String name : List.of("capture", "streams-app", "history-sink", "notify-gateway")) {
            String read = Files.readString(configOf(name)) + (name.equals("capture") ? debeziumServerScripts() : "");
            map(services.get(name), "environment").keySet().forEach(key ->
                    assertThat(read).as(name + " reads " + key + " (" + configOf(name) + ")").containsPattern("\\$\\{" + key + "[:}]"
                            + "|\\$\\{?" + key + "\\b"));
        }
    }

    @Test
    void healthChecksAndThePublishedPortAskThePortEachServiceListensOn() throws IOException {
        for (String name : List.of("capture", "streams-app", "history-sink", "notify-gateway")) {
            String test = String.valueOf(map(services.get(name), "healthcheck").get("test"));
            Matcher port = HEALTH_PORT.matcher(test);
            assertThat(port.find()).as(name + " health check").isTrue();
            assertThat(Integer.parseInt(port.group(1))).as(name + " health check port").isEqualTo(httpPort(name));
            assertThat(test).contains("/q/health/ready");
        }
        assertThat(services.get("notify-gateway").get("ports")).asList().singleElement().asString().endsWith(":" + httpPort("notify-gateway"));
        assertThat(services.keySet().stream().filter(s -> services.get(s).containsKey("ports"))).as("only the API is published")
                .containsExactly("notify-gateway");
    }

    @Test
    void mountedFilesDockerfilesAndModulesExistAndTheImagesAreBuiltFromBuildOutput() throws IOException {
        services.forEach((name, service) -> {
            Object volumes = service.get("volumes");
            if (volumes != null) {
                for (Object volume : (List<?>) volumes) {
                    String source = String.valueOf(volume).split(":")[0];
                    if (source.startsWith("./")) {
                        assertThat(HOME.resolve(source)).as(name + " mounts " + source).exists();
                    }
                }
            }
            assertThat(service.get("image")).as(name + " image").isNotNull();
            Map<String, Object> build = map(service, "build");
            if (!build.isEmpty()) {
                assertThat(HOME.resolve(String.valueOf(build.get("dockerfile")))).as(name + " Dockerfile").exists();
                Object module = map(build, "args").get("MODULE");
                if (module != null) {
                    assertThat(read(HOME.resolve(module + "/pom.xml"))).as(module + " builds a Quarkus application")
                            .contains("quarkus-maven-plugin");
                }
            }
        });
        assertThat(HOME.resolve("connector-config/debezium/application.properties")).exists();
        assertThat(String.valueOf(services.get("capture").get("volumes"))).contains("./connector-config/debezium:/debezium/config");
        assertThat(Files.readString(HOME.resolve("deploy/quarkus-service.Dockerfile"))).contains("${MODULE}/target/quarkus-app/");
        assertThat(Files.readString(HOME.resolve("deploy/capture.Dockerfile"))).contains("connector-config/target/connector-config-");
        assertThat(Files.readString(HOME.resolve("deploy/postgres-init/01-history-database.sql"))).contains("CREATE DATABASE dm_history");
        assertThat(String.valueOf(map(services.get("history-sink"), "environment").get("DM_HISTORY_DB_URL"))).endsWith("/dm_history");
    }

    /**
     * The capture image is Debezium Server's with only the connector-config jar added: so every dependency the transform
     * has at run time must be "provided" and already be in Debezium Server's lib folder (capture/target/debezium-server,
     * unpacked from the distribution the image is made of), at the version the transform is built against.
     */
    @Test
    void theCaptureImageAddsTheTransformJarAndDebeziumServerHasEverythingItNeeds() throws IOException {
        String dockerfile = Files.readString(HOME.resolve("deploy/capture.Dockerfile"));
        assertThat(dockerfile).containsPattern("(?m)^FROM quay\\.io/debezium/server:\\$\\{DEBEZIUM_VERSION}$")
                .containsPattern("(?m)^COPY connector-config/target/connector-config-\\*\\.jar /debezium/lib/$");
        String pom = Files.readString(HOME.resolve("connector-config/pom.xml"));
        String parent = Files.readString(HOME.resolve("pom.xml"));
        Matcher dependency = Pattern.compile("<dependency>\\s*<groupId>([^<]+)</groupId>\\s*<artifactId>([^<]+)</artifactId>"
                + "(?:\\s*<version>([^<]+)</version>)?\\s*(?:<scope>([^<]+)</scope>)?").matcher(pom);
        List<String> lib = List.of(HOME.resolve("capture/target/debezium-server/lib").toFile().list());
        int runtime = 0;
        while (dependency.find()) {
            String scope = dependency.group(4) == null ? "compile" : dependency.group(4);
            if (scope.equals("test")) {
                continue;
            }
            runtime++;
            assertThat(scope).as(dependency.group(2) + " comes from Debezium Server, not from the image build").isEqualTo("provided");
            assertThat(dependency.group(3)).as(dependency.group(2) + " names the version the transform is built against").isNotNull();
            String resolved = resolve(dependency.group(3), parent);
            assertThat(lib).as("Debezium Server's lib has " + dependency.group(2) + " " + resolved)
                    .contains(dependency.group(2) + "-" + resolved + ".jar");
        }
        assertThat(runtime).as("the transform's run-time dependencies were checked").isPositive();
    }

    private static String resolve(String version, String parentPom) {
        Matcher property = Pattern.compile("\\$\\{([^}]+)}").matcher(version);
        return property.matches() ? tag(parentPom, property.group(1)) : version;
    }

    @Test
    void servicesReachKafkaPostgresAndRedisWhereTheyListen() {
        String advertised = String.valueOf(map(services.get("kafka"), "environment").get("KAFKA_ADVERTISED_LISTENERS"));
        for (String name : List.of("capture", "streams-app", "history-sink", "notify-gateway")) {
            assertThat(advertised).as(name + " bootstrap").endsWith("//" + map(services.get(name), "environment").get("DM_KAFKA_BOOTSTRAP"));
        }
        assertThat(String.valueOf(map(services.get("notify-gateway"), "environment").get("DM_HISTORY_URL")))
                .isEqualTo("http://history-sink:" + httpPort("history-sink"));
        assertThat(String.valueOf(services.get("postgres").get("command"))).contains("wal_level=logical");
    }

    /** The port the service listens on: its compose override of the module's HTTP port variable, else the module's default. */
    private static int httpPort(String name) {
        Properties module = new Properties();
        try {
            module.load(new StringReader(read(configOf(name))));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String value = module.getProperty("quarkus.http.port", "${X:8080}"); // Debezium Server: Quarkus' default port
        Matcher m = PROPERTY_EXPRESSION.matcher(value);
        if (!m.find()) {
            return Integer.parseInt(value);
        }
        Object override = map(services.get(name), "environment").get(m.group(1));
        return Integer.parseInt(override != null ? String.valueOf(override) : m.group(2));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** What Debezium Server's own scripts read from the environment (run.sh and what it sources), as the image has them. */
    private static String debeziumServerScripts() {
        StringBuilder scripts = new StringBuilder();
        try (var files = Files.walk(HOME.resolve("capture/target/debezium-server"), 2)) {
            for (Path script : files.filter(p -> p.toString().endsWith(".sh")).toList()) {
                scripts.append(Files.readString(script));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return scripts.toString();
    }

    private static Path configOf(String service) {
        return service.equals("capture") ? HOME.resolve("connector-config/debezium/application.properties")
                : HOME.resolve(service + "/src/main/resources/application.properties");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, ?> parent, String key) {
        Object value = parent.get(key);
        return value instanceof Map ? (Map<String, Object>) value : new HashMap<>();
    }

    private static String property(String pom, String name) {
        return tag(pom, name);
    }

    private static String tag(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertThat(m.find()).as("pom.xml has <" + name + ">").isTrue();
        return m.group(1).trim();
    }
}
