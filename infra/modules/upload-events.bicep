// The Event Grid system topic of the Storage account. Its subscription (BlobCreated in uploads, delivered to the
// UploadReceived blob trigger) is upload-subscription.bicep, deployed after the code: its webhook URL needs the blob
// extension's system key, which exists only once the app runs.

@description('Location of the topic (the Storage account\'s).')
param location string

@description('Tags for the topic.')
param tags object

@description('Name of the system topic.')
param name string

@description('Name of the Storage account whose events it publishes.')
param storageAccountName string

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: name
  location: location
  tags: tags
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

output name string = topic.name
