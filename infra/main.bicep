// BertFunctions in Azure, for `azd up` (docs/deploy.md): a resource group with
//   - a Storage account: the pipeline's containers and queues; identity-based access only
//   - the Functions app on Flex Consumption (.NET isolated) with a user-assigned managed identity
//   - an Event Grid system topic for the uploads (its subscription is deployed after the code: hooks/postdeploy.*)
//   - a Container Apps environment with a serverless GPU profile and the trainer as a queue-triggered Container Apps Job
//   - a container registry the job pulls from with its identity
//   - Log Analytics and Application Insights for both
//   - optionally (vnetEnabled), a virtual network both join and private endpoints for the Storage account
// and data-plane role assignments, each at the narrowest scope the code needs (modules/storage-access.bicep).
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('Name of the azd environment; names the resource group and seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region of every resource. Serverless GPUs exist in a few regions only: check with `az containerapp env workload-profile list-supported` (docs/deploy.md).')
@metadata({ azd: { type: 'location' } })
param location string

@description('GPU of the trainer: T4 (16 GB, cheaper; fine-tuning MiniLM-sized models) or A100 (80 GB; pretraining).')
@allowed(['T4', 'A100'])
param gpuProfile string = 'T4'

@description('Longest a trainer replica may run, seconds. A stopped job resumes from its checkpoint, but each stop uses one of its attempts.')
@minValue(600)
param trainerReplicaTimeout int = 14400

@description('Times a trainer replica that exits with an error is restarted within one execution (queue redelivery retries jobs anyway).')
@minValue(0)
@maxValue(10)
param trainerRetryLimit int = 1

@description('Trainer replicas per execution (each a worker taking jobs from training-jobs).')
@minValue(1)
@maxValue(10)
param trainerParallelism int = 1

@description('Most trainer executions at once, i.e. GPUs in use at once. Mind the subscription\'s serverless GPU quota.')
@minValue(1)
@maxValue(100)
param trainerMaxExecutions int = 2

@description('BERTFN_TRAINER__IDLETIMEOUT: a worker exits after this long without a job (hh:mm:ss).')
param trainerIdleTimeout string = '00:01:00'

@description('BERTFN_TRAINER__VISIBILITYTIMEOUT: lease of a job message between renewals (hh:mm:ss).')
param trainerVisibilityTimeout string = '00:05:00'

@description('BERTFN_TRAINER__MAXATTEMPTS: deliveries of a job message before it moves to training-jobs-poison.')
@minValue(1)
param trainerMaxAttempts int = 3

@description('The trainer image (azd sets it after pushing: SERVICE_TRAINER_IMAGE_NAME); empty: a placeholder until then.')
param trainerImageName string = ''

@description('Pipeline__DebounceWindow (hh:mm:ss).')
param pipelineDebounceWindow string = '00:02:00'

@description('Pipeline__JobInactivityTimeout (hh:mm:ss).')
param pipelineJobInactivityTimeout string = '00:30:00'

@description('Pipeline__MaxTrainerAttempts.')
@minValue(1)
param pipelineMaxTrainerAttempts int = 3

@description('Serving__DefaultModel: the model a classify request without "model" gets; empty for none.')
param servingDefaultModel string = ''

@description('Serving__Quantization: none (float32) or int8 (dynamic quantization: 2.2x throughput on CPU, at most 0.17 points of accuracy lost on the Spam Assassin test split; docs/results.md).')
@allowed(['none', 'int8'])
param servingQuantization string = 'none'

@description('Most instances of the Functions app.')
@minValue(1)
@maxValue(1000)
param functionsMaximumInstanceCount int = 40

@description('Always-ready instances of the Functions app\'s durable group (0: none; each is billed while it waits).')
@minValue(0)
@maxValue(10)
param functionsDurableAlwaysReady int = 1

@description('Memory of each Functions instance, MB.')
@allowed([512, 2048, 4096])
param functionsInstanceMemoryMB int = 2048

@description('Container registry tier.')
@allowed(['Basic', 'Standard', 'Premium'])
param registrySku string = 'Basic'

@description('Private networking: a virtual network for the Functions app and the trainer, private endpoints for the Storage account, and its public endpoint denied (docs/deploy.md). Uploads from outside the network then need a firewall rule or a machine inside it.')
param vnetEnabled bool = false

@description('Principal id of the person deploying (azd fills it in): may upload to the uploads container. Empty for nobody.')
param principalId string = ''

@description('Type of that principal: User when a person runs `azd up`, ServicePrincipal in CI (AZURE_PRINCIPAL_TYPE; the GitHub workflow sets it).')
@allowed(['User', 'Group', 'ServicePrincipal'])
param principalType string = 'User'

@description('Whether that principal may also read model packages and run records and peek at the job queues, as the commands in docs/deploy.md do. Turn off where deployers must hold no data rights.')
param deployerDataAccess bool = true

// The projects' target framework (Directory.Build.props: net10.0); the tests check that they agree.
var dotnetVersion = '10.0'

// What the code uses (trainer-container/BertFunctions.Contracts/Storage/StorageLayout.cs, TrainingQueues); the tests check it.
var uploadsContainer = 'uploads'
var datasetsContainer = 'datasets'
var pipelineContainers = [uploadsContainer, datasetsContainer, 'quarantine', 'checkpoints', 'models', 'runs']
var trainerWriteContainers = ['checkpoints', 'models']
var jobsQueue = 'training-jobs'
var trainingQueues = [jobsQueue, 'training-events', 'training-jobs-poison']
// Flex Consumption deploys the app from a package in this container.
var deploymentContainer = 'deploymentpackage'
// Event Grid writes upload events it could not deliver here, with the system topic's identity (modules/upload-events.bicep).
var deadLetterContainer = 'eventgrid-deadletter'

var tags = { 'azd-env-name': environmentName }
var token = toLower(uniqueString(subscription().id, environmentName, location))

resource rg 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module monitoring 'modules/monitoring.bicep' = {
  scope: rg
  name: 'monitoring'
  params: {
    location: location
    tags: tags
    workspaceName: 'log-${token}'
    appInsightsName: 'appi-${token}'
  }
}

module functionsIdentity 'modules/identity.bicep' = {
  scope: rg
  name: 'functions-identity'
  params: {
    location: location
    tags: tags
    name: 'id-func-${token}'
  }
}

module trainerIdentity 'modules/identity.bicep' = {
  scope: rg
  name: 'trainer-identity'
  params: {
    location: location
    tags: tags
    name: 'id-trainer-${token}'
  }
}

module storage 'modules/storage.bicep' = {
  scope: rg
  name: 'storage'
  params: {
    location: location
    tags: tags
    name: 'st${token}'
    containers: concat(pipelineContainers, [deploymentContainer, deadLetterContainer])
    queues: trainingQueues
    denyPublicNetwork: vnetEnabled
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  scope: rg
  name: 'network'
  params: {
    location: location
    tags: tags
    name: 'vnet-${token}'
    storageAccountName: storage.outputs.name
  }
}

module storageAccess 'modules/storage-access.bicep' = {
  scope: rg
  name: 'storage-access'
  params: {
    storageAccountName: storage.outputs.name
    functionsPrincipalId: functionsIdentity.outputs.principalId
    trainerPrincipalId: trainerIdentity.outputs.principalId
    deployerPrincipalId: principalId
    deployerPrincipalType: principalType
    deployerDataAccess: deployerDataAccess
    datasetsContainer: datasetsContainer
    trainerWriteContainers: trainerWriteContainers
    trainerQueues: trainingQueues
    uploadsContainer: uploadsContainer
  }
}

module registry 'modules/registry.bicep' = {
  scope: rg
  name: 'registry'
  params: {
    location: location
    tags: tags
    name: 'cr${token}'
    sku: registrySku
    pullPrincipalId: trainerIdentity.outputs.principalId
  }
}

module functionApp 'modules/function-app.bicep' = {
  scope: rg
  name: 'function-app'
  params: {
    location: location
    tags: tags
    name: 'func-${token}'
    planName: 'plan-${token}'
    identityId: functionsIdentity.outputs.id
    identityClientId: functionsIdentity.outputs.clientId
    identityPrincipalId: functionsIdentity.outputs.principalId
    storageAccountName: storage.outputs.name
    deploymentContainer: deploymentContainer
    appInsightsName: monitoring.outputs.appInsightsName
    dotnetVersion: dotnetVersion
    maximumInstanceCount: functionsMaximumInstanceCount
    instanceMemoryMB: functionsInstanceMemoryMB
    durableAlwaysReady: functionsDurableAlwaysReady
    virtualNetworkSubnetId: vnetEnabled ? network!.outputs.functionsSubnetId : ''
    debounceWindow: pipelineDebounceWindow
    jobInactivityTimeout: pipelineJobInactivityTimeout
    maxTrainerAttempts: pipelineMaxTrainerAttempts
    servingDefaultModel: servingDefaultModel
    servingQuantization: servingQuantization
  }
  // The host reaches storage on its first start: its roles must exist by then.
  dependsOn: [storageAccess]
}

module uploadEvents 'modules/upload-events.bicep' = {
  scope: rg
  name: 'upload-events'
  params: {
    location: location
    tags: tags
    name: 'evgt-${token}'
    storageAccountName: storage.outputs.name
    deadLetterContainer: deadLetterContainer
  }
}

module trainer 'modules/trainer.bicep' = {
  scope: rg
  name: 'trainer'
  params: {
    location: location
    tags: tags
    environmentName: 'cae-${token}'
    jobName: 'caj-trainer-${token}'
    workspaceId: monitoring.outputs.workspaceId
    infrastructureSubnetId: vnetEnabled ? network!.outputs.trainerSubnetId : ''
    gpuProfile: gpuProfile
    identityId: trainerIdentity.outputs.id
    identityClientId: trainerIdentity.outputs.clientId
    registryServer: registry.outputs.loginServer
    imageName: trainerImageName
    storageAccountName: storage.outputs.name
    jobsQueue: jobsQueue
    replicaTimeout: trainerReplicaTimeout
    replicaRetryLimit: trainerRetryLimit
    parallelism: trainerParallelism
    maxExecutions: trainerMaxExecutions
    idleTimeout: trainerIdleTimeout
    visibilityTimeout: trainerVisibilityTimeout
    maxAttempts: trainerMaxAttempts
  }
  // The job pulls with its identity and KEDA reads the queue with it: both roles first.
  dependsOn: [storageAccess]
}

// Endpoints and names only: no keys, no connection strings (function keys: docs/deploy.md).
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = registry.outputs.loginServer
output AZURE_CONTAINER_REGISTRY_NAME string = registry.outputs.name
output AZURE_FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = 'https://${functionApp.outputs.hostName}'
output CLASSIFY_ENDPOINT string = 'https://${functionApp.outputs.hostName}/api/classify'
output TRAINING_ENDPOINT string = 'https://${functionApp.outputs.hostName}/api/training'
output MODELS_ENDPOINT string = 'https://${functionApp.outputs.hostName}/api/models'
output HEALTH_ENDPOINT string = 'https://${functionApp.outputs.hostName}/api/health'
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output STORAGE_QUEUE_ENDPOINT string = storage.outputs.queueEndpoint
output UPLOADS_SYSTEM_TOPIC_NAME string = uploadEvents.outputs.name
output CONTAINER_APPS_ENVIRONMENT_NAME string = trainer.outputs.environmentName
output TRAINER_JOB_NAME string = trainer.outputs.jobName
output TRAINER_GPU_PROFILE string = gpuProfile
output APPLICATIONINSIGHTS_NAME string = monitoring.outputs.appInsightsName
output LOG_ANALYTICS_WORKSPACE_NAME string = monitoring.outputs.workspaceName
