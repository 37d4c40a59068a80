# Sourced by bench/run, bench/instructions and bench/soak.
#
# free_port: prints a TCP port on 127.0.0.1 that does not answer a connect,
# chosen below the kernel's ephemeral range: outgoing connections (the load
# generator's, libcurl's) take their local ports from that range, so a port
# picked there can be taken between the probe and the server's bind.
free_port() {
  local port low
  read -r low _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || low=32768
  ((low > 12000)) || low=32768
  for _ in $(seq 50); do
    port=$((10000 + RANDOM % (low - 11000)))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "$(basename "$0"): no free port" >&2
  exit 1
}
