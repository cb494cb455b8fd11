// Who may do what in the Storage account. Data-plane roles only (no Owner, Contributor or Storage Account
// Contributor: those would hand out the keys), each at the narrowest scope the code needs.
//
// Functions app (the pipeline, serving and the Functions host): account scope, because the host and the Durable Task
// hub keep their state in containers, queues and tables they create themselves (AzureWebJobsStorage).
//   Storage Blob Data Owner       host state and keys (azure-webjobs-*), the blob trigger, every pipeline container
//   Storage Queue Data Contributor queue trigger on training-events, sending to training-jobs, Durable work items
//   Storage Table Data Contributor Durable Task hub history and instances
// Trainer (the Container Apps Job): per container and per queue.
//   datasets                       Storage Blob Data Reader (reads shards and vocabularies)
//   checkpoints, models            Storage Blob Data Contributor (writes checkpoints and model packages; creates the
//                                  container if missing), on models with a condition: no write or delete of any
//                                  */live.json, so only the pipeline promotes (the trainer writes packages, never the
//                                  pointer serving follows)
//   training-jobs, training-events, training-jobs-poison
//                                  Storage Queue Data Contributor (receives, renews and deletes jobs, sends events and
//                                  dead letters, creates the queues if missing; KEDA reads the length of training-jobs)
// Deployer (optional: the principal `azd up` signed in as, a user or, in CI, a service principal):
//   uploads                        Storage Blob Data Contributor, to upload data
//   models, runs                   Storage Blob Data Reader (deployerDataAccess), to download packages and read runs
//   training-jobs, training-jobs-poison
//                                  Storage Queue Data Message Reader (deployerDataAccess), to peek at waiting jobs

@description('Name of the Storage account.')
param storageAccountName string

@description('Principal id of the Functions app identity.')
param functionsPrincipalId string

@description('Principal id of the trainer identity.')
param trainerPrincipalId string

@description('Principal id of the person deploying, given upload rights on the uploads container; empty for none.')
param deployerPrincipalId string = ''

@description('Type of the deployer principal.')
@allowed(['User', 'Group', 'ServicePrincipal'])
param deployerPrincipalType string = 'User'

@description('Whether the deployer may also read model packages and run records and peek at the job queues (what docs/deploy.md\'s commands do). Off in production subscriptions where deployers hold no data rights.')
param deployerDataAccess bool = true

@description('Containers the deployer may read when deployerDataAccess is on.')
param deployerReadContainers string[] = ['models', 'runs']

@description('Queues the deployer may peek at when deployerDataAccess is on.')
param deployerPeekQueues string[] = ['training-jobs', 'training-jobs-poison']

@description('The container of model packages and live pointers (models/{name}/live.json), where the trainer may not write live pointers.')
param modelsContainer string = 'models'

@description('Container the trainer reads datasets from.')
param datasetsContainer string

@description('Containers the trainer writes (checkpoints, model packages).')
param trainerWriteContainers string[]

@description('Queues the trainer works with (jobs, events, dead letters).')
param trainerQueues string[]

@description('Container users upload to.')
param uploadsContainer string

// Built-in role definitions (the same ids in every tenant).
var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
var storageBlobDataReader = '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1'
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
var storageQueueDataMessageReader = '8a0f0c08-91a1-4084-bc3d-661d67233fed'

// Attribute-based condition on the trainer's models role: any blob action but write, create and delete is allowed; those
// are allowed on every path but a live pointer. Promotion (writing live.json) is the pipeline's alone.
var trainerCannotPromote = '''(
 (
  !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'})
  AND
  !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'})
  AND
  !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete'})
 )
 OR
 (
  @Resource[Microsoft.Storage/storageAccounts/blobServices/containers/blobs:path] StringNotLike '*/live.json'
 )
)'''

var functionsRoles = [storageBlobDataOwner, storageQueueDataContributor, storageTableDataContributor]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = {
  parent: account
  name: 'default'
}

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' existing = {
  parent: account
  name: 'default'
}

resource datasets 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: datasetsContainer
}

resource writeContainers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = [
  for container in trainerWriteContainers: {
    parent: blobService
    name: container
  }
]

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' existing = [
  for queue in trainerQueues: {
    parent: queueService
    name: queue
  }
]

resource uploads 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: uploadsContainer
}

resource functionsAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in functionsRoles: {
    scope: account
    name: guid(account.id, functionsPrincipalId, role)
    properties: {
      principalId: functionsPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role)
    }
  }
]

resource trainerDatasets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: datasets
  name: guid(datasets.id, trainerPrincipalId, storageBlobDataReader)
  properties: {
    principalId: trainerPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
  }
}

resource trainerWrites 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (container, i) in trainerWriteContainers: {
    scope: writeContainers[i]
    name: guid(writeContainers[i].id, trainerPrincipalId, storageBlobDataContributor)
    properties: {
      principalId: trainerPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
      condition: container == modelsContainer ? trainerCannotPromote : null
      conditionVersion: container == modelsContainer ? '2.0' : null
    }
  }
]

resource trainerQueueAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queue, i) in trainerQueues: {
    scope: queues[i]
    name: guid(queues[i].id, trainerPrincipalId, storageQueueDataContributor)
    properties: {
      principalId: trainerPrincipalId
      principalType: 'ServicePrincipal'
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
    }
  }
]

resource deployerUploads 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (!empty(deployerPrincipalId)) {
  scope: uploads
  name: guid(uploads.id, deployerPrincipalId, storageBlobDataContributor)
  properties: {
    principalId: deployerPrincipalId
    principalType: deployerPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
  }
}

resource deployerReadable 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = [
  for container in deployerReadContainers: {
    parent: blobService
    name: container
  }
]

resource deployerPeekable 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' existing = [
  for queue in deployerPeekQueues: {
    parent: queueService
    name: queue
  }
]

resource deployerReads 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (container, i) in deployerReadContainers: if (!empty(deployerPrincipalId) && deployerDataAccess) {
    scope: deployerReadable[i]
    name: guid(deployerReadable[i].id, deployerPrincipalId, storageBlobDataReader)
    properties: {
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataReader)
    }
  }
]

resource deployerPeeks 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (queue, i) in deployerPeekQueues: if (!empty(deployerPrincipalId) && deployerDataAccess) {
    scope: deployerPeekable[i]
    name: guid(deployerPeekable[i].id, deployerPrincipalId, storageQueueDataMessageReader)
    properties: {
      principalId: deployerPrincipalId
      principalType: deployerPrincipalType
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataMessageReader)
    }
  }
]
