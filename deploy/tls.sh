# Certificates and credentials of the local services (sourced by deploy/local.sh), made once at
# the first `up` and kept under $PORTHOLE_HOME: a local CA (tls/ca.pem is what clients trust),
# one server certificate per service for localhost and 127.0.0.1, and the Kafka users' passwords
# (secrets/, mode 600). Secrets are written with shell builtins only, never passed in argv.
# Limit: the local CA is for this box; docs/operations.md says how to use a real one.

TLS="$PORTHOLE_HOME/tls"
SECRETS="$PORTHOLE_HOME/secrets"
KAFKA_SCRAM_USER=porthole
KAFKA_PLAIN_USER=porthole_plain

# tls_cert NAME: NAME.key and NAME.crt signed by the local CA, for localhost and 127.0.0.1
tls_cert() {
  local name=$1
  [ -s "$TLS/$name.crt" ] && [ -s "$TLS/$name.key" ] && return 0
  (umask 077 && openssl req -new -newkey rsa:2048 -nodes -keyout "$TLS/$name.key" -out "$TLS/$name.csr" \
    -subj "/CN=localhost/O=Porthole local $name" 2>/dev/null) || die "tls: key for $name failed"
  printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
    'extendedKeyUsage=serverAuth' 'subjectAltName=DNS:localhost,IP:127.0.0.1' >"$TLS/$name.ext"
  openssl x509 -req -in "$TLS/$name.csr" -CA "$TLS/ca.pem" -CAkey "$TLS/ca.key" -CAcreateserial \
    -days 825 -sha256 -extfile "$TLS/$name.ext" -out "$TLS/$name.crt" 2>/dev/null || die "tls: signing $name failed"
  rm -f "$TLS/$name.csr" "$TLS/$name.ext"
}

# tls_ensure: the local CA and the servers' certificates (made once)
tls_ensure() {
  command -v openssl >/dev/null || die "openssl not found: run deploy/install.sh first"
  mkdir -p "$TLS"
  if [ ! -s "$TLS/ca.pem" ] || [ ! -s "$TLS/ca.key" ]; then
    echo "tls: making a local CA in $TLS"
    rm -f "$TLS"/*.crt "$TLS"/*.key "$TLS"/*.pem
    (umask 077 && openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TLS/ca.key" -out "$TLS/ca.pem" -days 3650 \
      -sha256 -subj "/CN=Porthole local CA" -addext 'basicConstraints=critical,CA:TRUE' \
      -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null) || die "tls: CA failed"
    chmod 644 "$TLS/ca.pem"
  fi
  tls_cert kafka
  tls_cert clickhouse
  # Kafka's PEM keystore: the private key (PKCS#8) followed by its certificate chain
  if [ ! -s "$TLS/kafka-keystore.pem" ]; then
    (umask 077 && cat "$TLS/kafka.key" "$TLS/kafka.crt" >"$TLS/kafka-keystore.pem")
  fi
}

# secret_file PATH: a random password in PATH (mode 600), made once
secret_file() {
  [ -s "$1" ] && return 0
  local pw
  pw=$(openssl rand -hex 24) || die "secrets: openssl rand failed"
  (umask 077 && printf '%s\n' "$pw" >"$1")
}

# secrets_ensure: the Kafka users' passwords and an environment file a client can source
secrets_ensure() {
  mkdir -p "$SECRETS" && chmod 700 "$SECRETS"
  secret_file "$SECRETS/kafka-scram.password"
  secret_file "$SECRETS/kafka-plain.password"
  (umask 077 && printf '%s\n' \
    "# Porthole's Kafka settings for the local SASL_SSL listener (SCRAM-SHA-512 user $KAFKA_SCRAM_USER)." \
    "PORTHOLE_KAFKA_BROKERS=127.0.0.1:$PORTHOLE_KAFKA_SSL_PORT" \
    "PORTHOLE_KAFKA_TLS_ENABLED=true" \
    "PORTHOLE_KAFKA_TLS_CA=$TLS/ca.pem" \
    "PORTHOLE_KAFKA_SASL_MECHANISM=scram-sha-512" \
    "PORTHOLE_KAFKA_SASL_USERNAME=$KAFKA_SCRAM_USER" \
    "PORTHOLE_KAFKA_SASL_PASSWORD_FILE=$SECRETS/kafka-scram.password" >"$SECRETS/kafka-client.env")
}

# first_line FILE: the file's first line, read by the shell itself
first_line() {
  local l
  IFS= read -r l <"$1" || true
  printf '%s' "$l"
}
