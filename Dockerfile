# lanscape-signaling on Open Liberty, in the official image's idiom, built from a fresh clone:
#   docker build -t lanscape-signaling .
# Stage 1 builds the WAR with the project's Maven wrapper; stage 2 is the Liberty image.
# Java 25 at runtime: the newer JDK was the faster of the two measured for this server and the bare
# Liberty relay (docs/performance.md); Liberty's images ship only OpenJ9 (Semeru) builds, of which
# java25 is the newest.

FROM eclipse-temurin:17.0.15_6-jdk AS build
WORKDIR /src
# The build definition first: its dependencies are a cached layer until pom.xml changes.
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:resolve
COPY src src
RUN ./mvnw -B -q package -DskipTests

FROM icr.io/appcafe/open-liberty:26.0.0.3-kernel-slim-java25-openj9-ubi-minimal

ARG VERSION=0.1.0-SNAPSHOT
LABEL org.opencontainers.image.title="lanscape-signaling" \
      org.opencontainers.image.description="WebRTC signaling server (Jakarta EE 10 WAR on Open Liberty)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/lanscape/lanscape-signaling"

# Server configuration first, then only the features it names (a small image, a cached layer).
COPY --chown=1001:0 server.xml /config/server.xml
RUN features.sh

COPY --from=build --chown=1001:0 /src/target/lanscape-signaling.war /config/apps/lanscape-signaling.war

# Structured JSON logs on stdout; the heap is half the container's memory limit: each connection also holds
# buffers outside the heap (docs/kubernetes.md: what a 2 GiB pod holds, measured). Base images are pinned
# to releases (Liberty to the version the tests run on); pin their digests too for reproducible builds.
ENV PORT=8081 \
    WLP_LOGGING_CONSOLE_FORMAT=JSON \
    WLP_LOGGING_CONSOLE_SOURCE=message,trace,ffdc,audit \
    WLP_LOGGING_CONSOLE_LOGLEVEL=info \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:InitialRAMPercentage=25"

EXPOSE 8081
USER 1001

# Warms the shared class cache at build time: faster start.
RUN configure.sh
