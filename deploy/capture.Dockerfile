# Debezium Server with datamanager's dm.types transform (io.datamanager.capture.ColumnTypesHeader) on its
# classpath; its configuration, connector-config/debezium/application.properties, is mounted by
# docker-compose.yaml. Build connector-config first: ./mvnw -q install -DskipTests.
ARG DEBEZIUM_VERSION=3.6.1.Final
FROM quay.io/debezium/server:${DEBEZIUM_VERSION}
COPY connector-config/target/connector-config-*.jar /debezium/lib/
