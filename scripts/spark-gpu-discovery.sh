#!/usr/bin/env bash
# Spark's GPU discovery script for rkflow's Spark job (spark/): prints the GPUs of this machine as
# Spark's resource JSON, {"name":"gpu","addresses":["0","1"]}, from
# `nvidia-smi --query-gpu=index --format=csv,noheader`; no addresses where there is no nvidia-smi
# or it fails (no driver). Give it to Spark as spark.executor.resource.gpu.discoveryScript
# (YARN, Kubernetes) or spark.worker.resource.gpu.discoveryScript (standalone workers); the
# addresses are nvidia-smi's indices, PCI bus order (set CUDA_DEVICE_ORDER=PCI_BUS_ID for CUDA to
# number them alike).
set -uo pipefail
addresses=""
if command -v nvidia-smi >/dev/null 2>&1; then
    if indices=$(nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null); then
        for i in $(printf '%s\n' "$indices" | tr -d ' \r'); do
            case "$i" in
            '' | *[!0-9]*) ;; # not an index (a message in place of the list)
            *) addresses="${addresses:+$addresses,}\"$i\"" ;;
            esac
        done
    fi
fi
printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
