#!/usr/bin/env bash
# Make a private CA and a TLS certificate for the coordinator (and, if you want mutual TLS at
# a proxy, one per node). Usage:
#   scripts/make-certs.sh OUT_DIR [COORDINATOR_HOSTNAME] [NODE_NAME …]
# Writes OUT_DIR/ca.key (keep offline), ca.pem (give to every node as tls.ca),
# coordinator.key + coordinator.pem (fedcredit coordinator --tls-key/--tls-cert),
# and NODE.key + NODE.pem for each NODE_NAME.
set -euo pipefail
out=${1:?usage: make-certs.sh OUT_DIR [COORDINATOR_HOSTNAME] [NODE_NAME ...]}
host=${2:-localhost}
shift $(( $# >= 2 ? 2 : $# ))
mkdir -p "$out"
cd "$out"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 825 \
  -keyout ca.key -out ca.pem -subj "/CN=FedCredit consortium CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
issue() {
  local name=$1 san=$2 usage=$3
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" 2>/dev/null
  printf 'subjectAltName=%s\nextendedKeyUsage=%s\nbasicConstraints=CA:FALSE\n' "$san" "$usage" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 397 -out "$name.pem" -extfile "$name.ext" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
}
issue coordinator "DNS:$host,DNS:localhost,IP:127.0.0.1" serverAuth
for node in "$@"; do issue "$node" "DNS:$node" clientAuth; done
chmod 644 ca.pem ./*.pem
echo "CA: $out/ca.pem; coordinator certificate: $out/coordinator.pem (key $out/coordinator.key)"
