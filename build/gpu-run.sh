#!/usr/bin/env bash
# On the GPU machine, from the repository root: unpacks the bundle that build/gpu-bundle.sh made (once) and runs the
# CLI with PyTorch's libtorch first on the loader path, so TorchSharp binds to it, CUDA included.
# Usage: .gpu/run.sh <npedit verb and options>, e.g. .gpu/run.sh info --device cuda
# LIBTORCH_DIR overrides where libtorch is found (default: the installed PyTorch's torch/lib).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest=${NPEDIT_GPU_DIR:-/tmp/npedit-gpu}
if [ ! -x "$dest/dotnet/dotnet" ]; then
  mkdir -p "$dest"
  tar -C "$dest" -xJf "$here/bundle.tar.xz"
fi
torch_lib=${LIBTORCH_DIR:-$(python3 -c "import torch, os; print(os.path.dirname(torch.__file__) + '/lib')")}
export DOTNET_ROOT="$dest/dotnet"
export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
exec "$dest/dotnet/dotnet" "$dest/app/npedit.dll" "$@"
