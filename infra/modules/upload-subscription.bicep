// BlobCreated in the uploads container, delivered to the blob trigger UploadReceived (Event Grid source, as Flex
// Consumption requires). Deployed after the code by infra/hooks/postdeploy.*, the postdeploy hook of the functions
// service in azure.yaml (azd runs it once the Functions app is deployed, not after the trainer's deploy): the webhook
// needs the blob extension's system key, which the Functions host creates when it first runs. The key is read here,
// inside the deployment, so it never appears in a parameter, an output or a log.
//
// Only the events that start work are delivered: BlobCreated, in the uploads container, from the operations that
// leave a complete blob (data.api; a Data Lake CreateFile, the empty file before its data, is not one of them). An
// event that still fails after every retry is dead-lettered to a blob container of the same Storage account, written
// with the system topic's managed identity (upload-events.bicep: shared keys are off on the account).

@description('Name of the Event Grid system topic of the Storage account.')
param systemTopicName string

@description('Name of the Functions app.')
param functionAppName string

@description('The blob trigger function (its [Function] name).')
param functionName string = 'UploadReceived'

@description('The container whose new blobs are delivered.')
param uploadsContainer string = 'uploads'

@description('Name of the subscription.')
param subscriptionName string = 'uploads-to-functions'

@description('Container of the topic\'s Storage account for undeliverable events (created by main.bicep; the topic\'s identity may write there).')
param deadLetterContainer string = 'eventgrid-deadletter'

// The Blob REST operations that commit a whole blob (PutBlob, PutBlockList, CopyBlob) and the Data Lake flush that
// closes a file (FlushWithClose): docs, "Azure Blob Storage as an Event Grid source".
var completingOperations = ['PutBlob', 'PutBlockList', 'CopyBlob', 'FlushWithClose']

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource app 'Microsoft.Web/sites@2025-03-01' existing = {
  name: functionAppName
}

// The host's keys (Microsoft.Web/sites/host has no resource type to declare, so listKeys takes its id).
var blobsExtensionKey = listKeys('${app.id}/host/default', '2025-03-01').systemKeys.blobs_extension

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: subscriptionName
  properties: {
    destination: {
      endpointType: 'WebHook'
      properties: {
        endpointUrl: 'https://${app.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${functionName}&code=${blobsExtensionKey}'
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    filter: {
      includedEventTypes: ['Microsoft.Storage.BlobCreated']
      subjectBeginsWith: '/blobServices/default/containers/${uploadsContainer}/'
      advancedFilters: [
        {
          operatorType: 'StringIn'
          key: 'data.api'
          values: completingOperations
        }
      ]
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    // Written with the topic's system-assigned identity to its source account (the Storage account).
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: topic.properties.source
          blobContainerName: deadLetterContainer
        }
      }
    }
  }
}

output name string = subscription.name
