#!/bin/sh
# azd preprovision hook: before anything is created, check that the region (AZURE_LOCATION) offers both Flex
# Consumption (the Functions app) and the serverless GPU workload profile of TRAINER_GPU_PROFILE (the trainer), and
# that the subscription has serverless GPU quota there, as far as the Azure CLI can tell.
#
# A region that lacks either stops `azd provision` / `azd up` here (exit 1), naming the regions that offer both; so
# does a GPU quota of 0. A quota that cannot be read is a warning. infra/hooks/preprovision.ps1 is the same check for
# Windows; run it alone with `azd hooks run preprovision`. Needs the Azure CLI, signed in (`az login`).
set -euf

err="$(mktemp)"
trap 'rm -f "$err"' EXIT

fail() { echo "preprovision: $*" >&2; exit 1; }
problem() { echo "preprovision: $*" >&2; }
warn() { echo "preprovision: warning: $*" >&2; }
# The first line of what az said when it failed.
az_error() { sed -n '/./{s/^ERROR: //;p;q;}' "$err"; }
# az with the azd environment's subscription, as JMESPath-projected TSV (no jq needed).
azq() { az "$@" ${AZURE_SUBSCRIPTION_ID:+--subscription "$AZURE_SUBSCRIPTION_ID"} --only-show-errors --output tsv 2>"$err"; }
# Region names as azd and the CLI write them: lower case, no spaces.
normalize() { tr -d ' \r' | tr '[:upper:]' '[:lower:]'; }

location="$(printf '%s' "${AZURE_LOCATION:-}" | normalize)"
[ -n "$location" ] || fail "AZURE_LOCATION is not set: choose a region first, e.g. 'azd env set AZURE_LOCATION westus3' (docs/deploy.md, First deploy)"

gpu="${TRAINER_GPU_PROFILE:-T4}"
case "$gpu" in
  T4) profile=Consumption-GPU-NC8as-T4; other_gpu=A100; other_profile=Consumption-GPU-NC24-A100; quota=SubscriptionConsumptionT4Gpus ;;
  A100) profile=Consumption-GPU-NC24-A100; other_gpu=T4; other_profile=Consumption-GPU-NC8as-T4; quota=SubscriptionConsumptionNCA100Gpus ;;
  *) fail "TRAINER_GPU_PROFILE is '$gpu'; it must be T4 or A100 ('azd env set TRAINER_GPU_PROFILE T4')" ;;
esac

if ! command -v az >/dev/null 2>&1; then
  fail "the Azure CLI (az) is required to check the region before provisioning: install it (https://aka.ms/installazurecli), run 'az login', then azd up again"
fi
if ! az account show --only-show-errors --output none 2>"$err"; then
  fail "the Azure CLI is not signed in ($(az_error)): run 'az login' (the same tenant as 'azd auth login'), then azd up again"
fi
if [ -n "${AZURE_SUBSCRIPTION_ID:-}" ] && ! az account show --subscription "$AZURE_SUBSCRIPTION_ID" --only-show-errors --output none 2>"$err"; then
  fail "the Azure CLI cannot use subscription $AZURE_SUBSCRIPTION_ID, the azd environment's ($(az_error)): run 'az login' to its tenant"
fi

# 1. Flex Consumption (the Functions app).
if ! flex="$(azq functionapp list-flexconsumption-locations --query '[].name')"; then
  fail "could not list the regions that offer Flex Consumption (az functionapp list-flexconsumption-locations: $(az_error)); update the Azure CLI ('az upgrade') and try again"
fi
flex="$(printf '%s\n' "$flex" | normalize)"

# 2. The serverless GPU workload profile (the trainer's Container Apps environment).
profiles_in() {
  _names="$(azq containerapp env workload-profile list-supported --location "$1" --query '[].name')" || return 1
  printf '%s\n' "$_names" | tr -d '\r'
}
if ! profiles="$(profiles_in "$location")"; then
  fail "could not list the workload profiles of region '$location' (az containerapp env workload-profile list-supported: $(az_error)); is it a region name? ('az account list-locations -o table')"
fi

ok=yes
if ! printf '%s\n' "$flex" | grep -Fqx "$location"; then
  problem "region $location does not offer Flex Consumption, which the Functions app needs"
  ok=no
fi
if ! printf '%s\n' "$profiles" | grep -Fqx "$profile"; then
  problem "region $location does not offer the serverless GPU workload profile $profile (TRAINER_GPU_PROFILE=$gpu), which the trainer needs"
  if printf '%s\n' "$profiles" | grep -Fqx "$other_profile"; then
    problem "region $location offers $other_profile: 'azd env set TRAINER_GPU_PROFILE $other_gpu' to use it instead"
  fi
  ok=no
fi
if [ "$ok" = no ]; then
  echo "preprovision: looking for regions that offer both Flex Consumption and $profile (one query per region)..." >&2
  both=""
  for region in $flex; do
    [ "$region" != "$location" ] || continue
    if found="$(profiles_in "$region")" && printf '%s\n' "$found" | grep -Fqx "$profile"; then
      both="${both:+$both, }$region"
    fi
  done
  if [ -n "$both" ]; then
    fail "regions that offer both Flex Consumption and $profile: $both; choose one with 'azd env set AZURE_LOCATION REGION', then azd up again"
  fi
  fail "no region offers both Flex Consumption and $profile to this subscription (az functionapp list-flexconsumption-locations, az containerapp env workload-profile list-supported); try 'azd env set TRAINER_GPU_PROFILE $other_gpu'"
fi
echo "preprovision: $location offers Flex Consumption and $profile"

# 3. Serverless GPU quota of the subscription in the region: needed, at most, for every execution's replicas at once.
executions="${TRAINER_MAX_EXECUTIONS:-2}"
parallelism="${TRAINER_PARALLELISM:-1}"
case "$executions$parallelism" in *[!0-9]*|'') executions=2; parallelism=1 ;; esac
needed=$((executions * parallelism))
if ! usages="$(azq containerapp list-usages --location "$location" --query 'value[].[name.value, name.localizedValue, limit, currentValue, usage]')"; then
  warn "could not read the serverless GPU quota ($quota) in $location (az containerapp list-usages: $(az_error)); continuing. If provisioning then fails on the GPU workload profile, see Quotas > Azure Container Apps in the portal (docs/deploy.md)"
  exit 0
fi
row="$(printf '%s\n' "$usages" | tr -d '\r' | awk -F '\t' -v q="$quota" 'tolower($1) == tolower(q) { print; exit }')"
if [ -z "$row" ]; then
  warn "az containerapp list-usages does not list the serverless GPU quota $quota in $location, so it cannot be checked; continuing. If provisioning then fails on the GPU workload profile, see Quotas > Azure Container Apps in the portal (docs/deploy.md)"
  exit 0
fi
# Columns: name, display name, limit, in use (currentValue in the REST API, usage in the CLI's table output).
column() { printf '%s\n' "$row" | awk -F '\t' "{ print ($1) }"; }
shown="$(column '$2 != "" ? $2 : $1')"
limit="$(column '$3')"
used="$(column '$4 != "" ? $4 : ($5 != "" ? $5 : 0)')"
case "$limit" in
  ''|*[!0-9.]*) warn "the serverless GPU quota $quota in $location reads '$limit', which is not a number; continuing"; exit 0 ;;
esac
if awk -v l="$limit" 'BEGIN { exit !(l + 0 <= 0) }'; then
  fail "the subscription has no serverless $gpu GPU quota in $location ($shown: limit $limit): request it under Quotas > Azure Container Apps in the portal (docs/deploy.md), or choose a region where you have it, then azd up again"
fi
if awk -v l="$limit" -v u="$used" -v n="$needed" 'BEGIN { exit !(l - u < n) }'; then
  warn "serverless $gpu GPU quota in $location: $used of $limit in use, and the trainer may use $needed at once (TRAINER_MAX_EXECUTIONS x TRAINER_PARALLELISM); executions beyond it may not start. Request more under Quotas > Azure Container Apps, or lower TRAINER_MAX_EXECUTIONS"
else
  echo "preprovision: serverless $gpu GPU quota in $location: $used of $limit in use; the trainer may use $needed at once"
fi
