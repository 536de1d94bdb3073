# Sourced by src/quickstart/run.sh and src/bench/run.sh with $label set (quickstart, bench) and the
# working directory at the repository root: builds the connector zip unless <LABEL>_SKIP_BUILD=1 and one
# exists, resolves Kafka's broker and Connect runtime from Maven Central (src/quickstart/pom.xml), and
# compiles LocalKafka.java and the LocalProcesses.java it shares with the tests (JDK classes only) with
# the given main file(s) into target/<label>-classes.
# Sets: zip (the connector zip), cp (Kafka's classpath), classes (the compiled tool).
skip_var="$(echo "$label" | tr '[:lower:]' '[:upper:]')_SKIP_BUILD"
if [ "${!skip_var:-}" = "1" ] && ls target/deltasink-kafka-connect-delta-*.zip >/dev/null 2>&1; then
  echo "[$label] using the connector zip already built in target/"
else
  echo "[$label] building the connector zip (mvn -DskipTests package)"
  mvn -B -q -ntp -DskipTests package
fi
zip="$(ls "$PWD"/target/deltasink-kafka-connect-delta-*.zip | head -n 1)"
echo "[$label] resolving Kafka 4.3.1 (broker + Connect) from Maven Central"
mkdir -p target
mvn -B -q -ntp -f src/quickstart/pom.xml dependency:build-classpath -Dmdep.outputFile="$PWD/target/quickstart-kafka.classpath"
cp="$(cat target/quickstart-kafka.classpath)"
classes="$PWD/target/$label-classes"
rm -rf "$classes"
javac -nowarn -d "$classes" -cp "$cp" src/quickstart/LocalKafka.java \
  src/test/java/io/deltasink/connect/delta/testing/LocalProcesses.java \
  $main_source  # main_source: one or more files, no spaces in names
