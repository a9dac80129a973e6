#!/usr/bin/env bash
# ClusterFuzzLite's build script: the one OSS-Fuzz uses, from the
# checkout (.clusterfuzzlite/Dockerfile copies it to $SRC/gstorm).
set -euo pipefail
exec bash "$SRC/gstorm/ci/oss-fuzz/build.sh"
