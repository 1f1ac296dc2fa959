package io.datamanager.model;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The names of the platform's Kafka topics, all under one configurable prefix ({@code dm} by default), so
 * every module derives them the same way (contract: Topics).
 *
 * @param prefix dot-separated segments of letters, digits, '_' and '-', at most {@value #MAX_PREFIX} characters
 */
public record TopicNames(String prefix) {
    public static final String DEFAULT_PREFIX = "dm";
    /** Leaves room under Kafka's 249-character limit for {@code .sub.} and a 63-character subscription id. */
    public static final int MAX_PREFIX = 150;
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*");
    private static final Pattern TOPIC_PART = Pattern.compile("[A-Za-z0-9._-]+");
    private static final int MAX_TOPIC = 249;
    /**
     * {@code dm.rules} has one partition, so every reader sees the rules in the order they were written, and is
     * compacted ({@code cleanup.policy=compact}), so the newest rule per id stays for ever and a tombstone removes
     * it. Whichever service starts first creates it with these (the streams-app reads it, the gateway writes it).
     */
    public static final int RULES_PARTITIONS = 1;
    public static final Map<String, String> RULES_CONFIGS = Map.of("cleanup.policy", "compact");

    public TopicNames {
        if (prefix == null || prefix.length() > MAX_PREFIX || !PREFIX.matcher(prefix).matches()) {
            throw new ValidationException("prefix", "must be dot-separated words of letters, digits, '_' or '-', "
                    + "at most " + MAX_PREFIX + " characters, like dm, was '" + prefix + "'");
        }
    }

    public TopicNames() {
        this(DEFAULT_PREFIX);
    }

    /** {@code dm.cdc}: Debezium's {@code topic.prefix}; it writes {@code dm.cdc.<schema>.<table>}. */
    public String cdcPrefix() {
        return prefix + ".cdc";
    }

    /** A regular expression matching every capture topic ({@code dm\.cdc\..+}), for a pattern subscription. */
    public String cdcPattern() {
        return cdcPrefix().replace(".", "\\.") + "\\..+";
    }

    /** {@code dm.changes}: every normalised {@link ChangeEvent}. */
    public String changes() {
        return prefix + ".changes";
    }

    /** {@code dm.rules}: the compacted topic of subscriptions, keyed by id. */
    public String rules() {
        return prefix + ".rules";
    }

    /** {@code dm.sub.<id>}: the changes one subscription receives. */
    public String subscription(String id) {
        String name = prefix + ".sub." + id;
        if (id == null || !TOPIC_PART.matcher(id).matches() || name.length() > MAX_TOPIC) {
            throw new ValidationException("id", "must be letters, digits, '.', '_' or '-' fitting a topic name, "
                    + "was '" + id + "'");
        }
        return name;
    }

    /**
     * {@code dm.context}: the application context messages of source transactions ({@code dm.context} logical
     * decoding messages), validated by the streams-app, keyed by txId; history-sink stores them per transaction.
     */
    public String context() {
        return prefix + ".context";
    }

    /** {@code dm.cdc.message}: Debezium's topic of logical decoding messages (the {@code dm.context} prefix only). */
    public String cdcMessages() {
        return cdcPrefix() + ".message";
    }

    /** {@code dm.dlq}: records a stage could not handle, with the reason in headers. */
    public String dlq() {
        return prefix + ".dlq";
    }

    /** {@code dm.webhook-dlq}: webhook deliveries given up on, keyed by subscription id, with {@link DeadLetterHeaders}. */
    public String webhookDlq() {
        return prefix + ".webhook-dlq";
    }

    /** {@code dm.offsets}: capture's (Debezium Server's) source offsets. */
    public String offsets() {
        return prefix + ".offsets";
    }
}
