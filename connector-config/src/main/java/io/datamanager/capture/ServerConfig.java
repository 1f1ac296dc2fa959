package io.datamanager.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Debezium Server {@code application.properties}, resolved the way Debezium Server (Quarkus config)
 * resolves it: {@code ${NAME:default}} expressions from the environment, and any key overridden by the
 * environment variable named after it ({@code debezium.source.slot.name} -> {@code DEBEZIUM_SOURCE_SLOT_NAME}).
 * Splits into the parts the embedded engine needs: connector properties and Kafka producer properties.
 */
public record ServerConfig(Map<String, String> properties) {
    /** The file shipped in this module, on the classpath. */
    public static final String CLASSPATH_LOCATION = "/debezium/application.properties";
    private static final Pattern EXPRESSION = Pattern.compile("\\$\\{([A-Za-z0-9_.]+)(?::([^}]*))?}");

    public ServerConfig {
        properties = Map.copyOf(properties);
    }

    /** Loads the shipped file, resolved against the process environment. */
    public static ServerConfig load() {
        return load(System.getenv());
    }

    /**
     * Loads the shipped file, resolved against {@code env}; variables {@code DEBEZIUM_SOURCE_*} and
     * {@code DEBEZIUM_SINK_KAFKA_PRODUCER_*} naming keys the file lacks add them ({@code _} read as {@code .}).
     */
    public static ServerConfig load(Map<String, String> env) {
        ServerConfig fromFile = load(env::get);
        Map<String, String> merged = new TreeMap<>(fromFile.properties);
        Map<String, String> byEnvName = new java.util.HashMap<>();
        merged.keySet().forEach(key -> byEnvName.put(envName(key), key));
        env.forEach((name, value) -> {
            if ((name.startsWith("DEBEZIUM_SOURCE_") || name.startsWith("DEBEZIUM_SINK_KAFKA_PRODUCER_"))
                    && !byEnvName.containsKey(name)) {
                merged.put(name.toLowerCase(Locale.ROOT).replace('_', '.'), value);
            }
        });
        return new ServerConfig(merged);
    }

    /** Loads the shipped file, resolved against {@code env} (tests pass a map lookup). */
    public static ServerConfig load(Function<String, String> env) {
        try (InputStream in = ServerConfig.class.getResourceAsStream(CLASSPATH_LOCATION)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_LOCATION + " is not on the classpath");
            }
            return load(in, env);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static ServerConfig load(Path file, Function<String, String> env) {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, env);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static ServerConfig load(InputStream in, Function<String, String> env) throws IOException {
        Properties raw = new Properties();
        raw.load(in);
        Map<String, String> resolved = new TreeMap<>();
        for (String key : raw.stringPropertyNames()) {
            String override = env.apply(envName(key));
            resolved.put(key, override != null ? override : resolve(key, raw.getProperty(key), env));
        }
        return new ServerConfig(resolved);
    }

    /** The environment variable that overrides a key. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    static String resolve(String key, String value, Function<String, String> env) {
        Matcher m = EXPRESSION.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String fromEnv = env.apply(m.group(1));
            String replacement = fromEnv != null ? fromEnv : m.group(2);
            if (replacement == null) {
                throw new IllegalArgumentException(key + ": environment variable " + m.group(1) + " is not set and has no default");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    public String get(String key) {
        return properties.get(key);
    }

    /** Connector and engine properties: {@code debezium.source.*} and {@code debezium.transforms*} without the prefix. */
    public Properties connector() {
        Properties out = new Properties();
        properties.forEach((key, value) -> {
            if (key.startsWith("debezium.source.")) {
                out.setProperty(key.substring("debezium.source.".length()), value);
            } else if (key.startsWith("debezium.transforms")) {
                out.setProperty(key.substring("debezium.".length()), value);
            } else if (key.startsWith("debezium.predicates")) {
                out.setProperty(key.substring("debezium.".length()), value);
            }
        });
        return out;
    }

    /** Kafka producer properties of the Kafka sink: {@code debezium.sink.kafka.producer.*} without the prefix. */
    public Properties producer() {
        Properties out = new Properties();
        properties.forEach((key, value) -> {
            if (key.startsWith("debezium.sink.kafka.producer.")) {
                out.setProperty(key.substring("debezium.sink.kafka.producer.".length()), value);
            }
        });
        return out;
    }

    /** The Kafka topic prefix of change topics ({@code dm.cdc}). */
    public String topicPrefix() {
        return properties.get("debezium.source.topic.prefix");
    }

    public boolean schemasEnabled(String part) {
        return Boolean.parseBoolean(properties.getOrDefault("debezium.format." + part + ".schemas.enable", "true"));
    }
}
