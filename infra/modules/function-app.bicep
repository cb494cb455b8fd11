// The Functions app on Flex Consumption (.NET isolated worker): pipeline triggers, Durable orchestrations and the HTTP
// API (docs/pipeline.md, docs/serving.md). Everything it reaches, it reaches with its user-assigned managed identity:
// identity-based connections for the host (AzureWebJobsStorage) and for the triggers and clients (BERTFN_STORAGE), the
// deployment package, and Application Insights (Entra ID ingestion). No key or connection string with a key anywhere.

@description('Location of the app and its plan.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the Functions app.')
param name string

@description('Name of the Flex Consumption plan.')
param planName string

@description('Resource id of the app identity (user-assigned).')
param identityId string

@description('Client id of the app identity.')
param identityClientId string

@description('Principal id of the app identity.')
param identityPrincipalId string

@description('Name of the Storage account (host state, Durable Task hub, pipeline data).')
param storageAccountName string

@description('Container of the deployment package.')
param deploymentContainer string

@description('Name of the Application Insights component.')
param appInsightsName string

@description('.NET version of the isolated worker (the projects\' target framework).')
param dotnetVersion string

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Memory of each instance, MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Always-ready instances of the `durable` group (orchestrators, activities, entities): Durable work on Flex Consumption starts from a warm instance instead of a cold start on every queue poll, as the Durable Functions docs advise for the Azure Storage provider. Each is billed while it waits; 0 turns it off.')
@minValue(0)
@maxValue(10)
param durableAlwaysReady int = 1

@description('Subnet (delegated to Microsoft.App/environments) the app joins for private networking; empty: none.')
param virtualNetworkSubnetId string = ''

@description('Pipeline:DebounceWindow: how long uploads to a dataset must be quiet before a run starts.')
param debounceWindow string

@description('Pipeline:JobInactivityTimeout: a trainer job silent this long is dispatched again.')
param jobInactivityTimeout string

@description('Pipeline:MaxTrainerAttempts: dispatches of one trainer job before the run fails.')
@minValue(1)
param maxTrainerAttempts int

@description('Serving:DefaultModel: the model a classify request without "model" gets; empty for none.')
param servingDefaultModel string

@description('Serving:Quantization: none or int8.')
@allowed(['none', 'int8'])
param servingQuantization string

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

// The identity may publish telemetry (local authentication of the component is off).
resource telemetryPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: appInsights
  name: guid(appInsights.id, identityPrincipalId, monitoringMetricsPublisher)
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

var blobEndpoint = storage.properties.primaryEndpoints.blob
var queueEndpoint = storage.properties.primaryEndpoints.queue
var tableEndpoint = storage.properties.primaryEndpoints.table

var baseSettings = [
  // The Functions host: state, keys, the Durable Task hub (Azure Storage provider: blobs, queues, tables).
  { name: 'AzureWebJobsStorage__blobServiceUri', value: blobEndpoint }
  { name: 'AzureWebJobsStorage__queueServiceUri', value: queueEndpoint }
  { name: 'AzureWebJobsStorage__tableServiceUri', value: tableEndpoint }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }
  // The pipeline's connection "BERTFN_STORAGE": the blob trigger (uploads/{name}, Event Grid source), the queue trigger
  // (training-events), and the app's own clients (Program.cs reads BERTFN_STORAGE:blobServiceUri).
  { name: 'BERTFN_STORAGE__blobServiceUri', value: blobEndpoint }
  { name: 'BERTFN_STORAGE__queueServiceUri', value: queueEndpoint }
  { name: 'BERTFN_STORAGE__credential', value: 'managedidentity' }
  { name: 'BERTFN_STORAGE__clientId', value: identityClientId }
  // DefaultAzureCredential in the worker (the app's Blob/Queue clients) picks the user-assigned identity by this.
  { name: 'AZURE_CLIENT_ID', value: identityClientId }
  // Telemetry through Entra ID: the instrumentation key alone is not accepted (local authentication is off).
  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsights.properties.ConnectionString }
  { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
  // Pipeline settings (functions/BertFunctions.Orchestration/PipelineOptions.cs).
  { name: 'Pipeline__DebounceWindow', value: debounceWindow }
  { name: 'Pipeline__JobInactivityTimeout', value: jobInactivityTimeout }
  { name: 'Pipeline__MaxTrainerAttempts', value: string(maxTrainerAttempts) }
]

// Serving:DefaultModel is validated as a model name, so it is only set when there is one.
var servingSettings = concat(
  empty(servingDefaultModel) ? [] : [{ name: 'Serving__DefaultModel', value: servingDefaultModel }],
  [{ name: 'Serving__Quantization', value: servingQuantization }]
)

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: name
  location: location
  tags: union(tags, { 'azd-service-name': 'functions' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    clientCertEnabled: false
    publicNetworkAccess: 'Enabled'
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      // Only what Flex Consumption supports: it rejects the deprecated site properties (ftpsState, alwaysOn,
      // linuxFxVersion...; docs: Flex Consumption plan deprecations). FTP is off through the publishing policy below.
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      appSettings: concat(baseSettings, servingSettings)
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
        alwaysReady: durableAlwaysReady > 0 ? [{ name: 'durable', instanceCount: durableAlwaysReady }] : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: dotnetVersion
      }
    }
  }
  dependsOn: [telemetryPublisher]
}

// No FTP or basic-auth deployment credentials: deployments (azd) authenticate with Entra ID.
resource ftp 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'ftp'
  properties: { allow: false }
}

resource scm 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: app
  name: 'scm'
  properties: { allow: false }
}

output name string = app.name
output hostName string = app.properties.defaultHostName
