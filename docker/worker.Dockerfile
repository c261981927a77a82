# The hbench swarm worker: this repository's hbench and the host's Node.js on a Debian base, plus iptables for the
# host firewall rules that keep gateway containers to the gateway's port. `hbench run --engine swarm` builds it here
# and copies it to the nodes it is given (no registry needed); with a registry, push it once and pass --worker-image.
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update && apt-get install -y --no-install-recommends iptables && rm -rf /var/lib/apt/lists/*
COPY node /usr/local/bin/node
COPY app/ /opt/hbench/
RUN ln -s /opt/hbench/bin/hbench.js /usr/local/bin/hbench
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/node", "/opt/hbench/bin/hbench.js"]
