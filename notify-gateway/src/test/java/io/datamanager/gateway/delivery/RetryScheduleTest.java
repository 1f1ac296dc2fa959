package io.datamanager.gateway.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void delaysGrowToHoursWithJitterAndEndInADeadLetter() {
        RetrySchedule lowest = new RetrySchedule(RetrySchedule.DEFAULT, () -> 0.0);
        RetrySchedule highest = new RetrySchedule(RetrySchedule.DEFAULT, () -> 1.0);
        assertThat(lowest.next(1, null, NOW)).contains(Duration.ofSeconds(4));
        assertThat(highest.next(1, null, NOW)).contains(Duration.ofSeconds(6));
        assertThat(lowest.next(8, null, NOW)).contains(Duration.ofMinutes(192));
        assertThat(lowest.next(9, null, NOW)).as("after the last delay: dead letter").isEmpty();
        assertThat(lowest.attempts()).isEqualTo(9);
    }

    @Test
    void retryAfterWinsWhenLongerInSecondsOrAsAnHttpDate() {
        RetrySchedule schedule = new RetrySchedule(List.of(Duration.ofSeconds(10)), () -> 0.5);
        assertThat(schedule.next(1, "120", NOW)).contains(Duration.ofSeconds(120));
        assertThat(schedule.next(1, "1", NOW)).as("shorter than the schedule: the schedule wins").contains(Duration.ofSeconds(10));
        assertThat(schedule.next(1, "Tue, 24 Nov 2026 10:05:00 GMT", NOW)).contains(Duration.ofMinutes(5));
        assertThat(schedule.next(1, "soon", NOW)).contains(Duration.ofSeconds(10));
    }
}
