// The trainer on serverless GPUs: a Container Apps environment with a consumption GPU workload profile (T4 or A100)
// and a Container Apps Job running `bertfn-trainer --worker` (docs/trainer.md). The job is event-triggered: a KEDA
// azure-queue rule, authenticated with the job's managed identity, starts an execution when training-jobs has
// messages; each worker takes jobs until the queue has been idle for BERTFN_TRAINER__IDLETIMEOUT, then exits, so
// nothing runs (or costs) while there is no work. Logs go to Log Analytics through diagnostic settings (no shared key).

@description('Location of the environment and the job.')
param location string

@description('Tags for every resource.')
param tags object

@description('Name of the Container Apps environment.')
param environmentName string

@description('Name of the Container Apps Job.')
@maxLength(32)
param jobName string

@description('Resource id of the Log Analytics workspace.')
param workspaceId string

@description('GPU of the serverless workload profile.')
@allowed(['T4', 'A100'])
param gpuProfile string

@description('Resource id of the trainer identity (user-assigned).')
param identityId string

@description('Client id of the trainer identity.')
param identityClientId string

@description('Login server of the registry the image comes from.')
param registryServer string

@description('The trainer image; empty until azd has pushed one (a public placeholder that exits at once stands in).')
param imageName string

@description('Name of the Storage account.')
param storageAccountName string

@description('Queue the job is triggered by.')
param jobsQueue string

@description('Longest a replica may run, seconds (it is stopped after that; the job resumes from its checkpoint).')
@minValue(600)
param replicaTimeout int

@description('Times a failed replica is started again within one execution.')
@minValue(0)
@maxValue(10)
param replicaRetryLimit int

@description('Replicas per execution (each one a worker taking jobs from the queue).')
@minValue(1)
@maxValue(10)
param parallelism int

@description('Most executions at the same time (each on its own GPU).')
@minValue(1)
@maxValue(100)
param maxExecutions int

@description('How often KEDA looks at the queue, seconds.')
@minValue(10)
param pollingInterval int = 30

@description('BERTFN_TRAINER__IDLETIMEOUT: a worker exits after this long without a job.')
param idleTimeout string

@description('BERTFN_TRAINER__VISIBILITYTIMEOUT: how long a taken job stays invisible between lease renewals.')
param visibilityTimeout string

@description('BERTFN_TRAINER__MAXATTEMPTS: deliveries of one message before it moves to training-jobs-poison.')
@minValue(1)
param maxAttempts int

// Serverless GPU profiles and the whole of their machine, which a replica on them is given.
var gpuProfiles = {
  T4: { type: 'Consumption-GPU-NC8as-T4', cpu: 8, memory: '56Gi' }
  A100: { type: 'Consumption-GPU-NC24-A100', cpu: 24, memory: '220Gi' }
}
var gpu = gpuProfiles[gpuProfile]
var gpuProfileName = 'gpu'

// Until azd deploys the trainer, a public sample job image (it exits at once) keeps the job valid.
var placeholderImage = 'mcr.microsoft.com/k8se/quickstart-jobs:latest'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

@description('Subnet (delegated to Microsoft.App/environments, at least /27) the environment joins for private networking; empty: none.')
param infrastructureSubnetId string = ''

resource environment 'Microsoft.App/managedEnvironments@2025-01-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    appLogsConfiguration: {
      destination: 'azure-monitor'
    }
    vnetConfiguration: empty(infrastructureSubnetId) ? null : { infrastructureSubnetId: infrastructureSubnetId }
    workloadProfiles: [
      {
        name: 'Consumption'
        workloadProfileType: 'Consumption'
      }
      {
        name: gpuProfileName
        workloadProfileType: gpu.type
      }
    ]
    zoneRedundant: false
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  scope: environment
  name: 'to-log-analytics'
  properties: {
    workspaceId: workspaceId
    // Resource-specific tables (ContainerAppConsoleLogs, ContainerAppSystemLogs) rather than AzureDiagnostics.
    logAnalyticsDestinationType: 'Dedicated'
    logs: [
      {
        categoryGroup: 'allLogs'
        enabled: true
      }
    ]
  }
}

resource job 'Microsoft.App/jobs@2025-01-01' = {
  name: jobName
  location: location
  tags: union(tags, { 'azd-service-name': 'trainer' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    environmentId: environment.id
    workloadProfileName: gpuProfileName
    configuration: {
      triggerType: 'Event'
      replicaTimeout: replicaTimeout
      replicaRetryLimit: replicaRetryLimit
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      eventTriggerConfig: {
        parallelism: parallelism
        replicaCompletionCount: parallelism
        scale: {
          minExecutions: 0
          maxExecutions: maxExecutions
          pollingInterval: pollingInterval
          rules: [
            {
              name: 'training-jobs'
              type: 'azure-queue'
              metadata: {
                accountName: storage.name
                queueName: jobsQueue
                queueLength: '1'
              }
              identity: identityId
            }
          ]
        }
      }
    }
    template: {
      containers: [
        {
          name: 'trainer'
          image: empty(imageName) ? placeholderImage : imageName
          args: empty(imageName) ? null : ['--worker']
          resources: {
            cpu: gpu.cpu
            memory: gpu.memory
          }
          env: [
            // An account URL, not a connection string: DefaultAzureCredential with the user-assigned identity.
            { name: 'BERTFN_STORAGE', value: storage.properties.primaryEndpoints.blob }
            { name: 'AZURE_CLIENT_ID', value: identityClientId }
            { name: 'BERTFN_TRAINER__IDLETIMEOUT', value: idleTimeout }
            { name: 'BERTFN_TRAINER__VISIBILITYTIMEOUT', value: visibilityTimeout }
            { name: 'BERTFN_TRAINER__MAXATTEMPTS', value: string(maxAttempts) }
          ]
        }
      ]
    }
  }
}

output environmentName string = environment.name
output jobName string = job.name
