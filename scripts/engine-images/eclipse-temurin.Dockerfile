# tags: 17-jre
#
# Stand-in for Docker Hub's eclipse-temurin:17-jre (and :17-jdk), built by scripts/engine.sh
# FROM its debian:bookworm-slim: Debian's OpenJDK 17 (not the Temurin build), headless, linked
# at /opt/java/openjdk like Temurin's. The first RUN is word for word the one of
# maven.Dockerfile, so both images share that layer (seeded side by side on one BuildKit).
ARG BASE
FROM ${BASE}
ENV JAVA_HOME=/opt/java/openjdk \
    LANG=C.UTF-8
ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# man1 exists for update-alternatives (the slim dpkg excludes drop /usr/share/man).
RUN mkdir -p /usr/share/man/man1 /opt/java \
 && apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && ln -s /usr/lib/jvm/java-17-openjdk-amd64 /opt/java/openjdk \
 && java -version
CMD ["jshell"]
