// BlobCreated in the uploads container, delivered to the blob trigger UploadReceived (Event Grid source, as Flex
// Consumption requires). Deployed after the code by infra/hooks/postdeploy.* (azd runs it after `azd deploy`): the
// webhook needs the blob extension's system key, which the Functions host creates when it first runs. The key is read
// here, inside the deployment, so it never appears in a parameter, an output or a log.

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
    }
    eventDeliverySchema: 'EventGridSchema'
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

output name string = subscription.name
