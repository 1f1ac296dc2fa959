# The image of one datamanager service (streams-app, history-sink or notify-gateway), from its built
# Quarkus application: ./mvnw -q install -DskipTests first. docker-compose.yaml builds it with MODULE set.
ARG TEMURIN_VERSION=21-jre
FROM eclipse-temurin:${TEMURIN_VERSION}
ARG MODULE
RUN useradd --system --uid 185 --no-create-home dm \
 && mkdir -p /deployments /var/lib/datamanager \
 && chown 185 /var/lib/datamanager
WORKDIR /deployments
COPY --chown=185 ${MODULE}/target/quarkus-app/lib/ lib/
COPY --chown=185 ${MODULE}/target/quarkus-app/*.jar ./
COPY --chown=185 ${MODULE}/target/quarkus-app/app/ app/
COPY --chown=185 ${MODULE}/target/quarkus-app/quarkus/ quarkus/
USER 185
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/deployments/quarkus-run.jar"]
