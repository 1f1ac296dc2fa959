package io.datamanager.testsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whether fixtures may come from Testcontainers: only when a Docker engine answers (a client binary is not enough). */
final class Docker {
    private static final Logger LOG = LoggerFactory.getLogger(Docker.class);
    private static Boolean available;

    private Docker() {}

    static synchronized boolean available() {
        if (available == null) {
            if ("false".equalsIgnoreCase(System.getenv("DM_TEST_DOCKER"))) {
                available = false;
            } else {
                try {
                    available = org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
                } catch (Throwable e) {
                    LOG.debug("no Docker engine", e);
                    available = false;
                }
            }
            LOG.info("Docker engine {}: fixtures come from {}", available ? "found" : "not found",
                    available ? "Testcontainers" : "embedded PostgreSQL and a Kafka broker process");
        }
        return available;
    }
}
