package io.datamanager.gateway.delivery;

import java.time.Instant;

/**
 * Where a subscription's delivery stands.
 *
 * @param deliveredThroughLsn LSN of the newest change delivered (or dead-lettered), null before the first
 * @param deliveredCommitTs its source commit time
 * @param lagSeconds from that commit to its delivery
 * @param pending changes read and not yet delivered
 * @param failedAttempts failed attempts since start
 * @param deadLetters changes given up on since start
 * @param lastError the last failure, if any
 * @param disabled true once the receiver answered 410 Gone
 */
public record DeliveryStatus(String deliveredThroughLsn, Instant deliveredCommitTs, Double lagSeconds, long pending,
        long failedAttempts, long deadLetters, String lastError, boolean disabled) {
    public static final DeliveryStatus NONE = new DeliveryStatus(null, null, null, 0, 0, 0, null, false);
}
