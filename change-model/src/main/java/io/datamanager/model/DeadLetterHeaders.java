package io.datamanager.model;

/**
 * The Kafka headers every dead letter carries ({@code dm.dlq}, {@code dm.webhook-dlq}), written by the streams-app, the
 * history-sink and the gateway alike, so an operator reads any of them the same way (contract: README, dead letters).
 */
public final class DeadLetterHeaders {
    /** The stage that gave up ({@code parse}, {@code enrich}, {@code route}, {@code rules}, {@code history}). */
    public static final String STAGE = "dm.stage";
    /** Why, in one sentence. */
    public static final String ERROR = "dm.error";
    /** How many deliveries were tried (webhooks). */
    public static final String ATTEMPTS = "dm.attempts";
    /** Where the record came from: topic, partition and offset. */
    public static final String SOURCE_TOPIC = "dm.source.topic";
    public static final String SOURCE_PARTITION = "dm.source.partition";
    public static final String SOURCE_OFFSET = "dm.source.offset";

    private DeadLetterHeaders() {}
}
