#!/usr/bin/env bash
# The main job on a fresh machine: build the `annlsp` command, check every example, print LeNet's
# summary, then train a classifier, the DCGAN, pix2pix and a diffusion model on the embedded `shapes` data set
# (no downloads).
# Run folders land in examples/runs/ (beside the .ann file); the GAN's sample grids are
# examples/runs/ShapesGAN/*/samples/epoch-NNN.png; `annlsp evaluate <run folder>` scores one again.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build server/Annlsp.Cli -c Release --nologo -v quiet
annlsp() { dotnet server/Annlsp.Cli/bin/Release/net10.0/annlsp.dll "$@"; }

echo "== annlsp check examples/*.ann"
annlsp check examples/*.ann && echo "no errors"
echo
echo "== annlsp check examples/mistakes/ANN3001-dense-after-image.ann (a mistake on purpose)"
annlsp check examples/mistakes/ANN3001-dense-after-image.ann || true
echo
echo "== annlsp summary examples/lenet.ann"
annlsp summary examples/lenet.ann
echo "== annlsp train examples/shapes.ann (classifier on generated shapes)"
annlsp train examples/shapes.ann --target ShapeNet --epochs "${DEMO_EPOCHS:-2}"
echo
echo "== annlsp train examples/dcgan.ann --target ShapesGAN (GAN on generated shapes)"
# the GAN trains for its declared epochs (DEMO_EPOCHS overrides); after each one a line scores its samples
annlsp train examples/dcgan.ann --target ShapesGAN ${DEMO_EPOCHS:+--epochs "$DEMO_EPOCHS"}
echo
echo "== annlsp train examples/pix2pix.ann --target quick (pix2pix: edges of shapes back to the drawings)"
# after the epoch: held-out L1 and PSNR beside those of the input itself; the preview rows are input | generated | target
annlsp train examples/pix2pix.ann --target quick ${DEMO_EPOCHS:+--epochs "$DEMO_EPOCHS"}
echo
echo "== annlsp train examples/diffusion.ann --target 'ShapesDiffusion as quick' (diffusion model on generated shapes)"
# a time-conditioned U-Net learns to remove noise; each epoch writes samples/epoch-NNN.png and samples/trajectory-NNN.png
annlsp train examples/diffusion.ann --target "ShapesDiffusion as quick" ${DEMO_EPOCHS:+--epochs "$DEMO_EPOCHS"}
echo
echo "Run folders (beside the .ann files):"; ls -d examples/runs/*/* 2>/dev/null || true
