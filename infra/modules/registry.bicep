// The registry for the trainer image. No admin user and no anonymous pull: the job pulls with its managed identity
// (AcrPull, nothing more); people push with their Entra ID sign-in (`az acr login`, or azd).

@description('Location of the registry.')
param location string

@description('Tags for the registry.')
param tags object

@description('Name of the registry (5-50 letters and digits).')
@minLength(5)
@maxLength(50)
param name string

@description('Registry tier. Basic is enough for one image; Premium adds artifact streaming (faster cold starts).')
@allowed(['Basic', 'Standard', 'Premium'])
param sku string = 'Basic'

@description('Principal id that pulls images (the trainer identity).')
param pullPrincipalId string

var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2025-04-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: sku }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
    publicNetworkAccess: 'Enabled'
  }
}

resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  scope: registry
  name: guid(registry.id, pullPrincipalId, acrPull)
  properties: {
    principalId: pullPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
  }
}

output name string = registry.name
output loginServer string = registry.properties.loginServer
