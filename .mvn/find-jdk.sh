# Sourced by ./mvnw, .ci/run and ./datamanager: makes JAVA_HOME point at a JDK >= 21.
# Keeps JAVA_HOME when it already is one; otherwise takes the newest JDK >= 21 under /usr/lib/jvm
# (or DM_JDK_SEARCH_PATH). Fails with one line naming what to install when there is none.

dm_java_major() { # $1 = JAVA_HOME candidate; prints the major version or nothing
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

dm_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ]; then
    _v=$(dm_java_major "$JAVA_HOME")
    if [ -n "$_v" ] && [ "$_v" -ge 21 ]; then return 0; fi
  fi
  _best=""; _bestv=0
  case $- in *f*) _dm_noglob=1; set +f ;; *) _dm_noglob=0 ;; esac
  for _d in ${DM_JDK_SEARCH_PATH:-/usr/lib/jvm}/*; do
    [ -d "$_d" ] || continue
    _v=$(dm_java_major "$_d")
    if [ -n "$_v" ] && [ "$_v" -ge 21 ] && [ "$_v" -gt "$_bestv" ]; then _best="$_d"; _bestv="$_v"; fi
  done
  [ "$_dm_noglob" = 1 ] && set -f
  if [ -z "$_best" ]; then
    echo "datamanager needs a JDK 21 or newer: install one (e.g. 'apt-get install openjdk-21-jdk' or Temurin 21) or set JAVA_HOME to it." >&2
    return 1
  fi
  JAVA_HOME="$_best"; export JAVA_HOME
}

dm_find_jdk || exit 1
