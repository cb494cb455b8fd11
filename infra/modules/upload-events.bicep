// The Event Grid system topic of the Storage account. Its subscription (BlobCreated in uploads, delivered to the
// UploadReceived blob trigger) is upload-subscription.bicep, deployed after the code: its webhook URL needs the blob
// extension's system key, which exists only once the app runs.
//
// Events Event Grid cannot deliver (retries exhausted, or time to live over) are dead-lettered as blobs into their
// own container. Shared keys are off on the account, so Event Grid writes them with the topic's system-assigned
// identity, which holds Storage Blob Data Contributor on that container only.

@description('Location of the topic (the Storage account\'s).')
param location string

@description('Tags for the topic.')
param tags object

@description('Name of the system topic.')
param name string

@description('Name of the Storage account whose events it publishes.')
param storageAccountName string

@description('Existing container of the account where undeliverable events are written (upload-subscription.bicep dead-letters there).')
param deadLetterContainer string

// Storage Blob Data Contributor: the role Event Grid's identity needs to write dead letters to Blob storage.
var storageBlobDataContributor = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' existing = {
  parent: storage
  name: 'default'
}

resource deadLetters 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' existing = {
  parent: blobService
  name: deadLetterContainer
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// Scoped to the dead-letter container: the topic's identity can read or write nothing else in the account.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: deadLetters
  name: guid(deadLetters.id, topic.id, storageBlobDataContributor)
  properties: {
    principalId: topic.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataContributor)
  }
}

output name string = topic.name
// What upload-subscription.bicep dead-letters to: the topic's source account (it reads it from the topic) and this
// container (its deadLetterContainer parameter, whose default is this name).
output deadLetterStorageAccountId string = storage.id
output deadLetterContainer string = deadLetters.name
