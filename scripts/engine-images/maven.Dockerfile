# tags: 3-eclipse-temurin-17 3.8-eclipse-temurin-17 3.8.7-eclipse-temurin-17
#
# Stand-in for Docker Hub's maven:3-eclipse-temurin-17, built by scripts/engine.sh FROM its
# debian:bookworm-slim: the eclipse-temurin stand-in's JDK layer (same first RUN, so the layer
# is shared), then Debian's OpenJDK 17 JDK, Maven 3.8.7 and the plugins a jar project's
# `mvn package` runs. Maven Central is unreachable: the global settings mirror every
# repository to Debian's /usr/share/maven-repo (file://), so only artifacts packaged by
# Debian resolve, at the versions Debian ships (docs/engine.md).
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
ENV MAVEN_HOME=/usr/share/maven \
    MAVEN_CONFIG=/root/.m2
COPY <<'XML' /usr/local/share/maven-settings.xml
<?xml version="1.0" encoding="UTF-8"?>
<!-- Stand-in (docs/engine.md): every repository resolves from Debian's packaged Maven repo,
     which has no checksum files (hence checksumPolicy ignore on the mirrored central). -->
<settings xmlns="http://maven.apache.org/SETTINGS/1.0.0">
  <mirrors>
    <mirror>
      <id>debian</id>
      <mirrorOf>*</mirrorOf>
      <url>file:///usr/share/maven-repo</url>
    </mirror>
  </mirrors>
  <profiles>
    <profile>
      <id>debian-repo</id>
      <repositories>
        <repository>
          <id>central</id>
          <url>https://repo.maven.apache.org/maven2</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </repository>
      </repositories>
      <pluginRepositories>
        <pluginRepository>
          <id>central</id>
          <url>https://repo.maven.apache.org/maven2</url>
          <releases><checksumPolicy>ignore</checksumPolicy></releases>
          <snapshots><enabled>false</enabled></snapshots>
        </pluginRepository>
      </pluginRepositories>
    </profile>
  </profiles>
  <activeProfiles>
    <activeProfile>debian-repo</activeProfile>
  </activeProfiles>
</settings>
XML
# Debian's /usr/share/maven/conf links to /etc/maven, where the settings replace Debian's.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      openjdk-17-jdk-headless maven libmaven-resources-plugin-java libmaven-compiler-plugin-java \
      libsurefire-java libmaven-jar-plugin-java libmaven-install-plugin-java libmaven-clean-plugin-java \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && mv /usr/local/share/maven-settings.xml /etc/maven/settings.xml \
 && mvn --version
CMD ["mvn"]
