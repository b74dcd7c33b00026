#!/usr/bin/env bash
# pipeline-probe PORT [PATH]: exits 0 when http://127.0.0.1:PORT/PATH answers 200, 1 otherwise. The container health
# check of the service images, whose runtime base has bash but no curl or wget. Default PATH: /health/ready.
set -uo pipefail
port="${1:?usage: pipeline-probe PORT [PATH]}"
path="${2:-/health/ready}"
exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$path" "$port" >&3
IFS=' ' read -r -t 5 _ status _ <&3 || exit 1
exec 3<&-
[[ "$status" == 200 ]]
