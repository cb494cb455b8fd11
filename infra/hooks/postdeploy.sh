#!/bin/sh
# azd postdeploy hook of the functions service (azure.yaml: services.functions.hooks): subscribe BlobCreated in the
# uploads container to the UploadReceived blob trigger, with dead-lettering to the eventgrid-deadletter container.
# azd runs it once the Functions app is deployed, in the service's folder; it finds the template from its own path.
#
# The subscription's webhook URL needs the blob extension's system key (blobs_extension), which the Functions host
# creates when it first runs the deployed code, so it cannot be part of `azd provision`. This deploys
# infra/modules/upload-subscription.bicep, which reads the key inside the deployment: it is never printed, passed
# as a parameter or stored in the azd environment. Idempotent; run it again after rotating the key.
# Needs the Azure CLI, signed in to the same tenant as azd (`az login`).
set -eu

: "${AZURE_RESOURCE_GROUP:?run through azd (azd up / azd deploy), which sets the environment}"
: "${AZURE_FUNCTION_APP_NAME:?}"
: "${UPLOADS_SYSTEM_TOPIC_NAME:?}"
: "${FUNCTION_APP_URL:?}"

if ! command -v az >/dev/null 2>&1; then
  echo "postdeploy: the Azure CLI (az) is required to create the upload event subscription; see docs/deploy.md" >&2
  exit 1
fi

template="$(dirname "$0")/../modules/upload-subscription.bicep"
attempt=1
while :; do
  # Wake the app (Flex Consumption scales to zero): the host creates the key when it starts, and Event Grid
  # validates the webhook when the subscription is created.
  curl --silent --output /dev/null --max-time 60 "$FUNCTION_APP_URL/api/health" || true
  if az deployment group create \
       ${AZURE_SUBSCRIPTION_ID:+--subscription "$AZURE_SUBSCRIPTION_ID"} \
       --resource-group "$AZURE_RESOURCE_GROUP" \
       --name upload-subscription \
       --template-file "$template" \
       --parameters systemTopicName="$UPLOADS_SYSTEM_TOPIC_NAME" functionAppName="$AZURE_FUNCTION_APP_NAME" \
       --only-show-errors --output none; then
    echo "postdeploy: uploads/ BlobCreated events are delivered to $AZURE_FUNCTION_APP_NAME (UploadReceived)"
    exit 0
  fi
  if [ "$attempt" -ge 5 ]; then
    echo "postdeploy: could not create the upload event subscription after $attempt attempts; run \`azd hooks run postdeploy --service functions\` again" >&2
    exit 1
  fi
  echo "postdeploy: the app is not ready yet (attempt $attempt); retrying in 30 s"
  attempt=$((attempt + 1))
  sleep 30
done
