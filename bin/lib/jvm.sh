# Sourced by the launchers: finds the built server and a JDK, and sets the JVM options every
# server process needs. Expects $root, the repository root; sets $jar, $java, $jvm_opts and
# $class_archive (the class data archive the build writes; see bin/strata-class-archive).

jar=""
for candidate in "$root"/server/target/strata-server-*.jar; do
  case "$candidate" in
    *-sources.jar|*-javadoc.jar|*-tests.jar) continue ;;
  esac
  [[ -f "$candidate" ]] && jar="$candidate"
done
if [[ -z "$jar" || ! -d "$root/server/target/lib" ]]; then
  echo "strata: the server is not built; build it with: (cd '$root' && ./mvnw -q -DskipTests install)" >&2
  exit 1
fi

if [[ -n "${JAVA_HOME:-}" ]]; then
  java="$JAVA_HOME/bin/java"
else
  java="$(command -v java || true)"
fi
if [[ -z "$java" || ! -x "$java" ]]; then
  echo "strata: no java found; install a JDK 17 or newer, or set JAVA_HOME" >&2
  exit 1
fi

# The JDK's feature version, read from its release file so that no extra JVM has to start.
java_feature_version() {
  local home release version
  home="$(dirname "$(dirname "$(readlink -f "$java")")")"
  release="$home/release"
  if [[ -f "$release" ]]; then
    version="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")"
  fi
  if [[ -z "${version:-}" ]]; then
    version="$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)"
  fi
  echo "${version:-0}"
}

jvm_opts=(
  # Chronicle Map compiles classes at run time and reaches into JDK internals.
  --add-exports=java.base/jdk.internal.ref=ALL-UNNAMED
  --add-exports=java.base/sun.nio.ch=ALL-UNNAMED
  --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  # No banner, no calls home, no files in the home directory, and no system.properties
  # picked up from wherever the user happens to be: Chronicle reads ours from the jar.
  -Dchronicle.analytics.disable=true
  -Dchronicle.announcer.disable=true
  -Dsystem.properties=strata-chronicle.properties
  # Every line on stdout/stderr is a JSON log line: Log4j's own status output is off and
  # java.util.logging (gRPC) goes through Log4j.
  -Dlog4j2.statusLoggerLevel=OFF
  -Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager
  # A server: a pause-bounded collector, and a clean crash rather than limping on after OOM.
  -XX:+UseG1GC
  -XX:+ExitOnOutOfMemoryError
  # The JIT's inlining limits of JDK 13 and before: the newer, deeper ones make the optimising
  # compiler spend about twice the CPU before the server's code is compiled (three members
  # under 256 writing clients on two cores: compiling took 35-40% of the CPU for 90 s, now
  # 50 s), and the compiled code was not faster once warm (16-17k puts/s either way).
  -XX:MaxInlineLevel=9
  -XX:InlineSmallCode=1000
  # No hsperfdata file in /tmp; nothing here reads it.
  -XX:-UsePerfData
)
if (( $(java_feature_version) >= 22 )); then
  jvm_opts+=(--enable-native-access=ALL-UNNAMED)
fi

# Armeria probes for OpenSSL (netty-tcnative) at start-up, which extracts and loads a native
# library: about half a second of CPU. The client port serves plain text, so the probe buys
# nothing; the JDK's TLS would serve it if that changes.
jvm_opts+=(-Dcom.linecorp.armeria.useOpenSsl=false)

class_archive="$root/server/target/strata.jsa"
# The JVM's notes about the archive (one it cannot use, classes it leaves out) would be lines
# of plain text among the JSON log lines.
jvm_opts+=(-Xlog:cds=off -Xlog:cds+dynamic=off)
