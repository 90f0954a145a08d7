#!/usr/bin/env bash
# Train the Rasa model only when its inputs changed (config, domain, training data).
set -euo pipefail
cd "$(dirname "$0")/.."
export SQLALCHEMY_SILENCE_UBER_WARNING=1
# (nlu_components/ holds the pipeline's own classifiers: their code shapes the model too)
inputs=$(find config.yml bot data/nlu data/rules data/stories nlu_components -type f \( -name '*.yml' -o -name '*.py' \) 2>/dev/null | LC_ALL=C sort)
fingerprint=$(cat $inputs requirements/bot.txt | sha256sum | cut -c1-16)
if [ -s models/.fingerprint ] && [ "$(cat models/.fingerprint)" = "$fingerprint" ] && ls models/*.tar.gz >/dev/null 2>&1; then
  echo "Modelo al día (huella $fingerprint): no se entrena de nuevo."
  exit 0
fi
echo "Entrenando el modelo de Rasa (huella $fingerprint); el progreso se ve abajo..."
start=$(date +%s)
rm -f models/*.tar.gz
.venv-bot/bin/rasa train --domain bot --data data/nlu data/rules data/stories --config config.yml \
  --out models --fixed-model-name oirs
echo "$fingerprint" > models/.fingerprint
echo "Modelo entrenado en $(( $(date +%s) - start )) s: models/oirs.tar.gz"
