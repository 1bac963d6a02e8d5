#!/usr/bin/env bash
# The run step of action.yml: installs the harness where the action lives (once), runs
# `measure-conformance run` with the action's inputs in the workspace, and hands the exit code and
# the report folder to the next steps (the upload runs even when the run fails; the last step
# exits with the code). The CLI itself writes the step summary and annotations under GitHub Actions.
set -uo pipefail
set -f # suite globs are the CLI's to expand, not the shell's

action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set: run this as a GitHub Action step}"
workspace="${GITHUB_WORKSPACE:-$PWD}"
report_dir="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/measure-conformance-report"

if [ ! -d "$action_path/node_modules" ]; then
  npm ci --prefix "$action_path" --no-audit --no-fund || { echo "exit-code=2" >> "$GITHUB_OUTPUT"; exit 0; }
fi

args=(run --out "$report_dir" --fail-on "${INPUT_FAIL_ON:-shall}")
if [ -n "${INPUT_CONFIG:-}" ] && { [ "${INPUT_CONFIG}" != "config.yaml" ] || [ -f "$workspace/config.yaml" ]; }; then
  args+=(--config "$INPUT_CONFIG")
fi
for suite in ${INPUT_SUITES:-}; do
  args+=(--suite "$suite")
done

cd "$workspace" || exit 2
GITHUB_ACTIONS=true node "$action_path/bin/measure-conformance.js" "${args[@]}"
code=$?
{
  echo "exit-code=$code"
  echo "report-dir=$report_dir"
} >> "$GITHUB_OUTPUT"
exit 0
