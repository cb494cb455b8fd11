# azd postdeploy hook of the functions service (Windows; azure.yaml: services.functions.hooks): subscribe BlobCreated
# in the uploads container to the UploadReceived blob trigger. The same as postdeploy.sh; see there for why this runs
# after the code is deployed. It finds the template from its own path, whatever the working directory. Needs the
# Azure CLI (`az login`).
$ErrorActionPreference = 'Stop'

foreach ($name in 'AZURE_RESOURCE_GROUP', 'AZURE_FUNCTION_APP_NAME', 'UPLOADS_SYSTEM_TOPIC_NAME', 'FUNCTION_APP_URL') {
    if (-not [Environment]::GetEnvironmentVariable($name)) { throw "postdeploy: $name is not set; run through azd (azd up / azd deploy)" }
}
if (-not (Get-Command az -ErrorAction SilentlyContinue)) {
    throw 'postdeploy: the Azure CLI (az) is required to create the upload event subscription; see docs/deploy.md'
}

$template = Join-Path $PSScriptRoot '../modules/upload-subscription.bicep'
$subscription = @()
if ($env:AZURE_SUBSCRIPTION_ID) { $subscription = @('--subscription', $env:AZURE_SUBSCRIPTION_ID) }

for ($attempt = 1; ; $attempt++) {
    # Wake the app: the host creates the key when it starts, and Event Grid validates the webhook.
    try { Invoke-WebRequest -Uri "$env:FUNCTION_APP_URL/api/health" -TimeoutSec 60 -UseBasicParsing | Out-Null } catch { }
    az deployment group create @subscription `
        --resource-group $env:AZURE_RESOURCE_GROUP `
        --name upload-subscription `
        --template-file $template `
        --parameters "systemTopicName=$env:UPLOADS_SYSTEM_TOPIC_NAME" "functionAppName=$env:AZURE_FUNCTION_APP_NAME" `
        --only-show-errors --output none
    if ($LASTEXITCODE -eq 0) {
        Write-Host "postdeploy: uploads/ BlobCreated events are delivered to $env:AZURE_FUNCTION_APP_NAME (UploadReceived)"
        exit 0
    }
    if ($attempt -ge 5) {
        throw "postdeploy: could not create the upload event subscription after $attempt attempts; run 'azd hooks run postdeploy --service functions' again"
    }
    Write-Host "postdeploy: the app is not ready yet (attempt $attempt); retrying in 30 s"
    Start-Sleep -Seconds 30
}
