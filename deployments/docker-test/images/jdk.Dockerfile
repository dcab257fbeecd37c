# The local JDK for the project's build stage: the Java runtime image plus javac, and unzip for
# the Maven wrapper. extra-ca/ holds the building machine's own CA certificates (from
# /usr/local/share/ca-certificates, often none): where the machine reaches Maven Central through
# an intercepting proxy, Maven inside the build must trust what the machine trusts.
ARG BASE
FROM ${BASE}
COPY extra-ca/ /usr/local/share/ca-certificates/
RUN apt-get update -qq \
 && apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless unzip >/dev/null \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb \
 && update-ca-certificates >/dev/null
