#!/usr/bin/env bash
# What a CI job runs for this stack. Credentials come from the CI's secret store:
#   DIGITALOCEAN_TOKEN (genai scopes; for `preview`, a token with genai:read only),
#   PULUMI_CONFIG_PASSPHRASE, PULUMI_BACKEND_URL.
# `rotate` commits, so the job must set a commit identity first (a CI machine has none), e.g.
#   git config user.name "ci-bot" && git config user.email "ci-bot@users.noreply.example"
# or GIT_AUTHOR_NAME / GIT_AUTHOR_EMAIL / GIT_COMMITTER_NAME / GIT_COMMITTER_EMAIL.
#
#   pipeline.sh prepare    # once per job: the program's virtualenv with this package
#   pipeline.sh preview    # on a pull request: show what a merge would change
#   pipeline.sh rotate     # on a developer's branch: propose a rotation as a commit
#   pipeline.sh on-merge   # on merge to main: apply what the commit declares
#   pipeline.sh scheduled  # nightly: apply a rotation whose period has passed, then check
#                          # every key of the account (python -m do_genai_model_keys keys)
# PYTHON names the interpreter that has do_genai_model_keys (default ../../.venv/bin/python).
# workflows/ holds the same jobs as GitHub Actions workflows (copy them to .github/workflows/).
set -euo pipefail
stack=${STACK:-prod}
cd "$(dirname "$0")"

python=${PYTHON:-../../.venv/bin/python}

case "${1:-}" in
  prepare)
    # The program's interpreter (Pulumi.yaml: ../../.venv) with this package, made once.
    # PACKAGE: what to install, this checkout by default (never a bare name that any index
    # could answer), else a wheel's path or a pinned requirement of your own index.
    if ! "$python" -c "import do_genai_model_keys" 2>/dev/null; then
      python3 -m venv ../../.venv
      ../../.venv/bin/python -m pip install --quiet "${PACKAGE:-../..}"
    fi
    ;;
  preview)
    pulumi preview --stack "$stack" --diff        # on a pull request: what a merge would do
    ;;
  rotate)
    current=$(pulumi config get rotation --stack "$stack" 2>/dev/null || echo 0)
    pulumi config set rotation "$((current + 1))" --stack "$stack"
    git add "Pulumi.$stack.yaml"
    git commit -m "Rotate the model access keys of $stack (rotation $((current + 1)))"
    ;;
  on-merge)
    pulumi preview --stack "$stack" --diff        # shows which slot is regenerated
    pulumi up --stack "$stack" --yes --skip-preview
    ;;
  scheduled)
    # Rotate when a period has passed: `up` only when the preview plans changes. A preview
    # that fails (a refused token, an unreachable API) fails the job and applies nothing.
    plan=$(pulumi preview --stack "$stack" --json)
    changes=$("$python" -c 'import json, sys
summary = json.load(sys.stdin).get("changeSummary") or {}
print(sum(n for step, n in summary.items() if step != "same"))' <<<"$plan")
    if [ "$changes" != 0 ]; then
      pulumi up --stack "$stack" --yes --skip-preview
    fi
    # The account's key inventory: the job fails on a key that two stacks manage or a secret
    # DigitalOcean no longer accepts, and flags secrets older than MAX_AGE_DAYS.
    "$python" -m do_genai_model_keys keys --check-secrets \
      --max-age-days "${MAX_AGE_DAYS:-90}"
    ;;
  *)
    echo "usage: $0 prepare|preview|rotate|on-merge|scheduled" >&2
    exit 2
    ;;
esac
