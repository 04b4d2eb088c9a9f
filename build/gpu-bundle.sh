#!/usr/bin/env bash
# Packs what a GPU machine without .NET needs to run the CLI against its own PyTorch libtorch (docs/usage.md,
# "Running on a GPU"): the .NET runtime, the CLI's managed build, and the native glue of TorchSharp and SkiaSharp.
# libtorch itself stays behind (the GPU machine brings its CUDA build), and so do ONNX Runtime and the ResNet18
# featurizer, which only the realism metric of `bench paper` uses. The result fits the device tool's 64 MiB carry.
# Usage: build/gpu-bundle.sh [out-dir]   (default .gpu/, git-ignored; writes bundle.tar.xz and run.sh there)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.gpu}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

dotnet build samples/NpEdit.Cli -c Release -o "$stage/build" >/dev/null
mkdir -p "$stage/app/runtimes/linux-x64/native"
cp "$stage"/build/*.json "$stage/app/"
# Managed assemblies only: ONNX Runtime ships its Windows natives as .dll files too, and they are large.
find "$stage/build" -maxdepth 1 -name "*.dll" ! -name "onnxruntime*" -exec cp {} "$stage/app/" \;
for lib in libLibTorchSharp.so libSkiaSharp.so; do
  cp "$stage/build/runtimes/linux-x64/native/$lib" "$stage/app/runtimes/linux-x64/native/"
done

dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet)")")
mkdir -p "$stage/dotnet/shared"
cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$stage/dotnet/"
cp -a "$dotnet_root/shared/Microsoft.NETCore.App" "$stage/dotnet/shared/"

mkdir -p "$out"
tar -C "$stage" -cJf "$out/bundle.tar.xz" app dotnet
cp build/gpu-run.sh "$out/run.sh"
chmod +x "$out/run.sh"
echo "$out/bundle.tar.xz: $(du -h "$out/bundle.tar.xz" | cut -f1)"
