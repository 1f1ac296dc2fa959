package io.datamanager.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** Lives with the subscription tests; {@link TopicNames} itself is in {@code io.datamanager.model}. */
class TopicNamesTest {
    private final TopicNames topics = new TopicNames();

    @Test
    void defaultPrefixNamesEveryTopicOfTheContract() {
        assertThat(topics.prefix()).isEqualTo("dm");
        assertThat(topics.cdcPrefix()).isEqualTo("dm.cdc");
        assertThat(topics.changes()).isEqualTo("dm.changes");
        assertThat(topics.rules()).isEqualTo("dm.rules");
        assertThat(topics.subscription("paid-orders")).isEqualTo("dm.sub.paid-orders");
        assertThat(topics.dlq()).isEqualTo("dm.dlq");
        assertThat(topics.webhookDlq()).isEqualTo("dm.webhook-dlq");
        assertThat(topics.offsets()).isEqualTo("dm.offsets");
    }

    @Test
    void cdcPatternIsTheEscapedCapturePrefix() {
        assertThat(topics.cdcPattern()).isEqualTo("dm\\.cdc\\..+");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dm.cdc.public.orders", "dm.cdc.sales.order_lines"})
    void cdcPatternMatchesCaptureTopics(String topic) {
        assertThat(Pattern.matches(topics.cdcPattern(), topic)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"dm.changes", "dm.cdc", "dm.cdc.", "dmXcdcXpublic.orders", "other.dm.cdc.public.orders",
        "dm.sub.x"})
    void cdcPatternMatchesNothingElse(String topic) {
        assertThat(Pattern.matches(topics.cdcPattern(), topic)).isFalse();
    }

    @Test
    void customPrefixIsUsedForEveryTopic() {
        TopicNames acme = new TopicNames("acme.dm");

        assertThat(acme.changes()).isEqualTo("acme.dm.changes");
        assertThat(acme.subscription("s1")).isEqualTo("acme.dm.sub.s1");
        assertThat(Pattern.matches(acme.cdcPattern(), "acme.dm.cdc.public.orders")).isTrue();
        assertThat(Pattern.matches(acme.cdcPattern(), "acmeXdm.cdc.public.orders")).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "d m", ".dm", "dm.", "dm..x", "dm/x", "dm*"})
    void invalidPrefixIsRejected(String prefix) {
        assertThatThrownBy(() -> new TopicNames(prefix))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("prefix"));
    }

    @Test
    void prefixTooLongToLeaveRoomForSubscriptionTopicsIsRejected() {
        assertThat(new TopicNames("a".repeat(TopicNames.MAX_PREFIX)).prefix()).hasSize(TopicNames.MAX_PREFIX);
        assertThatThrownBy(() -> new TopicNames("a".repeat(TopicNames.MAX_PREFIX + 1)))
                .isInstanceOf(ValidationException.class);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"a b", "a/b", "ä"})
    void subscriptionIdThatCannotBeATopicNameIsRejected(String id) {
        assertThatThrownBy(() -> topics.subscription(id))
                .isInstanceOfSatisfying(ValidationException.class, e -> assertThat(e.field()).isEqualTo("id"));
    }
}
